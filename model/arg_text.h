// strace's notation for syscall arguments, read back into an ArgTree: the
// inverse of report/strace_format. Both readers of saved traces use it: the
// strace log source for the text between a call's parentheses, and the
// sctrace JSONL source for the decoded arguments each event carries.
//
// Values the tree cannot type (flag expressions, htons(), comments) become
// Text nodes holding strace's own spelling; -X verbose's "NUMBER /* NAME */"
// is read as NAME, so both spellings give one tree. Nesting is bounded
// (kMaxDepth): deeper input is kept as text, never recursed into. Every
// scanning step is bounded by the text's length.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "model/arg_tree.h"

namespace sctrace::arg_text {

// The most nested brackets parsed into the tree; deeper text is kept whole.
inline constexpr int kMaxDepth = 32;

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
// A table: identifiers (names, keys, flags) are scanned on every line.
constexpr auto kIdentChars = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) {
        t[c] =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    return t;
}();
inline bool is_ident(char c) {
    return kIdentChars[static_cast<unsigned char>(c)];
}

// A read position in the line. Every scanning step is bounded by the line's
// length; nothing here can loop without consuming.
struct Cursor {
    Cursor() = default;
    explicit Cursor(std::string_view text) : s(text) {}

    std::string_view s;
    std::size_t i = 0;
    // A cut mark ("<unfinished ...>") was met inside brackets: every open
    // level ends there ("ioctl(3, SIOCGIFNAME, {ifr_ifindex=4 <unfinished ...>").
    bool cut = false;

    bool eof() const { return i >= s.size(); }
    char peek(std::size_t ahead = 0) const { return i + ahead < s.size() ? s[i + ahead] : '\0'; }
    std::string_view rest() const { return s.substr(std::min(i, s.size())); }
    bool starts_with(std::string_view p) const { return rest().starts_with(p); }
    bool consume(std::string_view p) {
        if (!starts_with(p)) return false;
        i += p.size();
        return true;
    }
    void skip_spaces() {
        while (!eof() && s[i] == ' ') ++i;
    }
    std::string_view digits() {
        const std::size_t start = i;
        while (!eof() && is_digit(s[i])) ++i;
        return s.substr(start, i - start);
    }
    std::string_view ident() {
        const std::size_t start = i;
        while (!eof() && is_ident(s[i])) ++i;
        return s.substr(start, i - start);
    }
};

// Skips a quoted string starting at c.i ('"'), escapes included. Strings are
// the longest part of most lines (read/write buffers), so this jumps from
// quote to quote: a quote is the end unless an odd run of backslashes
// precedes it (each "\\" pair is one escaped backslash). Inline, as both the
// argument parser and the line parser skip strings on every line.
inline void skip_string(Cursor& c) {
    const char* const body = c.s.data() + c.i + 1;
    const char* const end = c.s.data() + c.s.size();
    const char* from = body;
    while (from < end) {
        const auto* quote = static_cast<const char*>(std::memchr(from, '"', end - from));
        if (!quote) break;
        std::size_t backslashes = 0;
        while (quote - backslashes > body && quote[-1 - static_cast<long>(backslashes)] == '\\') {
            ++backslashes;
        }
        if (backslashes % 2 == 0) {
            c.i = static_cast<std::size_t>(quote - c.s.data()) + 1;
            return;
        }
        from = quote + 1;
    }
    c.i = c.s.size();
}

// Skips an fd decoration "<...>" (strace -y/-yy) starting at '<', with its
// "(deleted)" marker.
void skip_decoration(Cursor& c);

// Skips a bracketed text starting at its opening bracket, through the
// bracket that closes it: any of `opens` nests, any of `closes` un-nests,
// strings are skipped whole. To the end of the text when it never closes.
void skip_balanced(Cursor& c, std::string_view opens, std::string_view closes);

// Parses one value at c.i into a child of `parent` (kNoNode: parsed to stay
// in step, attached to nothing) named `key`. `depth` counts the brackets
// around it; in an array a space may end a value ("[INT TERM]"). On a cut
// mark inside brackets ("<unfinished ...>") sets c.cut and returns true.
bool parse_value(Cursor& c, ArgTree& tree, NodeId parent, std::string_view key, int depth,
                 bool in_array);

// Parses an argument list up to and past its ')' (c.i just after '(', or
// after "resumed>" with `continuing`, where it may start with ", " and close
// brackets the unfinished half left open). Sets *unfinished when it ends in
// a cut mark: "<unfinished ...>", "<detached ...>", "<pid changed to N ...>".
bool parse_list(Cursor& c, ArgTree& tree, bool* unfinished, std::string* error,
                bool continuing = false);

// Parses a bare argument list ("3, {sa_family=...}, 16", no parentheses)
// into `args` (cleared first). The tree holds copies of its texts, so it
// outlives `text`; on failure it is left empty.
bool parse_arguments(std::string_view text, ArgTree& args, std::string* error);

}  // namespace sctrace::arg_text
