// Decoders of the signal family: sending signals (kill, tkill, tgkill,
// rt_sigqueueinfo), dispositions (rt_sigaction), masks (rt_sigprocmask,
// rt_sigpending, rt_sigsuspend), rt_sigreturn and sigaltstack. See
// decoders/decoder.h; the shapes are in shapes.h and model/siginfo.h.
#include <cstdint>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/siginfo.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_siginfo_at;
using shapes::add_sigset;
using shapes::add_sigset_bits;
using shapes::add_xflags;
using shapes::add_xval;

// The kernel's struct sigaction on x86_64 (asm/signal.h), which differs from
// libc's: handler, flags, restorer, then the mask.
struct KernelSigaction {
    std::uint64_t handler;
    std::uint64_t flags;
    std::uint64_t restorer;
    std::uint64_t mask;
};

// i386's layout, 32-bit words (the mask is two of them).
struct KernelSigaction32 {
    std::uint32_t handler;
    std::uint32_t flags;
    std::uint32_t restorer;
    std::uint32_t mask[2];
};

constexpr std::uint64_t kSaRestorer = 0x04000000;

// The stack pointer at the call's entry, once SyscallEvent carries it (the
// change proposed with this family: PTRACE_GET_SYSCALL_INFO reports it);
// 0 (unknown) until then.
template <typename Call>
std::uint64_t stack_pointer_of(const Call& call) {
    if constexpr (requires { call.stack_pointer; }) {
        return call.stack_pointer;
    } else {
        return 0;
    }
}

// {sa_handler=..., sa_mask=[...], sa_flags=..., sa_restorer=...}; NULL; or
// the address when unreadable (or the call failed, for the old action).
void add_sigaction(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    KernelSigaction sa{};
    bool ok = !(ctx.exiting() && ctx.failed());
    if (ok && ctx.arch() == Arch::I386) {
        KernelSigaction32 sa32{};
        ok = ctx.read_struct(addr, sa32);
        sa = {sa32.handler, sa32.flags, sa32.restorer,
              sa32.mask[0] | (std::uint64_t{sa32.mask[1]} << 32)};
    } else if (ok) {
        ok = ctx.read_struct(addr, sa);
    }
    if (!ok) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    if (xlat::sa_handlers.name_of(sa.handler)) {
        tree.add_enum(s, sa.handler, xlat::sa_handlers, "sa_handler");
    } else {
        tree.add_ptr(s, sa.handler, "sa_handler");
    }
    add_sigset_bits(tree, s, sa.mask, 8, "sa_mask");
    add_xflags(tree, s, sa.flags, xlat::sa_flags, "SA_???", "sa_flags");
    if (sa.flags & kSaRestorer) tree.add_ptr(s, sa.restorer, "sa_restorer");
}

void rt_sigaction_entry(DecodeContext& ctx) {
    add_signal(ctx.tree(), ctx.root(), ctx.iarg(0));
    add_sigaction(ctx, ctx.arg(1));
}

void rt_sigaction_exit(DecodeContext& ctx) {
    add_sigaction(ctx, ctx.arg(2));
    ctx.tree().add_uint(ctx.root(), ctx.arg(3));
}

void rt_sigprocmask_entry(DecodeContext& ctx) {
    add_xval(ctx.tree(), ctx.root(), static_cast<std::uint32_t>(ctx.arg(0)), xlat::sig_how,
             "SIG_???");
    add_sigset(ctx, ctx.root(), ctx.arg(1), ctx.arg(3));
}

void rt_sigprocmask_exit(DecodeContext& ctx) {
    add_sigset(ctx, ctx.root(), ctx.arg(2), ctx.arg(3));
    ctx.tree().add_uint(ctx.root(), ctx.arg(3));
}

void rt_sigpending_exit(DecodeContext& ctx) {
    // The one call that takes a set shorter than 8 bytes (sigpending's 4).
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(0), len = ctx.arg(1);
    std::uint64_t bits = 0;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
    } else if (len < 1 || len > 8 || ctx.failed() ||
               ctx.read(addr, {reinterpret_cast<char*>(&bits), len}) != len) {
        tree.add_ptr(ctx.root(), addr);
    } else {
        add_sigset_bits(tree, ctx.root(), bits, static_cast<unsigned>(len));
    }
    tree.add_uint(ctx.root(), len);
}

void rt_sigsuspend_entry(DecodeContext& ctx) {
    add_sigset(ctx, ctx.root(), ctx.arg(0), ctx.arg(1));
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

void kill_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
    add_signal(ctx.tree(), ctx.root(), ctx.iarg(1));
}

