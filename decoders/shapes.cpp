#include "decoders/shapes.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <span>

#include "model/names.h"
#include "model/siginfo.h"
#include "model/xlat_tables.h"

namespace sctrace::shapes {

NodeId add_textf(ArgTree& tree, NodeId parent, std::string_view key, const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const std::size_t len =
        n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1);
    return tree.add_text_copy(parent, std::string_view(buf, len), key);
}

TextBuilder& TextBuilder::printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int k = std::vsnprintf(buf_.data() + n_, buf_.size() - n_, fmt, ap);
    va_end(ap);
    if (k > 0) n_ = std::min(buf_.size() - 1, n_ + static_cast<std::size_t>(k));
    return *this;
}

TextBuilder& TextBuilder::append(std::string_view text) {
    const std::size_t k = std::min(text.size(), buf_.size() - 1 - n_);
    std::memcpy(buf_.data() + n_, text.data(), k);
    n_ += k;
    return *this;
}

NodeId add_unknown(ArgTree& tree, NodeId parent, std::uint64_t value, std::string_view unknown,
                   std::string_view key, Unnamed as) {
    // An Enum no table names: the writer prints the number and the label
    // as -X says (model/arg_tree.h).
    ArgNode n;
    n.kind = ArgKind::Enum;
    n.value = value;
    n.key = key;
    n.enum_hex = as == Unnamed::Hex;
    n.text = tree.store(unknown);
    return tree.add(parent, n);
}

NodeId add_xval(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                std::string_view unknown, std::string_view key, Unnamed as) {
    const NodeId id = tree.add_enum(parent, value, table, key);
    if (id != kNoNode) {
        ArgNode& n = tree.mutable_node(id);
        n.enum_hex = as == Unnamed::Hex;
        n.text = unknown;  // a literal, as every caller passes
    }
    return id;
}

NodeId add_xflags(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                  std::string_view unknown, std::string_view key) {
    const NodeId id = tree.add_flags(parent, value, table, key);
    // A literal, like add_text's texts: no copy on every call.
    if (id != kNoNode) tree.mutable_node(id).text = unknown;
    return id;
}

NodeId add_sigset_bits(ArgTree& tree, NodeId parent, std::uint64_t bits, unsigned bytes,
                       std::string_view key) {
    // strace works in 32-bit words and inverts at two thirds of them set.
    const unsigned words = (bytes + 3) / 4;
    const unsigned nbits = words * 32;
    if (nbits < 64) bits &= (1ull << nbits) - 1;
    const bool inverted = static_cast<unsigned>(__builtin_popcountll(bits)) >= words * 32 * 2 / 3;
    if (inverted) bits = ~bits & (nbits == 64 ? ~0ull : ((1ull << nbits) - 1));
    const NodeId list = tree.add_array(parent, key);
    if (list == kNoNode) return list;
    tree.mutable_node(list).spaced = true;
    tree.mutable_node(list).inverted = inverted;
    for (unsigned i = 0; i < nbits; ++i) {
        if (!(bits & (1ull << i))) continue;
        const std::string_view name = signal_name(static_cast<int>(i) + 1);
        if (!name.empty()) {
            // "SIGUSR1" -> "USR1" (static storage), over its number for -X.
            tree.add_uint(tree.add_text(list, name.substr(3)), i + 1);
        } else {
            tree.add_uint(list, i + 1);
        }
    }
    return list;
}

NodeId add_sigset(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                  std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    const std::uint64_t word = ctx.arch() == Arch::X86_64 ? 8 : 4;
    std::uint64_t bits = 0;
    if (len < word || len > sizeof bits || (ctx.exiting() && ctx.failed()) ||
        ctx.read(addr, {reinterpret_cast<char*>(&bits), len}) != len) {
        return tree.add_ptr(parent, addr, key);
    }
    return add_sigset_bits(tree, parent, bits, static_cast<unsigned>(len), key);
}

NodeId add_fd(DecodeContext& ctx, NodeId parent, std::uint64_t raw, std::string_view key) {
    const int fd = static_cast<int>(raw);
    const NodeId id = ctx.tree().add_int(parent, fd, key);
    if (id != kNoNode) {
        const FdText text = ctx.fd_text(fd);
        ArgNode& n = ctx.tree().mutable_node(id);
        n.fd = true;
        n.text = text.text;
        n.decoration = text.decoration;
    }
    return id;
}

