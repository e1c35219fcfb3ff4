#include "model/arg_text.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/number_text.h"

namespace sctrace::arg_text {

namespace {

// What strace -y prints after the decoration of an fd whose file has been
// unlinked: "7</var/tmp/etilqs_x>(deleted)"; some versions put a space
// before it ("5</memfd:x> (deleted)"). The length of the marker at `at`, or 0.
std::size_t deleted_marker(std::string_view s, std::size_t at) {
    const std::string_view rest = s.substr(std::min(at, s.size()));
    if (rest.starts_with("(deleted)")) return 9;
    if (rest.starts_with(" (deleted)")) return 10;
    return 0;
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

}  // namespace

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

void skip_balanced(Cursor& c, std::string_view opens, std::string_view closes) {
    int nesting = 0;
    while (!c.eof()) {
        const char ch = c.peek();
        if (ch == '"') {
            skip_string(c);
            continue;
        }
        // A loop, not find(): find() calls memchr for every character.
        const auto one_of = [ch](std::string_view set) {
            for (const char x : set) {
                if (x == ch) return true;
            }
            return false;
        };
        if (one_of(opens)) ++nesting;
        if (one_of(closes) && --nesting == 0) {
            ++c.i;
            return;
        }
        ++c.i;
    }
}

bool parse_value(Cursor& c, ArgTree& tree, NodeId parent, std::string_view key, int depth,
                 bool in_array) {
    const char ch = c.peek();
    if (depth > kMaxDepth && (ch == '{' || ch == '[' || ch == '~')) {
        // Too deep to recurse safely: keep the text, balanced, as one node.
        const std::size_t start = c.i;
        skip_balanced(c, "{[(", "}])");
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

// Parses the argument list after '(' (or after "resumed>", where it may
// continue with ", "). Sets *unfinished when it ends in a cut mark
// ("<unfinished ...>" and its relatives, consume_cut_mark).
bool parse_list(Cursor& c, ArgTree& tree, bool* unfinished, std::string* error, bool continuing) {
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

bool parse_arguments(std::string_view text, ArgTree& args, std::string* error) {
    args.clear();
    // The list parser stops at the closing parenthesis of a call.
    std::string wrapped(text);
    wrapped += ')';
    Cursor c{wrapped};
    bool unfinished = false;
    if (!parse_list(c, args, &unfinished, error)) {
        // A half-parsed tree would point into `wrapped`: leave none behind.
        args.clear();
        return false;
    }
    args.internalize();  // `wrapped` goes away now
    return true;
}

}  // namespace sctrace::arg_text