void tgkill_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
    ctx.tree().add_int(ctx.root(), ctx.iarg(1));
    add_signal(ctx.tree(), ctx.root(), ctx.iarg(2));
}

void rt_sigqueueinfo_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
    add_signal(ctx.tree(), ctx.root(), ctx.iarg(1));
    add_siginfo_at(ctx, ctx.root(), ctx.arg(2));
}

void rt_tgsigqueueinfo_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), ctx.iarg(0));
    ctx.tree().add_int(ctx.root(), ctx.iarg(1));
    add_signal(ctx.tree(), ctx.root(), ctx.iarg(2));
    add_siginfo_at(ctx, ctx.root(), ctx.arg(3));
}

// rt_sigreturn's argument is the signal frame on the stack: strace shows the
// mask it restores, {mask=[...]}. The frame is found from the stack pointer;
// while it is unknown the braces stay empty.
void rt_sigreturn_entry(DecodeContext& ctx) {
    const std::uint64_t sp = stack_pointer_of(ctx.call());
    const NodeId s = ctx.tree().add_struct(ctx.root());
    if (sp == 0) return;
    // x86_64: the handler's `ret` popped pretcode, so sp points at the
    // ucontext: uc_flags, uc_link, uc_stack (24), uc_mcontext (256), then
    // uc_sigmask. i386's rt_sigframe: sig, pinfo, puc, info (128), then uc:
    // uc_flags, uc_link, uc_stack (12), uc_mcontext (88), uc_sigmask.
    const std::uint64_t mask_at =
        ctx.arch() == Arch::I386 ? sp + 4 + 4 + 4 + 128 + 4 + 4 + 12 + 88 : sp + 8 + 8 + 24 + 256;
    add_sigset(ctx, s, mask_at, 8, "mask");
}

// stack_t: {ss_sp=..., ss_flags=..., ss_size=...}.
void add_stack(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    struct {
        std::uint64_t sp;
        std::int32_t flags;
        std::uint64_t size;
    } ss{};
    bool ok = addr != 0 && !(ctx.exiting() && ctx.failed());
    if (ok && ctx.arch() == Arch::I386) {
        struct {
            std::uint32_t sp;
            std::int32_t flags;
            std::uint32_t size;
        } ss32{};
        ok = ctx.read_struct(addr, ss32);
        ss.sp = ss32.sp;
        ss.flags = ss32.flags;
        ss.size = ss32.size;
    } else if (ok) {
        ok = ctx.read_struct(addr, ss);
    }
    if (!ok) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    tree.add_ptr(s, ss.sp, "ss_sp");
    add_xflags(tree, s, static_cast<std::uint32_t>(ss.flags), xlat::sig_altstack_flags, "SS_???",
               "ss_flags");
    tree.add_uint(s, ss.size, "ss_size");
}

void sigaltstack_entry(DecodeContext& ctx) {
    add_stack(ctx, ctx.arg(0));
}

void sigaltstack_exit(DecodeContext& ctx) {
    add_stack(ctx, ctx.arg(1));
}

// restart_syscall resumes a call a signal interrupted: strace names it,
// from the thread's previous call ("<... resuming interrupted nanosleep ...>").
void restart_syscall_entry(DecodeContext& ctx) {
    const std::string_view previous = ctx.previous_syscall();
    const std::string_view name = previous.empty() ? std::string_view("system call") : previous;
    shapes::add_textf(ctx.tree(), ctx.root(), {}, "<... resuming interrupted %.*s ...>",
                      static_cast<int>(name.size()), name.data());
}

constexpr SyscallDecoder kDecoders[] = {
    {"kill", kill_entry, nullptr},
    {"restart_syscall", restart_syscall_entry, nullptr},
    {"tkill", kill_entry, nullptr},
    {"tgkill", tgkill_entry, nullptr},
    {"rt_sigqueueinfo", rt_sigqueueinfo_entry, nullptr},
    {"rt_tgsigqueueinfo", rt_tgsigqueueinfo_entry, nullptr},
    {"rt_sigaction", rt_sigaction_entry, rt_sigaction_exit},
    {"rt_sigprocmask", rt_sigprocmask_entry, rt_sigprocmask_exit},
    {"rt_sigpending", nullptr, rt_sigpending_exit},
    {"rt_sigsuspend", rt_sigsuspend_entry, nullptr},
    {"rt_sigreturn", rt_sigreturn_entry, nullptr},
    {"sigaltstack", sigaltstack_entry, sigaltstack_exit},
};

}  // namespace

std::span<const SyscallDecoder> signal_decoders() {
    return kDecoders;
}

}  // namespace sctrace
