// Decoders of the creds family: setuid, setgid, setfsuid, setfsgid,
// setreuid, setregid, setresuid, setresgid, getresuid, getresgid,
// getgroups, setgroups (and i386's 16-bit and *32 twins), capget, capset.
// See decoders/decoder.h.
//
// What strace 6.1 prints: ids as unsigned numbers, (uid_t)-1 as -1; the
// ids and groups the kernel writes, and capget's sets, at exit.
#include <unistd.h>

#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// i386's original id calls (setuid, chown ...) take 16-bit ids; their
// *32 twins and every x86_64 call take 32-bit ones.
template <bool kWide>
std::uint32_t id_of(const DecodeContext& ctx, std::uint64_t raw) {
    if (!kWide && ctx.arch() == Arch::I386) {
        const auto id16 = static_cast<std::uint16_t>(raw);
        return id16 == 0xffff ? ~std::uint32_t{0} : id16;
    }
    return static_cast<std::uint32_t>(raw);
}

template <bool kWide>
void id_arg(DecodeContext& ctx, int i) {
    shapes::add_uid(ctx.tree(), ctx.root(), id_of<kWide>(ctx, ctx.arg(i)));
}

template <bool kWide>
void one_id_entry(DecodeContext& ctx) {
    id_arg<kWide>(ctx, 0);
}

template <bool kWide>
void two_ids_entry(DecodeContext& ctx) {
    id_arg<kWide>(ctx, 0);
    id_arg<kWide>(ctx, 1);
}

template <bool kWide>
void three_ids_entry(DecodeContext& ctx) {
    id_arg<kWide>(ctx, 0);
    id_arg<kWide>(ctx, 1);
    id_arg<kWide>(ctx, 2);
}

// getresuid's three pointers: "[1000]" each, or the address.
template <bool kWide>
void getresuid_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const unsigned size = !kWide && ctx.arch() == Arch::I386 ? 2 : 4;
    for (int i = 0; i < 3; ++i) {
        const std::uint64_t addr = ctx.arg(i);
        std::uint32_t raw = 0;
        if (addr == 0) {
            tree.add_ptr(ctx.root(), 0);
        } else if ((ctx.exiting() && ctx.failed()) ||
                   ctx.read(addr, {reinterpret_cast<char*>(&raw), size}) != size) {
            tree.add_hex(ctx.root(), addr);
        } else {
            const NodeId list = tree.add_array(ctx.root());
            shapes::add_uid(tree, list, id_of<kWide>(ctx, raw));
        }
    }
}

// A group list (print_groups): the address when longer than the system's
// NGROUPS_MAX, else print_array of ids.
template <bool kWide>
void add_groups(DecodeContext& ctx, std::uint32_t len, std::uint64_t addr) {
    static const long ngroups_max = ::sysconf(_SC_NGROUPS_MAX);
    if (ngroups_max >= 0 && len > static_cast<unsigned long>(ngroups_max)) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    if (ctx.exiting() && ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    const bool narrow = !kWide && ctx.arch() == Arch::I386;
    auto elem = [narrow](DecodeContext& c, NodeId list, const char* bytes) {
        std::uint32_t raw = 0;
        std::memcpy(&raw, bytes, narrow ? 2 : 4);
        shapes::add_uid(c.tree(), list, id_of<kWide>(c, raw));
    };
    shapes::add_array<4>(ctx, ctx.root(), addr, len, elem, narrow ? 2 : 4);
}

template <bool kWide>
void setgroups_entry(DecodeContext& ctx) {
    const int len = static_cast<int>(ctx.arg(0));
    ctx.tree().add_int(ctx.root(), len);
    add_groups<kWide>(ctx, static_cast<std::uint32_t>(len), ctx.arg(1));
}

void getgroups_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
}

template <bool kWide>
void getgroups_exit(DecodeContext& ctx) {
    add_groups<kWide>(ctx, static_cast<std::uint32_t>(ctx.ret()), ctx.arg(1));
}

// --- capabilities ---

constexpr std::uint32_t kCapV2 = 0x20071026, kCapV3 = 0x20080522;

struct CapHeader {
    std::uint32_t version;
    std::int32_t pid;
};

