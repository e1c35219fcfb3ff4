#include "decoders/signal_shapes.h"

#include <string.h>

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "model/xlat_tables.h"

namespace sctrace::signal_shapes {

std::string_view signal_name(int signo) {
    if (signo <= 0) return {};
    return xlat::sig_names.name_of(static_cast<std::uint64_t>(signo)).value_or(std::string_view{});
}

std::optional<int> signal_number(std::string_view name) {
    if (const auto n = xlat::sig_names.value_of(name)) return static_cast<int>(*n);
    if (const auto n = xlat::sig_name_aliases.value_of(name)) return static_cast<int>(*n);
    if (name.empty()) return std::nullopt;
    if (!name.starts_with("SIG")) {
        // A number, as strace prints a signal it has no name for.
        int n = 0;
        const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
        if (ec == std::errc{} && end == name.data() + name.size() && n > 0 && n <= 64) return n;
        // A set member or a rule's short form: "USR1", "RT_2".
        char full[24] = "SIG";
        if (name.size() + 3 >= sizeof full) return std::nullopt;
        std::memcpy(full + 3, name.data(), name.size());
        return signal_number(std::string_view(full, name.size() + 3));
    }
    return std::nullopt;
}

std::string_view signal_name_or_number(int signo, std::span<char> scratch) {
    if (const std::string_view name = signal_name(signo); !name.empty()) return name;
    const int n = std::snprintf(scratch.data(), scratch.size(), "%d", signo);
    return {scratch.data(), static_cast<std::size_t>(n > 0 ? n : 0)};
}

NodeId add_signal(ArgTree& tree, NodeId parent, int signo, std::string_view key) {
    // Sign-extended, so that an unnamed negative number prints as such.
    return tree.add_enum(parent, static_cast<std::uint64_t>(static_cast<std::int64_t>(signo)),
                         xlat::sig_names, key);
}

NodeId add_unknown(ArgTree& tree, NodeId parent, std::uint64_t value, std::string_view unknown,
                   std::string_view key) {
    char text[96];
    const int n = std::snprintf(text, sizeof text, "%#" PRIx64 " /* %.*s */", value,
                                static_cast<int>(unknown.size()), unknown.data());
    return tree.add_text_copy(parent, std::string_view(text, static_cast<std::size_t>(n)), key);
}

NodeId add_enum(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                std::string_view unknown, std::string_view key) {
    if (!table.name_of(value)) return add_unknown(tree, parent, value, unknown, key);
    return tree.add_enum(parent, value, table, key);
}

NodeId add_flags(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                 std::string_view unknown, std::string_view key) {
    bool any = false;
    for (const XlatEntry& e : table.entries) {
        if (e.value != 0 && (value & e.value) == e.value) any = true;
    }
    if (value != 0 && !any) return add_unknown(tree, parent, value, unknown, key);
    return tree.add_flags(parent, value, table, key);
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
            tree.add_text(list, name.substr(3));  // "SIGUSR1" -> "USR1"; static storage
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
    // The kernel's sigset is 8 bytes; strace prints anything else as the
    // address, as it does an output set of a call that failed.
    std::uint64_t bits = 0;
    if (len != 8 || (ctx.exiting() && ctx.failed()) || !ctx.read_struct(addr, bits)) {
        return tree.add_ptr(parent, addr, key);
    }
    return add_sigset_bits(tree, parent, bits, 8, key);
}

SiginfoFields siginfo_fields(const siginfo_t& si) {
    SiginfoFields f;
    f.signo = si.si_signo;
    f.code = si.si_code;
    f.errno_value = si.si_errno;
    f.pid = si.si_pid;
    f.uid = si.si_uid;
    f.status = si.si_status;
    f.utime = si.si_utime;
    f.stime = si.si_stime;
    f.addr = reinterpret_cast<std::uintptr_t>(si.si_addr);
    f.value = reinterpret_cast<std::uintptr_t>(si.si_value.sival_ptr);
    f.band = si.si_band;
    f.fd = si.si_fd;
    return f;
}

namespace {

const XlatTable* si_code_table(int signo) {
    switch (signo) {
        case SIGTRAP:
            return &xlat::sig_code_trap;
        case SIGCHLD:
            return &xlat::sig_code_chld;
        case SIGIO:
            return &xlat::sig_code_poll;
        case SIGILL:
            return &xlat::sig_code_ill;
        case SIGFPE:
            return &xlat::sig_code_fpe;
        case SIGSEGV:
            return &xlat::sig_code_segv;
        case SIGBUS:
            return &xlat::sig_code_bus;
        case SIGSYS:
            return &xlat::sig_code_sys;
        default:
            return nullptr;
    }
}

}  // namespace

std::string_view si_code_name(int signo, int code) {
    const auto as_key = static_cast<std::uint64_t>(static_cast<std::int64_t>(code));
    if (const auto name = xlat::sig_code_generic.name_of(as_key)) return *name;
    const XlatTable* table = si_code_table(signo);
    if (!table) return {};
    return table->name_of(as_key).value_or(std::string_view{});
}

std::optional<int> si_code_number(int signo, std::string_view name) {
    const auto as_int = [](std::uint64_t v) {
        return static_cast<int>(static_cast<std::int64_t>(v));
    };
    if (const auto v = xlat::sig_code_generic.value_of(name)) return as_int(*v);
    if (const XlatTable* table = si_code_table(signo)) {
        if (const auto v = table->value_of(name)) return as_int(*v);
    }
    int n = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && end == name.data() + name.size() && !name.empty()) return n;
    return std::nullopt;
}

