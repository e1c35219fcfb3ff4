// strace's printing idioms, one implementation for every family decoder:
// a constant by table (printxval), a bit set by table (printflags), the
// "0x10 /* EFD_??? */" form of a value no table entry names, signal sets,
// strings and paths read from the tracee, buffers, int results, times.
// Family-specific shapes build on these (desc_shapes.h, net_shapes.h,
// sockaddr.h); signals and siginfo are model/siginfo.h.
//
// Everything here builds tree nodes from fixed local buffers: no allocation.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "decoders/decoder.h"
#include "model/arg_tree.h"

namespace sctrace::shapes {

// Formats into the arena as a Text node (printf-style; at most 1 KiB).
[[gnu::format(printf, 4, 5)]] NodeId add_textf(ArgTree& tree, NodeId parent, std::string_view key,
                                               const char* fmt, ...);

// How strace prints a value its table does not name: hex for printxval and
// printflags, decimal for the *_U variants (io_uring's opcodes).
enum class Unnamed : std::uint8_t { Hex, Decimal };

// "0x10 /* EFD_??? */" ("16 /* IORING_OP_??? */" in decimal).
// A file descriptor: strace's printfd prints the C int, and with -y what it
// names ("3</dev/null>"); marked as an fd for -P.
NodeId add_fd(DecodeContext& ctx, NodeId parent, std::uint64_t raw, std::string_view key = {});
// A process id (strace's printpid): the number, and with
// --decode-pids=pidns sctrace's number for it when the tracee's namespace
// numbers it differently ("2 /* 4711 in strace's PID NS */"). `as_unsigned`:
// a field strace prints unsigned (nl_pid).
NodeId add_pid(DecodeContext& ctx, NodeId parent, std::int64_t pid, PidKind kind,
               std::string_view key = {}, bool as_unsigned = false);

NodeId add_unknown(ArgTree& tree, NodeId parent, std::uint64_t value, std::string_view unknown,
                   std::string_view key = {}, Unnamed as = Unnamed::Hex);
// printxval: the table's name for the value, else add_unknown.
NodeId add_xval(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                std::string_view unknown, std::string_view key = {}, Unnamed as = Unnamed::Hex);
// printflags: the names of the set bits joined by '|', the rest as "|0x..";
// a value in which no entry is named at all prints as add_unknown ("0" stays
// 0). Always a Flags node, so the rules read its bits either way.
// `unknown` must outlive the tree (a literal, as every caller passes).
NodeId add_xflags(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                  std::string_view unknown, std::string_view key = {});

// A signal set held in `bits` (`bytes` of it meaningful: 4 or 8), strace's
// way: [USR1 TERM], or ~[...] for the complement when two thirds or more of
// the bits are set (~[] is "every signal").
NodeId add_sigset_bits(ArgTree& tree, NodeId parent, std::uint64_t bits, unsigned bytes,
                       std::string_view key = {});
// A sigset_t* of `len` bytes (strace's print_sigset_addr_len): NULL; the
// address when `len` is less than a word of the tracee's ABI or more than
// the kernel's 8 bytes, when the memory cannot be read, or at the exit of
// a call that failed (strace prints only the address of an output it did
// not fill); else the set.
NodeId add_sigset(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                  std::string_view key = {});

// A siginfo_t* (waitid, rt_sigqueueinfo): NULL, the struct as
// model/siginfo.h shows it, or the address when unreadable or when the call
// failed and did not fill it.
NodeId add_siginfo_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                      std::string_view key = {});
// strace's print_array: NULL; [] for no elements; the address when the
// first element cannot be read or the array's size overflows; at most -s
// elements (all with -v), then "..."; "... /* 0xADDR */" where a later element cannot be
// read. Elements are `elem_size` bytes (at most kMaxElemSize);
// `elem(ctx, list, bytes)` adds one from its raw bytes. `max_elems`: a
// limit of the call's own, even with -v (futex_waitv's 128 waiters).
template <std::size_t kMaxElemSize, typename Fn>
NodeId add_array(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t count,
                 Fn&& elem, std::size_t elem_size = kMaxElemSize, std::string_view key = {},
                 std::uint64_t max_elems = ~std::uint64_t{0}) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    if (count == 0) return tree.add_array(parent, key);
    if (elem_size == 0 || elem_size > kMaxElemSize || count > ~std::uint64_t{0} / elem_size ||
        addr + count * elem_size < addr) {
        return tree.add_hex(parent, addr, key);
    }
    std::array<char, kMaxElemSize> bytes{};
    if (ctx.read(addr, {bytes.data(), elem_size}) != elem_size) {
        return tree.add_hex(parent, addr, key);
    }
    const NodeId list = tree.add_array(parent, key);
    if (list == kNoNode) return list;
    // -v shows every element. The next element is read before the limit
    // is checked, as strace does: an unreadable one is named even there.
    const std::uint64_t limit = std::min(ctx.array_limit(), max_elems);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t at = addr + i * elem_size;
        if (i > 0 && ctx.read(at, {bytes.data(), elem_size}) != elem_size) {
            add_textf(tree, list, {}, "... /* %#llx */", static_cast<unsigned long long>(at));
            break;
        }
        if (i >= limit) {
            tree.mark_truncated(list);
            break;
        }
        elem(ctx, list, bytes.data());
        if (tree.overflowed()) break;
    }
    return list;
}
// A NUL-terminated string (printstr): quoted, at most -s bytes, "..." after
// the quote when longer; the address in hex when unreadable; NULL for 0.
NodeId add_cstring(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                   std::string_view key = {});
// A path (printpath): like add_cstring but whole, up to PATH_MAX, not cut
// at -s; the address when unreadable or cut short by unreadable memory.
NodeId add_path(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key = {});
// A buffer of `len` bytes (read/write data): at most -s of them shown.
NodeId add_buffer(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                  std::string_view key = {});
// A pointer to an int, printed as [value] (socklen_t*, int* results).
NodeId add_int_ptr(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                   std::string_view key = {});
// A native struct timespec / timeval: {tv_sec=5, tv_nsec=0}.
NodeId add_timespec(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                    std::string_view key = {});
NodeId add_timeval(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                   std::string_view key = {});

