// The fields a rule condition can name, described once: the parser checks
// names and types against this table, `sctrace rules fields` prints it, and
// the evaluator reads values through the same ids (a switch, no string
// lookups per event). Names follow Falco's where one exists.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "engine/state.h"
#include "events/event.h"

namespace sctrace::rules {

enum class FieldType : std::uint8_t { Int, String, Bool };

enum class FieldId : std::uint8_t {
    EvtType,    // syscall name, or the event kind ("signal", "exit", "spawn", ...)
    EvtDir,     // ">" entry, "<" exit (Falco's)
    EvtRes,     // return value
    EvtErrno,   // "EINPROGRESS", "" on success
    EvtFailed,  // the call returned an error
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
    FdOthersBlocked,      // other threads of the process inside a call on this fd
    FdConcurrentWriters,  // other threads inside a write-like call on this fd
    FdConcurrentReaders,  // other threads inside a read-like call on this fd
    ProcFailedSockets,    // open sockets whose connect() failed
    EvtPath,              // the path argument of open/openat/creat/execve
    SignalName,           // "SIGSEGV"
    SignalCode,
    SignalAddr,
    SignalPoison,  // what a known poison address means, or ""
    ExitCode,
    ExitSignal,  // "SIGKILL", "" when it exited
};

struct FieldInfo {
    std::string_view name;
    FieldId id;
    FieldType type;
    std::string_view description;
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
};

FieldValue read_field(FieldId id, EvalContext& ctx);

}  // namespace sctrace::rules
