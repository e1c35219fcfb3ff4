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
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/ring_files.h"
#include "engine/ring_ops.h"
#include "engine/signal_state.h"
#include "model/event.h"

namespace sctrace {

enum class FdKind : std::uint8_t { Unknown, File, Socket, Pipe, EventFd, Epoll, IoUring, Other };

enum class SocketState : std::uint8_t {
    None,        // not a socket, or nothing happened yet
    Connecting,  // connect() -> EINPROGRESS, no result seen yet
    // connect() succeeded at once; or, after EINPROGRESS: SO_ERROR read 0
    // after a wait, a call moved data, a second connect() returned 0 or EISCONN
    Connected,
    Failed,  // connect() failed (not EINPROGRESS), or SO_ERROR reported the error
    Listening,
    Accepted,  // returned by accept()
};

enum class Family : std::uint8_t { Unknown, Inet, Inet6, Unix, Netlink, Other };

std::string_view fd_kind_name(FdKind kind);
std::string_view family_name(Family family);
Family family_from_name(std::string_view name);  // "AF_INET" -> Inet
std::string_view socket_state_name(SocketState state);

// One line of an fd's history: "connect = -1 (errno 115)". Fixed size, so
// remembering it allocates nothing; the raw fields are kept and formatted
// only when a finding shows them (formatting every fd event cost 6% of
// `sctrace analyze`).
struct FdEventRecord {
    Nanos time = 0;
    pid_t tid = 0;
    std::int32_t err = 0;
    std::int64_t ret = 0;
    bool has_result = false;
    bool injected = false;  // the result was made up by fault injection
    // The tracer did not stop at the call's exit (no rule needed it): the
    // result is not known, though the call did return.
    bool untraced = false;
    // Made through an io_uring: the ring's fd (-1: a syscall of its own)
    // and the submission's user_data.
    std::int32_t ring_fd = -1;
    std::uint64_t ring_user_data = 0;
    // The ring's own table (IoUringOrigin): the fixed file the submission
    // named, the direct descriptor it made or closed; -1 none.
    std::int32_t ring_fixed_file = -1;
    std::int32_t ring_direct = -1;
    std::uint8_t name_size = 0;
    std::array<char, 47> name{};  // the syscall's name (the text never showed more)
    // "connect = -1 (errno 115)", "close = 0", "read = ?", "read = (not traced)",
    // "close = 0 through io_uring (ring fd 4, user_data 0x1)",
    // "connect = -1 ECONNREFUSED through io_uring (ring fd 4, user_data 0x2, fixed file 0)"
    std::string text() const;
};

// One end of an inet socket as far as the trace has told: the address as
// text ("127.0.0.1", "::1") and the port. Empty / -1 when not known.
struct InetEnd {
    std::string ip;
    int port = -1;
};

// Which side of a connection a socket is: the one that connected (client)
// or the one that listens or was accepted (server). Unknown for a socket
// that did neither as far as the trace has seen (one inherited, a UDP
// socket that only sends).
enum class SocketRole : std::uint8_t { Unknown, Client, Server };

struct FdState {
    int fd = -1;
    // Which open file this is: every open, accept, dup ... gets a new one,
    // so a number reused by another thread's open is told apart from the
    // file it had before (a call on that earlier file is not a call on this
    // one). 0: a descriptor the trace never saw created.
    std::uint64_t generation = 0;
    FdKind kind = FdKind::Unknown;
    Family family = Family::Unknown;
    bool stream = false;  // SOCK_STREAM
    // socket()'s type (SOCK_DGRAM, SOCK_RAW ...) without its flags and its
    // protocol argument; 0 / -1 when not seen.
    std::uint8_t sock_type = 0;
    int protocol = -1;
    bool nonblocking = false;
    bool cloexec = false;
    SocketState socket_state = SocketState::None;
    bool connect_returned_einprogress = false;  // ever, on this fd
    bool connect_waited = false;  // a poll/select/epoll wait or SO_ERROR read since EINPROGRESS
    int connect_calls = 0;
    // The program asked for TCP Fast Open: setsockopt(TCP_FASTOPEN_CONNECT, 1),
    // or a sendto/sendmsg with MSG_FASTOPEN. connect() then returns 0 at once
    // by design (the SYN leaves with the first write).
    bool fastopen = false;
    pid_t connected_by = 0;  // the process whose connect() set socket_state
    // File: the path opened. Socket: the peer, when known ("127.0.0.1:8080",
    // "[::1]:8080", a unix path), from connect's or accept's address or an
    // strace -yy decoration.
    std::string path;
    // An inet socket's ends, each from what told it exactly: bind and
    // getsockname (local), connect, accept and getpeername (remote), an
    // strace -yy decoration (both). A local address bound to the wildcard
    // (0.0.0.0, ::) says nothing of the address a connection then uses.
    InetEnd local;
    InetEnd remote;
    SocketRole role = SocketRole::Unknown;
    pid_t created_by = 0;
    Nanos created_at = 0;
    std::array<char, 24> created_with{};  // the syscall name

