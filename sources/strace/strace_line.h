// One line of strace's text output, parsed. The first pass of `sctrace
// analyze` over saved strace logs: this file knows strace's line grammar and
// nothing about pairing lines or tracking state (that is the log source's).
//
// Arguments are parsed back into the same ArgTree the live decoders build
// (model/arg_text.h), so a rule sees `connect(3, {sa_family=AF_INET, ...},
// 16)` from a log the way it sees a live connect.
//
// What real logs throw at a parser, and where it is handled:
// pid prefixes "[pid N]", "N ", "[pid N<comm>]"; -t/-tt/
// -ttt/-r times; -n syscall numbers; -i instruction pointers; results padded
// to column 40; ')' and ',' inside strings, structs and -y decorations like
// 3<TCP:[1.2.3.4:5->6.7.8.9:80]>; "(deleted)" after a decoration;
// "= ? <unavailable>" and the empty last argument of a call cut by its
// thread's death ("read(12, ) = ?"); "(INJECTED)"/"(DELAYED)"; -T durations;
// unfinished and resumed halves; signal, exit, kill, stop and superseded
// lines; -k frames; "strace:" diagnostics.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/arg_tree.h"
#include "model/event.h"

namespace sctrace {
struct SyscallInfo;
}

namespace sctrace::strace_text {

enum class LineKind : std::uint8_t {
    Call,        // name(args) = result
    Unfinished,  // name(args <unfinished ...>
    Resumed,     // <... name resumed>args) = result
    Signal,      // --- SIGCHLD {si_signo=...} ---
    Stopped,     // --- stopped by SIGSTOP ---
    Exited,      // +++ exited with N +++
    Killed,      // +++ killed by SIGKILL [(core dumped)] +++
    Superseded,  // +++ superseded by execve in pid N +++
    Frame,       //  > /lib/libc.so.6(__connect+0x14) [0x10e53e]   (-k)
    Diagnostic,  // strace: Process 123 attached
    Blank,
};

enum class TimeKind : std::uint8_t {
    None,
    TimeOfDay,  // -t / -tt: seconds since local midnight (wraps!)
    Absolute,   // -ttt: seconds since the epoch
    Relative,   // -r: since the previous line
};

struct ParsedLine {
    LineKind kind = LineKind::Blank;
    pid_t pid = 0;  // 0: the line had no pid prefix (strace without -f)
    TimeKind time_kind = TimeKind::None;
    Nanos time = 0;         // in time_kind's meaning
    std::string_view name;  // syscall name (Call/Unfinished/Resumed)
    // The name's row in the x86_64 table (syscall_info), null for a name it
    // lacks: looked up once here, on the thread that parses.
    const SyscallInfo* info = nullptr;
    // The line continued an earlier unfinished half ("<... NAME resumed>"),
    // also when it is itself unfinished again.
    bool resumed = false;
    // Unfinished lines: the arguments before "<unfinished ...>" are whole
    // (no trailing ", " announcing more at exit). Read here, where the
    // line's text is at hand, so the thread that pairs lines need not.
    bool entry_complete = true;

    // Result (Call/Resumed).
    bool has_result = false;  // false for "= ?" (cut by exit) and unfinished
    std::int64_t ret = 0;
    std::int32_t err = 0;           // errno number; 0 on success
    std::string_view errno_name;    // "EINPROGRESS"
    bool injected = false;          // "(INJECTED)": strace's -e inject, not the kernel
    bool delayed = false;           // "(DELAYED)": -e inject=...:delay_enter/delay_exit
    std::optional<Nanos> duration;  // -T "<0.000123>"

    // Signal lines.
    SignalEvent signal;
    // Exit lines: exit code, or signal number for Killed.
    std::int32_t code = 0;
    bool core_dumped = false;
    pid_t superseded_by = 0;

    std::string_view diagnostic;  // the text after "strace: "
};

// Parses a line (without its newline). The syscall arguments go into `args`
// (cleared first). Returns false, with `error` saying what was wrong, for a
// line that is none of the above; `line` must outlive `out` and `args`,
// whose views point into it.
bool parse_line(std::string_view line, ParsedLine& out, ArgTree& args, std::string* error);

// The time stamp of a line without parsing the rest (for merging the files
// of an -ff set by time). nullopt when the line has none.
std::optional<Nanos> peek_time(std::string_view line, TimeKind* kind);

}  // namespace sctrace::strace_text
