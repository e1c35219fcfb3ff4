// Which process a thread id belongs to, from /proc. Any thread id of a
// process opens its /proc directory, so a user who names a worker thread's
// id (from top -H, or a log line) can be told which process it is part of.
#pragma once

#include <sys/types.h>

#include <optional>

namespace sctrace {

// The thread-group id (the process id) of thread `tid`, from the Tgid line of
// /proc/TID/status; nullopt when no such thread exists (or it just exited).
std::optional<pid_t> thread_group_of(pid_t tid);

}  // namespace sctrace
