// Decoders of prctl and arch_prctl. See decoders/decoder.h.
//
// What strace 6.1 prints: the option by name and, per option, its own
// arguments (a name, a signal, a capability, a flag set); options without
// their own decoding show every further argument in hex. Values the
// kernel writes back through a pointer (PR_GET_PDEATHSIG, ARCH_GET_FS)
// are read at exit; results that are a name (PR_GET_DUMPABLE) follow the
// result in parentheses.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/names.h"
#include "model/siginfo.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_xflags;
using shapes::add_xval;

// prctl options (linux/prctl.h).
enum : std::uint32_t {
    kSetPdeathsig = 1,
    kGetPdeathsig = 2,
    kGetDumpable = 3,
    kSetDumpable = 4,
    kGetUnalign = 5,
    kSetUnalign = 6,
    kGetKeepcaps = 7,
    kSetKeepcaps = 8,
    kGetFpemu = 9,
    kSetFpemu = 10,
    kGetFpexc = 11,
    kSetFpexc = 12,
    kGetTiming = 13,
    kSetTiming = 14,
    kSetName = 15,
    kGetName = 16,
    kGetEndian = 19,
    kSetEndian = 20,
    kGetSeccomp = 21,
    kSetSeccomp = 22,
    kCapbsetRead = 23,
    kCapbsetDrop = 24,
    kGetTsc = 25,
    kSetTsc = 26,
    kGetSecurebits = 27,
    kSetSecurebits = 28,
    kSetTimerslack = 29,
    kGetTimerslack = 30,
    kTaskPerfEventsDisable = 31,
    kTaskPerfEventsEnable = 32,
    kMceKill = 33,
    kMceKillGet = 34,
    kSetMm = 35,
    kSetChildSubreaper = 36,
    kGetChildSubreaper = 37,
    kSetNoNewPrivs = 38,
    kGetTidAddress = 40,
    kSetThpDisable = 41,
    kSetFpMode = 45,
    kGetFpMode = 46,
    kCapAmbient = 47,
    kGetSpeculationCtrl = 52,
    kSetSpeculationCtrl = 53,
    kSetIoFlusher = 57,
    kSetVma = 0x53564d41,
    kSetPtracer = 0x59616d61,
};
constexpr std::uint64_t kPrSetVmaAnonName = 0;
constexpr std::uint64_t kPrCapAmbientIsSet = 1, kPrCapAmbientRaise = 2, kPrCapAmbientLower = 3;
constexpr std::uint64_t kPrMceKillSet = 1;
constexpr std::uint64_t kSeccompModeStrict = 1;
constexpr std::uint64_t kPrSpecStoreBypass = 0, kPrSpecIndirectBranch = 1, kPrSpecL1dFlush = 2;
constexpr std::uint64_t kTaskCommLen = 16;

std::uint32_t option(const DecodeContext& ctx) {
    return static_cast<std::uint32_t>(ctx.arg(0));
}

// print_prctl_args: arguments from `first` on, in hex, up to the call's
// argument count.
void hex_args_from(DecodeContext& ctx, int first) {
    const SyscallInfo* info = syscall_info(ctx.arch(), ctx.call().nr);
    const int nargs = info ? info->nargs : 5;
    for (int i = first; i < nargs; ++i) ctx.tree().add_hex(ctx.root(), ctx.arg(i));
}

// A name for the result, in parentheses after it: "= 1 (SUID_DUMP_USER)".
void result_name(DecodeContext& ctx, const XlatTable& table, std::uint64_t value) {
    if (!table.name_of(value)) return;
    ArgTree& tree = ctx.tree();
    tree.ret_aux = tree.add_detached_struct();
    tree.add_enum(tree.ret_aux, value, table);
}

// A flag set for the result, with the result in hex: "= 0x3 (A|B)".
void result_flags(DecodeContext& ctx, const XlatTable& table) {
    const auto value = static_cast<std::uint64_t>(ctx.ret());
    ArgTree& tree = ctx.tree();
    tree.ret_format = RetFormat::Hex;
    char text[512];
    const std::size_t n = shapes::format_flags(value, table, text);
    tree.ret_aux = tree.add_detached_struct();
    tree.add_text_copy(tree.ret_aux, std::string_view(text, n));
}