NodeId add_pid(DecodeContext& ctx, NodeId parent, std::int64_t pid, PidKind kind,
               std::string_view key, bool as_unsigned) {
    const NodeId id = as_unsigned
                          ? ctx.tree().add_uint(parent, static_cast<std::uint64_t>(pid), key)
                          : ctx.tree().add_int(parent, pid, key);
    if (id != kNoNode) {
        ArgNode& n = ctx.tree().mutable_node(id);
        n.pid = true;
        n.text = ctx.pid_in_tracer_namespace(pid, kind);
    }
    return id;
}

namespace {

struct CString {
    std::size_t length = 0;   // bytes before the NUL, or read when none was found
    bool terminated = false;  // the NUL was found within buf
};

// Reads a NUL-terminated string at addr into buf, page by page (a string
// may end right before an unmapped page), until the NUL, a full buf or
// unreadable memory.
CString read_cstring(DecodeContext& ctx, std::uint64_t addr, std::span<char> buf) {
    constexpr std::size_t kPage = 4096;
    std::size_t have = 0;
    while (have < buf.size()) {
        const std::uint64_t at = addr + have;
        const std::size_t want = std::min<std::size_t>(kPage - (at % kPage), buf.size() - have);
        const std::size_t got = ctx.read(at, {buf.data() + have, want});
        if (const void* nul = std::memchr(buf.data() + have, '\0', got)) {
            return {static_cast<std::size_t>(static_cast<const char*>(nul) - buf.data()), true};
        }
        have += got;
        if (got < want) break;
    }
    return {have, false};
}

}  // namespace

NodeId add_cstring(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    // At most -s bytes, +1 to know whether there was more.
    std::array<char, 4097> buf;
    const std::size_t limit = std::min(ctx.options().string_limit, buf.size() - 1);
    const CString s = read_cstring(ctx, addr, {buf.data(), limit + 1});
    if (s.terminated) return tree.add_str(parent, {buf.data(), s.length}, false, key);
    if (s.length == 0) return tree.add_hex(parent, addr, key);  // unreadable
    return tree.add_str(parent, {buf.data(), std::min(s.length, limit)}, s.length > limit, key);
}

NodeId add_path(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    constexpr std::size_t kPathMax = 4096;
    std::array<char, kPathMax> buf;
    const CString s = read_cstring(ctx, addr, buf);
    if (s.terminated) return tree.add_str(parent, {buf.data(), s.length}, false, key);
    if (s.length < kPathMax) return tree.add_hex(parent, addr, key);  // unreadable
    return tree.add_str(parent, {buf.data(), kPathMax - 1}, true, key);
}

NodeId add_buffer(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                  std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    std::array<char, 4096> buf;
    const std::size_t show =
        std::min<std::uint64_t>(std::min(ctx.options().string_limit, buf.size()), len);
    const std::size_t got = ctx.read(addr, {buf.data(), show});
    if (got < show) return tree.add_hex(parent, addr, key);
    return tree.add_str(parent, {buf.data(), got}, len > show, key);
}

NodeId add_int_ptr(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    std::int32_t value = 0;
    if (!ctx.read_value(addr, value)) return tree.add_hex(parent, addr, key);
    const NodeId list = tree.add_array(parent, key);
    tree.add_int(list, value);
    return list;
}

namespace {

// {tv_sec=..., <sub>=...} of a native struct whose two members are longs.
template <typename Time>
NodeId add_time(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key,
                std::string_view sub_key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    std::array<long, 2> fields{};
    static_assert(sizeof(Time) == sizeof fields);
    if (!ctx.read_struct(addr, fields)) return tree.add_hex(parent, addr, key);
    const NodeId s = tree.add_struct(parent, key);
    tree.add_int(s, fields[0], "tv_sec");
    // strace prints the fraction unsigned (zero-extended from its type).
    tree.add_uint(s, static_cast<unsigned long>(fields[1]), sub_key);
    return s;
}

}  // namespace

NodeId add_timespec(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    return add_time<struct timespec>(ctx, parent, addr, key, "tv_nsec");
}

