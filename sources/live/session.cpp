#include "sources/live/session.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "base/system_error.h"
#include "base/unique_fd.h"
#include "decoders/exe_facts.h"
#include "model/siginfo.h"
#include "model/syscall_table.h"
#include "sources/live/remote_memory.h"
#include "sources/live/thread_group.h"

namespace sctrace {

namespace {

// Options for every seized thread: children are followed unless asked not
// to (strace without -f).
constexpr long kFollowOptions = PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
constexpr long kPtraceOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC;
// Seccomp stops only where sctrace's own filter is installed. Without it the
// only SECCOMP_RET_TRACE a thread can meet is its program's own filter's,
// and with no tracer asking for those stops the kernel fails the call with
// ENOSYS itself: exactly what the program gets untraced.
constexpr long kFilteredPtraceOptions = kPtraceOptions | PTRACE_O_TRACESECCOMP;

// How long detaching may wait for threads that do not stop (a thread in
// uninterruptible sleep never reaches a ptrace stop). Past it, sctrace exits
// and the kernel detaches whatever is left.
constexpr auto kDetachGrace = std::chrono::seconds(3);

Arch arch_of(std::uint32_t audit_arch, std::int64_t nr) {
    switch (audit_arch) {
        case AUDIT_ARCH_X86_64:
            return (nr & 0x40000000) ? Arch::X32 : Arch::X86_64;
        case AUDIT_ARCH_I386:
            return Arch::I386;
        default:
            return Arch::Unknown;
    }
}

bool is_exec_call(Arch arch, std::int64_t nr) {
    const SyscallInfo* info = syscall_info(arch, nr);
    return info && info->traits.has(kTraitExecs);
}

// The thread-group id of a thread we have not heard of yet (its first stop
// can arrive before its creator's fork/clone event). Rare, so a /proc read
// is fine here. A /proc of another pid namespace numbers it otherwise.
pid_t read_tgid(PidNamespaces& pids, pid_t tid) {
    if (pids.proc_is_ours()) return thread_group_of(tid).value_or(tid);
    const pid_t tgid = pids.id_of(tid, PidKind::Tgid);
    return tgid != 0 ? tgid : tid;
}

bool is_thread_of(PidNamespaces& pids, pid_t tgid, pid_t tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d", pids.proc_id(tgid), pids.proc_id(tid));
    return ::access(path, F_OK) == 0;
}

// The threads of a process, from /proc/PID/task.
std::vector<pid_t> list_threads(pid_t pid) {
    std::vector<pid_t> tids;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR* dir = ::opendir(path);
    if (!dir) return tids;
    while (const dirent* entry = ::readdir(dir)) {
        const pid_t tid = std::atoi(entry->d_name);
        if (tid > 0) tids.push_back(tid);
    }
    ::closedir(dir);
    return tids;
}

// Decoders read a live thread's memory through this.
class TaskMemory final : public MemoryReader {
public:
    // `describer`: what -yy reads (fd_details); none, none is read.
    TaskMemory(const Task& task, PidNamespaces& pids, FdDescriber* describer = nullptr)
        : tid_(task.tid()),
          previous_call_(task.previous_call),
          pids_(pids),
          describer_(describer) {}
    std::size_t read(std::uint64_t addr, std::span<char> out) override {
        return read_remote(tid_, addr, out);
    }
    std::size_t fd_path(int fd, std::span<char> out) override {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/%d/fd/%d", pids_.proc_id(tid_), fd);
        return read_link(link, out);
    }
    std::size_t cwd_path(std::span<char> out) override {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/%d/cwd", tid_);
        return read_link(link, out);
    }
    std::string_view previous_syscall() override { return previous_call_; }

