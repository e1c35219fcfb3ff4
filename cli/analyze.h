// `sctrace analyze [OPTIONS] FILE...`: the rules over saved strace logs
// (any common flag mix, -ff sets, gzip) and sctrace's own JSONL event logs,
// which sources/logs/ turns into the same event stream the live tracer
// produces. Exit status:
// 0 clean, 1 findings at or above --fail-on, 2 unusable input or arguments,
// 122 an output could not be written.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "cli/common_options.h"
#include "cli/report_options.h"

namespace sctrace {

namespace logs {
class SavedLogs;
}
class RulePipeline;

class AnalyzeCommand final : public Command {
public:
    // Adds `analyze` and its options to `sctrace`.
    explicit AnalyzeCommand(CLI::App& sctrace);
    int execute() override;

private:
    struct Options {
        std::vector<std::string> inputs;  // FILE...
        EventStreamOptions stream;
        RuleCommandOptions rules;
        ReportPaths reports;
        // --jobs. One by default: on the 2-vCPU VM of docs/performance.md
        // two threads took twice the CPU time and more wall time than one.
        unsigned jobs = 1;
    };

    // Reads the inputs through the rules into the outputs; the exit status.
    int analyze(logs::SavedLogs& inputs, EventOutput& events, ReportOutputs& reports,
                RulePipeline& pipeline, rules::Severity fail_on);

    Options options_;
};

}  // namespace sctrace
