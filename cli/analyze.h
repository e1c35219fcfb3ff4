// `sctrace analyze [OPTIONS] FILE...`: the rules over saved strace logs
// (any common flag mix, -ff sets, gzip) and sctrace's own JSONL event logs,
// which become the same event stream the live tracer produces. Exit status:
// 0 clean, 1 findings at or above --fail-on, 2 unusable input or arguments,
// 122 an output could not be written.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/common_options.h"
#include "cli/report_options.h"

namespace sctrace {

class AnalyzeCommand {
public:
    // Adds `analyze` and its options to `sctrace`.
    explicit AnalyzeCommand(CLI::App& sctrace);
    AnalyzeCommand(const AnalyzeCommand&) = delete;
    AnalyzeCommand& operator=(const AnalyzeCommand&) = delete;

    CLI::App& app() { return *app_; }
    // Once app() has parsed the arguments: reads the logs, returns the exit
    // status.
    int execute();

private:
    struct Options {
        std::vector<std::string> inputs;  // FILE...
        EventStreamOptions stream;
        RuleCommandOptions rules;
        ReportPaths reports;
    };

    CLI::App* app_;
    Options options_;
};

}  // namespace sctrace
