// A Task is one traced thread, and only the mechanics of tracing it: resume,
// listen, interrupt, detach, and read what the kernel says about its stop.
// Policy (which resume mode, what an event means) lives in Session.
//
// Every request returns false when the thread vanished under us (ESRCH: a
// SIGKILL, or its process exec'd from another thread). That is a normal
// outcome, not an error: waitpid() reports the exit shortly after. Any other
// failure is a bug in sctrace and throws SystemError naming the request.
#pragma once

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "model/arg_tree.h"
#include "model/event.h"
#include "sources/live/fault_injector.h"

namespace sctrace {

enum class ResumeMode {
    Syscall,   // PTRACE_SYSCALL: stop at the next syscall entry or exit
    Continue,  // PTRACE_CONT: run until the next event, signal or seccomp trap
};

// How we came to trace this thread. A launched tree carries our seccomp
// filter; an attached process does not, so it must stop at every syscall.
enum class Origin : std::uint8_t { Launched, Attached };

class Task {
public:
    Task(pid_t tid, pid_t tgid, Origin origin) : tid_(tid), tgid_(tgid), origin_(origin) {}

    pid_t tid() const { return tid_; }
    pid_t tgid() const { return tgid_; }
    Origin origin() const { return origin_; }
    bool is_leader() const { return tid_ == tgid_; }

    // ptrace requests. False: the thread is gone (ESRCH).
    bool resume(ResumeMode mode, int signal = 0);
    bool listen();
    bool interrupt();
    bool detach(int signal = 0);
    bool get_syscall_info(__ptrace_syscall_info& info);
    bool get_siginfo(siginfo_t& info);
    bool get_event_msg(unsigned long& message);
    bool set_options(long options);
    // At a syscall-entry or seccomp stop: the kernel skips the call (its
    // number becomes -1) and the thread sees `result` as its return value
    // (a negated errno for a failure).
    bool skip_syscall(std::int64_t result);

    // After an exec from a non-leader thread, that thread takes the leader's
    // thread id (the "thread-id switch"): the surviving Task is renamed.
    void take_over_tid(pid_t tid) { tid_ = tid; }

    // --- tracing state, owned here, interpreted by Session ---

    // The call this thread is inside, between its entry and exit stops.
    bool in_syscall = false;
    SyscallEvent current;
    // Whether `current` becomes events (it is in the traced set, and the
    // thread is not our own pre-exec child).
    bool report_current = false;

    // A launched child is silent until it execs the command: the calls it
    // makes first (reading the go-pipe, installing the filter) are ours.
    bool before_first_exec = false;

    // The system CPU time of the thread's process at its latest stop and at
    // the entry of `current` (SessionOptions::system_times; else -1).
    Nanos stop_system_time = -1;
    Nanos entry_system_time = -1;

    // Set while the thread sits in a group-stop that we left in PTRACE_LISTEN.
    bool group_stopped = false;

    // Fault injection (sources/live/fault_injector.h): the invocation counts,
    // a signal to deliver when the thread is next resumed, how long to hold
    // it in its current stop before resuming it, the hold due at the exit
    // of the current call, and whether it is being held now (in a
    // ptrace-stop that nobody will resume until the hold ends).
    InvocationCounts invocations;
    int resume_signal = 0;
    std::optional<std::chrono::nanoseconds> hold_for;
    std::optional<std::chrono::nanoseconds> exit_delay;
    bool held = false;

    // Scratch space for strings an event points at (the exec path ...),
    // valid until this task's next event: no allocation per event.
    std::array<char, 4096> scratch{};
    // The decoded arguments of `current`, allocated at the first decode so
    // that threads nobody decodes for pay nothing.
    std::unique_ptr<ArgTree> decoded;

    // The name of the last call this thread returned from (a table's name;
    // empty when unknown): what a restart_syscall resumes, as strace says.
    std::string_view previous_call;

    // Where the name of an unknown syscall ("syscall_0x1c8") is written.
    std::array<char, 24> name_scratch{};

private:
    pid_t tid_;
    pid_t tgid_;
    Origin origin_;
};

}  // namespace sctrace
