// The processes `-p` names, checked in the user's terms before anything is
// attached (docs/cli.md):
//  - each value is a process id, a positive decimal number; anything else
//    (0, -5, abc) is a usage error;
//  - the id of a thread that is not its process's main thread stands for
//    that process (sctrace always traces every thread), said in one line;
//  - a process named twice is attached once, said in one line (strace, too,
//    complains about the second -p and goes on tracing).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace sctrace {

// The process ids to attach to, in the order given, or nullopt after writing
// what is wrong to `messages`. Notices about threads and repeats go there
// too, one line each, prefixed "sctrace: ".
std::optional<std::vector<pid_t>> attach_targets(const std::vector<std::string>& values,
                                                 FILE* messages);

// A -p value as a process id: digits only, from 1 to INT_MAX.
std::optional<pid_t> parse_process_id(const std::string& text);

}  // namespace sctrace
