#include "sources/live/task.h"

#include <sys/ptrace.h>
#include <sys/user.h>

#include <cerrno>
#include <cstddef>
#include <string>

#include "base/system_error.h"

namespace sctrace {

namespace {

// One place that turns a ptrace failure into "gone" or an exception.
bool checked(long rc, const char* request, pid_t tid) {
    if (rc != -1) return true;
    if (errno == ESRCH) return false;
    throw_errno(std::string(request) + " tid " + std::to_string(tid));
}

}  // namespace

bool Task::resume(ResumeMode mode, int signal) {
    const auto request = mode == ResumeMode::Syscall ? PTRACE_SYSCALL : PTRACE_CONT;
    const long rc = ptrace(static_cast<__ptrace_request>(request), tid_, nullptr,
                           reinterpret_cast<void*>(static_cast<long>(signal)));
    group_stopped = false;
    return checked(rc, mode == ResumeMode::Syscall ? "PTRACE_SYSCALL" : "PTRACE_CONT", tid_);
}

bool Task::listen() {
    group_stopped = true;
    return checked(ptrace(PTRACE_LISTEN, tid_, nullptr, nullptr), "PTRACE_LISTEN", tid_);
}

bool Task::interrupt() {
    return checked(ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr), "PTRACE_INTERRUPT", tid_);
}

bool Task::detach(int signal) {
    return checked(
        ptrace(PTRACE_DETACH, tid_, nullptr, reinterpret_cast<void*>(static_cast<long>(signal))),
        "PTRACE_DETACH", tid_);
}

bool Task::get_syscall_info(__ptrace_syscall_info& info) {
    const long rc = ptrace(static_cast<__ptrace_request>(PTRACE_GET_SYSCALL_INFO), tid_,
                           reinterpret_cast<void*>(sizeof info), &info);
    return checked(rc, "PTRACE_GET_SYSCALL_INFO", tid_);
}

bool Task::get_siginfo(siginfo_t& info) {
    return checked(ptrace(PTRACE_GETSIGINFO, tid_, nullptr, &info), "PTRACE_GETSIGINFO", tid_);
}

bool Task::get_event_msg(unsigned long& message) {
    return checked(ptrace(PTRACE_GETEVENTMSG, tid_, nullptr, &message), "PTRACE_GETEVENTMSG", tid_);
}

bool Task::set_options(long options) {
    return checked(ptrace(PTRACE_SETOPTIONS, tid_, nullptr, reinterpret_cast<void*>(options)),
                   "PTRACE_SETOPTIONS", tid_);
}

bool Task::skip_syscall(std::int64_t result) {
    // x86: orig_rax holds the call's number, rax its return value. The kernel
    // leaves rax alone for a skipped call, so the value set here is the one
    // the thread sees.
    const auto poke = [this](std::size_t offset, std::int64_t value) {
        return ptrace(PTRACE_POKEUSER, tid_, reinterpret_cast<void*>(offset),
                      reinterpret_cast<void*>(value));
    };
    if (!checked(poke(offsetof(user, regs.orig_rax), -1), "PTRACE_POKEUSER orig_rax", tid_)) {
        return false;
    }
    return checked(poke(offsetof(user, regs.rax), result), "PTRACE_POKEUSER rax", tid_);
}

}  // namespace sctrace
