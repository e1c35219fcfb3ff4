// The watchdog: a thread of sctrace that looks at every traced thread through
// /proc at a fixed interval (default 1 s) and turns what it sees into
// ThreadSample events: the scheduler state (R, S, D ...), the kernel function
// it sleeps in (wchan), the syscall it sits in with its arguments, and
// whether a SIGKILL is pending on it.
//
// Why a thread of its own: ptrace only tells the tracer about threads that
// stop; a thread stuck in D state, or a deadlocked process, never stops, so
// the tracer's loop would never hear of it. The watchdog only *reads /proc*;
// every ptrace call stays on the tracer's thread, which collects the samples
// (take()) and feeds them to the rules like any other event.
//
// io_uring's kernel threads (iou-sqp-*, iou-wrk-*) live in the thread group
// of the process that owns the ring, so listing /proc/PID/task attributes
// them to that process without further work; they are marked io_worker.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model/event.h"

namespace sctrace {

struct WatchdogOptions {
    std::chrono::milliseconds interval{1000};
    // Where procfs is mounted; tests point it at a fake tree.
    std::string proc_root = "/proc";
    // Called on the watchdog's thread when samples are ready, and again
    // every `renotify` until take() collects them: the tracer blocks in
    // waitpid and must be woken (the call may land just before it blocks,
    // so one call is not enough). Nothing is called while no sample is
    // pending, so an idle watchdog never wakes the tracer.
    std::function<void()> notify;
    std::chrono::milliseconds renotify{1};
};

// One thread, as /proc showed it at `time`.
struct ThreadSample {
    Nanos time = 0;
    pid_t pid = 0;
    pid_t tid = 0;
    ThreadSampleEvent data;
};

// The call a thread sits in, from /proc/PID/task/TID/syscall.
struct ThreadCall {
    std::int32_t syscall = -2;  // x86_64 nr; -1 running or outside a call; -2 unreadable
    std::array<std::uint64_t, 6> args{};
};
ThreadCall read_thread_call(const std::string& proc_root, pid_t pid, pid_t tid);

// Whether the thread is blocked in call `nr` (x86_64) with argument 0
// `arg0` right now, or stopped at its entry. A running thread, a gone one
// and one that cannot be read count as not: the question is asked before a
// rule counts the thread as inside a call, and a false finding is worse
// than a missed one there (RuleEngine's still_in_call).
bool thread_still_in_call(const std::string& proc_root, pid_t pid, pid_t tid, std::int32_t nr,
                          std::uint64_t arg0);

// Reads /proc/PID/task/TID/{stat,wchan,syscall} (and status, for a pending
// SIGKILL). Returns nothing when the thread is gone. Plain function of the
// files, so it is tested on a fake procfs.
std::optional<ThreadSampleEvent> read_thread_sample(const std::string& proc_root, pid_t pid,
                                                    pid_t tid);

// What /proc/PID/status says of a process at its exec: the signals it
// ignores (SigIgn, bit signo - 1), its real uid (Uid's first field) and its
// parent (PPid, as /proc names it). Nothing when it cannot be read.
struct ProcessStatus {
    std::uint64_t ignored_signals = 0;
    std::int64_t uid = -1;
    pid_t ppid = 0;
};
std::optional<ProcessStatus> read_process_status(const std::string& proc_root, pid_t pid);

// The thread ids in /proc/PID/task (empty when the process is gone).
std::vector<pid_t> list_task_ids(const std::string& proc_root, pid_t pid);

// Every thread of each process in `pids`, read now (gone ones left out).
std::vector<ThreadSample> sample_processes(const std::string& proc_root,
                                           const std::set<pid_t>& pids);

class Watchdog {
public:
    // The tracer's loop collects samples with take() when options.notify
    // has interrupted its wait (sources/live/session.cpp).
    explicit Watchdog(WatchdogOptions options);
    ~Watchdog();  // stops and joins the sampling thread
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // The processes to sample (their every thread). Called by the tracer.
    void watch(pid_t pid);
    void unwatch(pid_t pid);

    // Samples taken since the last call, oldest first. Only the samples that
    // matter are kept: a thread that is not running, or one that just
    // stopped being blocked (so a rule watching it can reset).
    std::vector<ThreadSample> take();
    bool has_samples() const { return ready_.load(std::memory_order_acquire); }

    // Samples every watched thread now, on the caller's thread, keeping
    // every thread (running or not): the report of a --timeout.
    std::vector<ThreadSample> sample_now();

private:
    void loop();
    std::vector<ThreadSample> sample_all(bool keep_running);

    WatchdogOptions options_;
    std::mutex mutex_;  // guards everything below
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::set<pid_t> watched_;
    std::vector<ThreadSample> ready_samples_;
    // Each thread's state at the previous round: 'R' twice in a row is not
    // worth an event.
    std::unordered_map<pid_t, char> last_state_;
    std::atomic<bool> ready_{false};
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace sctrace
