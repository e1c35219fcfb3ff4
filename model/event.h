// The event model: the one typed value every source produces and every later
// stage (state tracker, rules, reporters) consumes.
//
// A live ptrace stop, a seccomp notification and a line parsed from a saved
// strace log all become an `Event`. Because the value is the same, a rule or a
// reporter never knows (or cares) where an event came from.
//
// Lifetime: an Event is a transient view. Its string_views point into storage
// owned by the source (a traced thread's scratch buffer, a log parser's line
// buffer) and stay valid only during the call that delivers the event. A sink
// that keeps an event past that call copies what it needs.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <variant>

#include "base/nanos_math.h"
#include "model/io_uring_sqe.h"
#include "model/stack_frame.h"

namespace sctrace {

class ArgTree;  // model/arg_tree.h

// The syscall ABI a call was made through. x86_64 programs can still make
// i386 (int 0x80) and x32 calls; their syscall numbers mean different things.
enum class Arch : std::uint8_t { X86_64, I386, X32, Unknown };

// A syscall as the tracer saw it. Emitted twice for a live call: once at entry
// (result fields unset) and once at exit (everything set, entry args repeated
// so that a sink can handle the exit alone, as strace prints one line).
struct SyscallEvent {
    Arch arch = Arch::X86_64;
    std::int32_t nr = -1;   // number in `arch`'s table
    std::string_view name;  // "connect"; "syscall_N" when unknown
    std::array<std::uint64_t, 6> args{};
    Nanos entry_time = 0;  // when the thread entered the call
    // The stack pointer at entry (PTRACE_GET_SYSCALL_INFO reports it):
    // rt_sigreturn's argument, the signal frame, is found from it.
    std::uint64_t stack_pointer = 0;
    // Exit only: the return value as the kernel set it (negative errno folded
    // out: ret == -1 and err == errno, as libc reports it).
    std::int64_t ret = 0;
    std::int32_t err = 0;  // errno, 0 on success
    // False when the call never returned to user space: the thread exited
    // inside it (exit, execve replacing it, SIGKILL). strace prints "= ?".
    bool has_result = false;
    // Fault injection (model/injection.h) tampered with the call: its result
    // was made up and the kernel never ran it (strace's "(INJECTED)"), or
    // it was held back at entry or exit ("(DELAYED)").
    bool injected = false;
    bool delayed = false;
    // Exit only, when the source was asked to measure it (strace -c): the
    // system CPU time the thread's process (its threads and reaped
    // children, as wait4's rusage counts) spent between the entry and the
    // exit stop. -1: not measured.
    Nanos system_time = -1;
    // The decoded arguments (what strace prints), when decoding was asked
    // for; owned by the source like every view in an Event. At an entry event
    // it holds the entry half only.
    const ArgTree* decoded = nullptr;
    // Set only on the calls the rule engine makes of completed io_uring
    // operations (engine/ring_ops.h): no source emits one, no writer sees
    // one. Owned by the engine, like `decoded`.
    const IoUringOrigin* via_ring = nullptr;
};

// A signal about to be delivered to a thread (ptrace signal-delivery stop, or
// strace's "--- SIGSEGV {si_signo=...} ---" line).
struct SignalEvent {
    std::int32_t signo = 0;
    std::int32_t code = 0;         // si_code
    std::int32_t errno_value = 0;  // si_errno
    pid_t sender_pid = 0;          // si_pid, for SI_USER/SI_QUEUE/SI_TKILL and SIGCHLD
    uid_t sender_uid = 0;
    std::uint64_t addr = 0;   // si_addr, for SIGSEGV/SIGBUS/SIGILL/SIGFPE
    std::int32_t status = 0;  // si_status, for SIGCHLD
    std::int64_t utime = 0;   // si_utime, si_stime: SIGCHLD (clock ticks)
    std::int64_t stime = 0;
    std::uint64_t value = 0;  // si_value (si_int/si_ptr), for SI_QUEUE and timers
    std::int64_t band = 0;    // si_band, si_fd: SIGIO (POLL_IN ... and SI_SIGIO)
    std::int32_t fd = 0;
};

enum class SpawnKind : std::uint8_t { Fork, Vfork, Thread, Clone /* new process via clone */ };

// A new thread or process began under tracing.
struct SpawnEvent {
    SpawnKind kind = SpawnKind::Fork;
    pid_t child_pid = 0;  // the new thread's thread-group id
    pid_t child_tid = 0;
};

// A successful execve/execveat: the process now runs a new program. `tid` of
// the Event is the thread id after the exec (the leader's, even when a
// non-leader thread called execve; `former_tid` says which one did).
struct ExecEvent {
    std::string_view path;  // the executable, from /proc/PID/exe
    pid_t former_tid = 0;
    // Facts from the executable's ELF file (decoders/exe_facts.h): -1
    // unknown, 0 no, 1 yes. Live and in sctrace's JSONL; a strace log has no
    // file to read, so the state tracker infers what it can from the opens.
    std::int8_t is_static = -1;  // no PT_INTERP: nothing loaded libraries for it
    std::int8_t glibc = -1;      // built against GNU libc
    // The signals the new program starts with ignored (bit signo - 1), when
    // known: live from /proc/PID/status (SigIgn) at the exec stop. Every
    // other signal is SIG_DFL after an exec.
    bool signals_known = false;
    std::uint64_t ignored_signals = 0;
    // Who runs it and under whom, when known: live from the same status
    // read (Uid's first field, PPid). The trace sees a fork only for the
    // processes it follows: the command sctrace started, or a pid it
    // attached to, has a parent it never saw fork.
    std::int64_t uid = -1;  // the real user id
    pid_t ppid = 0;         // in sctrace's pid namespace; 0 unknown
};

// A thread or a whole process ended.
struct ExitEvent {
    bool whole_process = false;  // the thread-group leader's final status
    bool signaled = false;       // killed by `signo`, else exited with `code`
    std::int32_t code = 0;
    std::int32_t signo = 0;
    bool core_dumped = false;
    // The process ended by itself (exit_group, or its last thread's exit)
    // and the source read its io_uring rings as it did: every completion
    // posted by then is in the trace, so an operation still in flight
    // never completed. False when it was killed, or nobody could look.
    bool rings_read = false;
};

// Job control: a thread entered a group-stop (SIGSTOP/SIGTSTP/...).
struct StopEvent {
    std::int32_t signo = 0;
};

// The watchdog's look at one thread (sources/live/watchdog.h reads
// /proc/PID/task/TID/{stat,wchan,syscall} every interval). Post-mortem, a
// source synthesizes one per thread still inside a call when a log ends with
// no exit line for its process (`end_of_trace`), state unknown.
struct ThreadSampleEvent {
    char state = '?';                     // /proc stat state: R S D T t Z X I, '?' unknown
    std::int32_t syscall = -1;            // the call it sits in (x86_64 nr), -1 none, -2 unknown
    std::array<std::uint64_t, 6> args{};  // that call's arguments
    std::array<char, 32> wchan{};         // kernel function it sleeps in, "" unknown
    std::array<char, 16> comm{};          // thread name ("iou-sqp-4711")
    bool io_worker = false;               // an io_uring kernel thread (iou-sqp-*, iou-wrk-*)
    bool sigkill_pending = false;  // SIGKILL sent, not yet acted on (/proc status ShdPnd/SigPnd)
    bool end_of_trace = false;     // post-mortem: the trace ended with the thread like this
};

// The tracer attached to or detached from a thread it did not start.
struct AttachEvent {
    bool attached = true;  // false: detached
};

enum class EventKind : std::uint8_t {
    SyscallEntry,
    SyscallExit,
    Signal,
    Spawn,
    Exec,
    Exit,
    Stop,
    Attach,
    // A submission read from an io_uring's SQ ring (at io_uring_enter entry,
    // or sampled from an SQPOLL ring) and a completion from its CQ ring.
    IoUringSubmit,
    IoUringComplete,
    ThreadSample,  // the watchdog sampled a thread
};

struct Event {
    EventKind kind = EventKind::SyscallExit;
    Nanos time = 0;
    pid_t pid = 0;  // thread-group id (the "process id")
    pid_t tid = 0;  // thread id
    std::variant<SyscallEvent, SignalEvent, SpawnEvent, ExecEvent, ExitEvent, StopEvent,
                 AttachEvent, IoUringSqeEvent, IoUringCqeEvent, ThreadSampleEvent>
        data;

