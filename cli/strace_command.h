// `sctrace strace ARGS...`, and sctrace run through a link named `strace`:
// strace 6.1's command line (cli/strace_options.h) and its output, with the
// rules' findings on stderr as in sctrace's own mode (--no-rules: none).
#pragma once

#include <string>
#include <vector>

namespace sctrace {

// Runs what `args` (the words after "strace") ask for; returns the exit
// status: the traced command's, or 1 for a command line strace would
// refuse too.
int strace_main(const std::vector<std::string>& args);

}  // namespace sctrace
