// strace 6.1's notation for decoded values: flags joined by '|', structs as
// {key=value, ...}, strings quoted with C escapes and "..." past -s.
#pragma once

#include <fmt/format.h>

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/arg_tree.h"
#include "model/event.h"
#include "model/stack_frame.h"

namespace sctrace {

// What strace's options change in how values print.
struct StraceStyle {
    // -y: an fd whose decoration is a path prints as "3</dev/null>".
    bool fd_paths = false;
    // -yy: one described beyond its path (FdDecoration::Device, Details)
    // prints as "3</dev/null<char 1:3>>", "3<TCP:[...]>".
    bool fd_details = false;
    // -X: named constants as names (abbrev), numbers (raw) or both (verbose).
    XlatStyle xlat = XlatStyle::Abbrev;
};

// One value (and its children).
void append_strace_value(fmt::memory_buffer& out, const ArgTree& tree, NodeId id,
                         const StraceStyle& style = {});

// The root's children [from, to) joined by ", ".
void append_strace_args(fmt::memory_buffer& out, const ArgTree& tree, std::size_t from,
                        std::size_t to, const StraceStyle& style = {});

// The tree holds a call's entry half and nothing decoded at its exit.
bool only_entry_half(const ArgTree& tree);

// The two halves of a call strace prints apart when another thread's line
// comes between them: what was decoded at entry, ending in ", " when more
// arguments follow at exit ("read(3, " <unfinished ...>), and what was
// decoded at exit, after "<... read resumed>" ("\"data\", 10").
void append_strace_entry_half(fmt::memory_buffer& out, const ArgTree& tree,
                              const StraceStyle& style = {});
void append_strace_exit_half(fmt::memory_buffer& out, const ArgTree& tree,
                             const StraceStyle& style = {});

// An fd's -y decoration: "<path>", '<' and '>' inside escaped, and
// "(deleted)" after it when the path ends in readlink's " (deleted)".
void append_strace_decoration(fmt::memory_buffer& out, std::string_view path);

// After a call's result, what fault injection did to it, as strace marks
// it: " (INJECTED)" for a made-up result, " (DELAYED)" for a held thread.
void append_tampering_note(fmt::memory_buffer& out, const SyscallEvent& call);
// Whether `style` shows a decoration of that kind.
bool strace_shows_decoration(const StraceStyle& style, FdDecoration decoration);
// An fd's decoration of any kind (FdDecoration): "</dev/null>",
// "</dev/null<char 1:3>>", "<TCP:[...]>".
void append_strace_fd_decoration(fmt::memory_buffer& out, std::string_view text,
                                 FdDecoration decoration);
// The path in a decoration, for -P: a device's without its numbers.
std::string_view strace_decoration_path(std::string_view text, FdDecoration decoration);

// -e read=/write=: the tree's dump (ArgTree::dump) as strace prints it
// after the call's line, 16 bytes a line in hex and ASCII:
//    * 5 bytes in buffer 0
//    | 00000  68 65 6c 6c 6f                                    hello            |
// `tid` names the thread in a "Cannot fetch" line.
void append_strace_io_dump(fmt::memory_buffer& out, const ArgTree& tree, pid_t tid);

// A quoted string with strace's escapes; "..." after the quote if truncated.
// `force_hex`: every byte as \xNN.
void append_strace_string(fmt::memory_buffer& out, std::string_view bytes, bool truncated,
                          bool force_hex = false);

// Flags in strace's form (printflags): "O_RDWR|O_CLOEXEC", unknown bits as
// "|0x..."; a value in which no bit is named prints "0x60 /* SOCK_??? */"
// with `unknown` as the label (plain "0x60" without one).
void append_strace_flags(fmt::memory_buffer& out, std::uint64_t value, const XlatTable& table,
                         std::string_view unknown = {});

// ret_aux contents: "out [4], left {...}".
void append_strace_ret_aux(fmt::memory_buffer& out, const ArgTree& tree, NodeId aux,
                           const StraceStyle& style = {});

// A signal's siginfo as strace prints it on a "--- SIGCHLD {...} ---" line:
// {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4711, si_uid=0, ...}.
void append_strace_siginfo(fmt::memory_buffer& out, const SignalEvent& signal,
                           const StraceStyle& style = {});

// strace's -P: whether a call names one of `paths`, as a path argument or
// through an fd's decoration (its decoded arguments and result details).
bool strace_call_names_path(const SyscallEvent& call, const std::vector<std::string>& paths);

// --decode-pids=pidns: after a process id, its number in the tracer's pid
// namespace ("2 /* 4711 in strace's PID NS */"); nothing when `ours` is empty.
void append_strace_pid_translation(fmt::memory_buffer& out, std::string_view ours);

// strace -k's lines for a thread's stack, innermost frame first, one per
// function (inlined calls are not frames of their own to strace):
//   " > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]"
//   " > /usr/bin/echo() [0x60c4]"                (no symbol covers the pc)
// the bracket holding the pc's offset in the file. `taken_earlier`: the
// stack of a call's entry printed after its line (exit, execve), where
// strace writes a frame without a symbol as "(+0x0)". A pc in no file ends
// the stack with " > unexpected_backtracing_error [0x...]", as strace's walk
// ends there; past 256 frames " > too many stack frames" follows.
void append_strace_stack(fmt::memory_buffer& out, const std::vector<StackFrame>& frames,
                         bool taken_earlier);

}  // namespace sctrace
