#include "engine/rules/fields.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>

#include "engine/arg_query.h"
#include "model/names.h"
#include "model/syscall_table.h"

namespace sctrace::rules {

namespace {

constexpr FieldInfo kFields[] = {
    {"evt.type", FieldId::EvtType, FieldType::String,
     "the syscall's name (connect), or the event's kind: signal, exit, spawn, exec, stop"},
    {"evt.dir", FieldId::EvtDir, FieldType::String, "'>' at a syscall's entry, '<' at its exit"},
    {"evt.res", FieldId::EvtRes, FieldType::Int, "the syscall's return value (-1 on error)"},
    {"evt.errno", FieldId::EvtErrno, FieldType::String,
     "the error's name (EBADF), empty on success"},
    {"evt.failed", FieldId::EvtFailed, FieldType::Bool, "the syscall returned an error"},
    {"evt.via_ring", FieldId::EvtViaRing, FieldType::Bool,
     "the call is an io_uring operation seen as its syscall twin: its submission (evt.dir = >) "
     "or its completion (evt.dir = <), not a syscall of its own"},
    {"evt.arg0", FieldId::EvtArg0, FieldType::Int, "argument 0 as an integer"},
    {"evt.arg1", FieldId::EvtArg1, FieldType::Int, "argument 1 as an integer"},
    {"evt.arg2", FieldId::EvtArg2, FieldType::Int, "argument 2 as an integer"},
    {"evt.arg3", FieldId::EvtArg3, FieldType::Int, "argument 3 as an integer"},
    {"evt.arg4", FieldId::EvtArg4, FieldType::Int, "argument 4 as an integer"},
    {"evt.arg5", FieldId::EvtArg5, FieldType::Int, "argument 5 as an integer"},
    {"evt.arg1.name", FieldId::EvtArgName1, FieldType::String,
     "argument 1's symbolic name (F_SETFL, SOL_SOCKET)"},
    {"evt.arg2.name", FieldId::EvtArgName2, FieldType::String,
     "argument 2's symbolic name (SO_ERROR)"},
    {"proc.pid", FieldId::ProcPid, FieldType::Int, "the process (thread group) id"},
    {"proc.exe", FieldId::ProcExe, FieldType::String, "the executable's path"},
    {"proc.name", FieldId::ProcName, FieldType::String, "the executable's file name"},
    {"proc.has_io_uring", FieldId::ProcHasIoUring, FieldType::Bool,
     "the process has set up an io_uring instance", FieldScope::Process},
    {"thread.tid", FieldId::ThreadTid, FieldType::Int, "the thread id"},
    {"thread.blocked_in", FieldId::ThreadBlockedIn, FieldType::String,
     "the syscall the thread is inside, empty when it is not in one"},
    {"fd.num", FieldId::FdNum, FieldType::Int,
     "the descriptor the syscall works on; at an open's successful exit, the one it returned; "
     "absent for an io_uring direct descriptor, which no process fd names (fd.name names it)"},
    {"fd.type", FieldId::FdType, FieldType::String,
     "file, socket, pipe, eventfd, epoll, io_uring or unknown", FieldScope::Process},
    {"fd.family", FieldId::FdFamily, FieldType::String, "AF_INET, AF_INET6, AF_UNIX, AF_NETLINK",
     FieldScope::Process},
    {"fd.l4proto", FieldId::FdL4proto, FieldType::String,
     "an inet socket's protocol, as Falco names it: tcp, udp, icmp (a ping socket) or raw; "
     "unix for a unix socket; empty when not known (or SCTP)",
     FieldScope::Process},
    {"fd.nonblocking", FieldId::FdNonblocking, FieldType::Bool, "O_NONBLOCK is set",
     FieldScope::Process},
    {"fd.state", FieldId::FdState, FieldType::String,
     "a socket's connect state: none, connecting (EINPROGRESS), connected (connect() returned "
     "0 or EISCONN, or after EINPROGRESS: SO_ERROR read 0 after a wait, or data moved), "
     "failed (connect() or SO_ERROR reported an error), listening, accepted",
     FieldScope::Process},
    {"fd.connect_waited", FieldId::FdConnectWaited, FieldType::Bool,
     "since connect() returned EINPROGRESS, the process waited (poll/select/epoll) or read "
     "SO_ERROR",
     FieldScope::Process},
    {"fd.einprogress", FieldId::FdEinprogress, FieldType::Bool,
     "a connect() on this fd returned EINPROGRESS before", FieldScope::Process},
    {"fd.connect_calls", FieldId::FdConnectCalls, FieldType::Int,
     "connect() calls made on this fd before this event", FieldScope::Process},
    {"fd.name", FieldId::FdName, FieldType::String,
     "a file's path, a socket's peer (127.0.0.1:8080, [::1]:8080, a unix path; at a connect, "
     "entry and exit, the address that call names; at an open's successful exit, the path it "
     "opened) (for a closed fd: what it was); an io_uring direct descriptor's is \"direct "
     "descriptor 1 of ring fd 3\", with its path or peer in parentheses when known",
     FieldScope::Process},
    {"fd.open", FieldId::FdOpen, FieldType::Bool, "the fd number is open (before this event)",
     FieldScope::Process},
    {"fd.closed", FieldId::FdClosed, FieldType::Bool,
     "the fd number was closed and has not been reused since", FieldScope::Process},
    {"fd.stream", FieldId::FdStream, FieldType::Bool,
     "a stream socket (SOCK_STREAM): bytes, no message boundaries", FieldScope::Process},
    {"evt.addr.family", FieldId::EvtAddrFamily, FieldType::String,
     "the address family of the call's sockaddr argument (connect, bind, sendto, accept, "
     "getsockname, getpeername)"},
    {"fd.others_blocked", FieldId::FdOthersBlocked, FieldType::Int,
     "other threads of the process now inside any call on this open file (close included; "
     "fd.others_in[LIST] counts only the calls a list names)",
     FieldScope::OtherThreads},
    {"fd.concurrent_writers", FieldId::FdConcurrentWriters, FieldType::Int,
     "other threads now inside a call that writes at this open file's position or stream "
     "(the syscall trait 'writes': write, writev, sendto, sendmsg, sendmmsg; not pwrite64)",
     FieldScope::OtherThreads},
    {"fd.concurrent_readers", FieldId::FdConcurrentReaders, FieldType::Int,
     "other threads now inside a call that reads at this open file's position or stream "
     "(the syscall trait 'reads': read, readv, recvfrom, recvmsg, recvmmsg; not pread64)",
     FieldScope::OtherThreads},
    {"proc.failed_sockets", FieldId::ProcFailedSockets, FieldType::Int,
     "open sockets of the process whose connect() failed", FieldScope::Process},
    {"evt.path", FieldId::EvtPath, FieldType::String,
     "the path a call names (open, openat, creat, execve)"},
    {"signal.name", FieldId::SignalName, FieldType::String,
     "the signal (SIGSEGV); on an exit event, the one that killed the process"},
    {"signal.code", FieldId::SignalCode, FieldType::Int, "si_code"},
    {"signal.addr", FieldId::SignalAddr, FieldType::Int,
     "si_addr of a fault; absent for a signal a process sent"},
    {"signal.poison", FieldId::SignalPoison, FieldType::String,
     "what a fault address means: signal.poison[LIST] names the addresses a list gives "
     "(\"0xbbadbeef WebKit's WTFCrash poison address\"), and any address below 4096 is a NULL "
     "dereference (SEGV_MAPERR, SEGV_ACCERR); empty otherwise (and for a signal a process sent "
     "or a general-protection fault, SI_KERNEL, which has no address)"},
    {"exit.code", FieldId::ExitCode, FieldType::Int, "the exit status"},
    {"exit.signal", FieldId::ExitSignal, FieldType::String,
     "the signal that killed it (SIGKILL), empty when it exited"},
    {"evt.held_for", FieldId::EvtHeldFor, FieldType::String,
     "in a watch rule's (`for:`) output: how long the condition had held (\"31.2s\")"},
    {"proc.static", FieldId::ProcStatic, FieldType::Bool,
     "the program is statically linked: live from its ELF file; from a strace log, true when "
     "after its exec it opened nsswitch.conf or libnss_* before any shared object; absent when "
     "unknown"},
    {"proc.glibc", FieldId::ProcGlibc, FieldType::Bool,
     "the program is built on GNU libc: live from its ELF file; from a strace log, true once "
     "it opened libc.so.6 or a libnss_* module; absent when unknown"},
    {"proc.nss_opens", FieldId::ProcNssOpens, FieldType::Int,
     "successful opens of /etc/nsswitch.conf or libnss_* modules since the exec, before this "
     "event",
     FieldScope::Process},
    {"proc.nss_modules", FieldId::ProcNssModules, FieldType::Int,
     "successful opens of libnss_* modules since the exec, before this event", FieldScope::Process},
    {"thread.main", FieldId::ThreadMain, FieldType::Bool,
     "the thread is its process's first thread (tid = pid)"},
    {"thread.role", FieldId::ThreadRole, FieldType::String,
     "'main thread' for the process's first thread, 'second thread' for any other"},
    {"thread.state", FieldId::ThreadState, FieldType::String,
     "the scheduler state the watchdog saw: R running, S sleeping, D uninterruptible, T/t "
     "stopped, Z zombie (thread_sample events; the latest sample otherwise)"},
    {"thread.wchan", FieldId::ThreadWchan, FieldType::String,
     "the kernel function the thread sleeps in (/proc wchan), empty when unknown"},
    {"thread.syscall", FieldId::ThreadSyscall, FieldType::String,
     "the syscall the watchdog saw the thread in (futex), empty when none; an io_uring "
     "kernel thread, which makes none, says so"},
    {"thread.comm", FieldId::ThreadComm, FieldType::String, "the thread's name (/proc comm)"},
    {"thread.io_worker", FieldId::ThreadIoWorker, FieldType::Bool,
     "an io_uring kernel thread (iou-sqp-*, iou-wrk-*), counted with the ring's process"},
    {"thread.sigkill_pending", FieldId::ThreadSigkillPending, FieldType::Bool,
     "a SIGKILL was sent and the thread has not acted on it (it cannot leave the kernel)"},
    {"proc.threads", FieldId::ProcThreads, FieldType::Int,
     "the process's live threads (io_uring workers not counted)", FieldScope::Process},
    {"proc.all_threads_in", FieldId::ProcAllThreadsIn, FieldType::String,
     "the syscall every live thread of the process was last seen blocked in (futex), empty "
     "when one runs or they differ; a strace log's end counts the calls left unfinished",
     FieldScope::Process},
    {"proc.untimed_waits", FieldId::ProcUntimedWaits, FieldType::Bool,
     "every futex wait the process's threads sit in has no timeout (a lock, a join), so none "
     "of them wakes up by itself",
     FieldScope::Process},
    {"proc.futex_waits", FieldId::ProcFutexWaits, FieldType::String,
     "for outputs: which thread waits on which futex word", FieldScope::Process},
    {"proc.io_workers", FieldId::ProcIoWorkers, FieldType::String,
     "for outputs: the process's io_uring kernel threads as the watchdog saw them, with the "
     "kernel function a sleeping one sleeps in (iou-sqp-4711 (tid 4712, state D, in "
     "request_wait_answer)), 'none seen' when there are none",
     FieldScope::Process},
    {"thread.state_for", FieldId::ThreadStateFor, FieldType::Int,
     "nanoseconds the watchdog's samples have shown the thread in this state, call and wchan "
     "(0 on the sample that changed them)"},
    {"fd.fastopen", FieldId::FdFastopen, FieldType::Bool,
     "the program asked for TCP Fast Open on this socket (setsockopt TCP_FASTOPEN_CONNECT = 1 "
     "before this event, or a sendto/sendmsg with MSG_FASTOPEN), so connect() may return 0 at "
     "once by design",
     FieldScope::Process},
    {"fd.others_in", FieldId::FdOthersIn, FieldType::Int,
     "fd.others_in[LIST]: other threads of the process now inside a call the list names "
     "(fd.others_in[blocking_fd_calls]) on this same open file; a call on an earlier file "
     "that had the number does not count",
     FieldScope::OtherThreads},
    {"fd.ring_ops_in", FieldId::FdRingOpsIn, FieldType::Int,
     "fd.ring_ops_in[LIST]: io_uring operations of the process submitted on this same open "
     "file and not completed yet, whose syscall twin the list names "
     "(fd.ring_ops_in[blocking_fd_calls]: a RECV or ACCEPT still waiting); an "
     "operation on an earlier file that had the number does not count",
     FieldScope::Process},
    {"signal.disposition", FieldId::SignalDisposition, FieldType::String,
     "what the delivery does, from the process's rt_sigaction calls and execs: default (the "
     "signal's default action; a fault the kernel forces because it was ignored counts), "
     "ignored, handled, or unknown (the trace never said); on an exit event, default"},
    {"signal.handler", FieldId::SignalHandler, FieldType::Int,
     "the address of the handler a handled signal runs, when known"},
    {"signal.sender", FieldId::SignalSender, FieldType::Int,
     "the pid that sent the signal with kill(), tgkill()/raise()/abort() or sigqueue() "
     "(si_code SI_USER, SI_TKILL, SI_QUEUE); absent for a fault"},
    {"signal.origin", FieldId::SignalOrigin, FieldType::String,
     "for outputs: where the signal came from - si_code, si_addr and what the address means "
     "for a fault (signal.origin[LIST]: as signal.poison[LIST]), or the sender of a kill "
     "(\"itself\" when it is the process)"},
    {"signal.tid", FieldId::SignalTid, FieldType::Int,
     "the thread the signal was delivered to (on an exit event: the killing signal's)"},
    {"exit.process", FieldId::ExitProcess, FieldType::Bool,
     "the exit event ends the whole process (its thread-group leader's final status), not "
     "one thread"},
    {"fd.sip", FieldId::FdSip, FieldType::String,
     "an inet socket's server address (127.0.0.1, ::1): at and after a connect the address "
     "connected to; for a listening or accepted socket its local address, when it was bound "
     "to one (not 0.0.0.0); absent when not known (a unix socket, one whose side is unknown)",
     FieldScope::Process},
    {"fd.sport", FieldId::FdSport, FieldType::Int,
     "an inet socket's server port: the port a connect names; a listening or accepted "
     "socket's local port (bind, getsockname or strace -yy); absent when not known",
     FieldScope::Process},
    {"fd.cip", FieldId::FdCip, FieldType::String,
     "an inet socket's client address: the peer of an accepted socket; for a connecting "
     "one its local address, known only from getsockname, bind to an address or strace -yy",
     FieldScope::Process},
    {"fd.cport", FieldId::FdCport, FieldType::Int,
     "an inet socket's client port: the peer's of an accepted socket; a connecting one's "
     "local port, known only from getsockname, bind to a port or strace -yy",
     FieldScope::Process},
    {"fd.rip", FieldId::FdRip, FieldType::String,
     "an inet socket's remote address (connect's, accept's, getpeername's, strace -yy)",
     FieldScope::Process},
    {"fd.rport", FieldId::FdRport, FieldType::Int, "an inet socket's remote port",
     FieldScope::Process},
    {"fd.lip", FieldId::FdLip, FieldType::String,
     "an inet socket's local address (bind, getsockname, strace -yy; a wildcard bind says "
     "nothing of a connected socket's)",
     FieldScope::Process},
    {"fd.lport", FieldId::FdLport, FieldType::Int,
     "an inet socket's local port (bind to a port, getsockname, strace -yy, an accepted "
     "socket's listener)",
     FieldScope::Process},
    {"proc.cmdline", FieldId::ProcCmdline, FieldType::String,
     "the program's name and the arguments its exec passed (\"curl -s http://x\"), from the "
     "execve seen live or in a log; absent when that exec was not seen (attached with -p) or "
     "an argument was cut short (-s, 32 bytes by default, live as in strace: give -s 4096)"},
    {"proc.ppid", FieldId::ProcPpid, FieldType::Int,
     "the parent's pid, from the fork or clone the trace saw (live, the first process's from "
     "/proc at its exec); absent when not known, or once the parent exited",
     FieldScope::Process},
    {"user.uid", FieldId::UserUid, FieldType::Int,
     "the process's real user id: live from /proc at each exec, then from a "
     "getuid()/getresuid() result or a set*uid() call seen (inherited across fork); in a "
     "strace log only from those calls; absent when none was",
     FieldScope::Process},
    {"proc.ring_writes_in_flight", FieldId::ProcRingWritesInFlight, FieldType::Int,
     "io_uring operations of the process the program relies on finishing (writes, sends, "
     "fsync: the `awaited` ones of model/io_uring_twins.in) submitted and not completed; "
     "not those on a ring a fork child still holds",
     FieldScope::Process},
    {"exit.rings_read", FieldId::ExitRingsRead, FieldType::Bool,
     "the process ended by itself (exit_group, or its last thread's exit) and its io_uring "
     "rings were read as it did: every completion posted by then is in the trace, so an "
     "operation still in flight never completed. False when it was killed by a signal, or "
     "the source could not look"},
};

FieldValue str(std::string_view s) {
    FieldValue v;
    v.type = FieldType::String;
    v.present = true;
    v.s = s;
    return v;
}
FieldValue integer(std::int64_t i) {
    FieldValue v;
    v.type = FieldType::Int;
    v.present = true;
    v.i = i;
    return v;
}
FieldValue boolean(bool b) {
    FieldValue v;
    v.type = FieldType::Bool;
    v.present = true;
    v.b = b;
    return v;
}
FieldValue absent(FieldType type) {
    FieldValue v;
    v.type = type;
    return v;
}

std::string_view signal_text(int signo, char* scratch, std::size_t size) {
    return signal_name(signo, {scratch, size});
}

// Falco's protocol names for an inet socket: from socket()'s type and
// protocol, "" when they are not known or name another protocol (SCTP).
std::string_view l4proto(const FdState& s) {
    constexpr int kIcmp = 1, kTcp = 6, kUdp = 17, kIcmpv6 = 58, kMptcp = 262;
    if (s.stream || s.sock_type == SOCK_STREAM) {
        const bool tcp = s.protocol <= 0 || s.protocol == kTcp || s.protocol == kMptcp;
        return tcp ? "tcp" : "";
    }
    if (s.sock_type == SOCK_RAW) return "raw";
    if (s.sock_type == SOCK_DGRAM) {
        if (s.protocol <= 0 || s.protocol == kUdp) return "udp";
        if (s.protocol == kIcmp || s.protocol == kIcmpv6) return "icmp";
    }
    return "";
}

// The fd a syscall event is about: from its argument, or the result of a
// call that creates one.
std::optional<int> event_fd_of(const Event& e);

// The descriptor an open (open, openat, creat: a call that creates a
// descriptor from the path it names) returned, at its successful exit.
// Falco's fd.num and fd.name read it there; the state learns the new
// descriptor only after the event, so its other fields stay absent.
std::optional<int> opened_fd(const SyscallEvent* call) {
    if (!call || !call->has_result || call->ret < 0) return std::nullopt;
    const SyscallTraits& traits = syscall_traits(*call);
    if (traits.fd_arg >= 0 || traits.path_arg < 0 || !traits.has(kTraitCreatesFd)) {
        return std::nullopt;
    }
    // A ring's direct open returns 0, and its descriptor is in the ring.
    return new_fd_of(*call);
}

std::optional<int> event_fd_of(const Event& e) {
    const SyscallEvent* call = e.syscall();
    if (!call) return std::nullopt;
    const int arg = syscall_traits(*call).fd_arg;
    if (arg >= 0) return fd_of_call(*call, arg_fd(*call, arg));
    return std::nullopt;
}

// The same, and the fd's state, cached in the context (see EvalContext).
std::optional<int> event_fd(EvalContext& ctx) {
    if (ctx.fd_known == 0) {
        const auto fd = event_fd_of(ctx.event);
        ctx.fd_known = fd ? 2 : 1;
        if (fd) {
            ctx.fd = *fd;
            ctx.fd_state = ctx.state.fd(ctx.event.pid, *fd);
        }
    }
    if (ctx.fd_known == 1) return std::nullopt;
    return ctx.fd;
}

// fd.name of a direct descriptor: "direct descriptor 2 of ring fd 3", and
// what the state knows it to be ("direct descriptor 2 of ring fd 3
// (127.0.0.1:80)"), open or closed, or the path a direct open names.
FieldValue direct_name_field(EvalContext& ctx, int key) {
    std::string known;
    const SyscallEvent* call = ctx.event.syscall();
    const std::optional<int> fd = event_fd(ctx);
    const FdState* open = fd && *fd == key ? ctx.fd_state : ctx.state.fd(ctx.event.pid, key);
    const ClosedFd* closed = open ? nullptr : ctx.state.closed_fd(ctx.event.pid, key);
    if (open) known = open->path;
    if (closed) known = closed->last.path;
    if (known.empty() && call && syscall_traits(*call).kind == SyscallKind::Connect) {
        known = call_peer_name(*call);
    }
    if (known.empty() && call && call->decoded && !fd) {
        if (const auto path = arg_string(*call, syscall_traits(*call).path_arg)) known = *path;
    }
    ctx.text = direct_descriptor_name(key);
    if (!known.empty()) ctx.text.append(" (").append(known).append(")");
    FieldValue v;
    v.type = FieldType::String;
    v.present = true;
    v.s = ctx.text;
    return v;
}

// Threads of the event's process, other than its own, inside a call on the
// open file the event's fd is (the state before the event: ctx.fd_state)
// that `which` accepts.
template <typename Which>
std::int64_t others_in_call(const EvalContext& ctx, int fd, Which which) {
    const ProcessState* p = ctx.state.process(ctx.event.pid);
    if (!p) return 0;
    std::int64_t n = 0;
    for (const auto& [tid, t] : p->threads) {
        if (tid == ctx.event.tid || !t.in_call || t.call_fd != fd) continue;
        if (!on_same_open_file(t, ctx.fd_state)) continue;
        if (which(t)) ++n;
    }
    return n;
}

}  // namespace

FieldList::FieldList(std::vector<std::string> items) : items_(std::move(items)) {
    std::sort(items_.begin(), items_.end());
    items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
}

bool FieldList::contains(std::string_view item) const {
    const auto it = std::lower_bound(items_.begin(), items_.end(), item, std::less<>{});
    return it != items_.end() && *it == item;
}

bool field_takes_list(FieldId id) {
    return field_list_names_calls(id) || field_list_optional(id);
}

bool field_list_names_calls(FieldId id) {
    return id == FieldId::FdOthersIn || id == FieldId::FdRingOpsIn;
}

bool field_list_calls_traced(FieldId id) {
    return id == FieldId::FdOthersIn;
}

bool field_list_optional(FieldId id) {
    return id == FieldId::SignalPoison || id == FieldId::SignalOrigin;
}

bool field_known_before_result(FieldId id) {
    switch (id) {
        case FieldId::EvtType:
        case FieldId::EvtDir:
        case FieldId::EvtViaRing:
        case FieldId::EvtArg0:
        case FieldId::EvtArg1:
        case FieldId::EvtArg2:
        case FieldId::EvtArg3:
        case FieldId::EvtArg4:
        case FieldId::EvtArg5:
        case FieldId::EvtPath:
        case FieldId::ProcPid:
        case FieldId::ProcExe:
        case FieldId::ProcName:
        case FieldId::ProcHasIoUring:
        case FieldId::ProcStatic:
        case FieldId::ProcGlibc:
        case FieldId::ThreadTid:
        case FieldId::ThreadMain:
        case FieldId::FdNum:
        case FieldId::FdType:
        case FieldId::FdFamily:
        case FieldId::FdL4proto:
        case FieldId::FdNonblocking:
        case FieldId::FdState:
        case FieldId::FdConnectWaited:
        case FieldId::FdEinprogress:
        case FieldId::FdConnectCalls:
        case FieldId::FdName:
        case FieldId::FdOpen:
        case FieldId::FdClosed:
        case FieldId::FdStream:
        case FieldId::FdFastopen:
        case FieldId::FdSip:
        case FieldId::FdSport:
        case FieldId::FdCip:
        case FieldId::FdCport:
        case FieldId::FdRip:
        case FieldId::FdRport:
        case FieldId::FdLip:
        case FieldId::FdLport:
        case FieldId::ProcCmdline:
        case FieldId::ProcPpid:
        case FieldId::UserUid:
            return true;
        default:
            return false;
    }
}

int event_descriptor(EvalContext& ctx) {
    if (const auto fd = event_fd(ctx)) return *fd;
    if (const auto opened = opened_fd(ctx.event.syscall())) return *opened;
    return kNoDescriptor;
}

bool on_same_open_file(const ThreadState& other, const FdState* event_fd) {
    return other.call_fd_generation == (event_fd ? event_fd->generation : 0);
}

std::span<const FieldInfo> all_fields() {
    return kFields;
}

const FieldInfo* find_field(std::string_view name) {
    for (const FieldInfo& f : kFields) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

namespace {

// thread.syscall of an io_uring kernel thread (iou-sqp-*, iou-wrk-*): it
// runs in the kernel on the ring's behalf and is inside no syscall.
constexpr std::string_view kNoSyscallOfIoWorker = "none (an io_uring kernel thread)";

// One thread as the watchdog saw it last: the event's own sample when the
// event is one, else the latest sample in the state.
struct SeenThread {
    bool sampled = false;
    char state = '?';
    std::int32_t syscall = -1;
    std::uint64_t arg0 = 0;
    bool untimed_wait = false;
    bool io_worker = false;
    bool end_of_trace = false;
    const char* wchan = "";  // the kernel function it sleeps in, "" when none was read
};

SeenThread seen_from_state(const ThreadState& t) {
    return {t.sampled_state != '?' || t.sampled_syscall != -1,
            t.sampled_state,
            t.sampled_syscall,
            t.sampled_arg0,
            t.sampled_untimed_wait,
            t.io_worker,
            false,
            t.wchan.data()};
}

SeenThread seen_from_sample(const ThreadSampleEvent& s) {
    const bool untimed = is_futex_sample(s.syscall) && is_untimed_futex_wait(s.args[1], s.args[3]);
    return {true,    s.state,     s.syscall,      s.args[0],
            untimed, s.io_worker, s.end_of_trace, s.wchan.data()};
}

// Blocked in a call: sampled inside one and not running. A strace log's end
// ('?': no scheduler state) counts a call left unfinished as blocked.
bool blocked(const SeenThread& t) {
    // Sleeping in the call (S, D), or unknown at a log's end. A stopped
    // thread (T: job control, t: a ptrace stop) sits in its call because
    // someone stopped it, not because it waits: a ^Z'd program is no deadlock.
    return t.sampled && t.syscall >= 0 && (t.state == 'S' || t.state == 'D' || t.state == '?');
}

FieldValue sample_field(FieldId id, EvalContext& ctx) {
    const Event& e = ctx.event;
    const ThreadSampleEvent* sample = e.thread_sample();
    const ThreadState* t = sample ? nullptr : ctx.state.thread(e.tid);
    if (!sample && (!t || t->sampled_state == '?')) {
        if (id == FieldId::ThreadStateFor) return absent(FieldType::Int);
        return absent(id == FieldId::ThreadIoWorker || id == FieldId::ThreadSigkillPending
                          ? FieldType::Bool
                          : FieldType::String);
    }
    switch (id) {
        case FieldId::ThreadState:
            ctx.scratch[0] = sample ? sample->state : t->sampled_state;
            ctx.scratch[1] = '\0';
            return str(ctx.scratch[0] == '?' ? std::string_view()
                                             : std::string_view(ctx.scratch, 1));
        case FieldId::ThreadWchan:
            return str(sample ? sample->wchan.data() : t->wchan.data());
        case FieldId::ThreadSyscall: {
            if (sample ? sample->io_worker : t->io_worker) return str(kNoSyscallOfIoWorker);
            const std::int32_t nr = sample ? sample->syscall : t->sampled_syscall;
            if (nr < 0) return str("");
            return str(syscall_name(Arch::X86_64, nr, ctx.scratch));
        }
        case FieldId::ThreadComm:
            return str(sample ? sample->comm.data() : t->comm.data());
        case FieldId::ThreadIoWorker:
            return boolean(sample ? sample->io_worker : t->io_worker);
        case FieldId::ThreadSigkillPending:
            return boolean(sample && sample->sigkill_pending);
        case FieldId::ThreadStateFor: {
            // The state before the event holds the previous sample; the
            // event's own sample continues it only if nothing changed.
            const ThreadState* before = sample ? ctx.state.thread(e.tid) : t;
            if (!before || before->sampled_state == '?') return integer(0);
            if (sample &&
                (before->sampled_state != sample->state ||
                 before->sampled_syscall != sample->syscall || before->wchan != sample->wchan)) {
                return integer(0);
            }
            return integer(e.time - before->sampled_since);
        }
        default:
            return absent(FieldType::String);
    }
}

// The signal a signal.* field describes: the event's own, or on the exit
// event of a process killed by a signal, that signal as it was delivered
// (`sig` null when the trace does not show its delivery).
struct SignalView {
    const SignalEvent* sig = nullptr;
    int signo = 0;
    pid_t tid = 0;
    bool killed = false;  // an exit event: it did kill
};

std::optional<SignalView> signal_view(const EvalContext& ctx) {
    const Event& e = ctx.event;
    if (const SignalEvent* sig = e.signal()) return SignalView{sig, sig->signo, e.tid, false};
    const ExitEvent* exit = e.exit();
    if (!exit || !exit->signaled) return std::nullopt;
    SignalView v{nullptr, exit->signo, e.tid, true};
    const ProcessState* p = ctx.state.process(e.pid);
    if (p && p->killing_delivery && p->killing_delivery->signal.signo == exit->signo) {
        v.sig = &p->killing_delivery->signal;
        v.tid = p->killing_delivery->tid;
    }
    return v;
}

// Sent by a process, with a pid to name: kill(), tgkill()/tkill(), sigqueue().
bool has_sender(const SignalEvent& sig) {
    return sig.code == SI_USER || sig.code == SI_TKILL || sig.code == SI_QUEUE;
}

// A known address in a list of them ("0xbbadbeef WebKit's WTFCrash poison
// address": the address in hex, then what it means), as "(MEANING ADDRESS)",
// or "" when the list does not name it. Items that do not start with a hex
// address name none.
std::string known_address_note(std::uint64_t addr, const FieldList& known) {
    for (const std::string& item : known.items()) {
        const std::size_t space = item.find(' ');
        if (space == std::string::npos || !item.starts_with("0x")) continue;
        std::uint64_t value = 0;
        const char* first = item.data() + 2;
        const char* last = item.data() + space;
        const auto [end, error] = std::from_chars(first, last, value, 16);
        if (error != std::errc{} || end != last || value != addr) continue;
        return "(" + item.substr(space + 1) + " " + item.substr(0, space) + ")";
    }
    return "";
}

// A kernel-reported fault address worth a note, or "": one the rule's list
// names (`known`, may be null), else a NULL dereference. si_code decides
// whether si_addr is an address at all: a kill()'s si_addr overlays the
// sender's pid and uid, and a general protection fault (SI_KERNEL) reports 0
// whatever the program touched.
std::string poison_note(const SignalEvent& sig, const FieldList* known) {
    if (!is_synchronous_fault(sig) || sig.code == SI_KERNEL) return "";
    if (known) {
        if (std::string note = known_address_note(sig.addr, *known); !note.empty()) return note;
    }
    // Only a page-table miss or a protection fault at the address names it;
    // SEGV_BNDERR, SEGV_PKUERR and the rest mean something else.
    const bool address_fault = sig.code == SEGV_MAPERR || sig.code == SEGV_ACCERR;
    if (sig.signo == SIGSEGV && address_fault && sig.addr < 4096) {
        return "(a NULL pointer dereference: address below 4096)";
    }
    return "";
}

void append_origin(std::string& out, const SignalEvent& sig, pid_t pid, const FieldList* known) {
    char line[224];
    const std::string_view code = si_code_name(sig.signo, sig.code);
    char code_text[24];
    if (code.empty()) {
        std::snprintf(code_text, sizeof code_text, "%d", sig.code);
    } else {
        std::snprintf(code_text, sizeof code_text, "%.*s", static_cast<int>(code.size()),
                      code.data());
    }
    if (has_sender(sig)) {
        const char* how = sig.code == SI_USER    ? "kill()"
                          : sig.code == SI_TKILL ? "tgkill() (raise(), abort())"
                                                 : "sigqueue()";
        std::snprintf(line, sizeof line, "si_code=%s: sent with %s by pid %d%s (uid %u)", code_text,
                      how, static_cast<int>(sig.sender_pid),
                      sig.sender_pid == pid ? " (itself)" : "",
                      static_cast<unsigned>(sig.sender_uid));
    } else if (is_synchronous_fault(sig) && sig.code == SI_KERNEL) {
        std::snprintf(line, sizeof line,
                      "si_code=SI_KERNEL: a general-protection fault (a non-canonical address "
                      "such as 0xdead... or a privileged instruction); the kernel reports no "
                      "address");
    } else if (is_synchronous_fault(sig) || sig.signo == SIGTRAP) {
        const std::string note = poison_note(sig, known);
        char addr[24] = "NULL";  // strace's spelling of 0
        if (sig.addr != 0) {
            std::snprintf(addr, sizeof addr, "%#llx", static_cast<unsigned long long>(sig.addr));
        }
        std::snprintf(line, sizeof line, "si_code=%s si_addr=%s", code_text, addr);
        out += line;
        if (!note.empty()) out += " " + note;
        return;
    } else {
        std::snprintf(line, sizeof line, "si_code=%s", code_text);
    }
    out += line;
}

FieldValue signal_field(FieldId id, EvalContext& ctx, const FieldList* list) {
    const FieldInfo& info = kFields[static_cast<std::size_t>(id)];
    const std::optional<SignalView> v = signal_view(ctx);
    if (!v) return absent(info.type);
    const SignalEvent* sig = v->sig;
    switch (id) {
        case FieldId::SignalName:
            return str(signal_text(v->signo, ctx.scratch, sizeof ctx.scratch));
        case FieldId::SignalTid:
            return integer(v->tid);
        case FieldId::SignalCode:
            return sig ? integer(sig->code) : absent(FieldType::Int);
        case FieldId::SignalAddr:
            if (!sig || has_sender(*sig)) return absent(FieldType::Int);
            return integer(static_cast<std::int64_t>(sig->addr));
        case FieldId::SignalPoison:
            ctx.text = sig ? poison_note(*sig, list) : "";
            return str(ctx.text);
        case FieldId::SignalSender:
            if (!sig || !has_sender(*sig)) return absent(FieldType::Int);
            return integer(sig->sender_pid);
        case FieldId::SignalOrigin:
            ctx.text.clear();
            if (sig) {
                append_origin(ctx.text, *sig, ctx.event.pid, list);
            } else {
                ctx.text = "its delivery is not in the trace (no si_code or si_addr to show)";
            }
            return str(ctx.text);
        case FieldId::SignalDisposition:
        case FieldId::SignalHandler: {
            if (v->killed) {
                return id == FieldId::SignalDisposition ? str("default") : absent(FieldType::Int);
            }
            const ProcessState* p = ctx.state.process(ctx.event.pid);
            const Verdict verdict = p ? p->signal_verdict(*sig) : Verdict::Unknown;
            if (id == FieldId::SignalDisposition) return str(verdict_name(verdict));
            if (verdict != Verdict::Handled) return absent(FieldType::Int);
            const std::uint64_t handler = p->signal_action(v->signo).handler;
            if (handler == 0) return absent(FieldType::Int);
            return integer(static_cast<std::int64_t>(handler));
        }
        default:
            return absent(info.type);
    }
}

// The inet address a connect names, when it names one: its own event
// knows it before the state does.
std::optional<InetEndpoint> connect_target(const SyscallEvent* call) {
    if (!call) return std::nullopt;
    const SyscallTraits& traits = syscall_traits(*call);
    if (traits.kind != SyscallKind::Connect) return std::nullopt;
    const auto address = arg_sockaddr(*call, traits.addr_arg);
    return address ? inet_endpoint(*address) : std::nullopt;
}

// fd.sip ... fd.lport: the event's socket's ends as the state knows them,
// with a connect's own address taken from the call.
FieldValue endpoint_field(FieldId id, EvalContext& ctx) {
    const FieldType type = kFields[static_cast<std::size_t>(id)].type;
    if (!event_fd(ctx)) return absent(type);
    const FdState* s = ctx.fd_state;
    const auto target = connect_target(ctx.event.syscall());
    if (!target && (!s || s->kind != FdKind::Socket)) return absent(type);
    // Only inet sockets have these (a unix socket has a path, no port).
    if (s && s->family != Family::Inet && s->family != Family::Inet6 &&
        (s->family != Family::Unknown || !target)) {
        return absent(type);
    }
    std::string_view remote_ip, local_ip;
    int remote_port = -1, local_port = -1;
    SocketRole role = SocketRole::Unknown;
    if (s) {
        remote_ip = s->remote.ip;
        remote_port = s->remote.port;
        local_ip = s->local.ip;
        local_port = s->local.port;
        role = s->role;
    }
    if (target) {
        remote_ip = target->ip;
        remote_port = target->port;
        role = SocketRole::Client;
    }
    // A socket bound to the wildcard uses some address of the host once
    // connected: which one, the wildcard does not say.
    if ((!remote_ip.empty() || role == SocketRole::Client) &&
        (local_ip == "0.0.0.0" || local_ip == "::")) {
        local_ip = {};
    }
    const bool client = role == SocketRole::Client, server = role == SocketRole::Server;
    std::string_view ip;
    int port = -1;
    switch (id) {
        case FieldId::FdSip:
        case FieldId::FdSport:
            if (client) ip = remote_ip, port = remote_port;
            if (server) ip = local_ip, port = local_port;
            break;
        case FieldId::FdCip:
        case FieldId::FdCport:
            if (client) ip = local_ip, port = local_port;
            if (server) ip = remote_ip, port = remote_port;
            break;
        case FieldId::FdRip:
        case FieldId::FdRport:
            ip = remote_ip, port = remote_port;
            break;
        default:
            ip = local_ip, port = local_port;
            break;
    }
    if (type == FieldType::Int) return port >= 0 ? integer(port) : absent(type);
    return ip.empty() ? absent(type) : str(ip);
}

// Fields over every live thread of the event's process, each as last seen
// (the event's own sample for its thread, since the state is the one before
// the event).
FieldValue process_threads_field(FieldId id, EvalContext& ctx) {
    const Event& e = ctx.event;
    const ProcessState* p = ctx.state.process(e.pid);
    const ThreadSampleEvent* sample = e.thread_sample();
    std::int64_t threads = 0;
    bool all_blocked = true, same_call = true, untimed = true;
    std::int32_t call = -1;
    if (id == FieldId::ProcFutexWaits || id == FieldId::ProcIoWorkers) ctx.text.clear();
    auto visit = [&](pid_t tid, const SeenThread& t) {
        if (t.io_worker) {
            if (id == FieldId::ProcIoWorkers) {
                // Where a sleeping one sleeps: a stuck ring thread's wchan is
                // what the ring waits for (request_wait_answer: a FUSE server).
                const ThreadState* ts = ctx.state.thread(tid);
                const bool sleeps = t.wchan[0] != '\0' && t.state != 'R';
                char line[128];
                std::snprintf(line, sizeof line, "%s%s (tid %d, state %c%s%s)",
                              ctx.text.empty() ? "" : ", ", ts ? ts->comm.data() : "?", tid,
                              t.state, sleeps ? ", in " : "", sleeps ? t.wchan : "");
                ctx.text += line;
            }
            return;
        }
        ++threads;
        if (!blocked(t)) {
            all_blocked = false;
            return;
        }
        if (call == -1) call = t.syscall;
        if (t.syscall != call) same_call = false;
        if (is_futex_sample(t.syscall)) {
            untimed = untimed && t.untimed_wait;
            if (id == FieldId::ProcFutexWaits) {
                char line[64];
                std::snprintf(line, sizeof line, "%stid %d waits on futex %#llx",
                              ctx.text.empty() ? "" : ", ", tid,
                              static_cast<unsigned long long>(t.arg0));
                ctx.text += line;
            }
        }
    };
    bool saw_event_thread = false;
    if (p) {
        for (const auto& [tid, t] : p->threads) {
            if (sample && tid == e.tid) {
                saw_event_thread = true;
                visit(tid, seen_from_sample(*sample));
            } else {
                visit(tid, seen_from_state(t));
            }
        }
    }
    if (sample && !saw_event_thread) visit(e.tid, seen_from_sample(*sample));
    switch (id) {
        case FieldId::ProcThreads:
            return integer(threads);
        case FieldId::ProcAllThreadsIn:
            if (threads == 0 || !all_blocked || !same_call || call < 0) return str("");
            return str(syscall_name(Arch::X86_64, call, ctx.scratch));
        case FieldId::ProcUntimedWaits:
            return boolean(threads > 0 && all_blocked && untimed);
        case FieldId::ProcFutexWaits:
            return str(ctx.text);
        case FieldId::ProcIoWorkers:
            return str(ctx.text.empty() ? std::string_view("none seen")
                                        : std::string_view(ctx.text));
        default:
            return absent(FieldType::String);
    }
}

}  // namespace

FieldValue read_field(FieldId id, EvalContext& ctx, const FieldList* list) {
    const Event& e = ctx.event;
    const SyscallEvent* call = e.syscall();
    switch (id) {
        case FieldId::EvtType:
            if (call) return str(call->name);
            return str(event_kind_name(e.kind));
        case FieldId::EvtDir:
            if (!call) return absent(FieldType::String);
            return str(e.kind == EventKind::SyscallEntry ? ">" : "<");
        case FieldId::EvtViaRing:
            if (!call) return absent(FieldType::Bool);
            return boolean(call->via_ring != nullptr);
        case FieldId::EvtRes:
            if (!call || e.kind != EventKind::SyscallExit || !call->has_result) {
                return absent(FieldType::Int);
            }
            return integer(call->ret);
        case FieldId::EvtErrno: {
            if (!call || e.kind != EventKind::SyscallExit) return absent(FieldType::String);
            if (call->err == 0) return str("");
            const char* name = strerrorname_np(call->err);
            return str(name ? name : "");
        }
        case FieldId::EvtFailed:
            if (!call || e.kind != EventKind::SyscallExit) return absent(FieldType::Bool);
            return boolean(call->has_result && call->err != 0);
        case FieldId::EvtArg0:
        case FieldId::EvtArg1:
        case FieldId::EvtArg2:
        case FieldId::EvtArg3:
        case FieldId::EvtArg4:
        case FieldId::EvtArg5: {
            if (!call) return absent(FieldType::Int);
            const int index = static_cast<int>(id) - static_cast<int>(FieldId::EvtArg0);
            const auto v = arg_int(*call, index);
            return v ? integer(*v) : absent(FieldType::Int);
        }
        case FieldId::EvtArgName1:
        case FieldId::EvtArgName2:
            if (!call) return absent(FieldType::String);
            return str(arg_name(*call, id == FieldId::EvtArgName1 ? 1 : 2));
        case FieldId::ProcPid:
            return integer(e.pid);
        case FieldId::ProcExe:
        case FieldId::ProcName: {
            const ProcessState* p = ctx.state.process(e.pid);
            if (!p) return absent(FieldType::String);
            std::string_view exe = p->exe;
            if (id == FieldId::ProcName) exe = exe.substr(exe.rfind('/') + 1);
            return str(exe);
        }
        case FieldId::ProcHasIoUring: {
            const ProcessState* p = ctx.state.process(e.pid);
            return boolean(p && p->has_io_uring);
        }
        case FieldId::ProcStatic:
        case FieldId::ProcGlibc: {
            const ProcessState* p = ctx.state.process(e.pid);
            const std::int8_t known = !p                          ? -1
                                      : id == FieldId::ProcStatic ? p->program.is_static
                                                                  : p->program.glibc;
            return known < 0 ? absent(FieldType::Bool) : boolean(known > 0);
        }
        case FieldId::ProcNssOpens:
        case FieldId::ProcNssModules: {
            const ProcessState* p = ctx.state.process(e.pid);
            if (!p) return integer(0);
            return integer(id == FieldId::ProcNssOpens ? p->program.nss_opens
                                                       : p->program.nss_modules);
        }
        case FieldId::ProcCmdline: {
            const ProcessState* p = ctx.state.process(e.pid);
            if (!p || !p->args) return absent(FieldType::String);
            std::string_view exe = p->exe;
            ctx.text.assign(exe.substr(exe.rfind('/') + 1));
            if (!p->args->empty()) ctx.text.append(" ").append(*p->args);
            return str(ctx.text);
        }
        case FieldId::ProcPpid: {
            const ProcessState* p = ctx.state.process(e.pid);
            return p && p->ppid > 0 ? integer(p->ppid) : absent(FieldType::Int);
        }
        case FieldId::UserUid: {
            const ProcessState* p = ctx.state.process(e.pid);
            return p && p->uid >= 0 ? integer(p->uid) : absent(FieldType::Int);
        }
        case FieldId::FdSip:
        case FieldId::FdSport:
        case FieldId::FdCip:
        case FieldId::FdCport:
        case FieldId::FdRip:
        case FieldId::FdRport:
        case FieldId::FdLip:
        case FieldId::FdLport:
            return endpoint_field(id, ctx);
        case FieldId::ThreadMain:
            return boolean(e.tid == e.pid);
        case FieldId::ThreadRole:
            return str(e.tid == e.pid ? "main thread" : "second thread");
        case FieldId::ThreadTid:
            return integer(e.tid);
        case FieldId::ThreadBlockedIn: {
            const ThreadState* t = ctx.state.thread(e.tid);
            return str(t && t->in_call ? std::string_view(t->call.data()) : std::string_view());
        }
        case FieldId::FdNum: {
            // A direct descriptor has no number in the process: absent, so
            // that nobody takes its key or its slot for a process fd
            // (fd.name names it).
            const int key = event_descriptor(ctx);
            return key != kNoDescriptor && !is_direct_key(key) ? integer(key)
                                                               : absent(FieldType::Int);
        }
        case FieldId::FdOpen:
        case FieldId::FdClosed: {
            const auto fd = event_fd(ctx);
            if (!fd) return absent(FieldType::Bool);
            if (id == FieldId::FdOpen) return boolean(ctx.fd_state != nullptr);
            return boolean(ctx.fd_state == nullptr && ctx.state.closed_fd(e.pid, *fd) != nullptr);
        }
        case FieldId::FdOthersBlocked:
        case FieldId::FdOthersIn:
        case FieldId::FdConcurrentWriters:
        case FieldId::FdConcurrentReaders: {
            const auto fd = event_fd(ctx);
            if (!fd) return absent(FieldType::Int);
            if (id == FieldId::FdOthersBlocked) {
                return integer(others_in_call(ctx, *fd, [](const ThreadState&) { return true; }));
            }
            if (id == FieldId::FdOthersIn) {
                // The compiler gives this field its list; without one it
                // counts nothing.
                if (!list) return integer(0);
                return integer(others_in_call(ctx, *fd, [list](const ThreadState& t) {
                    return list->contains(std::string_view(t.call.data()));
                }));
            }
            // The same traits as the rule lists write_calls and read_calls:
            // calls at the fd's position or stream. pwrite64 and pread64
            // are not among them: a socket refuses them (ESPIPE).
            const std::uint32_t trait =
                id == FieldId::FdConcurrentWriters ? kTraitWrites : kTraitReads;
            return integer(others_in_call(
                ctx, *fd, [trait](const ThreadState& t) { return (t.call_traits & trait) != 0; }));
        }
        case FieldId::FdRingOpsIn: {
            const auto fd = event_fd(ctx);
            if (!fd) return absent(FieldType::Int);
            const ProcessState* p = ctx.state.process(e.pid);
            // The compiler gives this field its list; without one it
            // counts nothing.
            if (!list || !p || !ctx.fd_state) return integer(0);
            std::int64_t n = 0;
            p->ring_ops.for_each_in_flight([&](int, std::uint64_t, const RingOp& op) {
                if (ring_op_on_file(op, *fd, ctx.fd_state->generation) &&
                    list->contains(op.twin->syscall)) {
                    ++n;
                }
            });
            return integer(n);
        }
        case FieldId::FdStream: {
            const auto fd = event_fd(ctx);
            const FdState* s = fd ? ctx.fd_state : nullptr;
            if (!s) return absent(FieldType::Bool);
            return boolean(s->kind == FdKind::Socket && s->stream);
        }
        case FieldId::EvtAddrFamily: {
            if (!call) return absent(FieldType::String);
            const int index = syscall_traits(*call).addr_arg;
            if (index < 0) return absent(FieldType::String);
            const auto address = arg_sockaddr(*call, index);
            if (!address) return absent(FieldType::String);
            return str(address->family);
        }
        case FieldId::ProcFailedSockets: {
            const ProcessState* p = ctx.state.process(e.pid);
            std::int64_t n = 0;
            if (p) {
                // Only this process's own failed connects: a child that
                // inherited the socket across fork did not leak it.
                p->fds.for_each_open([&](int, const FdState& f) {
                    n += f.socket_state == SocketState::Failed && f.connected_by == e.pid;
                });
            }
            return integer(n);
        }
        case FieldId::EvtPath: {
            if (!call || !call->decoded) return absent(FieldType::String);
            // A call whose row names no path: its first argument, when
            // that is a text (stat, unlink, mkdir ...).
            const int path_arg = syscall_traits(*call).path_arg;
            const int index = path_arg >= 0 ? path_arg : 0;
            const std::optional<std::string_view> path = arg_string(*call, index);
            if (!path) return absent(FieldType::String);
            return str(*path);
        }
        default:
            break;
    }
    // A direct descriptor is named as one, with the file or peer when known.
    if (id == FieldId::FdName && call && call->via_ring) {
        if (const int key = event_descriptor(ctx); is_direct_key(key)) {
            return direct_name_field(ctx, key);
        }
    }
    // A connect names its peer itself, before the state has learnt it, and
    // a connect to another address than before names the new one.
    if (id == FieldId::FdName && call && syscall_traits(*call).kind == SyscallKind::Connect &&
        event_fd(ctx)) {
        ctx.text = call_peer_name(*call);
        if (!ctx.text.empty()) return str(ctx.text);
    }
    // An open's exit names the file it opened, as Falco's fd.name does.
    if (id == FieldId::FdName && call && call->decoded && opened_fd(call)) {
        if (const auto path = arg_string(*call, syscall_traits(*call).path_arg)) {
            return str(*path);
        }
    }
    // A closed fd keeps its name: rules about closed fds ask what it was.
    if (id == FieldId::FdName) {
        const auto fd = event_fd(ctx);
        if (fd && !ctx.fd_state) {
            if (const ClosedFd* closed = ctx.state.closed_fd(e.pid, *fd)) {
                return str(closed->last.path);
            }
        }
    }
    // Fields of the fd's tracked state.
    if (id >= FieldId::FdType && id <= FieldId::FdName) {
        const auto fd = event_fd(ctx);
        const FieldInfo& info = kFields[static_cast<std::size_t>(id)];
        const FdState* s = fd ? ctx.fd_state : nullptr;
        if (!s) return absent(info.type);
        switch (id) {
            case FieldId::FdType:
                return str(fd_kind_name(s->kind));
            case FieldId::FdFamily:
                return str(family_name(s->family));
            case FieldId::FdL4proto:
                if (s->kind != FdKind::Socket) return str("");
                if (s->family == Family::Unix) return str("unix");
                if (s->family == Family::Inet || s->family == Family::Inet6) {
                    return str(l4proto(*s));
                }
                return str("");
            case FieldId::FdNonblocking:
                return boolean(s->nonblocking);
            case FieldId::FdState:
                return str(socket_state_name(s->socket_state));
            case FieldId::FdConnectWaited:
                return boolean(s->connect_waited);
            case FieldId::FdEinprogress:
                return boolean(s->connect_returned_einprogress);
            case FieldId::FdConnectCalls:
                return integer(s->connect_calls);
            case FieldId::FdName:
                if (s->path.empty() && call) {
                    // A connect names its peer itself; the state learns it
                    // only after this event.
                    ctx.text = call_peer_name(*call);
                    return str(ctx.text);
                }
                return str(s->path);
            default:
                break;
        }
    }
    if (id == FieldId::FdFastopen) {
        const auto fd = event_fd(ctx);
        const FdState* s = fd ? ctx.fd_state : nullptr;
        if (!s) return absent(FieldType::Bool);
        return boolean(s->kind == FdKind::Socket && s->fastopen);
    }
    const ExitEvent* exit = e.exit();
    switch (id) {
        case FieldId::SignalName:
        case FieldId::SignalCode:
        case FieldId::SignalAddr:
        case FieldId::SignalPoison:
        case FieldId::SignalDisposition:
        case FieldId::SignalHandler:
        case FieldId::SignalSender:
        case FieldId::SignalOrigin:
        case FieldId::SignalTid:
            return signal_field(id, ctx, list);
        case FieldId::ExitProcess:
            return exit ? boolean(exit->whole_process) : absent(FieldType::Bool);
        case FieldId::ExitRingsRead:
            return exit ? boolean(exit->rings_read) : absent(FieldType::Bool);
        case FieldId::ProcRingWritesInFlight:
            return integer(static_cast<std::int64_t>(ctx.state.awaited_ring_ops(e.pid).size()));
        case FieldId::ExitCode:
            return exit ? integer(exit->code) : absent(FieldType::Int);
        case FieldId::ExitSignal:
            if (!exit) return absent(FieldType::String);
            if (!exit->signaled) return str("");
            return str(signal_text(exit->signo, ctx.scratch, sizeof ctx.scratch));
        case FieldId::ThreadState:
        case FieldId::ThreadWchan:
        case FieldId::ThreadSyscall:
        case FieldId::ThreadComm:
        case FieldId::ThreadIoWorker:
        case FieldId::ThreadSigkillPending:
        case FieldId::ThreadStateFor:
            return sample_field(id, ctx);
        case FieldId::ProcThreads:
        case FieldId::ProcAllThreadsIn:
        case FieldId::ProcUntimedWaits:
        case FieldId::ProcFutexWaits:
        case FieldId::ProcIoWorkers:
            return process_threads_field(id, ctx);
        case FieldId::EvtHeldFor: {
            if (ctx.held_for < 0) return absent(FieldType::String);
            // A log without times ends with its samples at time 0: how long
            // it held is unknown, only that it still held at the end.
            if (ctx.held_for == 0 && ctx.event.time == 0) {
                return str("an unknown time, until the log ended");
            }
            const double seconds = static_cast<double>(ctx.held_for) / 1e9;
            const int n =
                seconds >= 1 || ctx.held_for == 0
                    ? std::snprintf(ctx.scratch, sizeof ctx.scratch, "%.1fs", seconds)
                    : std::snprintf(ctx.scratch, sizeof ctx.scratch, "%.0fms", seconds * 1e3);
            return str({ctx.scratch, static_cast<std::size_t>(n > 0 ? n : 0)});
        }
        default:
            break;
    }
    return absent(FieldType::Int);
}

}  // namespace sctrace::rules