void prctl_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint32_t op = option(ctx);
    add_xval(tree, ctx.root(), op, xlat::prctl_options, "PR_???");
    const std::uint64_t arg2 = ctx.arg(1), arg3 = ctx.arg(2), arg4 = ctx.arg(3);
    // Most options show all they show at entry; the pointer-taking GETs
    // end their entry half with ", " for the value read at exit.
    tree.entry_complete = true;
    switch (op) {
        case kGetKeepcaps:
        case kGetSeccomp:
        case kGetTimerslack:
        case kGetTiming:
        case kTaskPerfEventsDisable:
        case kTaskPerfEventsEnable:
            return;
        case kGetChildSubreaper:
        case kGetEndian:
        case kGetFpemu:
        case kGetFpexc:
        case kGetName:
        case kGetPdeathsig:
        case kGetTidAddress:
        case kGetTsc:
        case kGetUnalign:
            tree.entry_complete = false;
            return;  // the pointer's value at exit
        case kGetDumpable:
        case kGetSecurebits:
        case kGetFpMode:
            return;  // the result's name at exit
        case kMceKillGet:
            hex_args_from(ctx, 1);
            return;
        case kGetSpeculationCtrl:
            add_xval(tree, ctx.root(), arg2, xlat::pr_spec_cmds, "PR_SPEC_???");
            return;
        case kSetChildSubreaper:
        case kSetEndian:
        case kSetFpemu:
        case kSetFpexc:
        case kSetKeepcaps:
        case kSetTiming:
            tree.add_uint(ctx.root(), arg2);
            return;
        case kSetDumpable:
            add_xval(tree, ctx.root(), arg2, xlat::pr_dumpable, "SUID_DUMP_???");
            return;
        case kCapbsetDrop:
        case kCapbsetRead:
            add_xval(tree, ctx.root(), arg2, xlat::capabilities, "CAP_???");
            return;
        case kCapAmbient:
            add_xval(tree, ctx.root(), arg2, xlat::pr_cap_ambient, "PR_CAP_AMBIENT_???");
            if (arg2 == kPrCapAmbientRaise || arg2 == kPrCapAmbientLower ||
                arg2 == kPrCapAmbientIsSet) {
                add_xval(tree, ctx.root(), arg3, xlat::capabilities, "CAP_???");
                hex_args_from(ctx, 3);
            } else {
                hex_args_from(ctx, 2);
            }
            return;
        case kMceKill:
            add_xval(tree, ctx.root(), arg2, xlat::pr_mce_kill, "PR_MCE_KILL_???");
            if (arg2 == kPrMceKillSet) {
                add_xval(tree, ctx.root(), arg3, xlat::pr_mce_kill_policy, "PR_MCE_KILL_???");
            } else {
                tree.add_hex(ctx.root(), arg3);
            }
            hex_args_from(ctx, 3);
            return;
        case kSetName:
            shapes::add_string_n(ctx, ctx.root(), arg2, kTaskCommLen - 1, true);
            return;
        case kSetVma:
            add_xval(tree, ctx.root(), arg2, xlat::pr_set_vma, "PR_SET_VMA_???");
            if (arg2 == kPrSetVmaAnonName) {
                tree.add_ptr(ctx.root(), arg3);
                tree.add_uint(ctx.root(), arg4);
                shapes::add_cstring(ctx, ctx.root(), ctx.arg(4));
            } else {
                hex_args_from(ctx, 2);
            }
            return;
        case kSetMm:
            // strace names the sub-option from its own table; the number
            // stays as strace shows an unnamed one.
            tree.add_hex(ctx.root(), arg2);
            hex_args_from(ctx, 2);
            return;
        case kSetPdeathsig:
            if (arg2 > 128) {
                tree.add_uint(ctx.root(), arg2);
            } else {
                add_signal(tree, ctx.root(), static_cast<int>(arg2));
            }
            return;
        case kSetPtracer:
            if (static_cast<int>(arg2) == -1) {
                tree.add_text(ctx.root(), "PR_SET_PTRACER_ANY");
            } else {
                tree.add_int(ctx.root(), static_cast<int>(arg2));
            }
            return;
        case kSetSeccomp:
            add_xval(tree, ctx.root(), arg2, xlat::seccomp_modes, "SECCOMP_MODE_???");
            if (arg2 == kSeccompModeStrict) return;
            // A filter's struct sock_fprog is not decoded: its address.
            hex_args_from(ctx, 2);
            return;
        case kSetSecurebits:
            add_xflags(tree, ctx.root(), arg2, xlat::secbits, "SECBIT_???");
            return;
        case kSetTimerslack:
            tree.add_int(ctx.root(), static_cast<std::int64_t>(arg2));
            return;
        case kSetTsc:
            add_xval(tree, ctx.root(), arg2 & 0xffffffffu, xlat::pr_tsc, "PR_TSC_???");
            return;
        case kSetUnalign:
            add_xflags(tree, ctx.root(), arg2 & 0xffffffffu, xlat::pr_unalign_flags,
                       "PR_UNALIGN_???");
            return;
        case kSetNoNewPrivs:
        case kSetThpDisable:
        case kSetIoFlusher:
            tree.add_uint(ctx.root(), arg2);
            hex_args_from(ctx, 2);
            return;
        case kSetFpMode:
            add_xflags(tree, ctx.root(), arg2 & 0xffffffffu, xlat::pr_fp_mode, "PR_FP_MODE_???");
            return;
        case kSetSpeculationCtrl:
            add_xval(tree, ctx.root(), arg2, xlat::pr_spec_cmds, "PR_SPEC_???");
            if (arg2 == kPrSpecStoreBypass || arg2 == kPrSpecIndirectBranch ||
                arg2 == kPrSpecL1dFlush) {
                add_xval(tree, ctx.root(), arg3, xlat::pr_spec_set_flags, "PR_SPEC_???");
            } else {
                tree.add_hex(ctx.root(), arg3);
            }
            return;
        default:
            hex_args_from(ctx, 1);
            return;
    }
}

