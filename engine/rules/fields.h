// The fields a rule condition can name, described once: the parser checks
// names and types against this table, `sctrace rules fields` prints it, and
// the evaluator reads values through the same ids (a switch, no string
// lookups per event). Names follow Falco's where one exists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state.h"
#include "model/event.h"

namespace sctrace::rules {

enum class FieldType : std::uint8_t { Int, String, Bool };

enum class FieldId : std::uint8_t {
    EvtType,     // syscall name, or the event kind ("signal", "exit", "spawn", ...)
    EvtDir,      // ">" entry, "<" exit (Falco's)
    EvtRes,      // return value
    EvtErrno,    // "EINPROGRESS", "" on success
    EvtFailed,   // the call returned an error
    EvtViaRing,  // an io_uring operation's syscall twin (engine/ring_ops.h)
    EvtArg0,
    EvtArg1,
    EvtArg2,
    EvtArg3,
    EvtArg4,
    EvtArg5,      // integers
    EvtArgName1,  // symbolic name of arg 1 (F_SETFL, SOL_SOCKET ...)
    EvtArgName2,
    ProcPid,
    ProcExe,
    ProcName,  // basename of the exe
    ProcHasIoUring,
    ThreadTid,
    ThreadBlockedIn,  // the call the thread is in, "" when running
    FdNum,
    FdType,     // file, socket, pipe, eventfd, epoll, io_uring, unknown
    FdFamily,   // AF_INET ...
    FdL4proto,  // tcp, udp, unix, ""
    FdNonblocking,
    FdState,          // none, connecting, connected, failed, listening, accepted
    FdConnectWaited,  // a poll/select/epoll wait or SO_ERROR read since EINPROGRESS
    FdEinprogress,    // a connect on this fd has returned EINPROGRESS before
    FdConnectCalls,
    FdName,               // path of a file, peer of a socket
    FdOpen,               // the fd number is open in the process (before this event)
    FdClosed,             // the fd number was closed and not reused since
    FdStream,             // a SOCK_STREAM socket
    EvtAddrFamily,        // the family of the call's sockaddr argument
    FdOthersBlocked,      // other threads of the process inside a call on this open file
    FdConcurrentWriters,  // other threads inside a write-like call on this fd
    FdConcurrentReaders,  // other threads inside a read-like call on this fd
    ProcFailedSockets,    // open sockets whose connect() failed
    EvtPath,              // the path argument of open/openat/creat/execve
    SignalName,           // "SIGSEGV"
    SignalCode,
    SignalAddr,
    SignalPoison,  // what a known poison address means, or ""
    ExitCode,
    ExitSignal,      // "SIGKILL", "" when it exited
    EvtHeldFor,      // watch rules (`for:`): how long the condition had held, "31.2s"
    ProcStatic,      // statically linked; absent when unknown
    ProcGlibc,       // built on glibc; absent when unknown
    ProcNssOpens,    // nsswitch.conf or libnss_* opened since exec, before this event
    ProcNssModules,  // libnss_* modules opened since exec, before this event
    ThreadMain,      // the process's first thread (tid = pid)
    ThreadRole,      // "main thread" or "second thread", for outputs
    // The watchdog's samples (ThreadSample events; sources/live/watchdog.h).
    ThreadState,           // "D", "S", "R" ... as /proc stat spells it
    ThreadWchan,           // the kernel function it sleeps in
    ThreadSyscall,         // the syscall it sits in ("futex"), "" when none
    ThreadComm,            // its name ("iou-sqp-4711")
    ThreadIoWorker,        // an io_uring kernel thread (iou-sqp-*, iou-wrk-*)
    ThreadSigkillPending,  // a SIGKILL waits on it, not acted on
    ProcThreads,           // live threads, io_uring workers not counted
    ProcAllThreadsIn,      // the call every live thread is blocked in, "" otherwise
    ProcUntimedWaits,      // every thread's futex wait has no timeout
    ProcFutexWaits,        // "tid 101 waits on futex 0x5618..., tid 102 on ..." for outputs
    ProcIoWorkers,         // "iou-sqp-4711 (tid 4712, state D, in request_wait_answer)" for outputs
    ThreadStateFor,        // ns the samples have shown this state, call and wchan
    FdFastopen,            // the program asked for TCP Fast Open on this socket
    FdOthersIn,            // other threads inside a call from a list on this open file
    FdRingOpsIn,           // io_uring operations in flight on this open file, from a list
    // A delivered signal, or on an exit event the one that killed the process.
    SignalDisposition,  // "default", "ignored", "handled", "unknown"
    SignalHandler,      // the handler's address, when handled and known
    SignalSender,       // si_pid of a kill()/tgkill()/sigqueue()
    SignalOrigin,       // the fault (si_code, si_addr, poison) or the sender, for outputs
    SignalTid,          // the thread it was delivered to
    ExitProcess,        // the exit event ends the whole process
    // An inet socket's ends (Falco's names): server, client, remote, local.
    FdSip,
    FdSport,
    FdCip,
    FdCport,
    FdRip,
    FdRport,
    FdLip,
    FdLport,
    ProcCmdline,  // "name arg1 arg2", from the exec's argv
    ProcPpid,
    UserUid,  // the real user id
    // io_uring writes, sends and syncs in flight with no result posted
    // (StateTracker::awaited_ring_ops)
    ProcRingWritesInFlight,
    ExitRingsRead,  // the process ended by itself, its rings read as it did
};

// Whose doing a field's value is, which decides what a source must vouch
// for before a rule reading it can be judged (rules::demands_of): an untimed
// -ff set cannot order one thread's events against another's, and a log
// without -T cannot say whether two calls overlapped.
enum class FieldScope : std::uint8_t {
    Event,         // the event's own, its thread's, or fixed at exec
    Process,       // state other threads of the process change (its fd table, its counters)
    OtherThreads,  // whether other threads' calls are in progress now
};

struct FieldInfo {
    std::string_view name;
    FieldId id;
    FieldType type;
    std::string_view description;
    FieldScope scope = FieldScope::Event;
};

// A field written with a list's name in brackets (fd.others_in[blocking_fd_calls]):
// it is about the calls the list names.
bool field_takes_list(FieldId id);
// A field whose list may be left out (signal.origin[poison_addresses]: the
// addresses the list explains; without it, none).
bool field_list_optional(FieldId id);
// A field whose list names calls (fd.others_in[blocking_fd_calls]).
bool field_list_names_calls(FieldId id);
// A field whose list's calls must be traced for it: other threads are seen
// inside a call only when it stops (fd.others_in). Ring operations come
// with the ring's own calls (fd.ring_ops_in).
bool field_list_calls_traced(FieldId id);

// A field's list argument, compiled: the list's items, sorted, so that a
// field asks "is this call in the list" with no list lookup per event.
class FieldList {
public:
    FieldList() = default;
    explicit FieldList(std::vector<std::string> items);
    bool contains(std::string_view item) const;
    const std::vector<std::string>& items() const { return items_; }
    bool empty() const { return items_.empty(); }

private:
    std::vector<std::string> items_;
};

std::span<const FieldInfo> all_fields();
const FieldInfo* find_field(std::string_view name);

// A field's value for one event, with the state as it was before the event.
struct FieldValue {
    FieldType type = FieldType::Int;
    bool present = false;  // false: the field does not apply (no fd, not a signal ...)
    std::int64_t i = 0;
    std::string_view s;
    bool b = false;
};

// Evaluation context: the event, the state before it, and scratch for
// strings that must be formatted (signal names, errno names).
struct EvalContext {
    const Event& event;
    const StateTracker& state;
    char scratch[32] = {};
    // For the few fields that describe several threads (proc.futex_waits):
    // filled only when such a field is read, which outputs do, not matchers.
    std::string text{};
    // Set by the engine while rendering a watch rule's finding (evt.held_for);
    // negative: not a watch rule's finding.
    Nanos held_for = -1;
    // The event's fd and its tracked state, looked up once per event: a
    // condition reads several fd.* fields, and each lookup walks the
    // arguments and two maps. 0: not looked up yet, 1: no fd, 2: `fd` is set.
    std::uint8_t fd_known = 0;
    int fd = -1;
    const FdState* fd_state = nullptr;
};

// Whether a field's value at a call's exit is already known at its entry:
// the call's own arguments and its process's, thread's and fd's state (which
// only the call itself, or a race with another thread, could change before
// it returns). Not the result (evt.res, evt.errno), what the exit decodes
// (argument names, addresses), what other threads are doing by then, or the
// watchdog's samples. What a rule needs of an exit is judged at the entry
// from these (RuleEngine::wants_exit); an unlisted field counts as unknown.
bool field_known_before_result(FieldId id);

// `list`: the argument of a field that takes one (FieldInfo::takes_list).
FieldValue read_field(FieldId id, EvalContext& ctx, const FieldList* list = nullptr);

// The descriptor the event is about, as the state keys it: its fd argument,
// or the fd an open returned at its exit; a ring operation's direct
// descriptor by its key (engine/ring_files.h). kNoDescriptor when none.
// What findings are deduplicated by and whose history they show; fd.num
// is this, but absent for a direct descriptor.
inline constexpr int kNoDescriptor = -1;
int event_descriptor(EvalContext& ctx);

// Whether another thread, inside a call on the event's fd number, counts for
// the fields about other threads: it must be on the same open file (the
// generation the fd had when its call started).
bool on_same_open_file(const ThreadState& other, const FdState* event_fd);

}  // namespace sctrace::rules
