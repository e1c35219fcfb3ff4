// One frame of a user-space stack, as the unwinder (sources/live/unwinder.h) found
// it and the reporters print it. Shared by the tracer (which fills it), the
// rule engine (which attaches stacks to findings) and report/ (which prints
// them), so it lives with the event model.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sctrace {

struct StackFrame {
    std::uint64_t pc = 0;               // the instruction address in the tracee
    std::string module;                 // "/usr/lib/x86_64-linux-gnu/libc.so.6", "" when unmapped
    std::uint64_t module_offset = 0;    // pc relative to the module's load address
    std::string function;               // "__connect", "" when no symbol covers pc
    std::uint64_t function_offset = 0;  // pc - the symbol's start
    std::string file;                   // source file, when debug information has it
    int line = 0;                       // 0 when unknown
    bool inlined = false;               // a function inlined into the next frame's
};

// A thread's stack, or why there is none ("in uninterruptible sleep: could
// not be stopped", "exited").
struct ThreadStack {
    pid_t tid = 0;
    std::string note;
    std::vector<StackFrame> frames;
};

// strace -k's line shape, plus the source position when known:
//   " > /usr/lib/x86_64-linux-gnu/libc.so.6(__connect+0x14) [0x10e53e]"
//   " > /tmp/prog(WTFCrash) [0x1139] at /src/fatal-signal.c:15 (inlined)"
//   " > /tmp/prog(main+0x2c) [0x1045] at /src/fatal-signal.c:24"
// The bracket holds the pc relative to the module's load address; a pc in no
// module prints as " > ?? [0x7f00deadbeef]".
std::string format_frame(const StackFrame& frame);

// Takes user stacks of traced threads: the live source, which alone can stop
// a thread and unwind it, hands itself to its sinks at a safe point
// (EventSink::at_safe_point).
class StackTaker {
public:
    virtual ~StackTaker() = default;
    // The thread's stack; one that cannot be taken has a note instead of frames.
    virtual ThreadStack thread_stack(pid_t tid) = 0;
    // Every traced thread of process `pid`, by tid.
    virtual std::vector<ThreadStack> process_stacks(pid_t pid) = 0;
};

}  // namespace sctrace
