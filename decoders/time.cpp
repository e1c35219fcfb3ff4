// Decoders of the time family: nanosleep, clock_nanosleep, clock_gettime,
// clock_getres, clock_settime, gettimeofday, settimeofday, getitimer,
// setitimer, alarm. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: the clock and the request at entry;
// what the kernel writes (the time read, the old timer, the time left of
// an interrupted sleep) at exit. A sleep's "rem" is shown only when the
// sleep was interrupted and will be restarted: otherwise the kernel did
// not write it and strace shows its address.
#include <cinttypes>

#include "decoders/decoder.h"
#include "decoders/desc_shapes.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using desc_shapes::add_timespec;
using desc_shapes::add_timeval;

// The kernel's restart codes: a sleep interrupted by a signal.
bool is_erestart(const DecodeContext& ctx) {
    const int err = ctx.call().err;
    return err == 512 || err == 513 || err == 514 || err == 516;
}

// A clock id (printclockname): CLOCK_MONOTONIC, else the id as an
// unsigned int with "/* CLOCK_??? */". strace 6.1 as built by distributions
// lacks CLOCKID_TO_FD, so a process's CPU clock (a negative id) prints that
// way too: 0xfffe3e36 /* CLOCK_??? */.
void add_clock(DecodeContext& ctx, std::uint64_t raw) {
    shapes::add_xval(ctx.tree(), ctx.root(), raw & 0xffffffffu, xlat::clock_ids, "CLOCK_???");
}

// An output time: the struct when the call succeeded (or was interrupted
// and strace shows it anyway), else its address.
void add_rem(DecodeContext& ctx, std::uint64_t addr, bool show) {
    if (!show) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    // The restart codes count as failures, but the kernel wrote "rem":
    // read it whatever the outcome.
    if (addr == 0) {
        ctx.tree().add_ptr(ctx.root(), 0);
        return;
    }
    if (ctx.arch() == Arch::I386) {
        std::int32_t ts[2];
        if (!ctx.read_value(addr, ts)) {
            ctx.tree().add_hex(ctx.root(), addr);
            return;
        }
        const NodeId s = ctx.tree().add_struct(ctx.root());
        ctx.tree().add_int(s, ts[0], "tv_sec");
        ctx.tree().add_uint(s, static_cast<std::uint32_t>(ts[1]), "tv_nsec");
        return;
    }
    std::int64_t ts[2];
    if (!ctx.read_value(addr, ts)) {
        ctx.tree().add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = ctx.tree().add_struct(ctx.root());
    ctx.tree().add_int(s, ts[0], "tv_sec");
    ctx.tree().add_uint(s, static_cast<std::uint64_t>(ts[1]), "tv_nsec");
}

void nanosleep_entry(DecodeContext& ctx) {
    add_timespec(ctx, ctx.root(), ctx.arg(0));
}

void nanosleep_exit(DecodeContext& ctx) {
    add_rem(ctx, ctx.arg(1), is_erestart(ctx));
}

void clock_nanosleep_entry(DecodeContext& ctx) {
    add_clock(ctx, ctx.arg(0));
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(1) & 0xffffffffu, xlat::clock_flags,
                       "TIMER_???");
    add_timespec(ctx, ctx.root(), ctx.arg(2));
}

void clock_nanosleep_exit(DecodeContext& ctx) {
    // An absolute sleep (TIMER_ABSTIME) leaves "rem" alone.
    add_rem(ctx, ctx.arg(3), ctx.arg(1) == 0 && is_erestart(ctx));
}

void clock_entry(DecodeContext& ctx) {
    add_clock(ctx, ctx.arg(0));
}

void clock_gettime_exit(DecodeContext& ctx) {
    add_timespec(ctx, ctx.root(), ctx.arg(1));
}

void clock_settime_entry(DecodeContext& ctx) {
    add_clock(ctx, ctx.arg(0));
    add_timespec(ctx, ctx.root(), ctx.arg(1));
}

// struct timezone: {tz_minuteswest=0, tz_dsttime=0}.
void add_timezone(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    std::int32_t tz[2];
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
    } else if (!ctx.read_struct(addr, tz)) {
        tree.add_hex(ctx.root(), addr);
    } else {
        const NodeId s = tree.add_struct(ctx.root());
        tree.add_int(s, tz[0], "tz_minuteswest");
        tree.add_int(s, tz[1], "tz_dsttime");
    }
}