    std::size_t fd_details(int fd, std::string_view path, unsigned kinds, std::span<char> out,
                           FdDecoration& decoration) override {
        return describer_ ? describer_->describe(tid_, fd, path, kinds, out, decoration) : 0;
    }
    pid_t pid_in_tracer_namespace(pid_t pid, PidKind kind) override {
        return pids_.to_ours(tid_, pid, kind);
    }

private:
    pid_t tid_;
    std::string_view previous_call_;
    PidNamespaces& pids_;
    FdDescriber* describer_;
};

// What the io_uring tracker makes of a call: its kind when it is a native
// call the tracker follows (the ring_tracked trait), else Other. i386 and
// x32 callers are not followed yet.
SyscallKind io_uring_kind(const SyscallEvent& call) {
    if (call.arch != Arch::X86_64) return SyscallKind::Other;
    const SyscallInfo* info = syscall_info(Arch::X86_64, call.nr);
    return info && info->traits.has(kTraitRingTracked) ? info->traits.kind : SyscallKind::Other;
}

ArgTree& tree_of(Task& task) {
    if (!task.decoded) task.decoded = std::make_unique<ArgTree>();
    return *task.decoded;
}

}  // namespace

// Turns what the tracker reads into events of the thread that entered.
class IoUringEmitter final : public IoUringEventSink {
public:
    IoUringEmitter(Session& session, const Task& task) : session_(session), task_(task) {}
    void on_submit(const IoUringSqeEvent& sqe) override {
        Event event{EventKind::IoUringSubmit, now_realtime(), task_.tgid(), task_.tid(), sqe};
        session_.emit(event);
    }
    void on_complete(const IoUringCqeEvent& cqe) override {
        Event event{EventKind::IoUringComplete, now_realtime(), task_.tgid(), task_.tid(), cqe};
        session_.emit(event);
    }

private:
    Session& session_;
    const Task& task_;
};

void Session::io_uring_entry(Task& task, const SyscallEvent& call) {
    if (io_uring_.empty()) return;
    auto it = io_uring_.find(task.tgid());
    if (it == io_uring_.end()) return;
    TaskMemory memory(task, pids_);
    IoUringEmitter emitter(*this, task);
    const SyscallKind kind = io_uring_kind(call);
    if (kind == SyscallKind::ExitGroup ||
        (kind == SyscallKind::Exit && last_thread_to_exit(task))) {
        // The process ends by itself: its memory is there for the last
        // time (the process's Exit event says its rings were read).
        it->second.read_at_exit(memory, emitter);
        return;
    }
    if (kind != SyscallKind::IoUringEnter) {
        // An SQPOLL ring's kernel thread submits with no syscall at all,
        // and a program may take completions without one: look at the
        // rings whenever the process stops anyway, so that what is in
        // flight at this call is what the kernel has not completed (a
        // timer-driven sampler for processes that never stop is still to
        // come).
        it->second.sample(memory, emitter);
        return;
    }
    it->second.on_enter(task.tid(), static_cast<int>(call.args[0]),
                        static_cast<std::uint32_t>(call.args[1]),
                        static_cast<std::uint32_t>(call.args[3]), memory, emitter);
}

bool Session::last_thread_to_exit(const Task& task) const {
    // A thread that entered exit or exit_group is leaving: no stop of its
    // call's end comes, so it stays inside it (a main thread gone through
    // pthread_exit stays so, a zombie, until the last thread is gone).
    for (const auto& [tid, other] : tasks_) {
        if (tid == task.tid() || other.tgid() != task.tgid()) continue;
        const SyscallKind kind =
            other.in_syscall ? io_uring_kind(other.current) : SyscallKind::Other;
        if (kind != SyscallKind::Exit && kind != SyscallKind::ExitGroup) return false;
    }
    return true;
}

void Session::io_uring_exit(Task& task, const SyscallEvent& call) {
    const SyscallKind kind = io_uring_kind(call);
    if (kind == SyscallKind::Other || call.err != 0) return;
    const auto fd = [&](int i) { return static_cast<int>(call.args[static_cast<std::size_t>(i)]); };
    if (kind == SyscallKind::IoUringSetup) {
        io_uring_params params;
        TaskMemory memory(task, pids_);
        if (memory.read(call.args[1], {reinterpret_cast<char*>(&params), sizeof params}) ==
            sizeof params) {
            io_uring_[task.tgid()].on_setup(task.tid(), static_cast<int>(call.ret), params);
        }
        return;
    }
    auto it = io_uring_.find(task.tgid());
    if (it == io_uring_.end()) return;  // no ring in this process: nothing to follow
    IoUringTracker& tracker = it->second;
    if (kind == SyscallKind::IoUringEnter) {
        TaskMemory memory(task, pids_);
        IoUringEmitter emitter(*this, task);
        tracker.on_enter_exit(task.tid(), fd(0), static_cast<std::uint32_t>(call.args[3]), memory,
                              emitter);
    } else if (kind == SyscallKind::Mmap) {
        if (!(call.args[3] & MAP_ANONYMOUS)) {
            tracker.on_mmap(static_cast<std::uint64_t>(call.ret), call.args[1], fd(4),
                            call.args[5]);
        }
    } else if (kind == SyscallKind::Munmap) {
        tracker.on_munmap(call.args[0], call.args[1]);
    } else if (kind == SyscallKind::Close) {
        tracker.on_close(fd(0));
        if (!tracker.has_rings()) io_uring_.erase(it);
    } else if (kind == SyscallKind::Dup || kind == SyscallKind::Dup3 ||
               (kind == SyscallKind::Fcntl &&
                (call.args[1] == F_DUPFD || call.args[1] == F_DUPFD_CLOEXEC))) {
        // The new number is the result (dup2's and dup3's second argument).
        tracker.on_dup(fd(0), static_cast<int>(call.ret));
    } else if (kind == SyscallKind::IoUringRegister &&
               (call.args[1] == IORING_REGISTER_RING_FDS ||
                call.args[1] == IORING_UNREGISTER_RING_FDS)) {
        // The kernel wrote the chosen indices back into the array.
        TaskMemory memory(task, pids_);
        const std::uint64_t count = std::min<std::uint64_t>(call.args[3], 16);
        for (std::uint64_t i = 0; i < count && i < static_cast<std::uint64_t>(call.ret); ++i) {
            io_uring_rsrc_update u;
            if (memory.read(call.args[2] + i * sizeof u, {reinterpret_cast<char*>(&u), sizeof u}) !=
                sizeof u) {
                break;
            }
            if (call.args[1] == IORING_REGISTER_RING_FDS) {
                tracker.on_register_ring_fd(u.offset, static_cast<int>(u.data));
            } else {
                tracker.on_unregister_ring_fd(u.offset);
            }
        }
    }
}

Session::Session(SessionOptions options, std::vector<EventSink*> sinks)
    : options_(std::move(options)),
      sinks_(std::move(sinks)),
      relay_(options_.inherited_ignored ? *options_.inherited_ignored : ignored_relayed_signals()),
      injector_(std::move(options_.injections)) {
    // An injected call must stop the tracee whether it is shown or not.
    options_.traced |= injector_.calls();
    // Following rings needs the calls that create, map, alias and drop
    // them to stop the tracee too (shown or not: the writers filter).
    options_.traced |= ring_followers(options_.traced);
}

Session::~Session() = default;

Task& Session::add_task(pid_t tid, pid_t tgid) {
    auto [it, inserted] =
        tasks_.try_emplace(tid, tid, tgid, attach_mode_ ? Origin::Attached : Origin::Launched);
    return it->second;
}

long Session::follow_options() const {
    return options_.follow_forks ? kFollowOptions : 0;
}

Task* Session::find_task(pid_t tid) {
    auto it = tasks_.find(tid);
    return it == tasks_.end() ? nullptr : &it->second;
}

void Session::launch(const std::vector<std::string>& argv) {
    if (argv.empty()) throw std::invalid_argument("no command to run");
    attach_mode_ = false;
    // A child nobody follows would meet the filter with no tracer, and the
    // kernel would fail its traced calls with ENOSYS.
    filtered_ = options_.use_seccomp && options_.follow_forks;
    // An injected signal is delivered by resuming a syscall-entry stop with
    // it, which makes it pending while the call runs (so a blocking call is
    // interrupted, as under strace). A seccomp stop is an event stop, where
    // the kernel drops a resume signal: without the filter every call
    // enters through a syscall-entry stop.
    if (injector_.delivers_signals()) filtered_ = false;
    // An empty set needs no filter at all: nothing will ever stop.
    if (filtered_ && !options_.traced.empty()) {
        try {
            program_.emplace(SeccompProgram::build(options_.traced, options_.narrowed));
        } catch (const std::exception& e) {
            std::fprintf(options_.notices,
                         "sctrace: %s; stopping at every syscall instead (as --no-seccomp)\n",
                         e.what());
            filtered_ = false;
        }
    }
    launched_.emplace(LaunchedChild::fork_blocked(argv, program_ ? &*program_ : nullptr,
                                                  options_.run_as ? &*options_.run_as : nullptr));
    const pid_t pid = launched_->pid();
    // EXITKILL: if sctrace itself dies, what it started dies with it rather
    // than running on with a filter that has no tracer (its traced syscalls
    // would fail with ENOSYS).
    const long options =
        (program_ ? kFilteredPtraceOptions : kPtraceOptions) | follow_options() | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SEIZE, pid, nullptr, options) != 0) {
        const int error = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw SystemError("PTRACE_SEIZE of the command (pid " + std::to_string(pid) + ")", error);
    }
    Task& task = add_task(pid, pid);
    task.before_first_exec = true;
    launched_alive_ = true;
    // Without the filter nothing would stop the child before its exec; stop
    // it now so that PTRACE_SYSCALL applies from the start and its execve
    // call is seen like any other.
    if (!filtered_) task.interrupt();
    launched_->release();
}

