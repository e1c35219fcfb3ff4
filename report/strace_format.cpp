#include "report/strace_format.h"

#include <iterator>

#include "base/text_escape.h"

namespace sctrace {

namespace {

void append(fmt::memory_buffer& out, std::string_view s) {
    out.append(s);
}

bool is_octal_digit(char c) {
    return c >= '0' && c <= '7';
}

void append_enum(fmt::memory_buffer& out, std::uint64_t value, const XlatTable& table, bool hex) {
    if (const auto name = table.name_of(value)) {
        append(out, *name);
    } else if (hex && value == 0) {  // C's %#x prints 0 as 0
        out.push_back('0');
    } else if (hex) {
        fmt::format_to(std::back_inserter(out), "{:#x}", value);
    } else {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(value));
    }
}

}  // namespace

namespace {

// The bytes of a string as strace escapes them, without the quotes; bytes in
// `escaped` print as octal too (a decoration's '<' and '>').
void append_escaped_bytes(fmt::memory_buffer& out, std::string_view bytes,
                          std::string_view escaped) {
    static constexpr char kOct[] = "01234567";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        switch (c) {
            case '"':
                append(out, "\\\"");
                continue;
            case '\\':
                append(out, "\\\\");
                continue;
            case '\f':
                append(out, "\\f");
                continue;
            case '\n':
                append(out, "\\n");
                continue;
            case '\r':
                append(out, "\\r");
                continue;
            case '\t':
                append(out, "\\t");
                continue;
            case '\v':
                append(out, "\\v");
                continue;
            default:
                break;
        }
        if (c >= 0x20 && c < 0x7f && escaped.find(static_cast<char>(c)) == std::string_view::npos) {
            out.push_back(static_cast<char>(c));
            continue;
        }
        // Octal, as short as it can be unless a digit follows (then three
        // digits, so "\1" "7" is not read back as "\17").
        out.push_back('\\');
        const bool next_is_digit = i + 1 < bytes.size() && is_octal_digit(bytes[i + 1]);
        if (next_is_digit || c >= 64) out.push_back(kOct[c >> 6]);
        if (next_is_digit || c >= 8) out.push_back(kOct[(c >> 3) & 7]);
        out.push_back(kOct[c & 7]);
    }
}

}  // namespace

void append_strace_string(fmt::memory_buffer& out, std::string_view bytes, bool truncated) {
    out.push_back('"');
    append_escaped_bytes(out, bytes, {});
    out.push_back('"');
    if (truncated) append(out, "...");
}

void append_strace_decoration(fmt::memory_buffer& out, std::string_view path) {
    // readlink's " (deleted)" prints after the brackets, as strace shows it.
    constexpr std::string_view kDeleted = " (deleted)";
    const bool deleted = path.size() > kDeleted.size() && path.ends_with(kDeleted);
    if (deleted) path.remove_suffix(kDeleted.size());
    out.push_back('<');
    append_escaped_bytes(out, path, "<>");
    out.push_back('>');
    if (deleted) append(out, "(deleted)");
}

void append_strace_flags(fmt::memory_buffer& out, std::uint64_t value, const XlatTable& table,
                         std::string_view unknown) {
    if (value == 0) {
        if (const auto zero = table.name_of(0)) {
            append(out, *zero);
        } else {
            out.push_back('0');
        }
        return;
    }
    bool first = true;
    std::uint64_t left = value;
    for (const XlatEntry& e : table.entries) {
        if (e.value == 0 || (left & e.value) != e.value) continue;
        if (!first) out.push_back('|');
        append(out, e.name);
        left &= ~e.value;
        first = false;
    }
    if (left != 0) {
        if (!first) out.push_back('|');
        fmt::format_to(std::back_inserter(out), "{:#x}", left);
        if (first && !unknown.empty())
            fmt::format_to(std::back_inserter(out), " /* {} */", unknown);
    }
}

