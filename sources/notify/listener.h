// A seccomp user-notify listener: the descriptor through which the kernel
// hands sctrace each traced call of the command, stopped at its entry,
// until sctrace lets it continue.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "base/unique_fd.h"

namespace sctrace {

// One traced call, as the kernel reported it (struct seccomp_notif).
struct Notification {
    std::uint64_t id = 0;  // the kernel's cookie, for the answer
    pid_t tid = 0;         // in sctrace's pid namespace
    std::uint32_t audit_arch = 0;
    std::int32_t nr = -1;
    std::uint64_t instruction_pointer = 0;
    std::array<std::uint64_t, 6> args{};
};

class NotifyListener {
public:
    // Takes `fd`, a listener from SECCOMP_FILTER_FLAG_NEW_LISTENER. Throws
    // SystemError when the kernel will not say its structures' sizes.
    explicit NotifyListener(UniqueFd fd);

    struct Wait {
        bool ready = false;     // a notification can be received
        bool woken = false;     // `wake_fd` became readable
        bool finished = false;  // no process uses the filter any more
    };
    // Waits for the next notification, or for `wake_fd` (-1: none), at most
    // `timeout` (negative: no limit); nothing set when it passed or a signal
    // came.
    Wait wait(std::chrono::milliseconds timeout, int wake_fd = -1);
    // Receives one. False when it went away before (its thread was killed):
    // wait again.
    bool receive(Notification& out);
    // The call is still waiting for its answer: what was read of its
    // memory since receive() is its own, not a reused thread's or address's.
    bool still_pending(std::uint64_t id) const;
    // Lets the call run as if no filter had stopped it. A call that went
    // away meanwhile is no error.
    void let_continue(std::uint64_t id);

private:
    UniqueFd fd_;
    // The kernel's sizes, which may exceed the headers' structs.
    std::vector<unsigned char> notif_, resp_;
};

}  // namespace sctrace
