#include "sources/notify/notify_session.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "base/system_error.h"
#include "model/syscall_table.h"
#include "sources/live/launcher.h"
#include "sources/live/remote_memory.h"
#include "sources/live/wait_status.h"

namespace sctrace {

namespace {

// A thread's memory, read without ptrace: process_vm_readv needs only the
// permission to read a process one started.
class ThreadMemory final : public MemoryReader {
public:
    explicit ThreadMemory(pid_t tid) : tid_(tid) {}
    std::size_t read(std::uint64_t addr, std::span<char> out) override {
        return read_remote(tid_, addr, out);
    }
    std::size_t fd_path(int fd, std::span<char> out) override {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/%d/fd/%d", tid_, fd);
        return read_link(link, out);
    }
    std::size_t cwd_path(std::span<char> out) override {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/%d/cwd", tid_);
        return read_link(link, out);
    }

private:
    pid_t tid_;
};

constexpr std::uint32_t kX32SyscallBit = 0x40000000;

// The table a notification's call belongs to, and its number there.
Arch arch_of(const Notification& n, std::int32_t& nr) {
    nr = n.nr;
    if (n.audit_arch == AUDIT_ARCH_I386) return Arch::I386;
    if (static_cast<std::uint32_t>(n.nr) & kX32SyscallBit) {
        nr = static_cast<std::int32_t>(static_cast<std::uint32_t>(n.nr) & ~kX32SyscallBit);
        return Arch::X32;
    }
    return Arch::X86_64;
}

}  // namespace

NotifySession::NotifySession(NotifyChild child, std::vector<EventSink*> sinks,
                             std::vector<EventSink*> judges, NotifySessionOptions options)
    : child_(std::move(child)),
      listener_(child_.take_listener()),
      sinks_(std::move(sinks)),
      judges_(std::move(judges)),
      options_(std::move(options)),
      relay_(options_.inherited_ignored) {
    tgids_[child_.pid()] = child_.pid();
    if (options_.watchdog_interval) {
        wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!wake_) throw_errno("eventfd");
        WatchdogOptions watchdog_options;
        watchdog_options.interval = *options_.watchdog_interval;
        const int wake = wake_.get();
        watchdog_options.notify = [wake] {
            const std::uint64_t one = 1;
            [[maybe_unused]] const ssize_t n = ::write(wake, &one, sizeof one);
        };
        watchdog_ = std::make_unique<Watchdog>(std::move(watchdog_options));
        watch(child_.pid());
    }
}

void NotifySession::watch(pid_t pid) {
    if (watchdog_ && watched_.insert(pid).second) watchdog_->watch(pid);
}

void NotifySession::discover_children() {
    // A process the command forks and that makes no traced call would go
    // unsampled: no ptrace event announces it. /proc names every process's
    // parent, so each interval the processes whose parent is watched are
    // watched too (a grandchild at the next look).
    if (!watchdog_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_discovery_ < *options_.watchdog_interval) return;
    last_discovery_ = now;
    DIR* proc = ::opendir("/proc");
    if (!proc) return;
    std::vector<pid_t> found;
    while (const dirent* entry = ::readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0 || watched_.count(pid)) continue;
        char path[64];
        std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
        char stat[512];
        const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        const ssize_t n = ::read(fd, stat, sizeof stat - 1);
        ::close(fd);
        if (n <= 0) continue;
        stat[n] = '\0';
        // "PID (COMM) STATE PPID ...": the name may hold anything, even ')'.
        const char* close_paren = std::strrchr(stat, ')');
        if (!close_paren) continue;
        char state = 0;
        int ppid = 0;
        if (std::sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && watched_.count(ppid)) {
            found.push_back(pid);
        }
    }
    ::closedir(proc);
    for (const pid_t pid : found) watch(pid);
}

NotifySession::~NotifySession() {
    watchdog_.reset();  // its thread writes to wake_: stopped first
}

void NotifySession::to_all(const Event& event) {
    for (EventSink* sink : sinks_) sink->on_event(event);
    for (EventSink* judge : judges_) judge->on_event(event);
}

void NotifySession::announce_executable(pid_t pid) {
    // The rules name a process by its executable. Without ptrace no exec is
    // seen to succeed, but /proc says what the process runs now: the judges
    // hear it as an exec whenever it changes.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/exe", pid);
    char exe[PATH_MAX];
    const std::size_t n = read_link(path, exe);
    if (n == 0) return;
    const std::string_view now(exe, n);
    std::string& known = executables_[pid];
    if (known == now) return;
    known.assign(now);
    const ExecEvent facts{known, pid};
    const Event event{EventKind::Exec, now_realtime(), pid, pid, facts};
    for (EventSink* judge : judges_) judge->on_event(event);
}

void NotifySession::emit_samples() {
    if (!watchdog_) return;
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(wake_.get(), &count, sizeof count);
    if (!watchdog_->has_samples()) return;
    std::vector<ThreadSample> samples = watchdog_->take();
    // A process's io_uring threads first: they tell the judges that it
    // owns a ring (io_uring_setup's result is not seen here) before its
    // other threads' samples are judged, as the ptrace source knows it from
    // the start.
    std::stable_partition(samples.begin(), samples.end(),
                          [](const ThreadSample& s) { return s.data.io_worker; });
    for (ThreadSample& sample : samples) {
        announce_executable(sample.pid);
        Event event{EventKind::ThreadSample, sample.time, sample.pid, sample.tid, sample.data};
        to_all(event);
    }
}