// Quotes bytes as strace's print_quoted_string does, into out (with the
// quotes); force_hex gives "\x00\x40" for every byte. Returns the length.
inline std::size_t quote(char* out, std::size_t cap, std::span<const char> bytes,
                         bool force_hex = false) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t n = 0;
    auto put = [&](char c) {
        if (n < cap) out[n++] = c;
    };
    put('"');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (force_hex) {
            put('\\');
            put('x');
            put(kHex[c >> 4]);
            put(kHex[c & 15]);
            continue;
        }
        switch (c) {
            case '"':
                put('\\');
                put('"');
                continue;
            case '\\':
                put('\\');
                put('\\');
                continue;
            case '\f':
                put('\\');
                put('f');
                continue;
            case '\n':
                put('\\');
                put('n');
                continue;
            case '\r':
                put('\\');
                put('r');
                continue;
            case '\t':
                put('\\');
                put('t');
                continue;
            case '\v':
                put('\\');
                put('v');
                continue;
            default:
                break;
        }
        if (c >= 0x20 && c < 0x7f) {
            put(static_cast<char>(c));
            continue;
        }
        // Shortest octal, three digits when a digit follows.
        const bool next_digit = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
        put('\\');
        if (next_digit || c >= 64) put(static_cast<char>('0' + (c >> 6)));
        if (next_digit || c >= 8) put(static_cast<char>('0' + ((c >> 3) & 7)));
        put(static_cast<char>('0' + (c & 7)));
    }
    put('"');
    return n;
}

// printstr_ex(..., QUOTE_FORCE_HEX): at most -s bytes of the buffer as
// "\x01\x00", "..." after when longer; the address when unreadable.
inline NodeId add_hex_buffer(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                             std::uint64_t len, std::string_view key = {}) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    char data[256];
    const std::size_t show = std::min<std::uint64_t>(
        std::min<std::size_t>(ctx.options().string_limit, sizeof data), len);
    if (ctx.read(addr, {data, show}) < show) return tree.add_hex(parent, addr, key);
    char text[sizeof data * 4 + 8];
    std::size_t n = quote(text, sizeof text - 3, {data, show}, true);
    if (len > show) {
        text[n++] = '.';
        text[n++] = '.';
        text[n++] = '.';
    }
    return tree.add_text_copy(parent, std::string_view(text, n), key);
}