    // The fd's short history: the last kHistory calls on it, oldest first.
    // A ring, so that remembering one more call on a busy fd copies one
    // record, not the other seven.
    static constexpr std::size_t kHistory = 8;
    // `untraced`: `call` is an entry whose exit the tracer will not see.
    void remember(const Event& event, const SyscallEvent& call, bool untraced = false);
    std::size_t history_size() const { return history_size_; }
    const FdEventRecord& history(std::size_t i) const {
        return history_[(history_start_ + i) % kHistory];
    }
    void clear_history() { history_start_ = history_size_ = 0; }

private:
    std::array<FdEventRecord, kHistory> history_;
    std::uint8_t history_start_ = 0;
    std::uint8_t history_size_ = 0;
};

// A descriptor that was closed, kept until its number is reused, so that a
// second close or a late use of it can be recognised.
struct ClosedFd {
    FdState last;  // what it was
    Nanos closed_at = 0;
    pid_t closed_by = 0;
};

// A process's descriptors by number: the open ones, and for a number not
// open, the last descriptor closed under it until the number is reused.
// Each number has one slot holding either, so a close marks the slot closed
// in place: no copy of the ~700-byte state between two maps, and no tree
// node allocated and freed per open and close. Numbers map to slots through
// a vector of indices (a map for the rare large numbers: a "close every fd
// up to 65535" loop), so a table whose highest number is 255 (bash's script
// fd) costs 1 KB of indices, not 255 slots, when a fork copies it; the
// slots' states are a byte each on their own, so walking the open
// descriptors touches no closed one. A number keeps its slot once it has
// one. Opening or closing may move the slots: pointers into the table last
// until the next open() or close().
class FdTable {
public:
    const FdState* find(int fd) const;
    FdState* find(int fd);
    const ClosedFd* find_closed(int fd) const;

    // `fd` now holds `state`; a closed descriptor of that number is forgotten.
    FdState& open(int fd, FdState&& state);
    // `fd` is closed: its open state, if any, becomes the closed record in
    // place (`*was_open` true); otherwise the record starts as an unknown
    // descriptor of that number. The caller fills in when and by whom.
    ClosedFd& close(int fd, bool* was_open);
    // Nothing is known of `fd` any more, open or closed.
    void forget(int fd);

    // Calls f(int fd, FdState&) for each open descriptor, by number.
    template <typename F>
    void for_each_open(F&& f) {
        visit_open(*this, f);
    }
    template <typename F>
    void for_each_open(F&& f) const {
        visit_open(*this, f);
    }
    // Forgets every descriptor, open or closed, keyed from `first` to `last`
    // (a ring's direct descriptors, when the ring goes).
    void forget_range(int first, int last);
    // Forgets the open descriptors `drop` accepts (close-on-exec at exec);
    // closed records stay.
    template <typename Pred>
    void drop_open_if(Pred&& drop) {
        for (std::size_t at = 0; at < status_.size(); ++at) {
            if (status_[at] == Status::Open && drop(std::as_const(slots_[at].last))) {
                status_[at] = Status::Free;
            }
        }
    }
    // A fork child's table: the parent's open descriptors replace the
    // child's own open ones (the child's closed records stay unless the
    // parent has that number open).
    void inherit_open(const FdTable& parent);

private:
    enum class Status : std::uint8_t { Free, Open, Closed };
    static constexpr std::uint32_t kNoSlot = UINT32_MAX;
    // Numbers below this index the vector (grown on demand).
    static constexpr int kDirect = 1024;

