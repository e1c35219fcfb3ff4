// A tracing Session: the set of traced threads and the policy that turns
// their ptrace stops into Events.
//
// The split follows rr: Task (task.h) knows how to talk to one thread; the
// Session decides what each stop means, how to resume, and what to emit. All
// ptrace calls happen on the thread that runs Session::run().
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "decoders/decoder.h"
#include "model/event.h"
#include "model/injection.h"
#include "model/syscall_set.h"
#include "model/timeout_report.h"
#include "sources/live/fault_injector.h"
#include "sources/live/fd_details.h"
#include "sources/live/io_uring_tracker.h"
#include "sources/live/launcher.h"
#include "sources/live/pid_namespaces.h"
#include "sources/live/seccomp_filter.h"
#include "sources/live/signal_relay.h"
#include "sources/live/task.h"
#include "sources/live/unwinder.h"
#include "sources/live/wait_status.h"
#include "sources/live/watchdog.h"

namespace sctrace {

struct SessionOptions {
    // The syscalls that must stop the tracee: what the rules need plus what
    // the user asked to see. Others never stop it when the filter is on.
    SyscallSet traced;
    // Members of `traced` that stop only with certain argument values
    // (what the state tracker needs of a call nothing else names).
    std::vector<NarrowedCall> narrowed;
    // Use the seccomp prefilter for launched commands (attached processes
    // cannot get one and always stop at every syscall).
    bool use_seccomp = true;
    // Trace the children and threads the traced threads create (strace's
    // -f); without it only the threads present at the start are traced,
    // and the seccomp prefilter is not used (children would inherit it).
    bool follow_forks = true;
    // Where one-line notices go (fallbacks, exec failures). Never stdout:
    // the command's stdout belongs to the command.
    FILE* notices = stderr;
    // Decode arguments into ArgTrees (reading tracee memory) for events that
    // are reported: needed by --format strace and by rules on decoded fields.
    bool decode = false;
    DecodeOptions decode_options;
    // The /proc watchdog (sources/live/watchdog.h), on when set: how often every
    // traced thread is sampled into ThreadSample events.
    std::optional<std::chrono::milliseconds> watchdog_interval;
    // --timeout: once this long has passed, report every thread (state, call,
    // stack), SIGKILL what was traced and make run() return 124.
    std::optional<std::chrono::nanoseconds> timeout;
    // Who says what the threads were doing when it passed (not owned; none:
    // nobody).
    TimeoutReportSink* timeout_report = nullptr;
    // How long killed processes get to die before sctrace reports them as
    // unkillable and exits anyway.
    std::chrono::milliseconds kill_grace{3000};
    // The signals sctrace's parent left ignored (ignored_relayed_signals(),
    // read before sctrace changed any disposition): they stay ignored, in
    // sctrace and in the command. Unset: those ignored when the Session is
    // made.
    std::optional<sigset_t> inherited_ignored;
    // Fault injection (-e inject=, --inject): what to do to which calls.
    // Their calls stop the tracee whether shown or not (the writers filter).
    std::vector<Injection> injections;
    // Measure each call's system CPU time (SyscallEvent::system_time), for
    // strace -c: wait4 reports the rusage of every stop's process.
    bool system_times = false;
    // strace's -u: the credentials the launched command execs with.
    std::optional<RunAs> run_as;
    // Resume past a call's exit when no sink wants it (EventSink::
    // wants_exit), under the filter only. Off: every traced call stops at
    // its entry and its exit (--every-exit).
    bool skip_unwanted_exits = true;
};

// run()'s status when --timeout expired (as timeout(1) exits).
inline constexpr int kTimeoutStatus = 124;

class Session final : public StackTaker {
public:
    Session(SessionOptions options, std::vector<EventSink*> sinks);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Starts `argv` under trace. Throws SystemError/std::runtime_error when it
    // cannot even be forked or seized. A command that cannot be executed is
    // not an exception: run() reports it and returns 127 (126 if not executable).
    void launch(const std::vector<std::string>& argv);

    // Attaches to every thread of process `pid`. Throws SystemError naming
    // the pid when it does not exist or may not be traced.
    void attach(pid_t pid);

    // Traces until every traced thread has exited or been detached. Returns
    // the launched command's status as a shell reports it (128+N for signal
    // N), or 0 in attach mode.
    int run();
    // The signal that killed the launched command, 0 when it exited (or in
    // attach mode): strace mode dies of it too, as strace does.
    int launched_signal() const { return attach_mode_ ? 0 : launched_signal_; }

    // True when the prefilter is in force (false after a fallback).
    bool seccomp_active() const { return filtered_; }
    // The calls whose exit stop was skipped because no sink wanted it.
    std::uint64_t exits_untraced() const { return exits_untraced_; }

