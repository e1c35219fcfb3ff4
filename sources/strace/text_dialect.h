// sctrace's text event stream (`sctrace -o FILE -- CMD`, --format text,
// docs/events.md) read as a dialect of strace's: each line is rewritten
// into strace -f -tt -T's grammar and fed to the strace log converter, with
// what the text states beyond strace (which process a thread belongs to)
// handed over as facts.
//
// The two differ in their prefix ("14:03:11.123456 4711/4712 " against
// strace's "4712  14:03:11.123456 "), in when a complete call is stamped
// (at its exit; strace stamps its entry), and in lines strace has no form
// for: "+++ fork|vfork|thread|clone N +++" (a new task: its process is
// stated), "+++ exec PATH +++", "+++ attached +++" and the io_uring
// submissions (left out: the execve line has the path; attaching changes
// nothing a rule sees; io_uring submissions are in the JSONL format only),
// and "+++ thread exited with N +++" (strace's "+++ exited with N +++").
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace sctrace::strace_text {

// Whether a log's first line is sctrace's text format: a time of day, then
// a pid or pid/tid ("14:03:11.123456 4711 ..."). strace's -t/-tt lines put
// the pid first, or have a call, not a number, after the time.
bool looks_like_sctrace_text(std::string_view first_line);

struct TextLine {
    // Strace: `strace_line` is the line in strace's grammar. Task: a new
    // task's process, nothing to feed. Skip: a line strace has no form for
    // and that carries nothing a rule reads.
    enum class Kind { Strace, Task, Skip };
    Kind kind = Kind::Skip;
    pid_t pid = 0;  // the process
    pid_t tid = 0;  // the thread (= pid for a process's first thread)
    // Task: the new task and its process.
    pid_t new_tid = 0;
    pid_t new_pid = 0;
    // Reused from line to line (no allocation once it is large enough).
    std::string strace_line;
};

// Rewrites one line. False, with `error` saying why, when the line is not
// sctrace's text format.
bool translate_text_line(std::string_view line, TextLine& out, std::string* error);

}  // namespace sctrace::strace_text