namespace {

void add_source(ArgTree& tree, NodeId s, const SiginfoFields& si) {
    tree.add_int(s, si.pid, "si_pid");
    tree.add_uint(s, si.uid, "si_uid");
}

void add_value(ArgTree& tree, NodeId s, const SiginfoFields& si) {
    tree.add_int(s, static_cast<std::int32_t>(si.value), "si_int");
    tree.add_ptr(s, si.value, "si_ptr");
}

}  // namespace

NodeId add_siginfo(ArgTree& tree, NodeId parent, const SiginfoFields& si, std::string_view key) {
    const NodeId s = tree.add_struct(parent, key);
    if (s == kNoNode || si.signo == 0) return s;
    add_signal(tree, s, si.signo, "si_signo");
    if (const std::string_view code = si_code_name(si.signo, si.code); !code.empty()) {
        tree.add_text(s, code, "si_code");  // static storage
    } else {
        tree.add_int(s, si.code, "si_code");
    }
    if (si.errno_value != 0) {
        const char* name = strerrorname_np(si.errno_value);
        if (name) {
            tree.add_text_copy(s, name, "si_errno");
        } else {
            tree.add_int(s, si.errno_value, "si_errno");
        }
    }
    if (si.code <= 0) {  // sent by a process
        switch (si.code) {
            case SI_USER:
            case SI_TKILL:
                add_source(tree, s, si);
                break;
            case SI_TIMER:
                tree.add_hex(s, static_cast<std::uint32_t>(si.pid), "si_timerid");
                tree.add_int(s, static_cast<int>(si.uid), "si_overrun");
                add_value(tree, s, si);
                break;
            case SI_SIGIO:
                tree.add_int(s, si.band, "si_band");
                tree.add_int(s, si.fd, "si_fd");
                break;
            default:
                add_source(tree, s, si);
                if (si.value != 0) add_value(tree, s, si);
                break;
        }
        return s;
    }
    switch (si.signo) {
        case SIGCHLD:
            add_source(tree, s, si);
            if (si.code == CLD_EXITED) {
                tree.add_int(s, si.status, "si_status");
            } else {
                add_signal(tree, s, si.status, "si_status");
            }
            tree.add_int(s, si.utime, "si_utime");
            tree.add_int(s, si.stime, "si_stime");
            break;
        case SIGILL:
        case SIGFPE:
        case SIGBUS:
        case SIGSEGV:
        case SIGTRAP:
            tree.add_ptr(s, si.addr, "si_addr");
            break;
        case SIGIO:
            if (si.code == POLL_IN || si.code == POLL_OUT || si.code == POLL_MSG) {
                tree.add_int(s, si.band, "si_band");
                tree.add_int(s, si.fd, "si_fd");
            }
            break;
        default:
            if (si.pid != 0 || si.uid != 0) add_source(tree, s, si);
            if (si.value != 0) add_value(tree, s, si);
            break;
    }
    return s;
}

NodeId add_siginfo_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::string_view key) {
    if (addr == 0) return ctx.tree().add_ptr(parent, 0, key);
    siginfo_t si{};
    if ((ctx.exiting() && ctx.failed()) || !ctx.read_struct(addr, si)) {
        return ctx.tree().add_ptr(parent, addr, key);
    }
    return add_siginfo(ctx.tree(), parent, siginfo_fields(si), key);
}

}  // namespace sctrace::signal_shapes