    std::uint32_t slot_of(int fd) const;  // kNoSlot when the number has none
    std::uint32_t slot_for(int fd);       // gives the number a free slot when it has none

    // f(int fd, FdState&) for every open descriptor, in ascending order
    // within the vector and within the map.
    template <typename Table, typename F>
    static void visit_open(Table& t, F& f) {
        for (std::size_t fd = 0; fd < t.direct_.size(); ++fd) {
            const std::uint32_t at = t.direct_[fd];
            if (at != kNoSlot && t.status_[at] == Status::Open) {
                f(static_cast<int>(fd), t.slots_[at].last);
            }
        }
        for (const auto& [fd, at] : t.overflow_) {
            if (t.status_[at] == Status::Open) f(fd, t.slots_[at].last);
        }
    }

    std::vector<std::uint32_t> direct_;      // number -> slot
    std::map<int, std::uint32_t> overflow_;  // the other numbers -> slot
    // Open: slots_[at].last is the state; Closed: slots_[at] is the record.
    std::vector<Status> status_;
    std::vector<ClosedFd> slots_;
};

struct ThreadState {
    pid_t tid = 0;
    pid_t pid = 0;
    bool in_call = false;
    std::array<char, 24> call{};  // the syscall it is in ("" when none)
    std::int32_t call_nr = -1;    // its x86_64 number, -1 for another ABI or a log's name
    // The tracer did not stop at the call's exit, so `in_call` says the
    // thread entered it and has made no traced call since: it may have
    // returned long ago. StateTracker::settle_untraced asks the tracer.
    bool exit_untraced = false;
    std::uint32_t call_traits = 0;  // that call's SyscallTrait bits
    Nanos call_since = 0;
    std::optional<int> call_fd;  // the fd that call works on, if any
    // The open file call_fd named when the call started (FdState::generation;
    // 0 when the number was not open as far as the trace knows). The kernel
    // frees a number when close() starts, so by the time the call is judged
    // the number may name a newer file.
    std::uint64_t call_fd_generation = 0;
    std::uint64_t call_arg0 = 0;  // e.g. the futex word
    // The argv (after argv[0], joined by spaces) of an execve it is inside,
    // read at the entry: after a successful exec the memory that held it
    // is gone. nullopt: not read, or not fully (a truncated string).
    std::optional<std::string> exec_args;
    bool call_untimed_wait = false;  // the call is a futex wait with no timeout
    // What the tracker read from the rings at the entry of the thread's
    // io_uring_enter, kept in the state (ring fd, user_data), in order: its
    // exit says how many the kernel took, and the rest are withdrawn.
    std::vector<std::pair<int, std::uint64_t>> entering_submissions;

