// The seccomp prefilter: a BPF program that makes only the syscalls we need
// stop the tracee (SECCOMP_RET_TRACE); everything else runs at full speed.
//
// The program is built with libseccomp in sctrace's own process, before
// fork(): the child then installs it with one async-signal-safe syscall and no
// allocation, which is all a child of a (possibly multi-threaded) parent may do.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/syscall_set.h"

namespace sctrace {

// The SECCOMP_RET_DATA sctrace's filter returns with SECCOMP_RET_TRACE. The
// traced program may install filters of its own that return
// SECCOMP_RET_TRACE too (sandboxes do), and when two filters both return it
// the most recently installed one's data wins: a seccomp stop that does not
// carry this value was asked for by the program's filter, not ours, and
// must end as it would with no tracer there (the call fails with ENOSYS).
inline constexpr std::uint16_t kSeccompTraceData = 0x5c7a;

// A traced call that stops only when argument `arg` holds one of `values`
// (compared as 32-bit integers: the calls narrowed so take an int there).
struct NarrowedCall {
    int x86_64_nr = -1;
    int arg = 0;
    std::vector<std::uint32_t> values;
};

class SeccompProgram {
public:
    // Compiles a filter for x86_64, i386 and x32 callers: members of `traced`
    // return SECCOMP_RET_TRACE | kSeccompTraceData (those in `narrowed` only
    // with the argument values named there), everything else
    // SECCOMP_RET_ALLOW. Throws std::runtime_error when libseccomp fails.
    static SeccompProgram build(const SyscallSet& traced,
                                const std::vector<NarrowedCall>& narrowed = {});

    // The same set for the seccomp-notify backend: members return
    // SECCOMP_RET_USER_NOTIF, to be installed with
    // SECCOMP_FILTER_FLAG_NEW_LISTENER (install_notify_program). One call
    // is let through unseen, the handshake: sendmsg(handshake_fd, ...,
    // kNotifyHandshakeFlags) on x86_64, with which the child hands its
    // listener to sctrace; until sctrace has it no notification could be
    // answered, and a sendmsg that waited for one would wait forever.
    static SeccompProgram build_notify(const SyscallSet& traced,
                                       const std::vector<NarrowedCall>& narrowed, int handshake_fd);

    const sock_fprog* program() const { return &fprog_; }
    std::size_t instruction_count() const { return instructions_.size(); }

    SeccompProgram(SeccompProgram&& other) noexcept;
    SeccompProgram& operator=(SeccompProgram&& other) noexcept;
    SeccompProgram(const SeccompProgram&) = delete;
    SeccompProgram& operator=(const SeccompProgram&) = delete;

private:
    SeccompProgram() = default;
    static SeccompProgram compile(const SyscallSet& traced,
                                  const std::vector<NarrowedCall>& narrowed, std::uint32_t action);
    void point_at_instructions();

    std::vector<sock_filter> instructions_;
    sock_fprog fprog_{};
};

// The flags of the handshake's sendmsg: MSG_NOSIGNAL | MSG_DONTWAIT |
// MSG_CMSG_CLOEXEC, a combination no program sends (MSG_CMSG_CLOEXEC means
// nothing to sendmsg), so that a program's own sendmsg on the same
// descriptor number is still seen.
inline constexpr std::uint32_t kNotifyHandshakeFlags = 0x40004040;

// Installs `program` on the calling thread. Async-signal-safe: meant for the
// forked child just before execve. Returns 0 or an errno value. Sets
// no_new_privs first when we lack CAP_SYS_ADMIN (the kernel demands one of
// the two); as root we leave no_new_privs alone so setuid programs still work.
int install_seccomp_program(const sock_fprog* program, bool set_no_new_privs);

// Installs a build_notify() program with a new listener. Async-signal-safe.
// Returns the listener's descriptor, or -errno.
int install_notify_program(const sock_fprog* program, bool set_no_new_privs);

}  // namespace sctrace
