// `sctrace diff [OPTIONS] PASS FAIL`: a passing and a failing run of the same
// program (sctrace event logs or strace logs, as analyze reads them),
// compared thread by thread and file by file (engine/diff/run_comparer.h),
// and the first divergence of each shown. Exit status: 0 the runs did the
// same, 1 they diverged, 2 unusable input or arguments, 122 the output
// could not be written.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "cli/command_line.h"
#include "model/run_diff.h"

namespace sctrace {

// Reads both logs and compares them. nullopt after saying on stderr,
// "PROGRAM: FILE: reason", why a log could not be read. Lines the parser
// could not read are said, each with its FILE:LINE, and counted.
std::optional<RunDiff> compare_logs(const std::string& pass, const std::string& fail,
                                    const char* program);

class DiffCommand final : public Command {
public:
    explicit DiffCommand(CLI::App& sctrace);
    int execute() override;

private:
    std::string pass_;
    std::string fail_;
    std::string format_ = "text";
    std::string output_;
    std::size_t limit_ = 20;
};

}  // namespace sctrace