void append_strace_value(fmt::memory_buffer& out, const ArgTree& tree, NodeId id,
                         const StraceStyle& style) {
    const ArgNode& n = tree.node(id);
    auto it = std::back_inserter(out);
    switch (n.kind) {
        case ArgKind::Int:
            fmt::format_to(it, "{}", static_cast<std::int64_t>(n.value));
            if (!n.text.empty() && style.fd_decorations) append_strace_decoration(out, n.text);
            break;
        case ArgKind::UInt:
            fmt::format_to(it, "{}", n.value);
            break;
        case ArgKind::Hex:
            if (n.value == 0) {
                out.push_back('0');
            } else {
                fmt::format_to(it, "{:#x}", n.value);
            }
            break;
        case ArgKind::Oct:
            fmt::format_to(it, "{:#03o}", n.value);  // C's "%#03o": 000, 007, 0644
            break;
        case ArgKind::Ptr:
            if (n.value == 0) {
                append(out, "NULL");
            } else {
                fmt::format_to(it, "{:#x}", n.value);
            }
            break;
        case ArgKind::Flags: {
            if (n.enum_table) {
                append_enum(out, n.value & n.enum_mask, *n.enum_table, false);
                const std::uint64_t rest = n.value & ~n.enum_mask;
                if (rest != 0 && n.table) {
                    out.push_back('|');
                    append_strace_flags(out, rest, *n.table, n.text);
                }
            } else if (n.table) {
                append_strace_flags(out, n.value, *n.table, n.text);
            } else {
                fmt::format_to(it, "{:#x}", n.value);
            }
            break;
        }
        case ArgKind::Enum:
            if (n.table) {
                append_enum(out, n.value, *n.table, n.enum_hex);
            } else {
                fmt::format_to(it, "{}", static_cast<std::int64_t>(n.value));
            }
            // AT_FDCWD with -y: the working directory ("AT_FDCWD</home>").
            if (n.fd && !n.text.empty() && style.fd_decorations) {
                append_strace_decoration(out, n.text);
            }
            break;
        case ArgKind::Str:
            append_strace_string(out, n.text, n.truncated);
            break;
        case ArgKind::Text:
            // Verbatim from a log (or a decoration) and so untrusted: strace
            // itself never prints a control byte there, so escaping changes
            // nothing for a real log and defuses a forged one.
            append_escaped(out, n.text);
            break;
        case ArgKind::Struct:
        case ArgKind::Array: {
            const bool is_struct = n.kind == ArgKind::Struct;
            if (n.inverted) out.push_back('~');
            out.push_back(is_struct ? '{' : '[');
            bool first = true;
            for (NodeId c = n.first_child; c != kNoNode; c = tree.node(c).next) {
                if (!first) append(out, n.spaced ? " " : ", ");
                first = false;
                const ArgNode& child = tree.node(c);
                if (!child.key.empty()) {
                    append(out, child.key);
                    out.push_back('=');
                }
                append_strace_value(out, tree, c, style);
            }
            if (n.truncated) append(out, first ? "..." : (n.spaced ? " ..." : ", ..."));
            out.push_back(is_struct ? '}' : ']');
            break;
        }
    }
}

void append_strace_args(fmt::memory_buffer& out, const ArgTree& tree, std::size_t from,
                        std::size_t to, const StraceStyle& style) {
    std::size_t index = 0;
    bool first = true;
    for (NodeId c = tree.node(tree.root()).first_child; c != kNoNode && index < to;
         c = tree.node(c).next, ++index) {
        if (index < from) continue;
        if (!first) append(out, ", ");
        first = false;
        append_strace_value(out, tree, c, style);
    }
}

void append_strace_entry_half(fmt::memory_buffer& out, const ArgTree& tree,
                              const StraceStyle& style) {
    append_strace_args(out, tree, 0, tree.entry_arg_count, style);
    // strace prints each argument with its separator as it goes, so an
    // argument list cut short ends in ", ".
    if (!tree.entry_complete && tree.entry_arg_count > 0) append(out, ", ");
}

void append_strace_exit_half(fmt::memory_buffer& out, const ArgTree& tree,
                             const StraceStyle& style) {
    std::size_t total = 0;
    for (NodeId c = tree.node(tree.root()).first_child; c != kNoNode; c = tree.node(c).next) {
        ++total;
    }
    // An entry half that ended without its ", " gets it here ("<... clone
    // resumed>, child_tidptr=...").
    if (tree.entry_complete && tree.entry_arg_count > 0 && total > tree.entry_arg_count) {
        append(out, ", ");
    }
    append_strace_args(out, tree, tree.entry_arg_count, ArgTree::kMaxNodes, style);
}

void append_strace_ret_aux(fmt::memory_buffer& out, const ArgTree& tree, NodeId aux,
                           const StraceStyle& style) {
    bool first = true;
    for (NodeId c = tree.node(aux).first_child; c != kNoNode; c = tree.node(c).next) {
        if (!first) append(out, ", ");
        first = false;
        const ArgNode& child = tree.node(c);
        if (!child.key.empty()) {
            append(out, child.key);
            out.push_back(' ');
        }
        append_strace_value(out, tree, c, style);
    }
}

}  // namespace sctrace