void Session::attach(pid_t pid) {
    if (launched_) throw std::invalid_argument("cannot attach and launch in one session");
    attach_mode_ = true;
    filtered_ = false;
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
        throw SystemError("attaching to pid " + std::to_string(pid), ESRCH);
    }
    // Threads may be created while we seize: list again until nothing new
    // appears. Threads created by an already seized thread are auto-attached.
    bool seized_any = true;
    bool first = true;
    while (seized_any) {
        seized_any = false;
        for (const pid_t tid : list_threads(pid)) {
            if (find_task(tid)) continue;
            if (ptrace(PTRACE_SEIZE, tid, nullptr, kPtraceOptions | follow_options()) != 0) {
                if (errno == ESRCH) continue;  // exited meanwhile
                throw_errno("PTRACE_SEIZE pid " + std::to_string(pid) + " thread " +
                            std::to_string(tid));
            }
            Task& task = add_task(tid, pid);
            task.interrupt();  // its first stop puts it under PTRACE_SYSCALL
            Event event{EventKind::Attach, now_realtime(), pid, tid, AttachEvent{true}};
            emit(event);
            seized_any = true;
        }
        if (first && !seized_any) {
            throw std::runtime_error("attaching to pid " + std::to_string(pid) +
                                     ": no threads found in /proc");
        }
        first = false;
    }
}

namespace {

// Wakes the tracer's thread out of its blocking waitpid() when the loop must
// look up without a ptrace stop (a hung program makes none): at a deadline
// (--timeout, the end of a fault injection's delay), or when the watchdog
// has samples (its thread sends the same signal, Session::run()). SIGURG,
// sent to this thread only (SIGEV_THREAD_ID, tgkill), has a handler that
// does nothing, installed without SA_RESTART, so waitpid returns EINTR and
// the loop looks at its deadlines and the watchdog. Nothing fires while
// nothing is due: a blocking waitpid costs nothing per stop, where polling
// with WNOHANG plus a timed wait cost ~9% of the tracer's time, and a
// periodic 50 ms tick woke an idle tracer 20 times a second.
// SIGURG's default action is to ignore it, so a stray one harms nothing.
class WakeTimer {
public:
    WakeTimer() {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: interrupt the wait
        ::sigaction(SIGURG, &action, &old_action_);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGURG);
        ::pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
        sigevent event{};
        event.sigev_notify = SIGEV_THREAD_ID;
        event.sigev_signo = SIGURG;
        event._sigev_un._tid = static_cast<pid_t>(::gettid());
        if (::timer_create(CLOCK_MONOTONIC, &event, &once_) != 0) {
            throw_errno("timer_create (the tracer's wake-up at deadlines)");
        }
    }
    ~WakeTimer() {
        ::timer_delete(once_);
        ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
        ::sigaction(SIGURG, &old_action_, nullptr);
    }
    WakeTimer(const WakeTimer&) = delete;
    WakeTimer& operator=(const WakeTimer&) = delete;

    // Wakes the loop at `when` (steady_clock is CLOCK_MONOTONIC), and every
    // millisecond after it until asked for another time or none: a wake-up
    // that lands just before waitpid() is entered is not lost for good.
    void wake_at(std::chrono::steady_clock::time_point when) {
        if (armed_ == when) return;
        armed_ = when;
        const auto since_epoch =
            std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch());
        constexpr long kRetryNanos = 1'000'000;
        itimerspec spec{};
        spec.it_interval.tv_nsec = kRetryNanos;
        spec.it_value.tv_sec = static_cast<time_t>(since_epoch.count() / 1'000'000'000);
        spec.it_value.tv_nsec = static_cast<long>(since_epoch.count() % 1'000'000'000);
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
        ::timer_settime(once_, TIMER_ABSTIME, &spec, nullptr);
    }
    void no_wake() {
        if (armed_ == std::chrono::steady_clock::time_point{}) return;
        armed_ = {};
        const itimerspec off{};
        ::timer_settime(once_, 0, &off, nullptr);
    }

private:
    timer_t once_{};
    std::chrono::steady_clock::time_point armed_{};
    struct sigaction old_action_ {};
    sigset_t old_mask_{};
};

}  // namespace

