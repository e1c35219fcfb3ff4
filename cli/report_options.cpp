#include "cli/report_options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "report/output_stream.h"

#ifndef SCTRACE_VERSION
#define SCTRACE_VERSION "0.0.0"
#endif

namespace sctrace {

namespace {

// Where SARIF paths are made relative to: the checkout in GitHub Actions or
// GitLab CI (a test may run from a build folder), else the working directory.
std::string source_root() {
    for (const char* name : {"GITHUB_WORKSPACE", "CI_PROJECT_DIR"}) {
        if (const char* value = std::getenv(name); value && *value == '/') return value;
    }
    std::error_code ec;
    const auto cwd = std::filesystem::current_path(ec);
    return ec ? std::string() : cwd.string();
}

}  // namespace

void add_report_options(CLI::App& app, ReportPaths& paths) {
    app.add_option("--sarif", paths.sarif, "Write findings as SARIF 2.1.0 (GitHub code scanning)")
        ->type_name("FILE")
        ->group("Reports");
    app.add_option("--junit", paths.junit,
                   "Write a JUnit XML report: a test case per rule, and one for the command")
        ->type_name("FILE")
        ->group("Reports");
    app.add_option("--trace-json", paths.trace_json,
                   "Write events and findings in Chrome's trace format (open in ui.perfetto.dev)")
        ->type_name("FILE")
        ->group("Reports");
}

std::unique_ptr<ReportOutputs> ReportOutputs::open(const ReportPaths& paths,
                                                   std::optional<rules::Severity> fail_on,
                                                   std::string_view program) {
    std::unique_ptr<ReportOutputs> r(new ReportOutputs);
    r->program_ = program;
    r->paths_ = paths;
    const auto create = [&](const std::string& path, const char* option, UniqueFd& fd) {
        if (path.empty()) return true;
        fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) {
            std::fprintf(stderr, "%s: %s %s: cannot create: %s\n", r->program_.c_str(), option,
                         path.c_str(), std::strerror(errno));
            return false;
        }
        return true;
    };
    if (!create(paths.sarif, "--sarif", r->sarif_file_) ||
        !create(paths.junit, "--junit", r->junit_file_) ||
        !create(paths.trace_json, "--trace-json", r->trace_file_)) {
        return nullptr;
    }
    if (r->sarif_file_) r->sarif_ = std::make_unique<SarifWriter>(SCTRACE_VERSION, source_root());
    if (r->junit_file_) {
        r->junit_ = std::make_unique<JunitWriter>(fail_on.value_or(rules::Severity::Warning));
    }
    if (r->trace_file_)
        r->trace_ = std::make_unique<TraceJsonWriter>(r->trace_file_.get(), paths.trace_json);
    return r;
}

ReportOutputs::~ReportOutputs() {
    if (finished_) return;
    for (auto [fd, path] :
         {std::pair{&sarif_file_, &paths_.sarif}, std::pair{&junit_file_, &paths_.junit}}) {
        struct stat st {};
        // Only a regular file this run left empty: never /dev/stdout or a FIFO.
        if (*fd && ::fstat(fd->get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
            ::unlink(path->c_str());
        }
    }
}

std::vector<rules::FindingSink*> ReportOutputs::finding_sinks() {
    std::vector<rules::FindingSink*> sinks;
    if (sarif_) sinks.push_back(sarif_.get());
    if (junit_) sinks.push_back(junit_.get());
    if (trace_) sinks.push_back(&trace_->finding_sink());
    return sinks;
}

bool ReportOutputs::finish(const RunSummary& run, const rules::RuleSet& rules) {
    if (finished_) return !lost_;
    finished_ = true;
    // Each failure is said once, where it happens (OutputStream); close()
    // can report a deferred write error (NFS, quota).
    const auto write_document = [&](UniqueFd& fd, const std::string& path,
                                    const std::string& text) {
        OutputStream stream(fd.get(), path);
        if (stream.write(text) && ::close(fd.release()) != 0) stream.fail(errno);
        lost_ = lost_ || stream.lost();
    };
    if (sarif_) write_document(sarif_file_, paths_.sarif, sarif_->render(rules.infos(), run));
    if (junit_) write_document(junit_file_, paths_.junit, junit_->render(rules.infos(), run));
    if (trace_) {
        trace_->finish();
        if (trace_file_ && ::close(trace_file_.release()) != 0) trace_->output().fail(errno);
        lost_ = lost_ || trace_->output().lost();
    }
    return !lost_;
}

}  // namespace sctrace
