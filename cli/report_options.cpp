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

#include "cli/rule_pipeline.h"
#include "cli/version.h"
#include "report/output_stream.h"

#ifndef SCTRACE_INFORMATION_URI
#define SCTRACE_INFORMATION_URI ""
#endif
#ifndef SCTRACE_RULE_DOCS_URI
#define SCTRACE_RULE_DOCS_URI ""
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

std::string github_step_summary() {
    const char* path = std::getenv("GITHUB_STEP_SUMMARY");
    return path && *path ? path : "";
}

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
    app.add_option("--annotations", paths.annotations,
                   "Write findings as GitHub Actions annotations (workflow commands, at most 10 "
                   "of each kind, ranked), for a step to print: docs/ci.md")
        ->type_name("FILE")
        ->group("Reports");
    app.add_option("--codequality", paths.codequality,
                   "Write findings as a GitLab Code Quality report (merge request widget)")
        ->type_name("FILE")
        ->group("Reports");
    app.add_option("--markdown-summary", paths.markdown,
                   "Write a Markdown summary: the rules that fired, counts, where, each one's "
                   "first finding (also appended to $GITHUB_STEP_SUMMARY when it is set)")
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
        !create(paths.trace_json, "--trace-json", r->trace_file_) ||
        !create(paths.annotations, "--annotations", r->annotations_file_) ||
        !create(paths.codequality, "--codequality", r->codequality_file_) ||
        !create(paths.markdown, "--markdown-summary", r->markdown_file_)) {
        return nullptr;
    }
    if (r->sarif_file_) {
        SarifLinks links;
        links.information_uri = SCTRACE_INFORMATION_URI;
        links.rule_docs_uri = SCTRACE_RULE_DOCS_URI;
        links.rule_docs_dir = rule_docs_dir();
        std::error_code ec;
        if (const std::string pack = default_rules_path(); !pack.empty()) {
            const auto bundled = std::filesystem::weakly_canonical(pack, ec);
            if (!ec) links.bundled_rules_dir = bundled.string();
        }
        r->sarif_ = std::make_unique<SarifWriter>(kVersion, source_root(), std::move(links));
    }
    if (r->junit_file_) {
        r->junit_ = std::make_unique<JunitWriter>(fail_on.value_or(rules::Severity::Warning));
    }
    if (r->trace_file_)
        r->trace_ = std::make_unique<TraceJsonWriter>(r->trace_file_.get(), paths.trace_json);
    if (r->codequality_file_) r->codequality_ = std::make_unique<CodeQualityWriter>(source_root());
    if (r->annotations_file_ || r->markdown_file_ || !paths.step_summary.empty() ||
        paths.markdown_wanted) {
        r->github_ = std::make_unique<GithubWriter>(source_root());
    }
    return r;
}

ReportOutputs::~ReportOutputs() {
    if (finished_) return;
    for (auto [fd, path] :
         {std::pair{&sarif_file_, &paths_.sarif}, std::pair{&junit_file_, &paths_.junit},
          std::pair{&annotations_file_, &paths_.annotations},
          std::pair{&codequality_file_, &paths_.codequality},
          std::pair{&markdown_file_, &paths_.markdown}}) {
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
    if (github_) sinks.push_back(github_.get());
    if (codequality_) sinks.push_back(codequality_.get());
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
    if (codequality_) {
        write_document(codequality_file_, paths_.codequality, codequality_->render());
    }
    if (github_) {
        if (annotations_file_)
            write_document(annotations_file_, paths_.annotations, github_->annotations());
        markdown_ = github_->markdown(run);
        if (markdown_file_) write_document(markdown_file_, paths_.markdown, markdown_);
        if (!paths_.step_summary.empty() &&
            !append_to_file(paths_.step_summary, markdown_, program_)) {
            lost_ = true;
        }
    }
    if (trace_) {
        trace_->finish();
        if (trace_file_ && ::close(trace_file_.release()) != 0) trace_->output().fail(errno);
        lost_ = lost_ || trace_->output().lost();
    }
    return !lost_;
}

}  // namespace sctrace