NodeId add_timeval(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    return add_time<struct timeval>(ctx, parent, addr, key, "tv_usec");
}

NodeId add_siginfo_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return ctx.tree().add_ptr(parent, 0, key);
    siginfo_t si{};
    if ((ctx.exiting() && ctx.failed()) || !ctx.read_struct(addr, si)) {
        return ctx.tree().add_ptr(parent, addr, key);
    }
    return add_siginfo(ctx.tree(), parent, signal_event_of(si), key);
}

NodeId add_dirfd(DecodeContext& ctx, NodeId parent, std::uint64_t raw, std::string_view key) {
    const int fd = static_cast<int>(raw);
    if (fd != AT_FDCWD) return add_fd(ctx, parent, raw, key);
    const NodeId id = ctx.tree().add_enum(parent, static_cast<std::uint64_t>(std::int64_t{fd}),
                                          xlat::at_dirfd, key);
    if (id != kNoNode) {
        ArgNode& n = ctx.tree().mutable_node(id);
        n.fd = true;  // for its -y decoration only: -P never matches it
        n.text = ctx.cwd_path();
    }
    return id;
}

NodeId add_uid(ArgTree& tree, NodeId parent, std::uint32_t id, std::string_view key) {
    if (id == ~std::uint32_t{0}) return tree.add_int(parent, -1, key);
    return tree.add_uint(parent, id, key);
}

NodeId add_symbolic_mode(ArgTree& tree, NodeId parent, std::uint32_t mode, std::string_view key) {
    constexpr std::uint32_t kTypeMask = 0170000, kSuid = 04000, kSgid = 02000, kSvtx = 01000;
    const std::uint32_t type = mode & kTypeMask;
    std::string_view type_name;
    if (type != 0) {
        const auto name = xlat::mode_types.name_of(type);
        if (!name) return add_textf(tree, parent, key, "%#03o", mode);
        type_name = *name;
    }
    const NodeId id =
        add_textf(tree, parent, key, "%.*s%s%s%s%s%#03o", static_cast<int>(type_name.size()),
                  type_name.data(), type_name.empty() ? "" : "|", (mode & kSuid) ? "S_ISUID|" : "",
                  (mode & kSgid) ? "S_ISGID|" : "", (mode & kSvtx) ? "S_ISVTX|" : "",
                  mode & ~(kTypeMask | kSuid | kSgid | kSvtx));
    // The number itself, for -X raw (0100644) and -X verbose (0100644 /*
    // S_IFREG|0644 */); without a type the octal text is the number already.
    if (!type_name.empty()) add_textf(tree, id, {}, "%#o", mode);
    return id;
}

NodeId add_dev(ArgTree& tree, NodeId parent, std::uint64_t dev, std::string_view key) {
    const NodeId id =
        add_textf(tree, parent, key, "makedev(%#x, %#x)", gnu_dev_major(dev), gnu_dev_minor(dev));
    tree.add_hex(id, dev);  // -X raw: 0x801; -X verbose: 0x801 /* makedev(0x8, 0x1) */
    return id;
}

NodeId add_string_n(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                    bool zero_terminated, std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    std::array<char, 4097> buf;
    const std::size_t limit = std::min(ctx.options().string_limit, buf.size() - 1);
    // One byte more than -s shows, to know whether more followed.
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(limit + 1, len));
    if (!zero_terminated) {
        if (ctx.read(addr, {buf.data(), want}) != want) return tree.add_hex(parent, addr, key);
        const std::size_t show = std::min(want, limit);
        return tree.add_str(parent, {buf.data(), show}, len > limit, key);
    }
    const CString s = read_cstring(ctx, addr, {buf.data(), want});
    if (!s.terminated && s.length < want) return tree.add_hex(parent, addr, key);
    if (s.terminated) return tree.add_str(parent, {buf.data(), s.length}, false, key);
    // No NUL in what was read: what -s allows of it, then "...".
    return tree.add_str(parent, {buf.data(), std::min(want, limit)}, want != 0, key);
}

