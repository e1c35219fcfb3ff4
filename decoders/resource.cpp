// Decoders of resources and system information: getrlimit, setrlimit,
// prlimit64, getrusage, getpriority, setpriority, sched_getaffinity,
// sched_setaffinity, sysinfo, uname, getrandom. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: the request at entry, what the kernel
// filled (old limits, usage, the CPU mask, the system's figures, random
// bytes) at exit.
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_xval;

// --- limits ---

void resource_arg(DecodeContext& ctx, int i) {
    add_xval(ctx.tree(), ctx.root(), ctx.arg(i) & 0xffffffffu, xlat::rlimit_resources,
             "RLIMIT_???");
}

// One limit (print_rlim64_t / print_rlim32_t): RLIM64_INFINITY, "8192*1024"
// for a multiple of 1024 above it, else the number. The first two are
// symbolic forms of the number: -X raw prints the number, -X verbose both.
void add_rlim(ArgTree& tree, NodeId s, std::uint64_t lim, bool wide, std::string_view key) {
    const std::uint64_t infinity = wide ? ~std::uint64_t{0} : 0xffffffffu;
    if (lim == infinity) {
        tree.add_uint(tree.add_text(s, wide ? "RLIM64_INFINITY" : "RLIM_INFINITY", key), lim);
    } else if (lim > 1024 && lim % 1024 == 0) {
        tree.add_uint(shapes::add_textf(tree, s, key, "%" PRIu64 "*1024", lim / 1024), lim);
    } else {
        tree.add_uint(s, lim, key);
    }
}

// struct rlimit: 32-bit fields for i386 callers of getrlimit/setrlimit
// (`native`), 64-bit ones otherwise and always for prlimit64.
void add_rlimit(DecodeContext& ctx, std::uint64_t addr, bool native) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    std::uint64_t lim[2];
    const bool wide = !native || ctx.arch() != Arch::I386;
    if (wide) {
        if (!ctx.read_struct(addr, lim)) {
            tree.add_hex(ctx.root(), addr);
            return;
        }
    } else {
        std::uint32_t lim32[2];
        if (!ctx.read_struct(addr, lim32)) {
            tree.add_hex(ctx.root(), addr);
            return;
        }
        lim[0] = lim32[0];
        lim[1] = lim32[1];
    }
    const NodeId s = tree.add_struct(ctx.root());
    add_rlim(tree, s, lim[0], wide, "rlim_cur");
    add_rlim(tree, s, lim[1], wide, "rlim_max");
}

void resource_arg0(DecodeContext& ctx) {
    resource_arg(ctx, 0);
}

void getrlimit_exit(DecodeContext& ctx) {
    add_rlimit(ctx, ctx.arg(1), true);
}

void setrlimit_entry(DecodeContext& ctx) {
    resource_arg(ctx, 0);
    add_rlimit(ctx, ctx.arg(1), true);
}

void prlimit64_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
    resource_arg(ctx, 1);
    add_rlimit(ctx, ctx.arg(2), false);
}

void prlimit64_exit(DecodeContext& ctx) {
    add_rlimit(ctx, ctx.arg(3), false);
}

// --- usage ---

void getrusage_entry(DecodeContext& ctx) {
    add_xval(ctx.tree(), ctx.root(), static_cast<std::uint64_t>(static_cast<int>(ctx.arg(0))),
             xlat::rusage_who, "RUSAGE_???");
}

// struct rusage: the two times, "..." unless -v, then every counter.
void getrusage_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(1);
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    // Two timevals and fourteen longs, in the caller's word size.
    std::uint64_t f[18] = {};
    if (ctx.arch() == Arch::I386) {
        std::int32_t f32[18];
        if (!ctx.read_struct(addr, f32)) {
            tree.add_hex(ctx.root(), addr);
            return;
        }
        for (int i = 0; i < 18; ++i) f[i] = static_cast<std::uint32_t>(f32[i]);
        // The seconds are signed.
        f[0] = static_cast<std::uint64_t>(std::int64_t{f32[0]});
        f[2] = static_cast<std::uint64_t>(std::int64_t{f32[2]});
    } else if (!ctx.read_struct(addr, f)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    for (int t = 0; t < 2; ++t) {
        const NodeId tv = tree.add_struct(s, t == 0 ? "ru_utime" : "ru_stime");
        tree.add_int(tv, static_cast<std::int64_t>(f[2 * t]), "tv_sec");
        tree.add_uint(tv, f[2 * t + 1], "tv_usec");
    }
    if (ctx.options().abbreviate) {
        tree.mark_truncated(s);
        return;
    }
    static constexpr std::string_view kCounters[] = {
        "ru_maxrss", "ru_ixrss",    "ru_idrss",   "ru_isrss",   "ru_minflt",
        "ru_majflt", "ru_nswap",    "ru_inblock", "ru_oublock", "ru_msgsnd",
        "ru_msgrcv", "ru_nsignals", "ru_nvcsw",   "ru_nivcsw"};
    for (int i = 0; i < 14; ++i) tree.add_uint(s, f[4 + i], kCounters[i]);
}

// --- priority ---

void priority_entry(DecodeContext& ctx) {
    add_xval(ctx.tree(), ctx.root(), ctx.arg(0) & 0xffffffffu, xlat::priority_which, "PRIO_???");
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(1)));
}

void setpriority_entry(DecodeContext& ctx) {
    priority_entry(ctx);
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(2)));
}

// --- CPU affinity ---

