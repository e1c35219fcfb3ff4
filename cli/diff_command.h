// `sctrace diff [OPTIONS] PASS FAIL`: a passing and a failing run of the same
// program (sctrace event logs or strace logs, as analyze reads them),
// compared thread by thread and file by file (engine/diff/run_comparer.h),
// and the first divergence of each shown. Exit status: 0 the runs did the
// same, 1 they diverged, 2 unusable input or arguments, 122 the output
// could not be written.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

#include "cli/command_line.h"

namespace sctrace {

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