void gettimeofday_exit(DecodeContext& ctx) {
    add_timeval(ctx, ctx.root(), ctx.arg(0));
    add_timezone(ctx, ctx.arg(1));
}

void settimeofday_entry(DecodeContext& ctx) {
    add_timeval(ctx, ctx.root(), ctx.arg(0));
    add_timezone(ctx, ctx.arg(1));
}

// struct itimerval: {it_interval={tv_sec=0, tv_usec=0}, it_value={...}}.
void add_itimerval(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    std::int64_t tv[4];
    if (ctx.arch() == Arch::I386) {
        std::int32_t tv32[4];
        if (!ctx.read_struct(addr, tv32)) {
            tree.add_hex(ctx.root(), addr);
            return;
        }
        for (int i = 0; i < 4; ++i) tv[i] = tv32[i];
        // The microseconds print unsigned, zero-extended from 32 bits.
        tv[1] = static_cast<std::uint32_t>(tv32[1]);
        tv[3] = static_cast<std::uint32_t>(tv32[3]);
    } else if (!ctx.read_struct(addr, tv)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    const NodeId interval = tree.add_struct(s, "it_interval");
    tree.add_int(interval, tv[0], "tv_sec");
    tree.add_uint(interval, static_cast<std::uint64_t>(tv[1]), "tv_usec");
    const NodeId value = tree.add_struct(s, "it_value");
    tree.add_int(value, tv[2], "tv_sec");
    tree.add_uint(value, static_cast<std::uint64_t>(tv[3]), "tv_usec");
}

void itimer_which(DecodeContext& ctx) {
    shapes::add_xval(ctx.tree(), ctx.root(), ctx.arg(0) & 0xffffffffu, xlat::itimer_which,
                     "ITIMER_???");
}

void getitimer_exit(DecodeContext& ctx) {
    add_itimerval(ctx, ctx.arg(1));
}

void setitimer_entry(DecodeContext& ctx) {
    itimer_which(ctx);
    add_itimerval(ctx, ctx.arg(1));
}

void setitimer_exit(DecodeContext& ctx) {
    add_itimerval(ctx, ctx.arg(2));
}

// strace's printargs_u: the seconds as an unsigned int.
void alarm_entry(DecodeContext& ctx) {
    ctx.tree().add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(0)));
}

// time(2): the seconds it stored, in brackets with their date, and the
// result's date after it: "time([1700000000 /* 2023-11-14T22:13:20+0000 */])
// = 1700000000 (2023-11-14T22:13:20+0000)".
void time_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(0);
    char when[64];
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
    } else {
        std::int64_t t = 0;
        bool ok = false;
        if (ctx.arch() == Arch::X86_64) {
            ok = ctx.read_struct(addr, t);
        } else {
            std::int32_t t32 = 0;
            ok = ctx.read_struct(addr, t32);
            t = t32;
        }
        if (!ok) {
            tree.add_hex(ctx.root(), addr);
        } else {
            const NodeId list = tree.add_array(ctx.root());
            const std::size_t n = shapes::format_time_nsec(t, 0, when);
            if (n) {
                shapes::add_textf(tree, list, {}, "%" PRId64 " /* %.*s */", t, static_cast<int>(n),
                                  when);
            } else {
                tree.add_int(list, t);
            }
        }
    }
    if (ctx.failed()) return;
    const std::size_t n = shapes::format_time_nsec(ctx.ret(), 0, when);
    if (n == 0) return;
    tree.ret_aux = tree.add_detached_struct();
    tree.add_text_copy(tree.ret_aux, std::string_view(when, n));
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"nanosleep", nanosleep_entry, nanosleep_exit},
    {"clock_nanosleep", clock_nanosleep_entry, clock_nanosleep_exit},
    {"clock_gettime", clock_entry, clock_gettime_exit},
    {"clock_getres", clock_entry, clock_gettime_exit},
    {"clock_settime", clock_settime_entry, nullptr},
    {"gettimeofday", nullptr, gettimeofday_exit},
    {"settimeofday", settimeofday_entry, nullptr},
    {"getitimer", itimer_which, getitimer_exit},
    {"setitimer", setitimer_entry, setitimer_exit},
    {"alarm", alarm_entry, nullptr},
    {"time", nullptr, time_exit},
};

}  // namespace

std::span<const SyscallDecoder> time_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