// The header, when there is one to read.
bool read_cap_header(DecodeContext& ctx, CapHeader& h) {
    return ctx.read_value(ctx.arg(0), h);
}

void add_cap_header(DecodeContext& ctx) {
    CapHeader h;
    if (!read_cap_header(ctx, h)) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
        return;
    }
    const NodeId s = ctx.tree().add_struct(ctx.root());
    shapes::add_xval(ctx.tree(), s, h.version, xlat::cap_versions, "_LINUX_CAPABILITY_VERSION_???",
                     "version");
    ctx.tree().add_int(s, h.pid, "pid");
}

// One set: the low word's capabilities, then the high word's
// ("1<<CAP_CHOWN|...|1<<CAP_MAC_OVERRIDE").
void add_cap_bits(ArgTree& tree, NodeId s, std::uint32_t lo, std::uint32_t hi,
                  std::string_view key) {
    char text[2048];
    std::size_t n = 0;
    if (lo || !hi) n = shapes::format_flags(lo, xlat::cap_mask0, text, "CAP_???");
    if (hi) {
        if (lo && n < sizeof text) text[n++] = '|';
        n += shapes::format_flags(hi, xlat::cap_mask1, {text + n, sizeof text - n}, "CAP_???");
    }
    tree.add_text_copy(s, std::string_view(text, n), key);
}

void add_cap_data(DecodeContext& ctx, bool have_header, const CapHeader& h) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(1);
    if (addr == 0 || !have_header) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    // Two words of each set from version 2 on.
    const std::size_t words = h.version == kCapV2 || h.version == kCapV3 ? 2 : 1;
    std::uint32_t data[2][3] = {};
    const std::size_t bytes = words * sizeof data[0];
    if ((ctx.exiting() && ctx.failed()) ||
        ctx.read(addr, {reinterpret_cast<char*>(data), bytes}) != bytes) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    static constexpr std::string_view kSets[] = {"effective", "permitted", "inheritable"};
    for (int i = 0; i < 3; ++i) add_cap_bits(tree, s, data[0][i], data[1][i], kSets[i]);
}

void capget_exit(DecodeContext& ctx) {
    CapHeader h{};
    const bool have = !ctx.failed() && read_cap_header(ctx, h);
    add_cap_data(ctx, have, h);
}

void capset_entry(DecodeContext& ctx) {
    add_cap_header(ctx);
    CapHeader h{};
    const bool have = read_cap_header(ctx, h);
    add_cap_data(ctx, have, h);
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"setuid", one_id_entry<false>, nullptr},
    {"setgid", one_id_entry<false>, nullptr},
    {"setfsuid", one_id_entry<false>, nullptr},
    {"setfsgid", one_id_entry<false>, nullptr},
    {"setuid32", one_id_entry<true>, nullptr},
    {"setgid32", one_id_entry<true>, nullptr},
    {"setfsuid32", one_id_entry<true>, nullptr},
    {"setfsgid32", one_id_entry<true>, nullptr},
    {"setreuid", two_ids_entry<false>, nullptr},
    {"setregid", two_ids_entry<false>, nullptr},
    {"setreuid32", two_ids_entry<true>, nullptr},
    {"setregid32", two_ids_entry<true>, nullptr},
    {"setresuid", three_ids_entry<false>, nullptr},
    {"setresgid", three_ids_entry<false>, nullptr},
    {"setresuid32", three_ids_entry<true>, nullptr},
    {"setresgid32", three_ids_entry<true>, nullptr},
    {"getresuid", nullptr, getresuid_exit<false>},
    {"getresgid", nullptr, getresuid_exit<false>},
    {"getresuid32", nullptr, getresuid_exit<true>},
    {"getresgid32", nullptr, getresuid_exit<true>},
    {"getgroups", getgroups_entry, getgroups_exit<false>},
    {"getgroups32", getgroups_entry, getgroups_exit<true>},
    {"setgroups", setgroups_entry<false>, nullptr},
    {"setgroups32", setgroups_entry<true>, nullptr},
    {"capget", add_cap_header, capget_exit},
    {"capset", capset_entry, nullptr},
};

}  // namespace

std::span<const SyscallDecoder> creds_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
