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

}  // namespace sctrace::shapes