pid_t NotifySession::tgid_of(pid_t tid) {
    if (const auto it = tgids_.find(tid); it != tgids_.end()) return it->second;
    // A thread seen for the first time: its process from /proc. (A thread
    // whose process is gone keeps its own id: it is alone then.)
    pid_t tgid = tid;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", tid);
    if (std::FILE* f = std::fopen(path, "re")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            if (std::strncmp(line, "Tgid:", 5) == 0) {
                tgid = static_cast<pid_t>(std::atoi(line + 5));
                break;
            }
        }
        std::fclose(f);
    }
    tgids_[tid] = tgid;
    watch(tgid);
    return tgid;
}

void NotifySession::serve(const Notification& n) {
    ++calls_;
    const Nanos now = now_realtime();
    SyscallEvent call;
    std::int32_t nr = 0;
    call.arch = arch_of(n, nr);
    call.nr = nr;
    call.name = syscall_name(call.arch, nr, name_scratch_);
    for (std::size_t i = 0; i < 6; ++i) call.args[i] = n.args[i];
    call.entry_time = now;
    const pid_t tgid = tgid_of(n.tid);
    if (options_.decode) {
        ThreadMemory memory(n.tid);
        decode_entry(call, tree_, memory, options_.decode_options);
        // The thread may have been killed while its memory was read, and
        // the address reused: what was read is trusted only if the call
        // still waits.
        if (listener_.still_pending(n.id)) {
            call.decoded = &tree_;
        } else {
            ++gone_;
        }
    }
    listener_.let_continue(n.id);
    Event entry{EventKind::SyscallEntry, now, tgid, n.tid, call};
    for (EventSink* sink : sinks_) sink->on_event(entry);
    // Its result is never seen: the call is shown finished with none.
    Event exit{EventKind::SyscallExit, now, tgid, n.tid, call};
    for (EventSink* sink : sinks_) sink->on_event(exit);
    // The watchdog's samples of the moment must not wait for the next poll.
    if (watchdog_ && watchdog_->has_samples()) emit_samples();
    if (const SyscallInfo* info = syscall_info(call.arch, call.nr);
        info && info->traits.has(kTraitExecs)) {
        // An exec by another thread than the leader takes the leader's id:
        // this one is looked up again if it shows up.
        tgids_.erase(n.tid);
    }
}

void NotifySession::reap(bool wait) {
    if (reaped_) return;
    int raw = 0;
    pid_t r;
    do {
        r = ::waitpid(child_.pid(), &raw, wait ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != child_.pid()) return;
    reaped_ = true;
    const WaitStatus status(raw);
    shell_status_ = status.shell_status();
    if (const int exec_errno = child_.exec_errno(); exec_errno != 0) {
        // As the ptrace backend says it: the command never ran.
        std::fprintf(stderr, "sctrace: cannot run the command: %s\n", std::strerror(exec_errno));
        shell_status_ = exec_failure_status(exec_errno);
    }
    ExitEvent x;
    x.whole_process = true;
    x.signaled = status.kind() == WaitStatus::Kind::Killed;
    x.code = x.signaled ? 0 : status.exit_code();
    x.signo = x.signaled ? status.term_signal() : 0;
    x.core_dumped = x.signaled && status.core_dumped();
    Event event{EventKind::Exit, now_realtime(), child_.pid(), child_.pid(), x};
    to_all(event);
}

void NotifySession::pass_on_signals() {
    for (ReceivedSignal received = relay_.take(); received.signo != 0; received = relay_.take()) {
        // As under the ptrace backend: the terminal's ^C reached the command
        // already (same process group); a kill() aimed at sctrace is passed
        // on. sctrace itself must live: were it to die, every traced call
        // would fail with ENOSYS.
        if (received.from_self || received.from_kernel || reaped_) continue;
        ::kill(child_.pid(), received.signo);
    }
}

int NotifySession::run() {
    using std::chrono::milliseconds;
    for (;;) {
        pass_on_signals();
        discover_children();
        // Until the command is reaped the loop looks for its end now and
        // then: it may end while its children still use the filter.
        const NotifyListener::Wait w = listener_.wait(
            reaped_ && !watchdog_ ? milliseconds(-1) : milliseconds(100), wake_ ? wake_.get() : -1);
        if (w.finished) break;  // no process uses the filter any more
        if (w.woken) emit_samples();
        if (w.ready) {
            Notification note;
            if (listener_.receive(note)) serve(note);
        } else if (!w.woken) {
            reap(false);
        }
    }
    reap(true);
    if (watchdog_) {
        emit_samples();
        watchdog_.reset();
    }
    for (EventSink* sink : sinks_) sink->on_end();
    for (EventSink* judge : judges_) judge->on_end();
    return shell_status_;
}

}  // namespace sctrace
