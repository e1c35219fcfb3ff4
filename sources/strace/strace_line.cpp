#include "sources/strace/strace_line.h"

#include <signal.h>
#include <string.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "base/number_text.h"
#include "model/arg_text.h"
#include "model/names.h"
#include "model/syscall_table.h"

namespace sctrace::strace_text {

namespace {

using arg_text::Cursor;
using arg_text::is_digit;
using arg_text::parse_list;
using arg_text::parse_value;
using arg_text::skip_decoration;

// `whole` seconds and a FRACTION of plain digits as nanoseconds. Digits past
// the ninth are below a nanosecond and dropped. False when the fraction is
// not digits or the value does not fit in an int64 (a hostile time must fail
// the line, not wrap around).
bool nanos_of(std::int64_t whole, std::string_view fraction, Nanos& out) {
    Nanos ns = 0;
    for (std::size_t k = 0; k < fraction.size(); ++k) {
        const auto digit = static_cast<unsigned>(fraction[k] - '0');
        if (digit > 9) return false;
        if (k < 9) ns = ns * 10 + digit;
    }
    for (std::size_t k = fraction.size(); k < 9; ++k) ns *= 10;
    return !__builtin_mul_overflow(whole, Nanos{1'000'000'000}, &whole) &&
           !__builtin_add_overflow(whole, ns, &out);
}

// "SECONDS.FRACTION", both plain digits, as nanoseconds (see nanos_of).
bool seconds_to_nanos(std::string_view seconds, std::string_view fraction, Nanos& out) {
    std::int64_t whole = 0;
    if (seconds.empty() || seconds.front() == '-' || !to_number(seconds, whole)) return false;
    return nanos_of(whole, fraction, out);
}

// " = -1 ENOENT (No such file or directory) <0.000012>" and its relatives.
bool parse_result(Cursor& c, ParsedLine& out, ArgTree& args, std::string* error) {
    c.skip_spaces();
    if (!c.consume("=")) {
        *error = "expected '= result' at column " + std::to_string(c.i + 1);
        return false;
    }
    c.skip_spaces();
    if (c.consume("?")) {
        out.has_result = false;
    } else {
        const std::size_t start = c.i;
        if (c.peek() == '-') ++c.i;
        if (c.starts_with("0x")) {
            c.i += 2;
            while (!c.eof() && std::isxdigit(static_cast<unsigned char>(c.peek()))) ++c.i;
            std::uint64_t v = 0;
            if (!to_number(c.s.substr(start + 2, c.i - start - 2), v, 16)) {
                *error = "bad hex result";
                return false;
            }
            out.ret = static_cast<std::int64_t>(v);
            args.ret_format = RetFormat::Hex;  // printed back the way it was read
        } else {
            c.digits();
            const std::string_view digits = c.s.substr(start, c.i - start);
            std::uint64_t above_int64 = 0;
            std::uint64_t octal = 0;
            if (digits.size() > 1 && digits[0] == '0' && to_number(digits.substr(1), octal, 8)) {
                // A leading 0 is strace's octal result (umask's "= 022").
                out.ret = static_cast<std::int64_t>(octal);
                args.ret_format = RetFormat::Octal;
            } else if (!to_number(digits, out.ret)) {
                if (digits.starts_with('-') || !to_number(digits, above_int64, 10)) {
                    *error =
                        "expected a number or '?' after '=' at column " + std::to_string(start + 1);
                    return false;
                }
                // strace prints some results as unsigned (rt_sigreturn gives back
                // whatever the interrupted code had in rax).
                out.ret = static_cast<std::int64_t>(above_int64);
                args.ret_format = RetFormat::Unsigned;
            }
        }
        out.has_result = true;
    }
    // -y decoration of a returned fd: "= 3</etc/ld.so.cache>".
    if (c.peek() == '<' && c.i > 0 && is_digit(c.s[c.i - 1])) skip_decoration(c);
    while (!c.eof()) {
        c.skip_spaces();
        if (c.eof()) break;
        if (c.peek() == 'E' || c.starts_with("ERESTART")) {
            const std::string_view name = c.ident();
            if (const auto e = errno_number(name)) {
                out.err = *e;
                out.errno_name = name;
                // "= ? ERESTARTSYS": the call returned (to be restarted).
                if (!out.has_result) {
                    out.has_result = true;
                    out.ret = -1;
                }
            }
            continue;
        }
        if (c.consume("(INJECTED)")) {
            out.injected = true;
            continue;
        }
        if (c.consume("(DELAYED)")) {
            out.delayed = true;
            continue;
        }
        if (c.peek() == '(') {  // errno message, decoded result
            arg_text::skip_balanced(c, "(", ")");
            continue;
        }
        if (c.consume("<unavailable>")) continue;
        if (c.peek() == '<') {  // -T "<0.000123>"
            const std::size_t close = c.s.find('>', c.i);
            if (close == std::string_view::npos) break;
            const std::string_view t = c.s.substr(c.i + 1, close - c.i - 1);
            const auto dot = t.find('.');
            const bool digits_and_dot =
                dot != std::string_view::npos && dot > 0 &&
                t.find_first_not_of("0123456789", dot + 1) == std::string_view::npos &&
                t.find_first_not_of("0123456789") == dot;
            if (digits_and_dot) {
                Nanos duration = 0;
                if (!seconds_to_nanos(t.substr(0, dot), t.substr(dot + 1), duration)) {
                    *error = "the -T duration <" + std::string(t.substr(0, 40)) +
                             "> does not fit in 64 bits of nanoseconds";
                    return false;
                }
                out.duration = duration;
            }
            c.i = close + 1;
            continue;
        }
        break;  // anything else trailing is left alone
    }
    return true;
}

// Fills SignalEvent fields from a parsed {si_signo=..., ...} struct.
void read_siginfo(const ArgTree& tree, NodeId info, SignalEvent& sig) {
    for (NodeId m = tree.node(info).first_child; m != kNoNode; m = tree.node(m).next) {
        const ArgNode& n = tree.node(m);
        const auto number = [&]() -> std::int64_t {
            return n.kind == ArgKind::Text ? 0 : static_cast<std::int64_t>(n.value);
        };
        if (n.key == "si_code") {
            if (n.kind == ArgKind::Text) {
                // Spelled for its signal: POLL_IN (1) is SIGIO's, SEGV_MAPERR (1) SIGSEGV's.
                if (const auto code = si_code_number(sig.signo, n.text)) {
                    sig.code = *code;
                }
            } else {
                sig.code = static_cast<std::int32_t>(number());
            }
        } else if (n.key == "si_pid") {
            sig.sender_pid = static_cast<pid_t>(number());
        } else if (n.key == "si_uid") {
            sig.sender_uid = static_cast<uid_t>(number());
        } else if (n.key == "si_status") {
            if (n.kind == ArgKind::Text) {
                if (const auto s = signal_number(n.text)) sig.status = *s;
            } else {
                sig.status = static_cast<std::int32_t>(number());
            }
        } else if (n.key == "si_addr") {
            sig.addr = n.value;  // NULL parses as Ptr 0
        } else if (n.key == "si_utime") {
            sig.utime = number();
        } else if (n.key == "si_stime") {
            sig.stime = number();
        } else if (n.key == "si_errno") {
            if (n.kind == ArgKind::Text) {
                if (const auto e = errno_number(n.text)) sig.errno_value = *e;
            } else {
                sig.errno_value = static_cast<std::int32_t>(number());
            }
        } else if (n.key == "si_band") {
            sig.band = number();
        } else if (n.key == "si_fd") {
            sig.fd = static_cast<std::int32_t>(number());
        } else if (n.key == "si_int" || n.key == "si_ptr" || n.key == "si_value") {
            if (n.kind != ArgKind::Text && n.value != 0) sig.value = n.value;
        }
    }
}

bool parse_signal_line(Cursor& c, ParsedLine& out, ArgTree& args, std::string* error) {
    if (c.consume("stopped by ")) {
        const auto signo = signal_number(c.ident());
        if (!signo) {
            *error = "unknown signal in a 'stopped by' line";
            return false;
        }
        out.kind = LineKind::Stopped;
        out.signal.signo = *signo;
        return true;
    }
    const auto signo = signal_number(c.ident());
    if (!signo) {
        *error = "unknown signal name in a '---' line";
        return false;
    }
    out.kind = LineKind::Signal;
    out.signal.signo = *signo;
    c.skip_spaces();
    if (c.peek() == '{') {
        if (!parse_value(c, args, args.root(), {}, 1, false)) {
            *error = "cannot parse the siginfo";
            return false;
        }
        const NodeId info = args.node(args.root()).first_child;
        if (info != kNoNode) read_siginfo(args, info, out.signal);
    }
    // Older strace: "--- SIGSEGV (Segmentation fault) @ 0 (0) ---": the name is enough.
    return true;
}

bool parse_exit_line(Cursor& c, ParsedLine& out, std::string* error) {
    if (c.consume("exited with ")) {
        out.kind = LineKind::Exited;
        if (!to_number(c.digits(), out.code)) {
            *error = "bad exit code";
            return false;
        }
        return true;
    }
    if (c.consume("killed by ")) {
        out.kind = LineKind::Killed;
        const auto signo = signal_number(c.ident());
        if (!signo) {
            *error = "unknown signal in a 'killed by' line";
            return false;
        }
        out.code = *signo;
        c.skip_spaces();
        out.core_dumped = c.consume("(core dumped)");
        return true;
    }
    if (c.consume("superseded by execve in pid ")) {
        out.kind = LineKind::Superseded;
        return to_number(c.digits(), out.superseded_by);
    }
    *error = "unknown '+++' line";
    return false;
}

// "[pid  123] ", "[pid 123<comm>] ", "123 ", "123<comm> ".
void parse_pid_prefix(Cursor& c, ParsedLine& out) {
    if (c.consume("[pid")) {
        c.skip_spaces();
        to_number(c.digits(), out.pid);
        if (c.peek() == '<') {
            const auto close = c.s.find('>', c.i);
            c.i = close == std::string_view::npos ? c.s.size() : close + 1;
        }
        c.consume("]");
        c.skip_spaces();
        return;
    }
    const std::size_t save = c.i;
    const std::string_view d = c.digits();
    if (!d.empty() && c.peek() == '<') {  // -Y comm
        const auto close = c.s.find('>', c.i);
        if (close != std::string_view::npos && close + 1 < c.s.size() && c.s[close + 1] == ' ') {
            c.i = close + 1;
        }
    }
    if (!d.empty() && c.peek() == ' ') {
        to_number(d, out.pid);
        c.skip_spaces();
        return;
    }
    c.i = save;
}

// "15:23:55", "15:23:55.989701", "1795447436.114670", "     0.000123".
// False for a time too large for an int64 of nanoseconds (the line is bad);
// a line with no time at all is fine.
bool parse_time(Cursor& c, ParsedLine& out) {
    // -tt's "HH:MM:SS.uuuuuu " is on every line of most logs: read it in one
    // go; anything else takes the general path below.
    if (c.i + 16 <= c.s.size()) {
        const char* t = c.s.data() + c.i;
        const auto d = [t](int k) { return static_cast<unsigned>(t[k] - '0'); };
        const auto two = [&d](int k) { return d(k) <= 9 && d(k + 1) <= 9; };
        if (t[2] == ':' && t[5] == ':' && t[8] == '.' && t[15] == ' ' && two(0) && two(3) &&
            two(6) && two(9) && two(11) && two(13)) {
            const Nanos h = d(0) * 10 + d(1), m = d(3) * 10 + d(4), s = d(6) * 10 + d(7);
            Nanos us = 0;
            for (int k = 9; k < 15; ++k) us = us * 10 + d(k);
            out.time_kind = TimeKind::TimeOfDay;
            out.time = (h * 3600 + m * 60 + s) * 1'000'000'000 + us * 1000;
            c.i += 15;
            c.skip_spaces();
            return true;
        }
    }
    const std::size_t save = c.i;
    const std::string_view a = c.digits();
    if (a.empty()) return true;
    if (c.peek() == ':') {
        int h = 0, m = 0, s = 0;
        ++c.i;
        const std::string_view b = c.digits();
        if (!c.consume(":")) {
            c.i = save;
            return true;
        }
        const std::string_view d = c.digits();
        if (!to_number(a, h) || !to_number(b, m) || !to_number(d, s)) {
            c.i = save;
            return true;
        }
        std::string_view f;
        if (c.consume(".")) f = c.digits();
        // Within a day as strace prints it, but any field may be huge: the
        // sum fits (each is an int), its nanoseconds are checked.
        if (!nanos_of(Nanos{h} * 3600 + Nanos{m} * 60 + s, f, out.time)) return false;
        out.time_kind = TimeKind::TimeOfDay;
        c.skip_spaces();
        return true;
    }
    if (c.peek() == '.') {
        ++c.i;
        const std::string_view f = c.digits();
        if (f.empty() || c.peek() != ' ') {
            c.i = save;
            return true;
        }
        if (!seconds_to_nanos(a, f, out.time)) return false;
        // -ttt times are seconds since 1970; -r deltas are small.
        out.time_kind = out.time >= Nanos{100'000'000} * 1'000'000'000 ? TimeKind::Absolute
                                                                       : TimeKind::Relative;
        c.skip_spaces();
        return true;
    }
    c.i = save;
    return true;
}

}  // namespace

std::optional<Nanos> peek_time(std::string_view line, TimeKind* kind) {
    ParsedLine out;
    Cursor c{line};
    parse_pid_prefix(c, out);
    c.skip_spaces();
    if (!parse_time(c, out)) out.time_kind = TimeKind::None;
    if (kind) *kind = out.time_kind;
    if (out.time_kind == TimeKind::None) return std::nullopt;
    return out.time;
}

bool parse_line(std::string_view line, ParsedLine& out, ArgTree& args, std::string* error) {
    out = ParsedLine{};
    args.clear();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Cursor c{line};
    if (line.find_first_not_of(' ') == std::string_view::npos) {
        out.kind = LineKind::Blank;
        return true;
    }
    if (c.consume("strace: ")) {
        out.kind = LineKind::Diagnostic;
        out.diagnostic = c.rest();
        return true;
    }
    if (c.starts_with(" > ")) {
        out.kind = LineKind::Frame;
        return true;
    }
    parse_pid_prefix(c, out);
    c.skip_spaces();  // -r deltas are right-aligned
    if (!parse_time(c, out)) {
        *error = "the time stamp does not fit in 64 bits of nanoseconds";
        return false;
    }
    if (c.peek() == '[' && (c.peek(1) == ' ' || is_digit(c.peek(1)))) {
        // -n: the syscall number, right-aligned: "[  59] ", "[ 231] "
        const std::size_t save = c.i;
        ++c.i;
        c.skip_spaces();
        if (!c.digits().empty() && c.consume("] ")) {
            c.skip_spaces();
        } else {
            c.i = save;
        }
    }
    if (c.peek() == '[' &&
        (std::isxdigit(static_cast<unsigned char>(c.peek(1))) || c.peek(1) == '?')) {
        // -i: "[00007f1234567890] ", or "[????????????????] " when unknown
        const auto close = c.s.find("] ", c.i);
        if (close != std::string_view::npos) c.i = close + 2;
    }
    if (c.consume("--- ")) return parse_signal_line(c, out, args, error);
    if (c.consume("+++ ")) return parse_exit_line(c, out, error);
    if (c.consume("strace: ")) {  // a diagnostic after a pid or time prefix
        out.kind = LineKind::Diagnostic;
        out.diagnostic = c.rest();
        return true;
    }
    bool unfinished = false;
    // strace names a call it could not identify "???" (a thread that exits
    // while strace reads the call's number): "???() = ?".
    const auto call_name = [&c]() {
        const std::size_t start = c.i;
        if (c.consume("???")) return c.s.substr(start, 3);
        return c.ident();
    };
    if (c.consume("<... ")) {
        out.kind = LineKind::Resumed;
        out.resumed = true;
        out.name = call_name();
        if (out.name.empty() || !c.consume(" resumed>")) {
            *error = "malformed '<... NAME resumed>'";
            return false;
        }
        out.info = syscall_info(Arch::X86_64, out.name);
        if (c.peek() == ' ' && !c.starts_with(" =")) ++c.i;  // older strace: "resumed> {}, ..."
        if (!parse_list(c, args, &unfinished, error, true)) return false;
    } else {
        out.name = call_name();
        if (out.name.empty() || !c.consume("(")) {
            *error = "not a syscall, signal or exit line";
            return false;
        }
        out.kind = LineKind::Call;
        out.info = syscall_info(Arch::X86_64, out.name);
        if (!parse_list(c, args, &unfinished, error)) return false;
    }
    if (unfinished) {
        out.kind = LineKind::Unfinished;  // a resumed call can be unfinished again
        const auto cut = line.rfind("<unfinished ...>");
        std::string_view head = line.substr(0, cut == std::string_view::npos ? line.size() : cut);
        while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
        out.entry_complete = !head.ends_with(',');
        return true;
    }
    return parse_result(c, out, args, error);
}

}  // namespace sctrace::strace_text