int Session::run() {
    using Clock = std::chrono::steady_clock;
    Clock::time_point detach_deadline{};
    // With a watchdog or a deadline the loop must wake up without a stop.
    if (options_.watchdog_interval) {
        WatchdogOptions watchdog_options;
        watchdog_options.interval = *options_.watchdog_interval;
        const pid_t tracer_pid = ::getpid();
        const pid_t tracer_tid = static_cast<pid_t>(::gettid());
        watchdog_options.notify = [tracer_pid, tracer_tid] {
            ::tgkill(tracer_pid, tracer_tid, SIGURG);
        };
        watchdog_ = std::make_unique<Watchdog>(std::move(watchdog_options));
        for (const auto& [tid, task] : tasks_) {
            if (task.is_leader()) watchdog_->watch(task.tgid());
        }
    }
    std::optional<WakeTimer> wake_timer;
    if (options_.watchdog_interval || options_.timeout || injector_.delays()) {
        wake_timer.emplace();
    }
    const Clock::time_point start = Clock::now();
    const Clock::time_point timeout_at =
        options_.timeout ? start + std::chrono::duration_cast<Clock::duration>(*options_.timeout)
                         : Clock::time_point::max();
    Clock::time_point kill_deadline = Clock::time_point::max();
    while (!tasks_.empty()) {
        handle_own_signals();
        if (watchdog_ && watchdog_->has_samples()) emit_samples(watchdog_->take(), false);
        if (options_.timeout && !timed_out_ && Clock::now() >= timeout_at) {
            on_timeout();
            kill_deadline = Clock::now() + options_.kill_grace;
        }
        if (timed_out_ && !attach_mode_ && Clock::now() >= kill_deadline) {
            report_survivors();
            break;
        }
        if (detaching_ && detach_deadline == Clock::time_point{}) {
            detach_deadline = Clock::now() + kDetachGrace;
        }
        if (!held_.empty()) release_due_tasks();
        if (wake_timer) {
            // The earliest thing due: a held thread's release, --timeout,
            // or the end of the killed processes' grace.
            Clock::time_point due = Clock::time_point::max();
            if (!held_.empty()) due = held_.front().until;
            if (options_.timeout && !timed_out_) due = std::min(due, timeout_at);
            if (timed_out_ && !attach_mode_) due = std::min(due, kill_deadline);
            if (due == Clock::time_point::max()) {
                wake_timer->no_wake();
            } else {
                wake_timer->wake_at(due);
            }
        }
        int raw = 0;
        // While detaching we poll so that a thread stuck in D state cannot
        // keep sctrace waiting forever.
        const int flags = __WALL | (detaching_ ? WNOHANG : 0);
        // strace -c's system time: wait4's rusage of the stopped thread's
        // process at every stop, as strace reads it.
        struct rusage usage {};
        const pid_t tid = ::wait4(-1, &raw, flags, options_.system_times ? &usage : nullptr);
        if (tid < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD) break;
            throw_errno("waitpid");
        }
        if (tid == 0 && detaching_) {  // detaching, nothing stopped yet
            if (Clock::now() > detach_deadline) {
                std::fprintf(options_.notices,
                             "sctrace: %zu thread(s) did not stop within %llds; leaving them "
                             "to the kernel to detach\n",
                             tasks_.size(), static_cast<long long>(kDetachGrace.count()));
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (detaching_) {
            handle_stop_while_detaching(tid, WaitStatus(raw));
        } else {
            handle_stop(tid, WaitStatus(raw),
                        options_.system_times ? Nanos{usage.ru_stime.tv_sec} * 1'000'000'000 +
                                                    Nanos{usage.ru_stime.tv_usec} * 1000
                                              : Nanos{-1});
        }
    }
    if (watchdog_ && watchdog_->has_samples()) emit_samples(watchdog_->take(), false);
    watchdog_.reset();
    for (EventSink* sink : sinks_) sink->on_end();
    if (timed_out_) return kTimeoutStatus;
    return attach_mode_ ? 0 : launched_status_;
}

// ---------------------------------------------------------------------------
// Stacks (sources/live/unwinder.h), for findings and --timeout.

ThreadStack Session::thread_stack(pid_t tid, std::size_t max_frames) {
    ThreadStack stack;
    stack.tid = tid;
    Task* task = find_task(tid);
    if (!task) {
        stack.note = "not traced (gone)";
        return stack;
    }
    if (tid == stopped_tid_ || task->held) {
        stack.frames = unwinder_.unwind(task->tgid(), tid, max_frames, &stack.note);
        return stack;
    }
    // Stop it: PTRACE_INTERRUPT, then wait a moment for it to be in a
    // ptrace-stop. That stop is not reaped here: waitpid() reports it to the
    // loop as usual, which resumes our interrupt's stop, or handles a stop of
    // the thread's own that beat it (and the interrupt's after it). A thread
    // in a syscall that sleeps interruptibly stops at once (the call is
    // restarted when it resumes); one in D state does not until it leaves
    // the kernel.
    if (!task->interrupt()) {
        stack.note = "could not be interrupted (gone)";
        return stack;
    }
    constexpr auto kStopWait = std::chrono::milliseconds(300);
    const auto until = std::chrono::steady_clock::now() + kStopWait;
    char state = '?';
    for (;;) {
        // A ptrace request succeeds only on a thread in a ptrace-stop,
        // whether or not waitpid() has reported the stop yet.
        __ptrace_syscall_info info{};
        if (task->get_syscall_info(info)) {
            stack.frames = unwinder_.unwind(task->tgid(), tid, max_frames, &stack.note);
            return stack;
        }
        const auto sample = read_thread_sample("/proc", task->tgid(), tid);
        if (!sample || sample->state == 'Z' || sample->state == 'X') {
            stack.note = "exited while being stopped";
            return stack;
        }
        state = sample->state;
        if (std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stack.note = state == 'D' ? "in uninterruptible sleep (D state): it cannot stop to be unwound"
                              : "did not stop within 300 ms to be unwound";
    return stack;
}

std::set<pid_t> Session::traced_processes() const {
    std::set<pid_t> pids;
    for (const auto& [tid, task] : tasks_) pids.insert(task.tgid());
    return pids;
}

std::vector<ThreadStack> Session::process_stacks(pid_t pid) {
    std::vector<pid_t> tids;
    for (const auto& [tid, task] : tasks_) {
        if (task.tgid() == pid) tids.push_back(tid);
    }
    std::sort(tids.begin(), tids.end());
    std::vector<ThreadStack> stacks;
    for (const pid_t tid : tids) stacks.push_back(thread_stack(tid));
    return stacks;
}

// ---------------------------------------------------------------------------
// The watchdog and --timeout.

void Session::emit_samples(std::vector<ThreadSample> samples, bool end_of_trace) {
    for (ThreadSample& sample : samples) {
        // Only processes we trace and whose program has started.
        const Task* leader = find_task(sample.pid);
        if (!leader || suppressed(*leader)) continue;
        sample.data.end_of_trace = end_of_trace;
        Event event{EventKind::ThreadSample, sample.time, sample.pid, sample.tid, sample.data};
        emit(event);
    }
}

void Session::on_timeout() {
    timed_out_ = true;
    std::vector<ThreadSample> samples =
        watchdog_ ? watchdog_->sample_now() : sample_processes("/proc", traced_processes());
    TimeoutReport report;
    report.seconds =
        options_.timeout ? std::chrono::duration<double>(*options_.timeout).count() : 0.0;
    report.attached = attach_mode_;
    for (const ThreadSample& s : samples) {
        TimedOutThread& t = report.threads.emplace_back();
        t.pid = s.pid;
        t.tid = s.tid;
        t.sample = s.data;
        // An io_uring worker is a kernel thread: no user stack to take.
        if (!s.data.io_worker && find_task(s.tid)) t.stack = thread_stack(s.tid);
    }
    if (options_.timeout_report) options_.timeout_report->on_timeout(report);
    emit_samples(std::move(samples), false);
    if (attach_mode_) {
        // -p: the processes were running before sctrace and are not its to
        // kill. Report, detach, and still say the deadline passed (124).
        std::fprintf(options_.notices, "sctrace: detaching from the -p processes (not killed)\n");
        begin_detach();
        return;
    }
    for (const auto& [tid, task] : tasks_) {
        if (task.is_leader()) ::kill(task.tgid(), SIGKILL);
    }
    if (launched_alive_) ::kill(launched_->pid(), SIGKILL);
}

void Session::report_survivors() {
    // The last look: what is still here survived SIGKILL for kill_grace.
    // Samples marked end_of_trace let the watch rules (unkillable-task)
    // conclude now instead of waiting for a duration nobody will wait out.
    std::vector<ThreadSample> samples = sample_processes("/proc", traced_processes());
    std::set<pid_t> pids;
    for (const ThreadSample& s : samples) pids.insert(s.pid);
    for (const pid_t pid : pids) {
        std::fprintf(options_.notices,
                     "sctrace: pid %d is still alive %.3gs after SIGKILL; leaving it behind\n", pid,
                     std::chrono::duration<double>(options_.kill_grace).count());
    }
    emit_samples(std::move(samples), true);
}

// ---------------------------------------------------------------------------
// The per-stop hot path. No allocation here: events are built on the stack
// and strings point into the task's scratch space or static tables.

void Session::handle_stop(pid_t tid, WaitStatus status, Nanos system_time) {
    Task* task = find_task(tid);
    if (!task) {
        // The end of a process we do not trace: an orphan the kernel gave
        // sctrace to reap (sctrace is the init of its pid namespace), or one
        // whose end was reported already. strace says nothing of it either.
        if (status.gone()) return;
        // A new thread whose first stop beat its creator's fork/clone event.
        task = &add_task(tid, read_tgid(pids_, tid));
    }
    task->stop_system_time = system_time;
    // Sinks run during this stop; a stack they ask for of this thread is
    // taken as it stands.
    stopped_tid_ = status.gone() ? 0 : tid;
    struct ClearStopped {
        pid_t& tid;
        ~ClearStopped() { tid = 0; }
    } clear_stopped{stopped_tid_};
    switch (status.kind()) {
        case WaitStatus::Kind::Exited:
        case WaitStatus::Kind::Killed:
            on_gone(*task, status);
            return;
        case WaitStatus::Kind::SyscallStop:
            on_syscall_stop(*task);
            return;
        case WaitStatus::Kind::EventStop:
            on_event_stop(*task, status);
            return;
        case WaitStatus::Kind::GroupStop: {
            // Job control: leave the thread stopped but let the kernel see a
            // normal group-stop, so the parent's waitpid(WUNTRACED) and the
            // shell's job table work. SIGCONT wakes it with an InterruptStop.
            if (!suppressed(*task)) {
                Event event{EventKind::Stop, now_realtime(), task->tgid(), tid,
                            StopEvent{status.stop_signal()}};
                emit(event);
            }
            task->listen();
            return;
        }
        case WaitStatus::Kind::InterruptStop:
            resume(*task);
            return;
        case WaitStatus::Kind::SignalDelivery:
            on_signal_delivery(*task, status.stop_signal());
            return;
    }
}

void Session::resume(Task& task, int signal) {
    // Stop at the exit of a call we saw enter; otherwise let the filter (if
    // any) decide which syscall stops next.
    const ResumeMode mode =
        (task.in_syscall || !filtered_) ? ResumeMode::Syscall : ResumeMode::Continue;
    task.resume(mode, signal);  // false: gone; waitpid reports the exit next
}

void Session::on_syscall_stop(Task& task) {
    __ptrace_syscall_info info{};
    if (!task.get_syscall_info(info)) return;
    switch (info.op) {
        case PTRACE_SYSCALL_INFO_ENTRY:
            on_syscall_entry(task, arch_of(info.arch, static_cast<std::int64_t>(info.entry.nr)),
                             static_cast<std::int64_t>(info.entry.nr), info.entry.args,
                             info.stack_pointer, /*ours=*/false);
            break;
        case PTRACE_SYSCALL_INFO_SECCOMP:
            // Stopping at every syscall, the call's entry stop came first.
            if (!(task.in_syscall && !filtered_)) {
                on_syscall_entry(task,
                                 arch_of(info.arch, static_cast<std::int64_t>(info.seccomp.nr)),
                                 static_cast<std::int64_t>(info.seccomp.nr), info.seccomp.args,
                                 info.stack_pointer, info.seccomp.ret_data == kSeccompTraceData);
            }
            if (info.seccomp.ret_data != kSeccompTraceData) {
                // The program's own filter asked for this stop (it is newer
                // than ours, so its data wins when both trace the call).
                // Untraced, nobody would answer it and the kernel would fail
                // the call with ENOSYS: do the same. The exit stop then
                // shows that result like any other.
                task.skip_syscall(-ENOSYS);
            }
            break;
        case PTRACE_SYSCALL_INFO_EXIT:
            on_syscall_exit(task, info.exit.rval, info.exit.is_error != 0);
            break;
        default:
            break;
    }
    if (task.hold_for) {
        hold(task, *task.hold_for);
        task.hold_for.reset();
        return;  // release_due_tasks() resumes it
    }
    resume(task, std::exchange(task.resume_signal, 0));
}

void Session::on_syscall_entry(Task& task, Arch arch, std::int64_t nr, const std::uint64_t* args,
                               std::uint64_t stack_pointer, bool ours) {
    const Nanos now = now_realtime();
    SyscallEvent& call = task.current;
    call = SyscallEvent{};
    call.arch = arch;
    call.nr = static_cast<std::int32_t>(nr);
    call.name = syscall_name(arch, nr, task.name_scratch);
    for (int i = 0; i < 6; ++i) call.args[i] = args[i];
    call.entry_time = now;
    call.stack_pointer = stack_pointer;
    task.in_syscall = true;
    // The launched child's own calls before its exec are ours, not the
    // program's: never tampered with.
    if (!injector_.empty() && !suppressed(task)) inject_at_entry(task, call);
    task.entry_system_time = task.stop_system_time;
    if (!suppressed(task)) io_uring_entry(task, call);
    // Without the filter every call stops; only the ones asked for become
    // events. Before its exec, the launched child's own calls are ours.
    task.report_current =
        options_.traced.contains(arch, nr) && (!suppressed(task) || is_exec_call(arch, nr));
    if (!task.report_current) return;
    call.decoded = nullptr;
    if (options_.decode) {
        TaskMemory memory(task, pids_, &fd_describer_);
        ArgTree& tree = tree_of(task);
        decode_entry(call, tree, memory, options_.decode_options);
        call.decoded = &tree;
    }
    Event event{EventKind::SyscallEntry, now, task.tgid(), task.tid(), call};
    emit(event);
    if (ours && exit_may_go_untraced(task, call) &&
        std::none_of(sinks_.begin(), sinks_.end(),
                     [&event](EventSink* sink) { return sink->wants_exit(event); })) {
        // resume() continues to the next filtered call instead of this
        // one's exit: one stop instead of two.
        task.in_syscall = false;
        const SyscallInfo* info = syscall_info(call.arch, call.nr);
        task.previous_call = info ? info->name : std::string_view{};
        ++exits_untraced_;
        for (EventSink* sink : sinks_) sink->on_exit_untraced(event);
    }
}

bool Session::exit_may_go_untraced(const Task& task, const SyscallEvent& call) const {
    // Without the filter, PTRACE_CONT would let every later call pass
    // unseen too. What fault injection does shows at the exit.
    if (!filtered_ || !options_.skip_unwanted_exits || suppressed(task)) return false;
    if (call.injected || call.delayed || task.exit_delay || options_.system_times) return false;
    // The io_uring tracker learns of a ring at io_uring_setup's exit, and
    // then follows it at the exits of the calls it stops at for that (mmap,
    // io_uring_enter, dup, close ...): in a process that owns no ring, they
    // tell it nothing.
    const SyscallKind ring = io_uring_kind(call);
    return ring == SyscallKind::Other ||
           (ring != SyscallKind::IoUringSetup && io_uring_.find(task.tgid()) == io_uring_.end());
}

void Session::on_syscall_exit(Task& task, std::int64_t rval, bool is_error) {
    if (!task.in_syscall) return;  // an exit whose entry predates us (attach)
    // The call's end, before decoding its results costs anything.
    const Nanos now = now_realtime();
    task.in_syscall = false;
    if (task.exit_delay) {
        task.hold_for = task.exit_delay;
        task.exit_delay.reset();
    }
    SyscallEvent call = task.current;
    call.has_result = true;
    if (options_.system_times) call.system_time = task.stop_system_time - task.entry_system_time;
    if (is_error) {
        call.ret = -1;
        call.err = static_cast<std::int32_t>(-rval);
    } else {
        call.ret = rval;
    }
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    task.previous_call = info ? info->name : std::string_view{};
    if (!task.report_current) {
        if (!suppressed(task)) io_uring_exit(task, call);
        return;
    }
    if (options_.decode && task.decoded) {
        TaskMemory memory(task, pids_, &fd_describer_);
        decode_exit(call, *task.decoded, memory, options_.decode_options);
        call.decoded = task.decoded.get();
    }
    Event event{EventKind::SyscallExit, now, task.tgid(), task.tid(), call};
    emit(event);
    // Completions after the call that waited for them.
    io_uring_exit(task, call);
}

// ---------------------------------------------------------------------------
// Fault injection (model/injection.h, sources/live/fault_injector.h).

void Session::inject_at_entry(Task& task, SyscallEvent& call) {
    const Injection* inj = injector_.on_entry(task.invocations, call.arch, call.nr);
    if (!inj) return;
    if (inj->tampers_result()) {
        // The kernel skips a call whose number is -1 and leaves the return
        // register as set here: the call never runs.
        const std::int64_t result = inj->error ? -static_cast<std::int64_t>(*inj->error)
                                               : static_cast<std::int64_t>(*inj->retval);
        if (!task.skip_syscall(result)) return;  // gone
        call.injected = true;
    }
    if (inj->signal) task.resume_signal = inj->signal;
    if (inj->delay_enter) task.hold_for = *inj->delay_enter;
    if (inj->delay_exit) task.exit_delay = *inj->delay_exit;
    call.delayed = inj->delay_enter.has_value() || inj->delay_exit.has_value();
}

void Session::hold(Task& task, std::chrono::nanoseconds delay) {
    task.held = true;
    held_.push_back({std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay),
                     task.tid()});
    std::push_heap(held_.begin(), held_.end(), Held::later);
}

void Session::release_due_tasks() {
    const auto now = std::chrono::steady_clock::now();
    while (!held_.empty() && held_.front().until <= now) {
        std::pop_heap(held_.begin(), held_.end(), Held::later);
        const pid_t tid = held_.back().tid;
        held_.pop_back();
        Task* task = find_task(tid);
        if (!task || !task->held) continue;  // killed while held
        task->held = false;
        resume(*task, std::exchange(task->resume_signal, 0));
    }
}

void Session::on_event_stop(Task& task, WaitStatus status) {
    switch (status.ptrace_event()) {
        case PTRACE_EVENT_SECCOMP:
            on_syscall_stop(task);
            return;  // resumes itself
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE:
            on_spawn(task, status.ptrace_event());
            break;
        case PTRACE_EVENT_EXEC:
            on_exec(task);
            return;  // resumes the survivor itself
        default:
            break;
    }
    resume(task);
}

void Session::on_spawn(Task& parent, int ptrace_event) {
    unsigned long message = 0;
    if (!parent.get_event_msg(message)) return;
    const pid_t child_tid = static_cast<pid_t>(message);
    SpawnKind kind = SpawnKind::Fork;
    if (ptrace_event == PTRACE_EVENT_VFORK) kind = SpawnKind::Vfork;
    if (ptrace_event == PTRACE_EVENT_CLONE) {
        kind = is_thread_of(pids_, parent.tgid(), child_tid) ? SpawnKind::Thread : SpawnKind::Clone;
    }
    const pid_t child_tgid = kind == SpawnKind::Thread ? parent.tgid() : child_tid;
    if (!find_task(child_tid)) add_task(child_tid, child_tgid);
    if (kind != SpawnKind::Thread && watchdog_) watchdog_->watch(child_tgid);
    if (kind != SpawnKind::Thread) {
        // A new process inherits the fds and mappings (a CLONE_FILES child
        // shares them; followed as a copy, which is what most of them do).
        if (auto it = io_uring_.find(parent.tgid()); it != io_uring_.end()) {
            io_uring_[child_tgid] = it->second;
        }
    }
    if (suppressed(parent)) return;
    Event event{EventKind::Spawn, now_realtime(), parent.tgid(), parent.tid(),
                SpawnEvent{kind, child_tgid, child_tid}};
    emit(event);
}

void Session::on_exec(Task& task) {
    unwinder_.forget_process(task.tgid());  // a new program: new mappings
    unsigned long message = 0;
    if (!task.get_event_msg(message)) return;
    const pid_t former_tid = static_cast<pid_t>(message);
    // Note: `task` may be destroyed below; only `execer` is used after it.
    Task* execer = &task;
    if (former_tid != task.tid()) {
        // A non-leader thread exec'd: it now carries the leader's tid, and
        // the old leader is gone without an exit notification. Keep the
        // exec'ing thread's state (it is inside execve) under the new tid.
        auto node = tasks_.extract(former_tid);
        if (!node.empty()) {
            const pid_t leader_tid = task.tid();
            tasks_.erase(leader_tid);  // invalidates `task`
            node.key() = leader_tid;
            node.mapped().take_over_tid(leader_tid);
            execer = &tasks_.insert(std::move(node)).position->second;
        }
    }
    if (execer->before_first_exec) {
        execer->before_first_exec = false;
        if (launched_ && execer->tgid() == launched_->pid()) {
            const ChildReport report = launched_->read_report();
            if (report.seccomp_errno != 0 && filtered_) {
                std::fprintf(options_.notices,
                             "sctrace: the kernel refused the seccomp filter (%s); stopping at "
                             "every syscall instead (as --no-seccomp)\n",
                             std::strerror(report.seccomp_errno));
                filtered_ = false;
                // No filter of ours: seccomp stops would only come from the
                // program's own filters (see kFilteredPtraceOptions). Its
                // children inherit these options.
                execer->set_options(kPtraceOptions | follow_options() | PTRACE_O_EXITKILL);
            }
        }
    }
    io_uring_.erase(execer->tgid());  // a new program: no fds or mappings of the old one
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/exe", pids_.proc_id(execer->tid()));
    const ssize_t n = ::readlink(path, execer->scratch.data(), execer->scratch.size());
    const std::string_view exe(execer->scratch.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
    // One ELF read per exec (not per syscall), through /proc so that a
    // deleted or replaced file still answers: static-glibc-nss needs to know
    // a static glibc program before its first NSS open.
    ExecEvent exec{exe, former_tid};
    if (const ExeFacts facts = read_exe_facts(path); facts.readable) {
        exec.is_static = facts.is_static ? 1 : 0;
        exec.glibc = facts.glibc ? 1 : 0;
    }
    // The exec has already reset every handler: what is left is SIG_DFL or
    // an inherited SIG_IGN, which rules judging a crash need to know.
    if (const auto status = read_process_status("/proc", pids_.proc_id(execer->tgid()))) {
        exec.signals_known = true;
        exec.ignored_signals = status->ignored_signals;
        exec.uid = status->uid;
        // PPid is /proc's id: sctrace's own only when /proc is sctrace's.
        if (pids_.proc_is_ours()) exec.ppid = status->ppid;
    }
    Event event{EventKind::Exec, now_realtime(), execer->tgid(), execer->tid(), exec};
    emit(event);
    resume(*execer);
}

void Session::on_signal_delivery(Task& task, int signo) {
    siginfo_t si{};
    if (!task.get_siginfo(si)) return;
    if (!suppressed(task)) {
        const SignalEvent sig = signal_event_of(si);
        Event event{EventKind::Signal, now_realtime(), task.tgid(), task.tid(), sig};
        emit(event);
    }
    resume(task, signo);  // delivered unchanged, as if we were not there
}

void Session::on_gone(Task& task, WaitStatus status) {
    const Nanos now = now_realtime();
    const pid_t tid = task.tid();
    if (task.in_syscall && task.report_current) {
        // The call never returned: exit_group, or killed inside it.
        SyscallEvent call = task.current;
        call.has_result = false;
        Event event{EventKind::SyscallExit, now, task.tgid(), tid, call};
        emit(event);
    }
    if (launched_ && tid == launched_->pid()) {
        launched_alive_ = false;
        launched_status_ = status.shell_status();
        launched_signal_ = status.kind() == WaitStatus::Kind::Killed ? status.term_signal() : 0;
        if (task.before_first_exec) {
            const ChildReport report = launched_->read_report();
            if (report.credentials_errno != 0) {
                std::fprintf(options_.notices, "sctrace: %s: %s\n", report.credentials_call,
                             std::strerror(report.credentials_errno));
            } else if (report.exec_errno != 0) {
                std::fprintf(options_.notices, "sctrace: cannot run the command: %s\n",
                             std::strerror(report.exec_errno));
                launched_status_ = exec_failure_status(report.exec_errno);
            }
        }
    }
    if (!task.before_first_exec) {
        ExitEvent exit;
        exit.whole_process = task.is_leader();
        exit.signaled = status.kind() == WaitStatus::Kind::Killed;
        exit.code = exit.signaled ? 0 : status.exit_code();
        exit.signo = exit.signaled ? status.term_signal() : 0;
        exit.core_dumped = exit.signaled && status.core_dumped();
        if (exit.whole_process && !exit.signaled) {
            const auto rings = io_uring_.find(task.tgid());
            exit.rings_read = rings != io_uring_.end() && rings->second.read_at_exit_done();
        }
        Event event{EventKind::Exit, now, task.tgid(), tid, exit};
        emit(event);
    }
    if (task.is_leader()) {
        io_uring_.erase(task.tgid());
        if (watchdog_) watchdog_->unwatch(task.tgid());
        unwinder_.forget_process(task.tgid());
    }
    tasks_.erase(tid);
}

void Session::emit(Event& event) {
    for (EventSink* sink : sinks_) sink->on_event(event);
    // Every caller emits before it resumes the thread: what the sinks want
    // of this moment (a finding's stacks) is taken now, with nothing
    // delivered meanwhile.
    for (EventSink* sink : sinks_) sink->at_safe_point(*this);
}

// ---------------------------------------------------------------------------
// Our own signals.

void Session::handle_own_signals() {
    for (ReceivedSignal received = relay_.take(); received.signo != 0; received = relay_.take()) {
        // Our own write to a closed pipe (or past the file size limit): the
        // write's error says it, and nothing else is to be done.
        if (received.from_self) continue;
        if (attach_mode_) {
            // -p: the user is done watching. The processes were running
            // before us and must go on running after us.
            begin_detach();
            continue;
        }
        // Launched: behave as if sctrace were not there. A terminal's ^C
        // already reached the command (same process group); a kill() aimed
        // at sctrace is passed on, to the command or, once it is gone, to
        // what is left of the tree it started.
        if (received.from_kernel) continue;
        if (launched_alive_) {
            ::kill(launched_->pid(), received.signo);
        } else {
            for (const auto& [tid, task] : tasks_) {
                if (task.is_leader()) ::kill(task.tgid(), received.signo);
            }
        }
    }
}

void Session::begin_detach() {
    if (detaching_) return;
    detaching_ = true;
    for (auto it = tasks_.begin(); it != tasks_.end();) {
        // A thread held by a delay is in a ptrace-stop already, and would
        // report no other: detach it now.
        if (it->second.held) {
            Task& task = it->second;
            task.detach(std::exchange(task.resume_signal, 0));
            Event event{EventKind::Attach, now_realtime(), task.tgid(), task.tid(),
                        AttachEvent{false}};
            emit(event);
            it = tasks_.erase(it);
            continue;
        }
        // Every thread must reach a ptrace-stop before it can be detached.
        if (!it->second.interrupt()) {
            it = tasks_.erase(it);
        } else {
            ++it;
        }
    }
}

void Session::handle_stop_while_detaching(pid_t tid, WaitStatus status) {
    Task* task = find_task(tid);
    if (status.gone()) {
        if (task) {
            on_gone(*task, status);
        }
        return;
    }
    if (!task) task = &add_task(tid, read_tgid(pids_, tid));  // a child born during detach
    int signal = 0;
    switch (status.kind()) {
        case WaitStatus::Kind::SignalDelivery:
            signal = status.stop_signal();
            break;
        case WaitStatus::Kind::EventStop: {
            const int ev = status.ptrace_event();
            if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK || ev == PTRACE_EVENT_CLONE) {
                // The new child is attached too; wait for it and detach it.
                unsigned long child = 0;
                if (task->get_event_msg(child) && !find_task(static_cast<pid_t>(child))) {
                    add_task(static_cast<pid_t>(child),
                             read_tgid(pids_, static_cast<pid_t>(child)));
                }
            }
            break;
        }
        default:
            break;  // a group-stopped thread stays stopped after detach
    }
    task->detach(signal);
    Event event{EventKind::Attach, now_realtime(), task->tgid(), tid, AttachEvent{false}};
    emit(event);
    tasks_.erase(tid);
}

}  // namespace sctrace