NodeId add_pathn(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t n,
                 std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    constexpr std::size_t kPathMax = 4096;
    std::array<char, kPathMax> buf;
    const std::size_t most = static_cast<std::size_t>(std::min<std::uint64_t>(n, kPathMax - 1));
    const CString s = read_cstring(ctx, addr, {buf.data(), most + 1});
    if (s.terminated) return tree.add_str(parent, {buf.data(), s.length}, false, key);
    if (s.length < most + 1) return tree.add_hex(parent, addr, key);  // unreadable
    return tree.add_str(parent, {buf.data(), most}, true, key);
}

NodeId add_num_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr, unsigned size, NumAs as,
                  std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    std::uint64_t raw = 0;
    if (size > sizeof raw || (ctx.exiting() && ctx.failed()) ||
        ctx.read(addr, {reinterpret_cast<char*>(&raw), size}) != size) {
        return tree.add_hex(parent, addr, key);
    }
    const NodeId list = tree.add_array(parent, key);
    switch (as) {
        case NumAs::Signed:
            tree.add_int(
                list, size == 4 ? static_cast<std::int32_t>(raw) : static_cast<std::int64_t>(raw));
            break;
        case NumAs::Unsigned:
            tree.add_uint(list, raw);
            break;
        case NumAs::Hex:
            tree.add_hex(list, raw);
            break;
        case NumAs::Address:
            tree.add_ptr(list, raw);
            break;
    }
    return list;
}

namespace {

// Appends to out[n..] what fits; returns the new length.
std::size_t append_to(std::span<char> out, std::size_t n, std::string_view text) {
    const std::size_t k = std::min(text.size(), out.size() - std::min(n, out.size()));
    std::memcpy(out.data() + n, text.data(), k);
    return n + k;
}

std::size_t append_hex(std::span<char> out, std::size_t n, std::uint64_t value) {
    char num[24];
    const int k = std::snprintf(num, sizeof num, "%#" PRIx64, value);
    return append_to(out, n, std::string_view(num, static_cast<std::size_t>(std::max(k, 0))));
}

std::size_t append_unknown(std::span<char> out, std::size_t n, std::string_view unknown) {
    if (unknown.empty()) return n;
    n = append_to(out, n, " /* ");
    n = append_to(out, n, unknown);
    return append_to(out, n, " */");
}

}  // namespace

std::size_t format_flags(std::uint64_t value, const XlatTable& table, std::span<char> out,
                         std::string_view unknown) {
    if (value == 0) {
        const auto zero = table.name_of(0);
        return append_to(out, 0, zero ? *zero : std::string_view("0"));
    }
    std::size_t n = 0;
    std::uint64_t left = value;
    bool first = true;
    for (const XlatEntry& e : table.entries) {
        if (e.value == 0 || (left & e.value) != e.value) continue;
        if (!first) n = append_to(out, n, "|");
        n = append_to(out, n, e.name);
        left &= ~e.value;
        first = false;
    }
    if (left != 0) {
        if (!first) n = append_to(out, n, "|");
        n = append_hex(out, n, left);
        if (first) n = append_unknown(out, n, unknown);
    }
    return n;
}

std::size_t format_xval(std::uint64_t value, const XlatTable& table, std::span<char> out,
                        std::string_view unknown) {
    if (const auto name = table.name_of(value)) return append_to(out, 0, *name);
    return append_unknown(out, value == 0 ? append_to(out, 0, "0") : append_hex(out, 0, value),
                          unknown);
}

std::size_t format_time_nsec(std::int64_t sec, std::uint64_t nsec, std::span<char> out) {
    if ((sec == 0 && nsec == 0) || nsec > 999'999'999) return 0;
    const auto t = static_cast<std::time_t>(sec);
    std::tm tm{};
    if (!localtime_r(&t, &tm)) return 0;
    std::size_t n = std::strftime(out.data(), out.size(), "%FT%T", &tm);
    if (n == 0) return 0;
    if (nsec > 0) {
        const int k = std::snprintf(out.data() + n, out.size() - n, ".%09llu",
                                    static_cast<unsigned long long>(nsec));
        if (k < 0 || static_cast<std::size_t>(k) >= out.size() - n) return 0;
        n += static_cast<std::size_t>(k);
    }
    const std::size_t z = std::strftime(out.data() + n, out.size() - n, "%z", &tm);
    return z ? n + z : 0;
}

}  // namespace sctrace::shapes