    const SyscallEvent* syscall() const { return std::get_if<SyscallEvent>(&data); }
    const SignalEvent* signal() const { return std::get_if<SignalEvent>(&data); }
    const SpawnEvent* spawn() const { return std::get_if<SpawnEvent>(&data); }
    const ExecEvent* exec() const { return std::get_if<ExecEvent>(&data); }
    const ExitEvent* exit() const { return std::get_if<ExitEvent>(&data); }
    const StopEvent* stop() const { return std::get_if<StopEvent>(&data); }
    const AttachEvent* attach() const { return std::get_if<AttachEvent>(&data); }
    const IoUringSqeEvent* io_uring_submit() const { return std::get_if<IoUringSqeEvent>(&data); }
    const IoUringCqeEvent* io_uring_complete() const { return std::get_if<IoUringCqeEvent>(&data); }
    const ThreadSampleEvent* thread_sample() const { return std::get_if<ThreadSampleEvent>(&data); }
};

// Whether fault injection made up the result of the call an event is about.
inline bool is_injected(const Event& event) {
    const SyscallEvent* call = event.syscall();
    return call && call->injected;
}

// The lower-case names used in JSONL ("syscall_exit") and docs.
std::string_view event_kind_name(EventKind kind);
std::string_view arch_name(Arch arch);

// Anything that consumes the event stream: output writers, the state tracker,
// the rule engine. Called on the tracer's thread, in event order.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(const Event& event) = 0;
    // A live source, after every sink saw an event and before the thread it
    // came from runs on: a sink that wants stacks of the moment (a finding's)
    // takes them from `stacks` now. Sources that cannot take stacks never call it.
    virtual void at_safe_point(StackTaker& /*stacks*/) {}
    // Asked by a live source after every sink saw a call's entry: does this
    // sink need the call's exit? A tracer that stops twice per call pays the
    // second stop only when some sink answers yes, so a sink that writes
    // every event (the default) always does.
    virtual bool wants_exit(const Event& /*entry*/) { return true; }
    // No sink wanted it: the call's exit will not be seen. The sink takes
    // from the entry what it would have taken from the exit, result aside.
    virtual void on_exit_untraced(const Event& /*entry*/) {}
    // The stream ended (every traced process is gone or detached).
    virtual void on_end() {}
};

}  // namespace sctrace
