// Starting the command under the seccomp-notify backend: no ptrace at all.
// The child installs a filter whose traced calls return
// SECCOMP_RET_USER_NOTIF, with a new listener, and hands the listener to
// sctrace over a socket (SCM_RIGHTS) before it execs; from then on each
// traced call of the command and of everything it starts waits until
// sctrace lets it continue.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "model/syscall_set.h"
#include "sources/live/seccomp_filter.h"

namespace sctrace {

class NotifyChild {
public:
    // Forks `argv` under a user-notify filter for `traced` (`narrowed` as
    // for the ptrace filter) and returns once the child has handed over its
    // listener, before its exec. Throws SystemError when fork or the socket
    // fails, and std::runtime_error naming the kernel's refusal when the
    // child cannot install the filter (no SECCOMP_RET_USER_NOTIF before
    // Linux 5.0, a policy that forbids seccomp, or a listener it already
    // has: EBUSY); the child has exited then.
    static NotifyChild start(const std::vector<std::string>& argv, const SyscallSet& traced,
                             const std::vector<NarrowedCall>& narrowed);

    pid_t pid() const { return pid_; }
    // The listener, once: whoever serves the calls owns it.
    UniqueFd take_listener() { return std::move(listener_); }

    // The child's exec failed: its errno (the child exits 127). Read once
    // the child has exited; 0 when the exec worked.
    int exec_errno();

private:
    NotifyChild(pid_t pid, UniqueFd listener, UniqueFd reports)
        : pid_(pid), listener_(std::move(listener)), reports_(std::move(reports)) {}

    pid_t pid_;
    UniqueFd listener_;
    UniqueFd reports_;  // the parent's end of the handshake socket
};

}  // namespace sctrace