// A value composed as one text before it becomes a Text node ("0x55d0 /*
// 7 entries */", termios' c_cc list): a fixed buffer, cut at its size.
class TextBuilder {
public:
    [[gnu::format(printf, 2, 3)]] TextBuilder& printf(const char* fmt, ...);
    TextBuilder& append(std::string_view text);
    std::string_view view() const { return {buf_.data(), n_}; }
    NodeId add_to(ArgTree& tree, NodeId parent, std::string_view key = {}) const {
        return tree.add_text_copy(parent, view(), key);
    }

private:
    std::array<char, 1024> buf_{};
    std::size_t n_ = 0;
};

// --- the shapes of files, ids and numbers behind pointers ---

// A directory fd (print_dirfd): AT_FDCWD by name, with -y the working
// directory after it ("AT_FDCWD</home>"); any other value as add_fd.
NodeId add_dirfd(DecodeContext& ctx, NodeId parent, std::uint64_t raw, std::string_view key = {});
// A user or group id (printuid): -1 for (uid_t)-1, else unsigned.
NodeId add_uid(ArgTree& tree, NodeId parent, std::uint32_t id, std::string_view key = {});
// A mode with its file type (print_symbolic_mode_t): "S_IFREG|0644",
// "S_IFDIR|S_ISVTX|0777", "0644" without a type, the bare octal number
// when the type is none strace knows.
NodeId add_symbolic_mode(ArgTree& tree, NodeId parent, std::uint32_t mode,
                         std::string_view key = {});
// A device number (print_dev_t): makedev(0x8, 0x1).
NodeId add_dev(ArgTree& tree, NodeId parent, std::uint64_t dev, std::string_view key = {});
// strace's printstr_ex for a string of at most `len` bytes: -s of them
// shown. `zero_terminated` (QUOTE_0_TERMINATED): it ends at a NUL, and
// "..." follows when none was found in what was read; otherwise "..."
// follows when `len` is over -s. NULL for 0; the address when unreadable.
NodeId add_string_n(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                    bool zero_terminated, std::string_view key = {});
// A path of at most `n` bytes (printpathn), "..." after it when no NUL
// ends it there.
NodeId add_pathn(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t n,
                 std::string_view key = {});
// How add_num_at prints the number it reads.
enum class NumAs : std::uint8_t { Signed, Unsigned, Hex, Address /* NULL for 0 */ };
// printnum_int, printnum_int64, printnum_ulong, printnum_kptr (Address): the `size`
// bytes (4 or 8) at addr in brackets ("[4096]", "[0x7f00...]"); NULL for 0;
// the address when unreadable or at the exit of a failed call.
NodeId add_num_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr, unsigned size, NumAs as,
                  std::string_view key = {});
// printflags into `out` for values composed into one text (statx's
// "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW", termios fields): the names of
// the set bits in table order joined by '|', the rest as "0x..", "0" (or
// the table's zero name) for 0; with `unknown`, a value no entry names is
// "0x.. /* unknown */". Returns the length (cut at out's size).
std::size_t format_flags(std::uint64_t value, const XlatTable& table, std::span<char> out,
                         std::string_view unknown = {});
// printxval into `out`: the table's name, else "0x.." (with " /* unknown */"
// when given). Returns the length.
std::size_t format_xval(std::uint64_t value, const XlatTable& table, std::span<char> out,
                        std::string_view unknown = {});
// A local time as strace's comments show it (sprinttime_nsec):
// "2024-01-02T03:04:05.123456789+0100"; empty for 0, an invalid nsec or a
// time localtime cannot place. Into `out`; its length.
std::size_t format_time_nsec(std::int64_t sec, std::uint64_t nsec, std::span<char> out);

}  // namespace sctrace::shapes
