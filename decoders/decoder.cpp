// The decoder registry and the argument shapes every family shares.
#include "decoders/decoder.h"

#include <signal.h>
#include <time.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

#include "decoders/signal_shapes.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// Per-ABI arrays indexed by syscall number, built once from the families'
// tables by name. Immutable after construction.
class Registry {
public:
    Registry() {
        const std::span<const SyscallDecoder> families[] = {
            net_decoders(),      desc_decoders(),   poll_decoders(),    futex_decoders(),
            io_uring_decoders(), signal_decoders(), process_decoders(),
        };
        for (const Arch arch : {Arch::X86_64, Arch::I386}) {
            auto& table = by_arch(arch);
            table.assign(static_cast<std::size_t>(syscall_table_size(arch)), nullptr);
            for (const auto& family : families) {
                for (const SyscallDecoder& decoder : family) {
                    if (const auto nr = syscall_number(arch, decoder.name)) {
                        table[static_cast<std::size_t>(*nr)] = &decoder;
                    }
                }
            }
        }
    }

    const SyscallDecoder* find(Arch arch, std::int64_t nr) const {
        if (arch == Arch::X32) {
            const SyscallInfo* info = syscall_info(arch, nr);
            if (!info) return nullptr;
            const auto native = syscall_number(Arch::X86_64, info->name);
            return native ? find(Arch::X86_64, *native) : nullptr;
        }
        if (arch != Arch::X86_64 && arch != Arch::I386) return nullptr;
        const auto& table = arch == Arch::X86_64 ? x86_64_ : i386_;
        if (nr < 0 || nr >= static_cast<std::int64_t>(table.size())) return nullptr;
        return table[static_cast<std::size_t>(nr)];
    }

private:
    std::vector<const SyscallDecoder*>& by_arch(Arch arch) {
        return arch == Arch::X86_64 ? x86_64_ : i386_;
    }
    std::vector<const SyscallDecoder*> x86_64_;
    std::vector<const SyscallDecoder*> i386_;
};

const Registry& registry() {
    static const Registry instance;
    return instance;
}

// strace's printargs for calls without a decoder: every argument in hex.
void decode_raw(DecodeContext& ctx) {
    const SyscallInfo* info = syscall_info(ctx.arch(), ctx.call().nr);
    const int nargs = info ? info->nargs : 6;
    for (int i = 0; i < nargs; ++i) ctx.tree().add_hex(ctx.root(), ctx.arg(i));
}

int expected_args(const SyscallEvent& call) {
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    return info ? info->nargs : 6;
}

std::size_t count_children(const ArgTree& tree, NodeId id) {
    std::size_t n = 0;
    for (NodeId c = tree.node(id).first_child; c != kNoNode; c = tree.node(c).next) ++n;
    return n;
}

}  // namespace

const SyscallDecoder* find_decoder(Arch arch, std::int64_t nr) {
    return registry().find(arch, nr);
}

void decode_entry(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                  const DecodeOptions& options) {
    tree.clear();
    DecodeContext ctx(call, tree, memory, options, false);
    const SyscallDecoder* decoder = find_decoder(call.arch, call.nr);
    if (!decoder) {
        decode_raw(ctx);
    } else if (decoder->entry) {
        decoder->entry(ctx);
    }
    const std::size_t n = count_children(tree, tree.root());
    tree.entry_arg_count = static_cast<std::uint16_t>(n);
    // A decoder may declare its list complete itself (calls whose later
    // arguments are optional, like fcntl(fd, F_GETFL)).
    tree.entry_complete = tree.entry_complete || !decoder || !decoder->exit ||
                          n >= static_cast<std::size_t>(expected_args(call));
}

void decode_exit(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                 const DecodeOptions& options) {
    const SyscallDecoder* decoder = find_decoder(call.arch, call.nr);
    if (!decoder || !decoder->exit) return;
    DecodeContext ctx(call, tree, memory, options, true);
    decoder->exit(ctx);
}

// ---------------------------------------------------------------------------
// Shared shapes

NodeId DecodeContext::add_cstring(NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    // Read page-sized pieces until the NUL, at most -s bytes (+1 to know
    // whether there was more).
    std::array<char, 4097> buf;
    const std::size_t limit = std::min(options_.string_limit, buf.size() - 1);
    std::size_t have = 0;
    while (have < limit + 1) {
        const std::uint64_t at = addr + have;
        const std::size_t in_page = 4096 - (at % 4096);
        const std::size_t want = std::min(in_page, limit + 1 - have);
        const std::size_t got = memory_.read(at, {buf.data() + have, want});
        if (const void* nul = std::memchr(buf.data() + have, '\0', got)) {
            have = static_cast<std::size_t>(static_cast<const char*>(nul) - buf.data());
            return tree_.add_str(parent, {buf.data(), have}, false, key);
        }
        have += got;
        if (got < want) break;
    }
    if (have == 0) return tree_.add_hex(parent, addr, key);  // unreadable
    return tree_.add_str(parent, {buf.data(), std::min(have, limit)}, have > limit, key);
}

NodeId DecodeContext::add_buffer(NodeId parent, std::uint64_t addr, std::uint64_t len,
                                 std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    std::array<char, 4096> buf;
    const std::size_t show =
        std::min<std::uint64_t>(std::min(options_.string_limit, buf.size()), len);
    const std::size_t got = memory_.read(addr, {buf.data(), show});
    if (got < show) return tree_.add_hex(parent, addr, key);
    return tree_.add_str(parent, {buf.data(), got}, len > show, key);
}

NodeId DecodeContext::add_int_ptr(NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    std::int32_t value = 0;
    if (!read_struct(addr, value)) return tree_.add_hex(parent, addr, key);
    const NodeId list = tree_.add_array(parent, key);
    tree_.add_int(list, value);
    return list;
}

NodeId DecodeContext::add_timespec(NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    struct timespec ts {};
    if (!read_struct(addr, ts)) return tree_.add_hex(parent, addr, key);
    const NodeId s = tree_.add_struct(parent, key);
    tree_.add_int(s, ts.tv_sec, "tv_sec");
    tree_.add_int(s, ts.tv_nsec, "tv_nsec");
    return s;
}

NodeId DecodeContext::add_timeval(NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    struct timeval tv {};
    if (!read_struct(addr, tv)) return tree_.add_hex(parent, addr, key);
    const NodeId s = tree_.add_struct(parent, key);
    tree_.add_int(s, tv.tv_sec, "tv_sec");
    tree_.add_int(s, tv.tv_usec, "tv_usec");
    return s;
}

NodeId DecodeContext::add_sigset(NodeId parent, std::uint64_t addr, std::uint64_t size,
                                 std::string_view key) {
    if (addr == 0) return tree_.add_ptr(parent, 0, key);
    std::uint64_t bits = 0;
    // strace decodes only whole kernel words: a shorter size prints the address.
    if (size < sizeof(long) || size > sizeof bits ||
        read(addr, {reinterpret_cast<char*>(&bits), size}) != size) {
        return tree_.add_hex(parent, addr, key);
    }
    return signal_shapes::add_sigset_bits(tree_, parent, bits, static_cast<unsigned>(size), key);
}

}  // namespace sctrace