    // The watchdog's latest look at the thread (ThreadSample events).
    char sampled_state = '?';           // /proc state letter, '?' never sampled
    std::int32_t sampled_syscall = -1;  // x86_64 nr it sat in, -1 none, -2 unknown
    std::uint64_t sampled_arg0 = 0;
    bool sampled_untimed_wait = false;
    bool io_worker = false;  // io_uring's iou-sqp-*/iou-wrk-* kernel thread
    std::array<char, 32> wchan{};
    std::array<char, 16> comm{};
    // Since when the samples have shown this state, call and wchan.
    Nanos sampled_since = 0;
};

// What the running program is built on, and its NSS activity (the rule
// static-glibc-nss). Live, the exec event carries facts read from the ELF
// file. A strace log has none, so after an exec they are inferred from the
// program's first telling call (docs/rules/static-glibc-nss.md):
//   - an open of ld.so.cache or a shared object: the dynamic loader is at
//     work, so the program is dynamic;
//   - rseq() with glibc's signature 0x53053053 before any such open: glibc
//     (2.35 or later) registering its main thread with no loader having run,
//     so a static glibc program (a dynamic one calls rseq too, but after
//     loading libc.so.6: that makes it glibc, not static);
//   - an NSS open (nsswitch.conf, libnss_*) before either: static, C library
//     unknown (a pure-Go or musl program has no rseq with that signature).
// A fork child inherits all of it.
struct ProgramFacts {
    std::int8_t is_static = -1;  // -1 unknown, 0 no, 1 yes
    std::int8_t glibc = -1;      // -1 unknown, 0 no, 1 yes
    bool inferring = false;      // exec seen without facts; no telling call yet
    int nss_opens = 0;           // successful opens of nsswitch.conf or libnss_* since exec
    int nss_modules = 0;         // successful opens of libnss_* modules since exec
};

struct ProcessState {
    pid_t pid = 0;
    // Which process this is: a pid the kernel reuses after an exit names
    // another one, with another instance (never 0, never given twice).
    std::uint64_t instance = 0;
    std::string exe;
    // The arguments after argv[0] of the exec that started its program,
    // joined by spaces (proc.cmdline is the program's name and these);
    // nullopt when that exec was not seen or its argv not fully.
    std::optional<std::string> args;
    // Its parent, from the fork/clone the trace saw create it; 0 when not
    // seen, or when the parent exited (it was re-parented to an unknown
    // reaper).
    pid_t ppid = 0;
    // The real user id, as getuid()/getresuid() returned it or a setter
    // made it; -1 when not known.
    std::int64_t uid = -1;
    bool has_io_uring = false;
    // Its io_uring operations submitted and not completed yet.
    RingOps ring_ops;
    // Its rings' own descriptor tables (registered files, direct
    // descriptors); a direct descriptor's state is in `fds`, keyed by
    // direct_key (engine/ring_files.h).
    RingFiles ring_files;
    ProgramFacts program;
    FdTable fds;
    std::map<pid_t, ThreadState> threads;
    // What it does with each signal: shared by its threads, and with a
    // CLONE_SIGHAND child; null while nothing is known.
    std::shared_ptr<SignalDispositions> signals;
    // The last signal delivered to it that it did not ignore.
    std::optional<KillingDelivery> killing_delivery;
    // How many of its calls returned a result fault injection made up
    // (--inject): a finding about its state may rest on one.
    std::uint64_t injected_results = 0;

    // What delivering `sig` does, as far as the trace has told.
    Verdict signal_verdict(const SignalEvent& sig) const {
        return signals ? signals->judge(sig) : Verdict::Unknown;
    }
    const SignalAction& signal_action(int signo) const;
};

// An io_uring operation in flight, with the ring and the user_data it was
// submitted under.
struct RingOpInFlight {
    int ring_fd = -1;
    std::uint64_t user_data = 0;
    const RingOp* op = nullptr;
};

class StateTracker {
public:
    // Brings the state up to date with `event` (call it after the rules).
    void apply(const Event& event);

    // An io_uring completion (an IoUringComplete event, before apply()
    // retires its submission): the submission's syscall twin, completed,
    // into `out` (engine/ring_ops.h). False when the state follows no
    // submission it completes.
    bool ring_twin(const Event& complete, RingTwin& out) const;
    // An io_uring submission (an IoUringSubmit event, before apply()):
    // its syscall twin's entry into `out`, when the rules may see the twin
    // and the submission was read at the io_uring_enter that made it. A
    // sampled one (SQPOLL) went to the kernel some time before the
    // sample: when it started, and what else was in progress then, is not
    // known.
    bool ring_entry(const Event& submit, RingTwin& out) const;
    // What the rules could not follow of the ring operations seen so far,
    // in processes alive and gone.
    RingCoverage ring_coverage() const;
    // The operations of `pid` in flight that the program relies on
    // finishing (IoUringTwin::awaited: writes, sends, syncs) and that have
    // posted no result, oldest first. Not those on a ring another process
    // still holds (a fork child that inherited its fd): the ring lives on
    // with it, and so do they. Valid until the next apply().
    std::vector<RingOpInFlight> awaited_ring_ops(pid_t pid) const;
    // The twin's exit taken as the call's own: the fds it opens, closes,
    // connects ... The thread that reaped the completion stays in whatever
    // call it is in.
    void apply_ring_twin(const RingTwin& twin);