void prctl_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t arg2 = ctx.arg(1);
    switch (option(ctx)) {
        case kGetChildSubreaper:
        case kGetEndian:
        case kGetFpemu:
        case kGetFpexc:
            shapes::add_num_at(ctx, ctx.root(), arg2, 4, shapes::NumAs::Unsigned);
            return;
        case kGetName:
            if (ctx.failed()) {
                tree.add_ptr(ctx.root(), arg2);
            } else {
                shapes::add_string_n(ctx, ctx.root(), arg2, kTaskCommLen, true);
            }
            return;
        case kGetPdeathsig:
        case kGetTsc:
        case kGetUnalign: {
            std::uint32_t value = 0;
            if (arg2 == 0) {
                tree.add_ptr(ctx.root(), 0);
                return;
            }
            if (!ctx.read_struct(arg2, value)) {
                tree.add_hex(ctx.root(), arg2);
                return;
            }
            const NodeId list = tree.add_array(ctx.root());
            if (option(ctx) == kGetPdeathsig) {
                add_signal(tree, list, static_cast<int>(value));
            } else if (option(ctx) == kGetTsc) {
                add_xval(tree, list, value, xlat::pr_tsc, "PR_TSC_???");
            } else {
                add_xflags(tree, list, value, xlat::pr_unalign_flags, "PR_UNALIGN_???");
            }
            return;
        }
        case kGetTidAddress:
            shapes::add_num_at(ctx, ctx.root(), arg2, ctx.arch() == Arch::X86_64 ? 8 : 4,
                               shapes::NumAs::Hex);
            return;
        case kGetDumpable:
            if (!ctx.failed())
                result_name(ctx, xlat::pr_dumpable, static_cast<std::uint64_t>(ctx.ret()));
            return;
        case kMceKillGet:
            if (!ctx.failed()) {
                result_name(ctx, xlat::pr_mce_kill_policy, static_cast<std::uint64_t>(ctx.ret()));
            }
            return;
        case kGetSecurebits:
            if (!ctx.failed() && ctx.ret() != 0) result_flags(ctx, xlat::secbits);
            return;
        case kGetFpMode:
            if (!ctx.failed() && ctx.ret() != 0) result_flags(ctx, xlat::pr_fp_mode);
            return;
        case kGetSpeculationCtrl:
            if (!ctx.failed() && (arg2 == kPrSpecStoreBypass || arg2 == kPrSpecIndirectBranch ||
                                  arg2 == kPrSpecL1dFlush)) {
                result_flags(ctx, xlat::pr_spec_get_flags);
            }
            return;
        default:
            return;
    }
}

