#include "cli/diff_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "cli/compare_logs.h"
#include "report/diff_writer.h"
#include "report/output_stream.h"

namespace sctrace {

namespace {

constexpr int kDiverged = 1;
constexpr int kUnusable = 2;
constexpr int kOutputLost = 122;

}  // namespace

DiffCommand::DiffCommand(CLI::App& sctrace)
    : Command(sctrace.add_subcommand(
          "diff",
          "Compare a passing and a failing run: the first divergence of each thread "
          "and each file")) {
    app_->allow_extras();
    app_->add_option("PASS", pass_, "The passing run: an sctrace event log or an strace log")
        ->required();
    app_->add_option("FAIL", fail_, "The failing run, likewise")->required();
    app_->add_option("--format", format_, "text (for people) or json (for tools)")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app_->add_option("-o,--output", output_, "Write the report to FILE instead of stdout")
        ->type_name("FILE");
    app_->add_option("--limit", limit_, "Show at most N divergences as text (json has all)")
        ->type_name("N")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app_->footer(
        "Examples:\n"
        "  sctrace -o pass.jsonl --format jsonl -- ./test     # a run that passed\n"
        "  sctrace -o fail.jsonl --format jsonl -- ./test     # one that failed\n"
        "  sctrace diff pass.jsonl fail.jsonl\n"
        "Exit status: 0 the runs did the same, 1 they diverged, 2 unusable input,\n"
        "122 the report could not be written.");
}

int DiffCommand::execute() {
    if (const auto unknown = unknown_option(app_->remaining())) {
        report_unknown_option("sctrace diff", *unknown);
        return kUnusable;
    }
    std::signal(SIGPIPE, SIG_IGN);
    UniqueFd file;
    int fd = STDOUT_FILENO;
    std::string name = "stdout";
    if (!output_.empty()) {
        file = UniqueFd(::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!file) {
            std::fprintf(stderr, "sctrace diff: -o %s: %s\n", output_.c_str(),
                         std::strerror(errno));
            return kUnusable;
        }
        fd = file.get();
        name = output_;
    }
    const auto diff = compare_logs(pass_, fail_, "sctrace diff");
    if (!diff) return kUnusable;
    OutputStream out(fd, name, "sctrace diff");
    out.write(format_ == "json" ? diff_json(*diff) : diff_text(*diff, limit_));
    if (file && ::close(file.release()) != 0) out.fail(errno);
    if (out.lost()) return kOutputLost;
    return diff->divergences.empty() ? 0 : kDiverged;
}

}  // namespace sctrace