    // The user stack of a traced thread, on the tracer's thread: at the safe
    // point after an event was delivered (EventSink::at_safe_point), or from
    // run(). A thread in a ptrace-stop is unwound as it is; any other is
    // interrupted and unwound in the stop that follows, which the loop then
    // handles and resumes as any other; one that does not stop within a
    // moment (D state: it is in the kernel and cannot be) gets a note
    // instead of frames.
    ThreadStack thread_stack(pid_t tid, std::size_t max_frames = kStackFrames) override;
    // Every traced thread of process `pid`.
    std::vector<ThreadStack> process_stacks(pid_t pid) override;

private:
    // --- stop handling: one function per kind of stop ---
    // `system_time`: the process's system CPU time wait4 reported with the
    // stop (-1 when not asked for).
    void handle_stop(pid_t tid, WaitStatus status, Nanos system_time);
    void on_gone(Task& task, WaitStatus status);
    void on_syscall_stop(Task& task);
    // `ours`: the stop came from sctrace's own filter (not the program's,
    // whose calls fail with ENOSYS and whose exits are always taken).
    void on_syscall_entry(Task& task, Arch arch, std::int64_t nr, const std::uint64_t* args,
                          std::uint64_t stack_pointer, bool ours);
    void on_syscall_exit(Task& task, std::int64_t rval, bool is_error);
    void on_event_stop(Task& task, WaitStatus status);
    void on_spawn(Task& parent, int ptrace_event);
    void on_exec(Task& task);
    void on_signal_delivery(Task& task, int signo);

    // --- fault injection: tamper with a call at its entry, and hold a
    // thread in its stop for a delay (the rest run on meanwhile) ---
    void inject_at_entry(Task& task, SyscallEvent& call);
    void hold(Task& task, std::chrono::nanoseconds delay);
    void release_due_tasks();

    // --- the watchdog and --timeout (a wake-up timer interrupts the
    // blocking waitpid so the loop can look up without a stop) ---
    void emit_samples(std::vector<ThreadSample> samples, bool end_of_trace);
    std::set<pid_t> traced_processes() const;
    void on_timeout();
    void report_survivors();

    // --- our own SIGINT/SIGTERM ---
    void handle_own_signals();
    void begin_detach();
    void handle_stop_while_detaching(pid_t tid, WaitStatus status);

    // --- io_uring rings (sources/live/io_uring_tracker.h): what goes through
    // them becomes IoUringSubmit/IoUringComplete events ---
    void io_uring_entry(Task& task, const SyscallEvent& call);
    void io_uring_exit(Task& task, const SyscallEvent& call);
    // `task`, entering exit(2), is the last thread of its process: the
    // others have entered exit or exit_group already.
    bool last_thread_to_exit(const Task& task) const;
    friend class IoUringEmitter;

    Task& add_task(pid_t tid, pid_t tgid);
    long follow_options() const;  // ptrace's fork/clone options, with follow_forks
    Task* find_task(pid_t tid);
    void resume(Task& task, int signal = 0);
    void emit(Event& event);
    bool suppressed(const Task& task) const { return task.before_first_exec; }
    // Whether the session itself can do without the exit of the call the
    // task is entering (the sinks are asked after).
    bool exit_may_go_untraced(const Task& task, const SyscallEvent& call) const;

    SessionOptions options_;
    std::vector<EventSink*> sinks_;
    std::uint64_t exits_untraced_ = 0;
    SignalRelay relay_;
    std::unordered_map<pid_t, Task> tasks_;
    // Per process (thread-group id): fds and mappings are per process.
    std::unordered_map<pid_t, IoUringTracker> io_uring_;

    bool filtered_ = false;  // the launched tree runs under our seccomp filter
    bool attach_mode_ = false;
    bool detaching_ = false;
    std::optional<LaunchedChild> launched_;
    std::optional<SeccompProgram> program_;
    bool launched_alive_ = false;
    int launched_status_ = 0;
    int launched_signal_ = 0;

    FaultInjector injector_;
    struct Held {
        std::chrono::steady_clock::time_point until;
        pid_t tid = 0;
        // The heap's order: the earliest release on top.
        static bool later(const Held& a, const Held& b) { return a.until > b.until; }
    };
    std::vector<Held> held_;  // a min-heap on `until`

    std::unique_ptr<Watchdog> watchdog_;  // alive during run() when asked for
    bool timed_out_ = false;

    // Which /proc entry a thread is, and --decode-pids=pidns.
    PidNamespaces pids_;
    Unwinder unwinder_;
    FdDescriber fd_describer_;  // -yy's sockets, devices, pidfds
    pid_t stopped_tid_ = 0;     // the thread whose stop is being handled now
};

}  // namespace sctrace