// --- arch_prctl ---

enum : std::uint32_t {
    kArchGetFs = 0x1003,
    kArchGetGs = 0x1004,
    kArchGetCpuid = 0x1011,
    kArchGetXcompSupp = 0x1021,
    kArchGetXcompPerm = 0x1022,
    kArchReqXcompPerm = 0x1023,
    kArchGetXcompGuestPerm = 0x1024,
    kArchReqXcompGuestPerm = 0x1025,
};

// strace prints the XSAVE features in its "verbose" style whatever -X says,
// except -X raw: the number first and the names in a comment,
// "0x12 /* XFEATURE_XTILE_DATA */",
// "0xe7 /* XFEATURE_MASK_FPSSE|XFEATURE_MASK_YMM|XFEATURE_MASK_AVX512 */";
// -X raw prints the number alone.
NodeId add_verbose(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                   bool flags, std::string_view unknown) {
    if (flags && value == 0) return tree.add_hex(parent, 0);  // printflags of 0: the number
    char names[512];
    std::size_t k = 0;
    const bool named = flags ? [&] {
        for (const XlatEntry& e : table.entries) {
            if (e.value != 0 && (value & e.value) == e.value) return true;
        }
        return false;
    }()
                             : table.name_of(value).has_value();
    if (!named) {
        k = std::min(unknown.size(), sizeof names);
        std::memcpy(names, unknown.data(), k);
    } else if (flags) {
        k = shapes::format_flags(value, table, names);
    } else {
        k = shapes::format_xval(value, table, names);
    }
    const NodeId id = tree.add_text_copy(parent, std::string_view(names, k));
    tree.add_hex(id, value);
    tree.mutable_node(id).pin = XlatPin::VerboseUnlessRaw;
    return id;
}

void arch_prctl_entry(DecodeContext& ctx) {
    const std::uint32_t op = option(ctx);
    add_xval(ctx.tree(), ctx.root(), op, xlat::arch_prctl_codes, "ARCH_???");
    switch (op) {
        case kArchGetFs:
        case kArchGetGs:
        case kArchGetXcompSupp:
        case kArchGetXcompPerm:
        case kArchGetXcompGuestPerm:
            return;  // what the kernel stored, at exit
        case kArchGetCpuid:
            ctx.tree().entry_complete = true;
            return;
        case kArchReqXcompPerm:
        case kArchReqXcompGuestPerm:
            add_verbose(ctx.tree(), ctx.root(), ctx.arg(1), xlat::x86_xfeature_bits, false,
                        "XFEATURE_???");
            ctx.tree().entry_complete = true;
            return;
        default:
            ctx.tree().add_hex(ctx.root(), ctx.arg(1));
            return;
    }
}

void arch_prctl_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    switch (option(ctx)) {
        case kArchGetFs:
        case kArchGetGs:
            shapes::add_num_at(ctx, ctx.root(), ctx.arg(1), ctx.arch() == Arch::X86_64 ? 8 : 4,
                               shapes::NumAs::Address);
            return;
        case kArchGetXcompSupp:
        case kArchGetXcompPerm:
        case kArchGetXcompGuestPerm: {
            std::uint64_t value = 0;
            if (ctx.arg(1) == 0) {
                tree.add_ptr(ctx.root(), 0);
            } else if (!ctx.read_struct(ctx.arg(1), value)) {
                tree.add_hex(ctx.root(), ctx.arg(1));
            } else {
                add_verbose(tree, tree.add_array(ctx.root()), value, xlat::x86_xfeatures, true,
                            "XFEATURE_MASK_???");
            }
            return;
        }
        case kArchReqXcompPerm:
        case kArchReqXcompGuestPerm:
            // A positive result is a feature mask: "= 0x60000 (XFEATURE_MASK_XTILE)".
            if (!ctx.failed() && ctx.ret() > 0) result_flags(ctx, xlat::x86_xfeatures);
            return;
        default:
            return;
    }
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"prctl", prctl_entry, prctl_exit},
    {"arch_prctl", arch_prctl_entry, arch_prctl_exit},
};

}  // namespace

std::span<const SyscallDecoder> prctl_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
