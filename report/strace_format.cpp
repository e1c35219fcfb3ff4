#include "report/strace_format.h"

#include <cxxabi.h>
#include <algorithm>
#include <bit>
#include <cstring>

#include <cstdlib>
#include <iterator>
#include <memory>

#include "base/c_escape.h"
#include "base/text_escape.h"

namespace sctrace {

namespace {

void append(fmt::memory_buffer& out, std::string_view s) {
    out.append(s);
}

// A constant's number as strace prints it: %#x (0 as 0) or signed decimal.
void append_number(fmt::memory_buffer& out, std::uint64_t value, bool hex) {
    if (hex && value == 0) {  // C's %#x prints 0 as 0
        out.push_back('0');
    } else if (hex) {
        fmt::format_to(std::back_inserter(out), "{:#x}", value);
    } else {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<std::int64_t>(value));
    }
}

void append_comment(fmt::memory_buffer& out, std::string_view text) {
    append(out, " /* ");
    append(out, text);
    append(out, " */");
}

// The style a node prints in under -X `style`.
XlatStyle node_style(const ArgNode& n, XlatStyle style) {
    switch (n.pin) {
        case XlatPin::VerboseUnlessRaw:
            return style == XlatStyle::Raw ? style : XlatStyle::Verbose;
        case XlatPin::Abbrev:
            return XlatStyle::Abbrev;
        case XlatPin::Always:
        case XlatPin::None:
            break;
    }
    return style;
}

// strace's printxval: the table's name for the value, else the number with
// `unknown` as a comment ("0x10 /* EFD_??? */"); -X raw the number,
// -X verbose the number and the name as a comment.
void append_xval(fmt::memory_buffer& out, std::uint64_t value, const XlatTable* table, bool hex,
                 std::string_view unknown, XlatStyle style) {
    const auto name = table && style != XlatStyle::Raw ? table->name_of(value) : std::nullopt;
    if (name && style == XlatStyle::Abbrev) {
        append(out, *name);
        return;
    }
    append_number(out, value, hex);
    if (style == XlatStyle::Raw) return;
    if (name) {
        append_comment(out, *name);
    } else if (!unknown.empty()) {
        append_comment(out, unknown);
    }
}

// strace's printflags under -X: raw the number; verbose the number, then
// the names (and unnamed bits) as a comment, or `unknown` when no bit is
// named; 0 as "0 /* NAME */" when the table names 0.
void append_xflags(fmt::memory_buffer& out, std::uint64_t value, const XlatTable& table,
                   std::string_view unknown, XlatStyle style) {
    if (style == XlatStyle::Abbrev) {
        append_strace_flags(out, value, table, unknown);
        return;
    }
    append_number(out, value, true);
    if (style == XlatStyle::Raw) return;
    const bool named =
        std::any_of(table.entries.begin(), table.entries.end(), [&](const XlatEntry& e) {
            return value == 0 ? e.value == 0 : e.value != 0 && (value & e.value) == e.value;
        });
    if (named) {
        append(out, " /* ");
        append_strace_flags(out, value, table);
        append(out, " */");
    } else if (value != 0 && !unknown.empty()) {
        append_comment(out, unknown);
    }
}

}  // namespace

void append_strace_string(fmt::memory_buffer& out, std::string_view bytes, bool truncated,
                          bool force_hex) {
    out.push_back('"');
    if (force_hex) {
        for (const char c : bytes) {
            fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(c));
        }
    } else {
        append_c_escaped(out, bytes);
    }
    out.push_back('"');
    if (truncated) append(out, "...");
}

void append_strace_decoration(fmt::memory_buffer& out, std::string_view path) {
    // readlink's " (deleted)" prints after the brackets, as strace shows it.
    constexpr std::string_view kDeleted = " (deleted)";
    const bool deleted = path.size() > kDeleted.size() && path.ends_with(kDeleted);
    if (deleted) path.remove_suffix(kDeleted.size());
    out.push_back('<');
    append_c_escaped(out, path, "<>");
    out.push_back('>');
    if (deleted) append(out, "(deleted)");
}

bool strace_shows_decoration(const StraceStyle& style, FdDecoration decoration) {
    return decoration == FdDecoration::Path ? style.fd_paths : style.fd_details;
}