// The smallest mask size the kernel accepts (strace's get_cpuset_size): it
// fails sched_getaffinity with EINVAL below it, without touching the mask.
unsigned cpuset_size() {
    static const unsigned size = [] {
        unsigned n = 128;
        while (n && ::syscall(SYS_sched_getaffinity, 0, n, nullptr) == -1 && errno == EINVAL) {
            n <<= 1;
        }
        return n ? n : 128u;
    }();
    return size;
}

// A CPU mask of `len` bytes (print_affinitylist): "[0 1 3]", " ..." inside
// when the caller's mask is longer than the kernel's.
void add_affinity(DecodeContext& ctx, std::uint64_t addr, std::uint32_t len) {
    ArgTree& tree = ctx.tree();
    if (addr == 0 || (ctx.exiting() && ctx.failed())) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId list = tree.add_array(ctx.root());
    if (len == 0) return;
    const std::uint32_t word = ctx.arch() == Arch::X86_64 ? 8 : 4;
    const std::uint32_t fetch = std::min(len, cpuset_size());
    const std::uint32_t size = (fetch + word - 1) / word * word;
    unsigned char mask[8192] = {};
    if (fetch > sizeof mask || ctx.read(addr, {reinterpret_cast<char*>(mask), fetch}) != fetch) {
        // Unreadable after all: the address instead of the list.
        ArgNode& n = tree.mutable_node(list);
        n.kind = ArgKind::Hex;
        n.value = addr;
        return;
    }
    tree.mutable_node(list).spaced = true;
    for (std::uint32_t cpu = 0; cpu < size * 8 && cpu < sizeof mask * 8; ++cpu) {
        if (mask[cpu / 8] & (1u << (cpu % 8))) tree.add_int(list, cpu);
        if (tree.overflowed()) break;
    }
    if (size < len) tree.mark_truncated(list);
}

void sched_setaffinity_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
    const auto len = static_cast<std::uint32_t>(ctx.arg(1));
    ctx.tree().add_uint(ctx.root(), len);
    add_affinity(ctx, ctx.arg(2), len);
}

void sched_getaffinity_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
    ctx.tree().add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(1)));
}

void sched_getaffinity_exit(DecodeContext& ctx) {
    add_affinity(ctx, ctx.arg(2), static_cast<std::uint32_t>(ctx.ret()));
}

// --- the system ---

void sysinfo_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(0);
    struct sysinfo si;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (ctx.arch() != Arch::X86_64 || !ctx.read_struct(addr, si)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    tree.add_uint(s, static_cast<std::uint64_t>(si.uptime), "uptime");
    const NodeId loads = tree.add_array(s, "loads");
    for (const unsigned long load : si.loads) tree.add_uint(loads, load);
    tree.add_uint(s, si.totalram, "totalram");
    tree.add_uint(s, si.freeram, "freeram");
    tree.add_uint(s, si.sharedram, "sharedram");
    tree.add_uint(s, si.bufferram, "bufferram");
    tree.add_uint(s, si.totalswap, "totalswap");
    tree.add_uint(s, si.freeswap, "freeswap");
    tree.add_uint(s, si.procs, "procs");
    tree.add_uint(s, si.totalhigh, "totalhigh");
    tree.add_uint(s, si.freehigh, "freehigh");
    tree.add_uint(s, si.mem_unit, "mem_unit");
}

// A NUL-terminated field of a fixed-size array, "..." after it when no NUL
// ends it (print_quoted_cstring).
void add_cstring_field(ArgTree& tree, NodeId s, const char* field, std::size_t size,
                       std::string_view key) {
    const void* nul = std::memchr(field, '\0', size);
    const std::size_t len =
        nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - field) : size;
    tree.add_str(s, {field, len}, nul == nullptr, key);
}

void uname_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(0);
    struct utsname u;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (!ctx.read_struct(addr, u)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    add_cstring_field(tree, s, u.sysname, sizeof u.sysname, "sysname");
    add_cstring_field(tree, s, u.nodename, sizeof u.nodename, "nodename");
    if (ctx.options().abbreviate) {
        tree.mark_truncated(s);
        return;
    }
    add_cstring_field(tree, s, u.release, sizeof u.release, "release");
    add_cstring_field(tree, s, u.version, sizeof u.version, "version");
    add_cstring_field(tree, s, u.machine, sizeof u.machine, "machine");
    add_cstring_field(tree, s, u.domainname, sizeof u.domainname, "domainname");
}

// getrandom's bytes, every one in hex, at exit.
void getrandom_exit(DecodeContext& ctx) {
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    } else {
        shapes::add_hex_buffer(ctx, ctx.root(), ctx.arg(0), static_cast<std::uint64_t>(ctx.ret()));
    }
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::getrandom_flags,
                       "GRND_???");
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"getrlimit", resource_arg0, getrlimit_exit},
    {"ugetrlimit", resource_arg0, getrlimit_exit},
    {"setrlimit", setrlimit_entry, nullptr},
    {"prlimit64", prlimit64_entry, prlimit64_exit},
    {"getrusage", getrusage_entry, getrusage_exit},
    {"getpriority", priority_entry, nullptr},
    {"setpriority", setpriority_entry, nullptr},
    {"sched_getaffinity", sched_getaffinity_entry, sched_getaffinity_exit},
    {"sched_setaffinity", sched_setaffinity_entry, nullptr},
    {"sysinfo", nullptr, sysinfo_exit},
    {"uname", nullptr, uname_exit},
    {"getrandom", nullptr, getrandom_exit},
};

}  // namespace

std::span<const SyscallDecoder> resource_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