    const ProcessState* process(pid_t pid) const;
    const ThreadState* thread(pid_t tid) const;
    const FdState* fd(pid_t pid, int fd) const;
    const ClosedFd* closed_fd(pid_t pid, int fd) const;
    const std::unordered_map<pid_t, ProcessState>& processes() const { return processes_; }
    // Which process `pid` names now (ProcessState::instance). The rules see
    // an event before the tracker does, so a process first seen in this
    // event is taken in here, with the instance apply() then finds.
    std::uint64_t instance_of(pid_t pid) { return process_of(pid).instance; }

    // Post-mortem: the end of a log is the last thing known about every
    // process that has no exit line. One end_of_trace ThreadSample per
    // thread of those processes (the call it was left in, if any), for the
    // watch rules to judge; the caller feeds them to the engine before
    // on_end(). `time`: the log's last timestamp.
    std::vector<Event> end_of_trace_samples(Nanos time) const;

    // Whether the state needs nothing from the exit of the call `entry`
    // began but its result: a data or wait call, unless on a socket that is
    // connecting (where the first data moved, or a wait, would tell it
    // connected), or a close of a descriptor it knows open (a close frees
    // the number whatever it returns, and only a descriptor that was not
    // open gives EBADF; a close of one it does not know may be a close of
    // nothing, which it must not take for a close). Calls of the x86_64 ABI
    // only, whose numbers /proc speaks (settle_untraced). `entry` was
    // applied already.
    bool exit_can_be_untraced(const Event& entry) const;
    // The tracer will not stop at that exit: what the state would take from
    // it is taken now (the close, the fd's history), and the thread stays
    // in the call, marked exit_untraced, until its next traced call or
    // until settle_untraced finds it out.
    void apply_exit_untraced(const Event& entry);
    // Before rules read what other threads of `pid` are doing on `fd`:
    // each one left in a call on it whose exit was not traced is asked
    // after through `still_in_call` (x86_64 number and argument 0, as
    // /proc/PID/task/TID/syscall shows a blocked thread's call), and taken
    // out of the call when it has left.
    template <typename StillInCall>
    void settle_untraced(pid_t pid, pid_t tid, int fd, StillInCall&& still_in_call) {
        const auto p = processes_.find(pid);
        if (p == processes_.end()) return;
        for (auto& [other, t] : p->second.threads) {
            if (other == tid || !t.exit_untraced || !t.in_call || t.call_fd != fd) continue;
            if (!still_in_call(pid, other, t.call_nr, static_cast<std::uint64_t>(fd))) {
                leave_call(t);
            }
        }
    }

private:
    static void leave_call(ThreadState& t);
    ProcessState& process_of(pid_t pid);
    // The event's thread (created when new) and its process, through a
    // small cache by thread id: events come in runs from a few threads (a
    // client and a server thread take turns), and each lookup was a hash
    // lookup, a tree lookup and a hash insert.
    ThreadState& thread_of(pid_t pid, pid_t tid, ProcessState** process);
    // `entry_generation`: the open file the call's fd named at its entry,
    // when the entry was seen (ThreadState::call_fd_generation).
    void on_exit_of_call(ProcessState& p, const Event& event, const SyscallEvent& call,
                         std::optional<std::uint64_t> entry_generation);
    void open_fd(ProcessState& p, int fd, FdState state, const Event& event);
    void close_fd(ProcessState& p, int fd, const Event& event);
    // A call may or may not have closed `fd`: the state holds nothing there.
    void forget_fd(ProcessState& p, int fd);
    // The open file `fd` names is about to leave that number (a close, or
    // another file put there): registered slots linked to it keep it as a
    // direct descriptor; a ring on it takes its table along.
    void release_fd(ProcessState& p, int fd);
    // Slot `slot` of the ring on `ring_fd`, linked to a process fd, becomes
    // a direct descriptor holding a copy of that fd's state.
    void keep_linked_slot(ProcessState& p, int ring_fd, std::uint32_t slot);
    // The ring on `ring_fd` and its table are gone (closed, replaced, exec).
    void forget_ring_files(ProcessState& p, int ring_fd);
    // A submission that makes or closes a direct descriptor is not
    // followed: its slot is not known from then on.
    void forget_direct_slot(ProcessState& p, const IoUringSqeEvent& sqe, const IoUringTwin& twin);
    // IORING_OP_FILES_UPDATE: the slots it names are not known from then on.
    void forget_updated_slots(ProcessState& p, const IoUringSqeEvent& sqe);
    // A successful io_uring_register on files (engine/ring_files.h).
    void on_files_registered(ProcessState& p, const Event& event, const SyscallEvent& call);
    // What a submission's descriptors are, through its ring's table;
    // nullopt when it is not followed (a slot not known).
    std::optional<RingTarget> ring_target(const ProcessState& p, const IoUringSqeEvent& sqe,
                                          const IoUringTwin& twin) const;
    void note_open(ProcessState& p, std::string_view path, bool ok);
    // A log can show a new thread's first calls before the clone() that made
    // it returns in its parent (strace prints whichever stops first), and
    // until then the thread passed for a process of its own. At the clone's
    // return it joins its process, with the call it may be inside and the
    // descriptors it opened.
    void adopt_early_thread(pid_t pid, pid_t tid);
    void note_rseq(ProcessState& p, const SyscallEvent& call);
    // Dispositions and deliveries (engine/signal_state.h).
    void on_signal_call(ProcessState& p, const SyscallEvent& call);
    // At the exit of a call of `t`'s: drops the submissions its
    // io_uring_enter read but the kernel did not take.
    void withdraw_refused(ProcessState& p, ThreadState& t, const SyscallEvent& call);
    void on_signal_delivery(ProcessState& p, const Event& event);

