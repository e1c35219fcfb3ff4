// One frame of a user-space stack, as the unwinder (sources/live/unwinder.h) found
// it and the reporters print it. Shared by the tracer (which fills it), the
// rule engine (which attaches stacks to findings) and report/ (which prints
// them), so it lives with the event model.
#pragma once

#include <sys/types.h>

#include <cstddef>
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
    // The name strace -k gives pc, as libunwind finds it: the nearest
    // function symbol at or before it in the module's own symbol tables
    // (.symtab, .dynsym; no debug files, no sizes checked), and pc's
    // distance from it. Empty when there is none; not set on inlined frames.
    std::string elf_symbol;
    std::uint64_t elf_symbol_offset = 0;
    // pc's offset in the module's file (strace -k's "[0x...]": the mapping's
    // file offset plus pc's distance from the mapping's start).
    std::uint64_t file_offset = 0;
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

// How deep a stack is taken unless asked otherwise (findings, --timeout), and
// how deep strace -k's are (its walk stops at 256 frames: one more tells).
inline constexpr std::size_t kStackFrames = 64;
inline constexpr std::size_t kStraceStackFrames = 1024;

// Takes user stacks of traced threads: the live source, which alone can stop
// a thread and unwind it, hands itself to its sinks at a safe point
// (EventSink::at_safe_point).
class StackTaker {
public:
    virtual ~StackTaker() = default;
    // The thread's stack, at most `max_frames` frames (inlined calls count);
    // one that cannot be taken has a note instead of frames.
    virtual ThreadStack thread_stack(pid_t tid, std::size_t max_frames = kStackFrames) = 0;
    // Every traced thread of process `pid`, by tid.
    virtual std::vector<ThreadStack> process_stacks(pid_t pid) = 0;
};

}  // namespace sctrace
