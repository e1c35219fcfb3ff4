#include "sources/strace/text_dialect.h"

#include <cstdint>
#include <cstdio>

#include "base/number_text.h"

namespace sctrace::strace_text {

namespace {

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "14:03:11.123456" at the start of `s`: its microseconds since midnight.
bool parse_clock(std::string_view s, std::int64_t& micros) {
    if (s.size() < 15 || s[2] != ':' || s[5] != ':' || s[8] != '.') return false;
    for (const std::size_t i : {0u, 1u, 3u, 4u, 6u, 7u, 9u, 10u, 11u, 12u, 13u, 14u}) {
        if (!is_digit(s[i])) return false;
    }
    const auto two = [&](std::size_t i) { return (s[i] - '0') * 10 + (s[i + 1] - '0'); };
    std::int64_t fraction = 0;
    for (std::size_t i = 9; i < 15; ++i) fraction = fraction * 10 + (s[i] - '0');
    micros = ((two(0) * 60 + two(3)) * 60 + two(6)) * std::int64_t{1'000'000} + fraction;
    return two(0) < 24 && two(3) < 60 && two(6) < 61;
}

// Digits at s[i...]: their value, i moved past them.
bool parse_id(std::string_view s, std::size_t& i, pid_t& out) {
    const std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > start && to_number(s.substr(start, i - start), out) && out > 0;
}

// The -T duration a complete call's line ends with (" <0.000012>"), in
// microseconds.
bool trailing_duration(std::string_view rest, std::int64_t& micros) {
    if (!rest.ends_with('>')) return false;
    const std::size_t open = rest.rfind(" <");
    if (open == std::string_view::npos) return false;
    std::string_view d = rest.substr(open + 2, rest.size() - open - 3);
    const bool negative = d.starts_with('-');
    if (negative) d.remove_prefix(1);
    const std::size_t dot = d.find('.');
    if (dot == std::string_view::npos || d.size() - dot - 1 != 6) return false;
    std::int64_t whole = 0, fraction = 0;
    if (!to_number(d.substr(0, dot), whole) || !to_number(d.substr(dot + 1), fraction)) {
        return false;
    }
    if (whole > kMicrosPerDay / 1'000'000) return false;
    micros = whole * 1'000'000 + fraction;
    if (negative) micros = -micros;
    return true;
}

// A new task: "+++ fork 4712 +++", "+++ thread 4712 +++" ...
bool parse_task(std::string_view rest, TextLine& out) {
    static constexpr std::string_view kKinds[] = {"fork ", "vfork ", "thread ", "clone "};
    for (const std::string_view kind : kKinds) {
        if (!rest.starts_with(kind)) continue;
        std::size_t i = kind.size();
        pid_t child = 0;
        if (!parse_id(rest, i, child) || rest.substr(i) != " +++") return false;
        out.kind = TextLine::Kind::Task;
        out.new_tid = child;
        out.new_pid = kind == "thread " ? out.pid : child;
        return true;
    }
    return false;
}

}  // namespace

bool looks_like_sctrace_text(std::string_view first_line) {
    std::int64_t micros = 0;
    if (!parse_clock(first_line, micros) || first_line.size() < 17 || first_line[15] != ' ') {
        return false;
    }
    std::size_t i = 16;
    pid_t pid = 0;
    if (!parse_id(first_line, i, pid)) return false;
    if (i < first_line.size() && first_line[i] == '/') {
        ++i;
        if (!parse_id(first_line, i, pid)) return false;
    }
    return i < first_line.size() && first_line[i] == ' ';
}

bool translate_text_line(std::string_view line, TextLine& out, std::string* error) {
    out.kind = TextLine::Kind::Skip;
    out.strace_line.clear();
    std::int64_t clock = 0;
    if (!parse_clock(line, clock) || line.size() < 17 || line[15] != ' ') {
        *error = "not sctrace's text format: expected a time of day (14:03:11.123456) first";
        return false;
    }
    std::size_t i = 16;
    if (!parse_id(line, i, out.pid)) {
        *error = "not sctrace's text format: expected a pid after the time";
        return false;
    }
    out.tid = out.pid;
    if (i < line.size() && line[i] == '/') {
        ++i;
        if (!parse_id(line, i, out.tid)) {
            *error = "not sctrace's text format: expected a thread id after 'pid/'";
            return false;
        }
    }
    if (i >= line.size() || line[i] != ' ') {
        *error = "not sctrace's text format: expected a space after the pid";
        return false;
    }
    std::string_view rest = line.substr(i + 1);

    if (rest.starts_with("+++ ")) {
        const std::string_view inner = rest.substr(4);
        if (parse_task(inner, out)) return true;
        if (inner.starts_with("exec ") || inner == "attached +++" || inner == "detached +++") {
            return true;  // Skip
        }
        if (inner.starts_with("thread exited with ")) {
            // strace writes every thread's end the same way.
            rest = inner.substr(7);
            out.strace_line.reserve(line.size());
            out.strace_line.append(std::to_string(out.tid)).append(" ");
            out.strace_line.append(line.substr(0, 15)).append(" +++ ").append(rest);
            out.kind = TextLine::Kind::Strace;
            return true;
        }
    } else if (rest.starts_with("--- io_uring_submit ") ||
               rest.starts_with("--- io_uring_complete ")) {
        return true;  // Skip: io_uring submissions are the JSONL format's
    }

    // A complete call is stamped at its exit; strace stamps the entry, its
    // duration earlier.
    std::int64_t duration = 0;
    const bool call = !rest.starts_with("+++ ") && !rest.starts_with("--- ") &&
                      !rest.starts_with("<... ") && rest.find(") = ") != std::string_view::npos;
    if (call && trailing_duration(rest, duration)) {
        clock -= duration;
        while (clock < 0) clock += kMicrosPerDay;
        clock %= kMicrosPerDay;
    }
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%06d",
                  static_cast<int>(clock / 3'600'000'000),
                  static_cast<int>(clock / 60'000'000 % 60),
                  static_cast<int>(clock / 1'000'000 % 60), static_cast<int>(clock % 1'000'000));
    out.strace_line.reserve(line.size() + 8);
    out.strace_line.append(std::to_string(out.tid)).append(" ").append(stamp).append(" ");
    out.strace_line.append(rest);
    out.kind = TextLine::Kind::Strace;
    return true;
}

}  // namespace sctrace::strace_text
