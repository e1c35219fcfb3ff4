#include "sources/notify/notify_session.h"

#include <linux/audit.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "model/syscall_table.h"
#include "sources/live/remote_memory.h"

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
        const ssize_t n = ::readlink(link, out.data(), out.size());
        return n > 0 && static_cast<std::size_t>(n) < out.size() ? static_cast<std::size_t>(n) : 0;
    }
    std::size_t cwd_path(std::span<char> out) override {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/%d/cwd", tid_);
        const ssize_t n = ::readlink(link, out.data(), out.size());
        return n > 0 && static_cast<std::size_t>(n) < out.size() ? static_cast<std::size_t>(n) : 0;
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
                             NotifySessionOptions options)
    : child_(std::move(child)),
      listener_(UniqueFd(::dup(child_.listener()))),
      sinks_(std::move(sinks)),
      options_(std::move(options)),
      relay_(options_.inherited_ignored) {
    tgids_[child_.pid()] = child_.pid();
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
    // execve replaces the thread's process image; a new thread of the
    // same id later is looked up again.
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    Event entry{EventKind::SyscallEntry, now, tgid, n.tid, call};
    for (EventSink* sink : sinks_) sink->on_event(entry);
    // Its result is never seen: the call is shown finished with none.
    Event exit{EventKind::SyscallExit, now, tgid, n.tid, call};
    for (EventSink* sink : sinks_) sink->on_event(exit);
    if (info && (info->traits.has(kTraitExecs) || info->traits.has(kTraitSpawns))) {
        // Ids may be reused by what the call starts or replaces.
        tgids_.erase(n.tid);
    }
}

void NotifySession::reap(bool wait) {
    if (reaped_) return;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(child_.pid(), &status, wait ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != child_.pid()) return;
    reaped_ = true;
    status_ = status;
    ExitEvent x;
    x.whole_process = true;
    x.signaled = WIFSIGNALED(status);
    x.code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    x.signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    x.core_dumped = WIFSIGNALED(status) && WCOREDUMP(status);
    Event event{EventKind::Exit, now_realtime(), child_.pid(), child_.pid(), x};
    for (EventSink* sink : sinks_) sink->on_event(event);
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
    using namespace std::chrono_literals;
    for (;;) {
        pass_on_signals();
        const NotifyListener::Wait wait = listener_.wait(reaped_ ? -1ms : 100ms);
        if (wait == NotifyListener::Wait::Finished) break;
        if (wait == NotifyListener::Wait::Idle) {
            reap(false);
            continue;
        }
        Notification n;
        if (listener_.receive(n)) serve(n);
    }
    reap(true);
    for (EventSink* sink : sinks_) sink->on_end();
    if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 0;
}

}  // namespace sctrace