void append_strace_fd_decoration(fmt::memory_buffer& out, std::string_view text,
                                 FdDecoration decoration) {
    switch (decoration) {
        case FdDecoration::Path:
            append_strace_decoration(out, text);
            break;
        case FdDecoration::Device: {
            // "/dev/null<char 1:3>": the path escaped, its numbers inside.
            const auto nul = text.find('\0');
            out.push_back('<');
            append_c_escaped(out, text.substr(0, nul), "<>");
            if (nul != std::string_view::npos) {
                out.push_back('<');
                append(out, text.substr(nul + 1));
                out.push_back('>');
            }
            out.push_back('>');
            break;
        }
        case FdDecoration::Details:
            out.push_back('<');
            append(out, text);
            out.push_back('>');
            break;
    }
}

std::string_view strace_decoration_path(std::string_view text, FdDecoration decoration) {
    if (decoration == FdDecoration::Device) return text.substr(0, text.find('\0'));
    return text;
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

namespace {

// A symbolic Text over its raw child (model/arg_tree.h): the text, the
// child, or the child and a comment, as -X and the node's pin say.
void append_symbol(fmt::memory_buffer& out, const ArgTree& tree, const ArgNode& n,
                   const StraceStyle& style) {
    const XlatStyle xs = n.pin == XlatPin::Always ? XlatStyle::Verbose : node_style(n, style.xlat);
    if (xs == XlatStyle::Abbrev) {
        append_escaped(out, n.text);
        return;
    }
    append_strace_value(out, tree, n.first_child, style);
    if (xs == XlatStyle::Raw) return;
    // A second child is the comment's own text (inet_pton(AF_INET6, "::1")
    // where the abbreviation also names the member: ..., &sin6_addr)).
    const NodeId other = tree.node(n.first_child).next;
    append(out, " /* ");
    append_escaped(out, other != kNoNode ? tree.node(other).text : n.text);
    append(out, " */");
}

// A Flags node with an enumeration inside: O_RDWR|O_CLOEXEC.
void append_enum_and_flags(fmt::memory_buffer& out, const ArgNode& n) {
    append_xval(out, n.value & n.enum_mask, n.enum_table, false, {}, XlatStyle::Abbrev);
    const std::uint64_t rest = n.value & ~n.enum_mask;
    if (rest != 0 && n.table) {
        out.push_back('|');
        append_strace_flags(out, rest, *n.table, n.text);
    }
}

// The key a struct member prints with: its own, or, for a keyless symbolic
// form printed as its raw value, the raw value's (strace prints
// inet_pton(AF_INET6, "::1", &sin6_addr) but sin6_addr="\x00...").
std::string_view member_key(const ArgTree& tree, NodeId id, XlatStyle style) {
    const ArgNode& n = tree.node(id);
    if (!n.key.empty() || n.kind != ArgKind::Text || n.first_child == kNoNode ||
        n.pin == XlatPin::Always || node_style(n, style) == XlatStyle::Abbrev) {
        return n.key;
    }
    return tree.node(n.first_child).key;
}

}  // namespace

void append_strace_value(fmt::memory_buffer& out, const ArgTree& tree, NodeId id,
                         const StraceStyle& style) {
    const ArgNode& n = tree.node(id);
    auto it = std::back_inserter(out);
    switch (n.kind) {
        case ArgKind::Int:
            fmt::format_to(it, "{}", static_cast<std::int64_t>(n.value));
            if (n.pid) {
                append_strace_pid_translation(out, n.text);
            } else if (!n.text.empty() && strace_shows_decoration(style, n.decoration)) {
                append_strace_fd_decoration(out, n.text, n.decoration);
            }
            break;
        case ArgKind::UInt:
            fmt::format_to(it, "{}", n.value);
            if (n.pid) append_strace_pid_translation(out, n.text);
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
            const XlatStyle xs = node_style(n, style.xlat);
            if (n.enum_table && n.style_parts && xs != XlatStyle::Abbrev) {
                append_xval(out, n.value & n.enum_mask, n.enum_table, true, {}, xs);
                const std::uint64_t rest = n.value & ~n.enum_mask;
                if (rest != 0 && n.table) {
                    out.push_back('|');
                    append_xflags(out, rest, *n.table, n.text, xs);
                }
            } else if (n.enum_table && xs != XlatStyle::Abbrev) {
                // An enumeration with flags prints whole under -X, as
                // strace's open modes: 0x2 /* O_RDWR|O_CREAT */.
                append_number(out, n.value, true);
                if (xs == XlatStyle::Raw) break;
                append(out, " /* ");
                append_enum_and_flags(out, n);
                append(out, " */");
            } else if (n.enum_table) {
                append_enum_and_flags(out, n);
            } else if (n.table) {
                append_xflags(out, n.value, *n.table, n.text, xs);
            } else {
                fmt::format_to(it, "{:#x}", n.value);
            }
            break;
        }
        case ArgKind::Enum:
            append_xval(out, n.value, n.table, n.enum_hex, n.text, node_style(n, style.xlat));
            // AT_FDCWD with -y: the working directory ("AT_FDCWD</home>").
            if (n.fd && !n.text.empty() && strace_shows_decoration(style, n.decoration)) {
                append_strace_fd_decoration(out, n.text, n.decoration);
            }
            break;
        case ArgKind::Str:
            append_strace_string(out, n.text, n.truncated, n.force_hex);
            break;
        case ArgKind::Text:
            if (n.first_child != kNoNode) {
                append_symbol(out, tree, n, style);
                break;
            }
            // Verbatim from a log (or a decoration) and so untrusted: strace
            // itself never prints a control byte there, so escaping changes
            // nothing for a real log and defuses a forged one.
            append_escaped(out, n.text);
            break;
        case ArgKind::Array:
            if (n.changed) {
                bool first = true;
                for (const NodeId c : tree.children(id)) {
                    if (!first) append(out, " => ");
                    first = false;
                    append_strace_value(out, tree, c, style);
                }
                break;
            }
            [[fallthrough]];
        case ArgKind::Struct: {
            const bool is_struct = n.kind == ArgKind::Struct;
            if (n.inverted) out.push_back('~');
            out.push_back(is_struct ? '{' : '[');
            bool first = true;
            for (NodeId c = n.first_child; c != kNoNode; c = tree.node(c).next) {
                if (!first) append(out, n.spaced ? " " : ", ");
                first = false;
                if (const std::string_view key = member_key(tree, c, style.xlat); !key.empty()) {
                    append(out, key);
                    out.push_back('=');
                }
                if (const NodeId value = tree.node(c).first_child; n.indexed && value != kNoNode) {
                    out.push_back('[');
                    append_strace_value(out, tree, c, style);
                    append(out, "]=");
                    append_strace_value(out, tree, value, style);
                    continue;
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

bool only_entry_half(const ArgTree& tree) {
    return tree.entry_arg_count > 0 && !tree.entry_complete &&
           tree.child_count(tree.root()) == tree.entry_arg_count;
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

void append_tampering_note(fmt::memory_buffer& out, const SyscallEvent& call) {
    if (call.injected) out.append(std::string_view(" (INJECTED)"));
    if (call.delayed) out.append(std::string_view(" (DELAYED)"));
}

namespace {

// One buffer of a dump: strace's dumpstr.
void append_dump_data(fmt::memory_buffer& out, const IoDumpPart& part, std::string_view bytes,
                      pid_t tid) {
    constexpr std::size_t kLine = 16;
    constexpr std::uint64_t kFetchChunk = 64 * 1024;
    static constexpr char kHex[] = "0123456789abcdef";
    // The offset column: five hex digits, more for a buffer past 1 MiB.
    int offset_digits = 5;
    if (part.length > (std::uint64_t{1} << 20)) {
        offset_digits = 1 + static_cast<int>(std::bit_width(part.length - 1) - 1) / 4;
    }
    auto it = std::back_inserter(out);
    for (std::size_t at = 0; at < bytes.size(); at += kLine) {
        char line[3 * kLine + 2 + kLine];
        std::memset(line, ' ', sizeof line);
        for (std::size_t j = 0; j < kLine && at + j < bytes.size(); ++j) {
            const auto c = static_cast<unsigned char>(bytes[at + j]);
            char* hex = line + 3 * j + (j >= kLine / 2 ? 1 : 0);
            hex[0] = kHex[c >> 4];
            hex[1] = kHex[c & 15];
            line[3 * kLine + 2 + j] = c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
        }
        fmt::format_to(it, " | {:0{}x}  {} |\n", at, offset_digits,
                       std::string_view(line, sizeof line));
    }
    if (bytes.size() < part.length && !bytes.empty()) {
        // A later piece could not be read: strace says so and stops.
        const std::uint64_t missing = std::min(part.length - bytes.size(), kFetchChunk);
        fmt::format_to(it, " | <Cannot fetch {} byte{} from pid {} @{:#x}>\n", missing,
                       missing == 1 ? "" : "s", tid, part.addr + bytes.size());
    }
}

}  // namespace

void append_strace_io_dump(fmt::memory_buffer& out, const ArgTree& tree, pid_t tid) {
    auto it = std::back_inserter(out);
    for (const IoDumpPart& part : tree.dump()) {
        switch (part.kind) {
            case IoDumpPart::Kind::Buffer:
                fmt::format_to(it, " * {} bytes in buffer {}\n", part.length, part.index);
                break;
            case IoDumpPart::Kind::Vector:
                fmt::format_to(it, " = {} buffers in vector {}\n", part.length, part.index);
                break;
            case IoDumpPart::Kind::Data:
                append_dump_data(out, part, tree.dump_bytes(part), tid);
                break;
        }
    }
}

namespace {

// Whether a node (or one of its children) is one of `paths`: a string
// argument, or an fd's decoration.
bool names_path(const ArgTree& tree, NodeId id, const std::vector<std::string>& paths) {
    const ArgNode& n = tree.node(id);
    if ((n.kind == ArgKind::Str && !n.truncated) || (n.kind == ArgKind::Int && n.fd)) {
        const std::string_view text =
            n.kind == ArgKind::Str ? n.text : strace_decoration_path(n.text, n.decoration);
        for (const std::string& path : paths) {
            if (text == path) return true;
        }
    }
    for (const NodeId c : tree.children(id)) {
        if (names_path(tree, c, paths)) return true;
    }
    return false;
}

}  // namespace

bool strace_call_names_path(const SyscallEvent& call, const std::vector<std::string>& paths) {
    const ArgTree* tree = call.decoded;
    if (!tree) return false;
    // The result's details count too (fds poll found ready past -s), and
    // the fds strace matches but does not print.
    const auto names = [&](NodeId id) { return id != kNoNode && names_path(*tree, id, paths); };
    return names(tree->root()) || names(tree->ret_aux) || names(tree->unshown_fds);
}

void append_strace_pid_translation(fmt::memory_buffer& out, std::string_view ours) {
    if (ours.empty()) return;
    // strace's words, naming strace: what a reader of strace's output expects.
    fmt::format_to(std::back_inserter(out), " /* {} in strace's PID NS */", ours);
}

void append_strace_stack(fmt::memory_buffer& out, const std::vector<StackFrame>& frames,
                         bool taken_earlier) {
    constexpr std::size_t kMaxFrames = 256;  // strace's walk stops there
    auto it = std::back_inserter(out);
    std::size_t depth = 0;
    for (const StackFrame& frame : frames) {
        if (frame.inlined) continue;
        if (depth == kMaxFrames) {
            out.append(std::string_view(" > too many stack frames\n"));
            return;
        }
        ++depth;
        if (frame.module.empty()) {
            if (frame.pc != 0)
                fmt::format_to(it, " > unexpected_backtracing_error [{:#x}]\n", frame.pc);
            return;
        }
        // libdwfl calls the vDSO "[vdso: PID]"; /proc/PID/maps, which strace
        // reads, "[vdso]".
        std::string_view module = frame.module;
        if (module.starts_with("[vdso")) module = "[vdso]";
        if (frame.elf_symbol.empty()) {
            fmt::format_to(it, " > {}({}) [{:#x}]\n", module, taken_earlier ? "+0x0" : "",
                           frame.file_offset);
            continue;
        }
        // C++ names as strace's demangler prints them: "ns::f(int)".
        std::string_view function = frame.elf_symbol;
        std::unique_ptr<char, decltype(&std::free)> demangled(nullptr, &std::free);
        if (function.starts_with("_Z")) {
            int status = 0;
            demangled.reset(
                abi::__cxa_demangle(frame.elf_symbol.c_str(), nullptr, nullptr, &status));
            if (demangled) function = demangled.get();
        }
        fmt::format_to(it, " > {}({}+{:#x}) [{:#x}]\n", module, function, frame.elf_symbol_offset,
                       frame.file_offset);
    }
}

}  // namespace sctrace
