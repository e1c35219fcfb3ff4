#include "decoders/strace/strace_line.h"

#include <signal.h>
#include <string.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <string>
#include <unordered_map>

namespace sctrace::strace_text {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_ident(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

// A read position in the line. Every scanning step is bounded by the line's
// length; nothing here can loop without consuming.
struct Cursor {
    std::string_view s;
    std::size_t i = 0;

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

template <typename T>
bool to_number(std::string_view text, T& out, int base = 10) {
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc{} && end == text.data() + text.size();
}

// Skips a quoted string starting at c.i ('"'), escapes included.
void skip_string(Cursor& c) {
    ++c.i;
    while (!c.eof() && c.peek() != '"') c.i += c.peek() == '\\' ? 2 : 1;
    if (!c.eof()) ++c.i;
}

// Skips an fd decoration "<...>" (strace -y/-yy) starting at '<'. Paths and
// socket descriptions contain '>' ("->"), so the closing '>' is the one that
// is followed by what can follow a value.
void skip_decoration(Cursor& c) {
    for (std::size_t j = c.i + 1; j < c.s.size(); ++j) {
        if (c.s[j] != '>') continue;
        const char next = j + 1 < c.s.size() ? c.s[j + 1] : '\0';
        if (next == '\0' || next == ',' || next == ')' || next == ']' || next == '}' ||
            next == ' ') {
            c.i = j + 1;
            return;
        }
    }
    c.i = c.s.size();
}

// Reads a leaf value: up to ',' or a closing bracket at nesting level 0.
// Inside an array, a space also ends the item ("[INT TERM]"), unless it
// introduces "=> value" or a comment.
std::string_view scan_leaf(Cursor& c, bool in_array) {
    const std::size_t start = c.i;
    int nesting = 0;
    while (!c.eof()) {
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
            if (c.starts_with(" <unfinished ...>")) break;
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

// Unescapes a quoted string's body into `out` (bounded by its size).
std::size_t unescape(std::string_view body, char* out, std::size_t cap) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < body.size() && n < cap; ++i) {
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
    if (const auto lt = text.find('<');
        lt != std::string_view::npos && lt > 0 && text.back() == '>' && is_digit(text[lt - 1])) {
        number = text.substr(0, lt);
        decoration = text.substr(lt + 1, text.size() - lt - 2);
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

// Parses "{...}" or "[...]" members after the opening bracket.
bool parse_members(Cursor& c, ArgTree& tree, NodeId node, char close, int depth) {
    const bool is_array = close == ']';
    bool first = true;
    while (!c.eof()) {
        c.skip_spaces();
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
        return parse_members(c, tree, node, close, depth);
    }
    const std::string_view leaf = scan_leaf(c, in_array);
    if (leaf.empty()) return false;
    if (leaf == "...") {
        tree.mark_truncated(parent);
        return true;
    }
    add_leaf(tree, parent, leaf, key);
    return true;
}

// Parses the argument list after '(' (or after "resumed>", where it may
// continue with ", "). Sets *unfinished when it ends in "<unfinished ...>".
bool parse_args(Cursor& c, ArgTree& tree, bool* unfinished, std::string* error,
                bool continuing = false) {
    bool first = !(continuing && c.peek() == ',');
    while (true) {
        c.skip_spaces();
        if (c.consume("<unfinished ...>")) {
            *unfinished = true;
            return true;
        }
        if (c.peek() == ')') {
            ++c.i;
            return true;
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
            if (c.consume("<unfinished ...>")) {  // "wait4(-1,  <unfinished ...>"
                *unfinished = true;
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
            if (!to_number(c.s.substr(start, c.i - start), out.ret)) {
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
            if (const auto e = errno_from_name(name)) {
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
            std::int64_t sec = 0, frac = 0;
            if (dot != std::string_view::npos && to_number(t.substr(0, dot), sec) &&
                to_number(t.substr(dot + 1), frac)) {
                Nanos ns = frac;
                for (std::size_t d = t.size() - dot - 1; d < 9; ++d) ns *= 10;
                out.duration = sec * 1'000'000'000 + ns;
            }
            c.i = close + 1;
            continue;
        }
        break;  // anything else trailing is left alone
    }
    return true;
}

// si_code spellings back to numbers (the reverse of report/strace_siginfo.cpp).
std::optional<int> si_code_from_name(std::string_view name) {
    static const std::unordered_map<std::string_view, int> kCodes = {
        {"SI_USER", SI_USER},
        {"SI_KERNEL", SI_KERNEL},
        {"SI_QUEUE", SI_QUEUE},
        {"SI_TIMER", SI_TIMER},
        {"SI_MESGQ", SI_MESGQ},
        {"SI_ASYNCIO", SI_ASYNCIO},
        {"SI_SIGIO", SI_SIGIO},
        {"SI_TKILL", SI_TKILL},
        {"CLD_EXITED", CLD_EXITED},
        {"CLD_KILLED", CLD_KILLED},
        {"CLD_DUMPED", CLD_DUMPED},
        {"CLD_TRAPPED", CLD_TRAPPED},
        {"CLD_STOPPED", CLD_STOPPED},
        {"CLD_CONTINUED", CLD_CONTINUED},
        {"SEGV_MAPERR", 1},
        {"SEGV_ACCERR", 2},
        {"SEGV_BNDERR", 3},
        {"SEGV_PKUERR", 4},
        {"BUS_ADRALN", 1},
        {"BUS_ADRERR", 2},
        {"BUS_OBJERR", 3},
        {"ILL_ILLOPC", 1},
        {"ILL_ILLOPN", 2},
        {"ILL_ILLADR", 3},
        {"ILL_ILLTRP", 4},
        {"ILL_PRVOPC", 5},
        {"FPE_INTDIV", 1},
        {"FPE_INTOVF", 2},
        {"FPE_FLTDIV", 3},
        {"TRAP_BRKPT", 1},
        {"TRAP_TRACE", 2},
    };
    const auto it = kCodes.find(name);
    if (it != kCodes.end()) return it->second;
    int v = 0;
    if (to_number(name, v)) return v;
    return std::nullopt;
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
                if (const auto code = si_code_from_name(n.text)) sig.code = *code;
            } else {
                sig.code = static_cast<std::int32_t>(number());
            }
        } else if (n.key == "si_pid") {
            sig.sender_pid = static_cast<pid_t>(number());
        } else if (n.key == "si_uid") {
            sig.sender_uid = static_cast<uid_t>(number());
        } else if (n.key == "si_status") {
            if (n.kind == ArgKind::Text) {
                if (const auto s = signal_from_name(n.text)) sig.status = *s;
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
            sig.errno_value = static_cast<std::int32_t>(number());
        }
    }
}

bool parse_signal_line(Cursor& c, ParsedLine& out, ArgTree& args, std::string* error) {
    if (c.consume("stopped by ")) {
        const auto signo = signal_from_name(c.ident());
        if (!signo) {
            *error = "unknown signal in a 'stopped by' line";
            return false;
        }
        out.kind = LineKind::Stopped;
        out.signal.signo = *signo;
        return true;
    }
    const auto signo = signal_from_name(c.ident());
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
        const auto signo = signal_from_name(c.ident());
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
void parse_time(Cursor& c, ParsedLine& out) {
    const std::size_t save = c.i;
    const std::string_view a = c.digits();
    if (a.empty()) return;
    if (c.peek() == ':') {
        int h = 0, m = 0, s = 0;
        ++c.i;
        const std::string_view b = c.digits();
        if (!c.consume(":")) {
            c.i = save;
            return;
        }
        const std::string_view d = c.digits();
        if (!to_number(a, h) || !to_number(b, m) || !to_number(d, s)) {
            c.i = save;
            return;
        }
        Nanos ns = 0;
        if (c.consume(".")) {
            const std::string_view f = c.digits();
            std::int64_t frac = 0;
            to_number(f, frac);
            ns = frac;
            for (std::size_t k = f.size(); k < 9; ++k) ns *= 10;
        }
        out.time_kind = TimeKind::TimeOfDay;
        out.time = (Nanos{h} * 3600 + m * 60 + s) * 1'000'000'000 + ns;
        c.skip_spaces();
        return;
    }
    if (c.peek() == '.') {
        ++c.i;
        const std::string_view f = c.digits();
        std::int64_t sec = 0, frac = 0;
        if (f.empty() || c.peek() != ' ' || !to_number(a, sec) || !to_number(f, frac)) {
            c.i = save;
            return;
        }
        Nanos ns = frac;
        for (std::size_t k = f.size(); k < 9; ++k) ns *= 10;
        // -ttt times are seconds since 1970; -r deltas are small.
        out.time_kind = sec >= 100'000'000 ? TimeKind::Absolute : TimeKind::Relative;
        out.time = sec * 1'000'000'000 + ns;
        c.skip_spaces();
        return;
    }
    c.i = save;
}

}  // namespace

std::optional<int> errno_from_name(std::string_view name) {
    static const std::unordered_map<std::string, int> kByName = [] {
        std::unordered_map<std::string, int> m;
        for (int e = 1; e < 4096; ++e) {
            if (const char* n = strerrorname_np(e)) m.emplace(n, e);
        }
        m.emplace("ERESTARTSYS", 512);
        m.emplace("ERESTARTNOINTR", 513);
        m.emplace("ERESTARTNOHAND", 514);
        m.emplace("ENOIOCTLCMD", 515);
        m.emplace("ERESTART_RESTARTBLOCK", 516);
        return m;
    }();
    const auto it = kByName.find(std::string(name));
    if (it == kByName.end()) return std::nullopt;
    return it->second;
}

std::optional<int> signal_from_name(std::string_view name) {
    if (name.starts_with("SIG")) name.remove_prefix(3);
    if (name.empty()) return std::nullopt;
    if (name == "RTMIN") return SIGRTMIN;
    if (name.starts_with("RT_")) {
        int n = 0;
        if (to_number(name.substr(3), n) && SIGRTMIN + n <= SIGRTMAX) return SIGRTMIN + n;
        return std::nullopt;
    }
    for (int s = 1; s < SIGRTMIN; ++s) {
        if (const char* abbrev = sigabbrev_np(s); abbrev && name == abbrev) return s;
    }
    int n = 0;
    if (to_number(name, n) && n > 0 && n <= SIGRTMAX) return n;
    return std::nullopt;
}

bool parse_arguments(std::string_view text, ArgTree& args, std::string* error) {
    args.clear();
    // The list parser stops at the closing parenthesis of a call.
    std::string wrapped(text);
    wrapped += ')';
    Cursor c{wrapped};
    bool unfinished = false;
    if (!parse_args(c, args, &unfinished, error)) return false;
    args.internalize();  // `wrapped` goes away now
    return true;
}

std::optional<Nanos> peek_time(std::string_view line, TimeKind* kind) {
    ParsedLine out;
    Cursor c{line};
    parse_pid_prefix(c, out);
    c.skip_spaces();
    parse_time(c, out);
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
    parse_time(c, out);
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
    if (c.consume("<... ")) {
        out.kind = LineKind::Resumed;
        out.resumed = true;
        out.name = c.ident();
        if (out.name.empty() || !c.consume(" resumed>")) {
            *error = "malformed '<... NAME resumed>'";
            return false;
        }
        if (c.peek() == ' ' && !c.starts_with(" =")) ++c.i;  // older strace: "resumed> {}, ..."
        if (!parse_args(c, args, &unfinished, error, true)) return false;
    } else {
        out.name = c.ident();
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