    std::unordered_map<pid_t, ProcessState> processes_;
    std::unordered_map<pid_t, pid_t> thread_to_process_;
    // The last FdState::generation given out, across processes, so that a
    // fork child's new files never share one with what it inherited.
    std::uint64_t generations_ = 0;
    std::uint64_t instances_ = 0;  // the last ProcessState::instance given out
    RingCoverage rings_gone_;      // ring_coverage() of processes that ended
    // thread_of()'s cache, direct-mapped by tid, cleared by every event that
    // can add, move or remove processes and threads (spawn, exec, exit).
    // Node-based maps keep the pointers valid across other insertions.
    struct CachedThread {
        pid_t pid = 0;
        pid_t tid = 0;
        ProcessState* process = nullptr;
        ThreadState* thread = nullptr;
    };
    static constexpr std::size_t kThreadCache = 8;
    std::array<CachedThread, kThreadCache> thread_cache_{};
};

// The syscalls the tracker must see to keep the fd table and thread states
// right (creating, duplicating, closing and reconfiguring descriptors,
// connecting, waiting): traced whenever rules are loaded.
std::span<const std::string_view> state_syscalls();

// Whether a thread sample's call (an x86_64 number: what /proc/TID/syscall,
// the watchdog's source, says for native processes) is futex.
bool is_futex_sample(std::int32_t x86_64_nr);

// Whether a futex call (live registers, or the text of a strace line) is a
// wait with no timeout: what a thread stuck on a lock sits in.
bool is_untimed_futex_wait(const SyscallEvent& call);
bool is_untimed_futex_wait(std::uint64_t op, std::uint64_t timeout);

// The peer a call names in its own arguments (connect's address; sendto's
// destination), as fd.name spells it; "" when it names none. What a finding
// on that call shows before the state has learned the peer.
std::string call_peer_name(const SyscallEvent& call);

// The descriptor the call's successful exit returned: its result, or for a
// ring operation that installed a direct descriptor, that descriptor's key
// (engine/ring_files.h); nullopt when it made none.
std::optional<int> new_fd_of(const SyscallEvent& call);

// `fd` as the call names it: a direct descriptor's key only where the
// engine made the call of a ring operation; a syscall's own argument
// never names one, whatever number it passes.
inline std::optional<int> fd_of_call(const SyscallEvent& call, std::optional<int> fd) {
    if (fd && is_direct_key(*fd) && !call.via_ring) return std::nullopt;
    return fd;
}

// "direct descriptor 2 of ring fd 3" for a direct descriptor's key.
std::string direct_descriptor_name(int key);

}  // namespace sctrace
