// The state every rule reads, tracked once, live and post-mortem alike:
// processes (their threads, fd table, exe, io_uring), threads (the call they
// are in and since when) and file descriptors (what they are, nonblocking or
// not, where a socket's connect stands, who created them).
//
// Ordering contract: for each event, rules look at the state as it was
// *before* the event (so "close fails EBADF after a successful close" can see
// the earlier close), then StateTracker::apply() brings it up to date.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "events/event.h"

namespace sctrace {

enum class FdKind : std::uint8_t { Unknown, File, Socket, Pipe, EventFd, Epoll, IoUring, Other };

enum class SocketState : std::uint8_t {
    None,        // not a socket, or nothing happened yet
    Connecting,  // connect() -> EINPROGRESS, no result seen yet
    Connected,   // connect() succeeded (at once, or SO_ERROR == 0 after waiting)
    Failed,      // connect() failed (not EINPROGRESS)
    Listening,
    Accepted,  // returned by accept()
};

enum class Family : std::uint8_t { Unknown, Inet, Inet6, Unix, Netlink, Other };

std::string_view fd_kind_name(FdKind kind);
std::string_view family_name(Family family);
Family family_from_name(std::string_view name);  // "AF_INET" -> Inet
std::string_view socket_state_name(SocketState state);

// One line of an fd's history: "connect = -1 EINPROGRESS". Fixed size, so
// remembering it allocates nothing.
struct FdEventRecord {
    Nanos time = 0;
    pid_t tid = 0;
    std::array<char, 48> what{};
    std::string_view text() const { return what.data(); }
};

struct FdState {
    int fd = -1;
    FdKind kind = FdKind::Unknown;
    Family family = Family::Unknown;
    bool stream = false;  // SOCK_STREAM
    bool nonblocking = false;
    bool cloexec = false;
    SocketState socket_state = SocketState::None;
    bool connect_returned_einprogress = false;  // ever, on this fd
    bool connect_waited = false;  // a poll/select/epoll wait or SO_ERROR read since EINPROGRESS
    int connect_calls = 0;
    pid_t connected_by = 0;  // the process whose connect() set socket_state
    std::string path;        // File: the path opened; Socket: the peer, when known
    pid_t created_by = 0;
    Nanos created_at = 0;
    std::array<char, 24> created_with{};  // the syscall name
    // The fd's short history, newest last (at most kHistory entries).
    static constexpr std::size_t kHistory = 8;
    std::array<FdEventRecord, kHistory> history;
    std::size_t history_size = 0;

    void remember(const Event& event, const SyscallEvent& call);
};

// A descriptor that was closed, kept until its number is reused, so that a
// second close or a late use of it can be recognised.
struct ClosedFd {
    FdState last;  // what it was
    Nanos closed_at = 0;
    pid_t closed_by = 0;
};

struct ThreadState {
    pid_t tid = 0;
    pid_t pid = 0;
    bool in_call = false;
    std::array<char, 24> call{};  // the syscall it is in ("" when none)
    Nanos call_since = 0;
    std::optional<int> call_fd;   // the fd that call works on, if any
    std::uint64_t call_arg0 = 0;  // e.g. the futex word
};

struct ProcessState {
    pid_t pid = 0;
    std::string exe;
    bool has_io_uring = false;
    std::map<int, FdState> fds;
    std::map<int, ClosedFd> closed;
    std::map<pid_t, ThreadState> threads;
};

class StateTracker {
public:
    // Brings the state up to date with `event` (call it after the rules).
    void apply(const Event& event);

    const ProcessState* process(pid_t pid) const;
    const ThreadState* thread(pid_t tid) const;
    const FdState* fd(pid_t pid, int fd) const;
    const ClosedFd* closed_fd(pid_t pid, int fd) const;
    const std::unordered_map<pid_t, ProcessState>& processes() const { return processes_; }

private:
    ProcessState& process_of(pid_t pid);
    void on_exit_of_call(const Event& event, const SyscallEvent& call);
    void open_fd(ProcessState& p, int fd, FdState state, const Event& event);
    void close_fd(ProcessState& p, int fd, const Event& event);

    std::unordered_map<pid_t, ProcessState> processes_;
    std::unordered_map<pid_t, pid_t> thread_to_process_;
};

// The syscalls the tracker must see to keep the fd table and thread states
// right (creating, duplicating, closing and reconfiguring descriptors,
// connecting, waiting): traced whenever rules are loaded.
std::span<const std::string_view> state_syscalls();

// Which argument of a call names the fd it works on (read, connect,
// epoll_ctl's target is arg 2, ...), or -1. Fd-creating calls return -1.
int fd_argument_of(std::string_view syscall);

}  // namespace sctrace
