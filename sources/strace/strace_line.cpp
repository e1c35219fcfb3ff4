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

#include "model/names.h"

namespace sctrace::strace_text {

namespace {

bool is_digit(char c) {
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
bool is_ident(char c) {
    return kIdentChars[static_cast<unsigned char>(c)];
}

// A read position in the line. Every scanning step is bounded by the line's
// length; nothing here can loop without consuming.
struct Cursor {
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

// The whole of `text` as a number, with std::from_chars's rules (a '-' for
// signed types only, no '+', no spaces, overflow fails, `out` untouched on
// failure). Hand-rolled: from_chars's general path cost 8% of parsing, on
// numbers that are mostly a few digits long.
template <typename T>
bool to_number(std::string_view text, T& out, int base = 10) {
    using U = std::make_unsigned_t<T>;
    const char* p = text.data();
    const char* const end = p + text.size();
    bool negative = false;
    if constexpr (std::is_signed_v<T>) {
        if (p != end && *p == '-') {
            negative = true;
            ++p;
        }
    }
    if (p == end) return false;
    U value = 0;
    if (base == 10 && end - p <= std::numeric_limits<U>::digits10) {
        // No overflow possible with this few digits: no checks in the chain.
        for (; p != end; ++p) {
            const auto digit = static_cast<unsigned>(*p - '0');
            if (digit > 9) return false;
            value = value * 10 + digit;
        }
    }
    for (; p != end; ++p) {
        unsigned digit;
        if (*p >= '0' && *p <= '9') {
            digit = static_cast<unsigned>(*p - '0');
        } else if (const char lower = static_cast<char>(*p | 0x20); lower >= 'a' && lower <= 'z') {
            digit = static_cast<unsigned>(lower - 'a' + 10);
        } else {
            return false;
        }
        if (digit >= static_cast<unsigned>(base)) return false;
        if (__builtin_mul_overflow(value, static_cast<U>(base), &value) ||
            __builtin_add_overflow(value, static_cast<U>(digit), &value)) {
            return false;
        }
    }
    if constexpr (std::is_signed_v<T>) {
        const U limit = static_cast<U>(std::numeric_limits<T>::max()) + (negative ? 1 : 0);
        if (value > limit) return false;
        out = static_cast<T>(negative ? U{0} - value : value);  // modular since C++20
    } else {
        out = value;
    }
    return true;
}

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

// Skips a quoted string starting at c.i ('"'), escapes included. Strings are
// the longest part of most lines (read/write buffers), so this jumps from
// quote to quote: a quote is the end unless an odd run of backslashes
// precedes it (each "\\" pair is one escaped backslash).
void skip_string(Cursor& c) {
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

// What strace -y prints after the decoration of an fd whose file has been
// unlinked: "7</var/tmp/etilqs_x>(deleted)"; some versions put a space
// before it ("5</memfd:x> (deleted)"). The length of the marker at `at`, or 0.
std::size_t deleted_marker(std::string_view s, std::size_t at) {
    const std::string_view rest = s.substr(std::min(at, s.size()));
    if (rest.starts_with("(deleted)")) return 9;
    if (rest.starts_with(" (deleted)")) return 10;
    return 0;
}

// Skips an fd decoration "<...>" (strace -y/-yy) starting at '<', with its
// "(deleted)" marker. Paths and socket descriptions contain '>' ("->"), so
// the closing '>' is the one that is followed by what can follow a value.
void skip_decoration(Cursor& c) {
    for (std::size_t j = c.i + 1; j < c.s.size(); ++j) {
        const auto* gt = static_cast<const char*>(std::memchr(c.s.data() + j, '>', c.s.size() - j));
        if (!gt) break;
        j = static_cast<std::size_t>(gt - c.s.data());
        const std::size_t end = j + 1 + deleted_marker(c.s, j + 1);
        const char next = end < c.s.size() ? c.s[end] : '\0';
        if (next == '\0' || next == ',' || next == ')' || next == ']' || next == '}' ||
            next == ' ') {
            c.i = end;
            return;
        }
    }
    c.i = c.s.size();
}

// Reads a leaf value: up to ',' or a closing bracket at nesting level 0.
// Inside an array, a space also ends the item ("[INT TERM]"), unless it
// introduces "=> value" or a comment.
std::string_view scan_leaf(Cursor& c, bool in_array) {
    // The characters the loop below acts on; runs of anything else (most of
    // a flag expression or a number) are skipped in a tight loop.
    static constexpr auto kSpecial = [] {
        std::array<bool, 256> t{};
        for (const unsigned char ch : std::string_view("\"<()[]{}, ")) t[ch] = true;
        return t;
    }();
    const std::size_t start = c.i;
    int nesting = 0;
    while (!c.eof()) {
        {
            std::size_t i = c.i;
            while (i < c.s.size() && !kSpecial[static_cast<unsigned char>(c.s[i])]) ++i;
            c.i = i;
            if (c.eof()) break;
        }
        const char ch = c.peek();
        if (ch == '"') {
            skip_string(c);
            continue;
        }
        // "3</path>": a decoration right after a leaf that is only a number
        // (not "1<<CAP_CHOWN" shifts).
        if (ch == '<' && c.peek(1) != '<' && c.i > start &&
            c.s.substr(start, c.i - start).find_first_not_of("0123456789") ==
                std::string_view::npos) {
            skip_decoration(c);
            continue;
        }
        if (ch == '(' || ch == '[' || ch == '{') {
            ++nesting;
        } else if (ch == ')' || ch == ']' || ch == '}') {
            if (nesting == 0) break;
            --nesting;
        } else if (nesting == 0 && ch == ',') {
            break;
        } else if (nesting == 0 && ch == ' ') {
            if (c.starts_with(" <unfinished ...>") || c.starts_with(" <detached ...>") ||
                c.starts_with(" <pid changed to ")) {
                break;
            }
            if (in_array && !c.starts_with(" => ") && !c.starts_with(" /*")) break;
            if (c.starts_with(" /*")) {
                const auto close = c.s.find("*/", c.i);
                c.i = close == std::string_view::npos ? c.s.size() : close + 2;
                continue;
            }
        }
        ++c.i;
    }
    return c.s.substr(start, c.i - start);
}

// strace -X verbose (and -v, after times) follows a value with a comment:
// " /* O_RDONLY|O_CLOEXEC */". Consumes one at c.i and returns its text,
// trimmed; empty when there is none.
std::string_view consume_comment(Cursor& c) {
    if (!c.starts_with(" /* ")) return {};
    const auto close = c.s.find(" */", c.i + 4);
    if (close == std::string_view::npos) return {};
    const std::string_view text = c.s.substr(c.i + 4, close - c.i - 4);
    c.i = close + 3;
    return text;
}

// A comment names the value it follows when it starts as a name does
// (O_CLOEXEC, htons(80), makedev(...), S_IFREG|0644); one that starts with a
// digit (a date after a time, "8192*1024") only remarks on the number.
bool is_name_comment(std::string_view comment) {
    return !comment.empty() &&
           (std::isalpha(static_cast<unsigned char>(comment[0])) || comment[0] == '_');
}

// strace -X verbose prints a value as its number followed by the name
// strace prints by default, in a comment: "0x80000 /* O_RDONLY|O_CLOEXEC */",
// "0x1 /* SOCK_STREAM */|0x800 /* SOCK_NONBLOCK */", "-100 /* AT_FDCWD */</tmp>",
// "[2 /* INT */ 15 /* TERM */]". The default spelling is rebuilt (each
// "NUMBER /* NAME */" becomes NAME) into the tree's arena, so a -X verbose
// log decodes into the same tree as one recorded without -X. Other comments
// ("0x7ffc... /* 37 vars */") stay, as strace prints them without -X too.
std::string_view abbreviate(std::string_view leaf, ArgTree& tree) {
    if (leaf.find(" /* ") == std::string_view::npos) return leaf;
    std::string out;
    out.reserve(leaf.size());
    Cursor c{leaf};
    while (!c.eof()) {
        if (c.peek() == '"') {
            const std::size_t start = c.i;
            skip_string(c);
            out.append(leaf.substr(start, c.i - start));
            continue;
        }
        // The number the comment is about: the token just before it.
        std::size_t token = out.size();
        while (token > 0 && (std::isalnum(static_cast<unsigned char>(out[token - 1])) ||
                             out[token - 1] == '-')) {
            --token;
        }
        if (token < out.size() && c.starts_with(" /* ")) {
            const std::size_t start = c.i;
            const std::string_view comment = consume_comment(c);
            if (is_name_comment(comment)) {
                out.replace(token, out.size() - token, comment);
            } else {
                out.append(leaf.substr(start, c.i - start));  // kept as strace wrote it
            }
            if (c.i > start) continue;
        }
        out.push_back(c.peek());
        ++c.i;
    }
    return tree.store(out);
}

// Unescapes a quoted string's body into `out` (bounded by its size).
std::size_t unescape(std::string_view body, char* out, std::size_t cap) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < body.size() && n < cap; ++i) {
        // Copy the run up to the next backslash at once (paths, text).
        const auto* at = body.data() + i;
        const auto* slash =
            static_cast<const char*>(std::memchr(at, '\\', std::min(body.size() - i, cap - n)));
        const std::size_t run =
            slash ? static_cast<std::size_t>(slash - at) : std::min(body.size() - i, cap - n);
        std::memcpy(out + n, at, run);
        n += run;
        i += run;
        if (i >= body.size() || n >= cap) break;
        char ch = body[i];
        if (ch == '\\' && i + 1 < body.size()) {
            const char e = body[++i];
            switch (e) {
                case 'n':
                    ch = '\n';
                    break;
                case 't':
                    ch = '\t';
                    break;
                case 'r':
                    ch = '\r';
                    break;
                case 'f':
                    ch = '\f';
                    break;
                case 'v':
                    ch = '\v';
                    break;
                case 'x': {
                    int v = 0, k = 0;
                    while (k < 2 && i + 1 < body.size() &&
                           std::isxdigit(static_cast<unsigned char>(body[i + 1]))) {
                        const char h = body[++i];
                        v = v * 16 + (is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
                        ++k;
                    }
                    ch = static_cast<char>(v);
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', k = 1;
                        while (k < 3 && i + 1 < body.size() && body[i + 1] >= '0' &&
                               body[i + 1] <= '7') {
                            v = v * 8 + (body[++i] - '0');
                            ++k;
                        }
                        ch = static_cast<char>(v);
                    } else {
                        ch = e;  // \" \\ and anything unknown: the character itself
                    }
            }
        }
        out[n++] = ch;
    }
    return n;
}

// Adds a leaf as the most specific node it can be.
void add_leaf(ArgTree& tree, NodeId parent, std::string_view text, std::string_view key) {
    if (text == "NULL") {
        tree.add_ptr(parent, 0, key);
        return;
    }
    // An fd with a -y decoration: the number, with the decoration kept as
    // the node's text ("/etc/ld.so.cache", "TCP:[...]").
    std::string_view number = text, decoration;
    if (const auto lt = text.find('<'); lt != std::string_view::npos && lt > 0) {
        // The "(deleted)" marker of an unlinked file is not part of the path.
        std::string_view decorated = text;
        if (decorated.ends_with(" (deleted)")) {
            decorated.remove_suffix(10);
        } else if (decorated.ends_with("(deleted)")) {
            decorated.remove_suffix(9);
        }
        if (decorated.back() == '>' && is_digit(text[lt - 1])) {
            number = text.substr(0, lt);
            decoration = decorated.substr(lt + 1, decorated.size() - lt - 2);
        }
    }
    if (number.empty() || (!is_digit(number[0]) && number[0] != '-')) {
        tree.add_text(parent, text, key);  // flags, constants: no number can start so
        return;
    }
    std::int64_t value = 0;
    std::uint64_t uvalue = 0;
    NodeId id = kNoNode;
    if (number.starts_with("0x") && to_number(number.substr(2), uvalue, 16)) {
        id = tree.add_hex(parent, uvalue, key);
    } else if (number.size() > 1 && number[0] == '0' && to_number(number.substr(1), uvalue, 8)) {
        id = tree.add_oct(parent, uvalue, key);
    } else if (to_number(number, value)) {
        id = tree.add_int(parent, value, key);
    } else if (to_number(number, uvalue)) {
        id = tree.add_uint(parent, uvalue, key);
    } else {
        tree.add_text(parent, text, key);
        return;
    }
    if (id != kNoNode && !decoration.empty()) tree.mutable_node(id).text = decoration;
}

bool parse_value(Cursor& c, ArgTree& tree, NodeId parent, std::string_view key, int depth,
                 bool in_array);

bool consume_cut_mark(Cursor& c);

// Parses "{...}" or "[...]" members after the opening bracket.
bool parse_members(Cursor& c, ArgTree& tree, NodeId node, char close, int depth) {
    const bool is_array = close == ']';
    bool first = true;
    while (!c.eof()) {
        c.skip_spaces();
        if (consume_cut_mark(c)) {
            c.cut = true;
            return true;
        }
        if (c.peek() == close) {
            ++c.i;
            return true;
        }
        if (!first) {
            if (c.peek() == ',') {
                ++c.i;
                c.skip_spaces();
            } else if (is_array && c.s[c.i - 1] == ' ') {
                if (node != kNoNode) tree.mutable_node(node).spaced = true;
            } else {
                return false;
            }
        }
        first = false;
        if (c.consume("...")) {
            tree.mark_truncated(node);
            continue;
        }
        std::string_view member_key;
        if (!is_array) {
            // "key=value"; but "==" is an operator inside wait status text.
            const std::size_t save = c.i;
            const std::string_view k = c.ident();
            if (!k.empty() && c.peek() == '=' && c.peek(1) != '=') {
                ++c.i;
                member_key = k;
            } else {
                c.i = save;
            }
        }
        if (!parse_value(c, tree, node, member_key, depth + 1, is_array)) return false;
        if (c.cut) return true;
    }
    return false;
}

bool parse_value(Cursor& c, ArgTree& tree, NodeId parent, std::string_view key, int depth,
                 bool in_array) {
    const char ch = c.peek();
    if (depth > kMaxDepth && (ch == '{' || ch == '[' || ch == '~')) {
        // Too deep to recurse safely: keep the text, balanced, as one node.
        const std::size_t start = c.i;
        int nesting = 0;
        while (!c.eof()) {
            const char x = c.peek();
            if (x == '"') {
                skip_string(c);
                continue;
            }
            if (x == '{' || x == '[' || x == '(') ++nesting;
            if (x == '}' || x == ']' || x == ')') {
                if (--nesting == 0) {
                    ++c.i;
                    break;
                }
            }
            ++c.i;
        }
        tree.add_text(parent, c.s.substr(start, c.i - start), key);
        return true;
    }
    if (ch == '"') {
        const std::size_t start = c.i;
        skip_string(c);
        const std::string_view body = c.s.substr(start + 1, c.i - start - 2);
        char bytes[4096];
        const std::size_t n = unescape(body, bytes, sizeof bytes);
        const bool truncated = c.consume("...");
        // -X verbose: sin_port="\x00\x50" /* htons(80) */; the name is what
        // strace prints by default.
        if (const std::string_view comment = consume_comment(c); is_name_comment(comment)) {
            tree.add_text(parent, comment, key);
            return true;
        }
        tree.add_str(parent, {bytes, n}, truncated, key);
        return true;
    }
    if (ch == '{' || ch == '[' || (ch == '~' && c.peek(1) == '[')) {
        const bool inverted = ch == '~';
        if (inverted) ++c.i;
        const char close = c.peek() == '{' ? '}' : ']';
        const NodeId node =
            close == '}' ? tree.add_struct(parent, key) : tree.add_array(parent, key);
        if (node != kNoNode && inverted) tree.mutable_node(node).inverted = true;
        ++c.i;
        // A struct whose members are not key=value (wait status text):
        // parse_members handles keyless members as leaves.
        if (!parse_members(c, tree, node, close, depth)) return false;
        // -v: a time struct's date, "{tv_sec=..., tv_nsec=...} /* 2026-... */".
        if (!c.cut) consume_comment(c);
        return true;
    }
    const std::string_view leaf = scan_leaf(c, in_array);
    if (leaf.empty()) return false;
    if (leaf == "...") {
        tree.mark_truncated(parent);
        return true;
    }
    add_leaf(tree, parent, abbreviate(leaf, tree), key);
    return true;
}

// The marks strace ends a line with when the call's end is not on it:
// "<unfinished ...>" (another thread's line comes between), "<detached ...>"
// (strace let go of the thread inside the call), "<pid changed to N ...>"
// (another thread's execve took over the thread-group leader's pid).
bool consume_cut_mark(Cursor& c) {
    // Called before every argument and member: one compare for the common
    // case (three prefix compares cost 3% of analyze).
    if (c.peek() != '<') return false;
    if (c.consume("<unfinished ...>") || c.consume("<detached ...>")) return true;
    if (!c.starts_with("<pid changed to ")) return false;
    const std::size_t close = c.s.find(" ...>", c.i);
    if (close == std::string_view::npos) return false;
    c.i = close + 5;
    return true;
}

// Parses the argument list after '(' (or after "resumed>", where it may
// continue with ", "). Sets *unfinished when it ends in a cut mark
// ("<unfinished ...>" and its relatives, consume_cut_mark).
bool parse_args(Cursor& c, ArgTree& tree, bool* unfinished, std::string* error,
                bool continuing = false) {
    bool first = !(continuing && c.peek() == ',');
    while (true) {
        c.skip_spaces();
        if (consume_cut_mark(c)) {
            *unfinished = true;
            return true;
        }
        if (c.peek() == ')') {
            ++c.i;
            return true;
        }
        // "<... ioctl resumed>, ifr_name=\"eth0\"}) = 0": the rest of a
        // struct or array the unfinished half left open; its members join
        // the call's arguments.
        if (continuing && (c.peek() == '}' || c.peek() == ']')) {
            ++c.i;
            continue;
        }
        if (c.eof()) {
            *error = "the argument list is cut off (no ')')";
            return false;
        }
        if (!first) {
            if (c.peek() != ',') {
                *error = "expected ',' between arguments at column " + std::to_string(c.i + 1);
                return false;
            }
            ++c.i;
            c.skip_spaces();
            if (consume_cut_mark(c)) {  // "wait4(-1,  <unfinished ...>"
                *unfinished = true;
                return true;
            }
            // "read(12, ) = ? <unavailable>": the thread died inside the
            // call, and strace could not fetch the arguments it prints on
            // exit; what was printed at entry is all there is.
            if (c.peek() == ')') {
                ++c.i;
                return true;
            }
        }
        first = false;
        // Some calls print named arguments: clone(child_stack=NULL, flags=...).
        std::string_view key;
        const std::size_t save = c.i;
        if (const std::string_view k = c.ident();
            !k.empty() && c.peek() == '=' && c.peek(1) != '=') {
            ++c.i;
            key = k;
        } else {
            c.i = save;
        }
        if (!parse_value(c, tree, tree.root(), key, 1, false)) {
            *error = "cannot parse an argument at column " + std::to_string(c.i + 1);
            return false;
        }
        if (c.cut) {
            *unfinished = true;
            return true;
        }
        // "before => after" (clone3's struct, value-result lengths at top
        // level): the argument keeps the value passed in; the value written
        // back is parsed, to stay in step, into a node attached to nothing.
        if (c.consume(" => ") && !parse_value(c, tree, kNoNode, {}, 1, false)) {
            *error = "cannot parse the value after '=>' at column " + std::to_string(c.i + 1);
            return false;
        }
    }
}

// Skips "( ... )" with nesting and strings, starting at '('.
void skip_parenthesised(Cursor& c) {
    int nesting = 0;
    while (!c.eof()) {
        const char ch = c.peek();
        if (ch == '"') {
            skip_string(c);
            continue;
        }
        if (ch == '(') ++nesting;
        if (ch == ')' && --nesting == 0) {
            ++c.i;
            return;
        }
        ++c.i;
    }
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
            const bool is_signed = to_number(digits, out.ret);
            if (!is_signed && !digits.starts_with('-') && to_number(digits, above_int64, 10)) {
                // strace prints some results as unsigned (rt_sigreturn gives back
                // whatever the interrupted code had in rax).
                out.ret = static_cast<std::int64_t>(above_int64);
                args.ret_format = RetFormat::Unsigned;
            } else if (!is_signed) {
                *error =
                    "expected a number or '?' after '=' at column " + std::to_string(start + 1);
                return false;
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
        if (c.peek() == '(') {  // errno message, decoded result, (DELAYED)
            skip_parenthesised(c);
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

bool parse_arguments(std::string_view text, ArgTree& args, std::string* error) {
    args.clear();
    // The list parser stops at the closing parenthesis of a call.
    std::string wrapped(text);
    wrapped += ')';
    Cursor c{wrapped};
    bool unfinished = false;
    if (!parse_args(c, args, &unfinished, error)) {
        // A half-parsed tree would point into `wrapped`: leave none behind.
        args.clear();
        return false;
    }
    args.internalize();  // `wrapped` goes away now
    return true;
}

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
        if (c.peek() == ' ' && !c.starts_with(" =")) ++c.i;  // older strace: "resumed> {}, ..."
        if (!parse_args(c, args, &unfinished, error, true)) return false;
    } else {
        out.name = call_name();
        if (out.name.empty() || !c.consume("(")) {
            *error = "not a syscall, signal or exit line";
            return false;
        }
        out.kind = LineKind::Call;
        if (!parse_args(c, args, &unfinished, error)) return false;
    }
    if (unfinished) {
        out.kind = LineKind::Unfinished;  // a resumed call can be unfinished again
        return true;
    }
    return parse_result(c, out, args, error);
}

}  // namespace sctrace::strace_text
