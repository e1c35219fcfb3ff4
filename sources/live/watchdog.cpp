#include "sources/live/watchdog.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/clock.h"
#include "base/unique_fd.h"

namespace sctrace {

namespace {

// PF_IO_WORKER in the flags field of /proc/TID/stat (include/linux/sched.h):
// set on io_uring's kernel threads, whatever they are named.
constexpr unsigned long kPfIoWorker = 0x00000010;

// Reads a small /proc file into `buf` (NUL-terminated). False when it cannot
// be read (the thread is gone, or we may not look).
bool read_small_file(const std::string& path, char* buf, std::size_t size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    std::size_t used = 0;
    while (used + 1 < size) {
        const ssize_t n = ::read(fd.get(), buf + used, size - 1 - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    buf[used] = '\0';
    return true;
}

template <std::size_t N>
void copy_text(std::string_view text, std::array<char, N>& out) {
    const std::size_t n = std::min(text.size(), N - 1);
    std::memcpy(out.data(), text.data(), n);
    out[n] = '\0';
}

// The hex mask after "Name:\t" in /proc status, or 0.
unsigned long long status_mask(const char* status, const char* name) {
    const char* at = std::strstr(status, name);
    if (!at) return 0;
    at += std::strlen(name);
    while (*at == ' ' || *at == '\t') ++at;
    return std::strtoull(at, nullptr, 16);
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<ProcessStatus> read_process_status(const std::string& proc_root, pid_t pid) {
    char status[4096];
    if (!read_small_file(proc_root + "/" + std::to_string(pid) + "/status", status,
                         sizeof status) ||
        !std::strstr(status, "SigIgn:")) {
        return std::nullopt;
    }
    ProcessStatus out;
    out.ignored_signals = status_mask(status, "SigIgn:");
    // "Uid:\treal\teffective\tsaved\tfs", "PPid:\tN": decimal.
    const auto decimal_after = [&](const char* name) -> std::optional<long long> {
        const char* at = std::strstr(status, name);
        if (!at) return std::nullopt;
        at += std::strlen(name);
        char* end = nullptr;
        const long long value = std::strtoll(at, &end, 10);
        if (end == at) return std::nullopt;
        return value;
    };
    if (const auto uid = decimal_after("\nUid:"); uid && *uid >= 0) out.uid = *uid;
    if (const auto ppid = decimal_after("\nPPid:"); ppid && *ppid > 0) {
        out.ppid = static_cast<pid_t>(*ppid);
    }
    return out;
}

ThreadCall read_thread_call(const std::string& proc_root, pid_t pid, pid_t tid) {
    // "NR ARG1 ... ARG6 SP PC" while blocked in a call, "-1 SP PC" while
    // blocked outside one, "running" otherwise (the kernel does not wait
    // for a running thread to stop). Readable by the tracer only (ptrace
    // access).
    ThreadCall call;
    char text[256];
    const std::string path =
        proc_root + "/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/syscall";
    if (!read_small_file(path, text, sizeof text)) return call;
    if (starts_with(text, "running")) {
        call.syscall = -1;
        return call;
    }
    char* end = nullptr;
    const long nr = std::strtol(text, &end, 10);
    if (end == text) return call;
    call.syscall = nr < 0 ? -1 : static_cast<std::int32_t>(nr);
    for (std::size_t i = 0; nr >= 0 && i < call.args.size(); ++i) {
        call.args[i] = std::strtoull(end, &end, 16);
    }
    return call;
}

bool thread_still_in_call(const std::string& proc_root, pid_t pid, pid_t tid, std::int32_t nr,
                          std::uint64_t arg0) {
    const ThreadCall call = read_thread_call(proc_root, pid, tid);
    return nr >= 0 && call.syscall == nr && call.args[0] == arg0;
}

std::optional<ThreadSampleEvent> read_thread_sample(const std::string& proc_root, pid_t pid,
                                                    pid_t tid) {
    const std::string dir =
        proc_root + "/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/";
    ThreadSampleEvent sample;

    // stat: "TID (COMM) STATE PPID ... FLAGS ...". COMM may hold spaces and
    // parentheses, so the state is found after the *last* ')'.
    char stat[1024];
    if (!read_small_file(dir + "stat", stat, sizeof stat)) return std::nullopt;
    const char* open = std::strchr(stat, '(');
    const char* close = std::strrchr(stat, ')');
    if (!open || !close || close < open || close[1] != ' ' || close[2] == '\0') return std::nullopt;
    copy_text(std::string_view(open + 1, static_cast<std::size_t>(close - open - 1)), sample.comm);
    sample.state = close[2];
    // Fields after the state: ppid pgrp session tty_nr tpgid flags.
    const char* p = close + 3;
    for (int field = 0; field < 5 && p; ++field) {
        p = std::strchr(p + 1, ' ');
    }
    const unsigned long flags = p ? std::strtoul(p + 1, nullptr, 10) : 0;
    const std::string_view comm(sample.comm.data());
    sample.io_worker = (flags & kPfIoWorker) != 0 || starts_with(comm, "iou-sqp-") ||
                       starts_with(comm, "iou-wrk-");

    // wchan: the kernel function it sleeps in; "0" when it does not sleep.
    char wchan[64];
    if (read_small_file(dir + "wchan", wchan, sizeof wchan) && std::strcmp(wchan, "0") != 0) {
        copy_text(wchan, sample.wchan);
    }

    // An io_uring kernel thread never makes a syscall: /proc shows the
    // registers it was created with, its creator's io_uring_setup or
    // io_uring_enter, which would name a call nobody is in.
    if (!sample.io_worker) {
        const ThreadCall call = read_thread_call(proc_root, pid, tid);
        sample.syscall = call.syscall;
        sample.args = call.args;
    }

    // A SIGKILL that was sent but not acted on: only a thread that cannot
    // leave the kernel keeps one pending. Read only for threads in D state,
    // the only ones that can hold it for long.
    if (sample.state == 'D') {
        char status[4096];
        if (read_small_file(dir + "status", status, sizeof status)) {
            constexpr unsigned long long kSigkillBit = 1ULL << (SIGKILL - 1);
            sample.sigkill_pending =
                ((status_mask(status, "SigPnd:") | status_mask(status, "ShdPnd:")) & kSigkillBit) !=
                0;
        }
    }
    return sample;
}

std::vector<pid_t> list_task_ids(const std::string& proc_root, pid_t pid) {
    std::vector<pid_t> tids;
    const std::string path = proc_root + "/" + std::to_string(pid) + "/task";
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return tids;
    while (const dirent* entry = ::readdir(dir)) {
        char* end = nullptr;
        const long tid = std::strtol(entry->d_name, &end, 10);
        if (end != entry->d_name && *end == '\0' && tid > 0)
            tids.push_back(static_cast<pid_t>(tid));
    }
    ::closedir(dir);
    return tids;
}

std::vector<ThreadSample> sample_processes(const std::string& proc_root,
                                           const std::set<pid_t>& pids) {
    std::vector<ThreadSample> samples;
    for (const pid_t pid : pids) {
        for (const pid_t tid : list_task_ids(proc_root, pid)) {
            if (std::optional<ThreadSampleEvent> data = read_thread_sample(proc_root, pid, tid)) {
                samples.push_back(ThreadSample{now_realtime(), pid, tid, *data});
            }
        }
    }
    return samples;
}

Watchdog::Watchdog(WatchdogOptions options)
    : options_(std::move(options)), thread_([this] { loop(); }) {}

Watchdog::~Watchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
}

void Watchdog::watch(pid_t pid) {
    std::lock_guard lock(mutex_);
    watched_.insert(pid);
}

void Watchdog::unwatch(pid_t pid) {
    std::lock_guard lock(mutex_);
    watched_.erase(pid);
}

std::vector<ThreadSample> Watchdog::take() {
    std::vector<ThreadSample> taken;
    {
        std::lock_guard lock(mutex_);
        ready_.store(false, std::memory_order_release);
        taken = std::exchange(ready_samples_, {});
    }
    stop_cv_.notify_all();  // taken: no more wake-ups for these
    return taken;
}

std::vector<ThreadSample> Watchdog::sample_now() {
    return sample_all(true);
}

std::vector<ThreadSample> Watchdog::sample_all(bool keep_running) {
    std::set<pid_t> pids;
    {
        std::lock_guard lock(mutex_);
        pids = watched_;
    }
    std::vector<ThreadSample> samples = sample_processes(options_.proc_root, pids);
    if (keep_running) return samples;
    std::unordered_map<pid_t, char> states;
    for (const ThreadSample& sample : samples) states[sample.tid] = sample.data.state;
    // Keep what a rule can use: threads not running, and threads that were
    // not running at the previous round (so a watch on them can reset).
    std::lock_guard lock(mutex_);
    std::vector<ThreadSample> kept;
    for (ThreadSample& s : samples) {
        const auto last = last_state_.find(s.tid);
        const bool was_running = last == last_state_.end() || last->second == 'R';
        if (s.data.state != 'R' || !was_running) kept.push_back(s);
    }
    last_state_ = std::move(states);
    return kept;
}

void Watchdog::loop() {
    // Signals to sctrace (SIGINT, SIGTERM, the wake-up timer's SIGURG) are
    // for the tracer's thread: a handler run here would not interrupt its wait.
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
    using Clock = std::chrono::steady_clock;
    std::unique_lock lock(mutex_);
    Clock::time_point next_round = Clock::now() + options_.interval;
    while (!stopping_) {
        if (options_.notify && ready_.load(std::memory_order_acquire)) {
            // Samples wait for the tracer: wake it, and again shortly until
            // it has taken them.
            options_.notify();
            stop_cv_.wait_for(lock, options_.renotify, [this] {
                return stopping_ || !ready_.load(std::memory_order_acquire);
            });
        } else {
            stop_cv_.wait_until(lock, next_round, [this] { return stopping_; });
        }
        if (stopping_) break;
        if (Clock::now() < next_round) continue;
        next_round = Clock::now() + options_.interval;
        lock.unlock();
        std::vector<ThreadSample> samples = sample_all(false);
        lock.lock();
        if (samples.empty()) continue;
        ready_samples_.insert(ready_samples_.end(), std::make_move_iterator(samples.begin()),
                              std::make_move_iterator(samples.end()));
        // Bound what piles up if the tracer is busy: the newest round matters.
        constexpr std::size_t kMaxPending = 100000;
        if (ready_samples_.size() > kMaxPending) {
            ready_samples_.erase(ready_samples_.begin(),
                                 ready_samples_.end() - static_cast<long>(kMaxPending));
        }
        ready_.store(true, std::memory_order_release);
    }
}

}  // namespace sctrace
