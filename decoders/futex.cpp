// Decoders of the futex family: futex(2) with every command and
// futex_waitv(2). See decoders/decoder.h.
//
// strace decodes futex entirely at entry (nothing it prints is written by
// the kernel), so the "<unfinished ...>" line of a blocked FUTEX_WAIT
// already shows every argument.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

constexpr int kCmdMask = 127;
constexpr std::uint32_t kPrivate = 128;
constexpr std::uint32_t kClockRealtime = 256;

enum Cmd : int {
    kWait = 0,
    kWake = 1,
    kFd = 2,
    kRequeue = 3,
    kCmpRequeue = 4,
    kWakeOp = 5,
    kLockPi = 6,
    kUnlockPi = 7,
    kTrylockPi = 8,
    kWaitBitset = 9,
    kWakeBitset = 10,
    kWaitRequeuePi = 11,
    kCmpRequeuePi = 12,
    kLockPi2 = 13,
};

// The op as strace's futexops table names it: a command (with _PRIVATE),
// and FUTEX_CLOCK_REALTIME only on the waits that take a clock; any other
// combination is "0x101 /* FUTEX_??? */".
void add_op(ArgTree& tree, std::uint32_t op) {
    const int cmd = static_cast<int>(op) & kCmdMask;
    const std::uint32_t rest = op & ~static_cast<std::uint32_t>(kCmdMask | kPrivate);
    const bool clock_ok = cmd == kWait || cmd == kWaitBitset || cmd == kWaitRequeuePi;
    const bool known = (rest == 0 || (rest == kClockRealtime && clock_ok)) && cmd <= kLockPi2;
    if (!known) {
        shapes::add_unknown(tree, tree.root(), op, "FUTEX_???");
        return;
    }
    if (cmd == kFd && (op & kPrivate)) {  // no name of its own in the table
        tree.add_text(tree.root(), "FUTEX_FD|FUTEX_PRIVATE_FLAG");
        return;
    }
    // A Flags node with the command as its enumerated part: the tree keeps
    // the whole value, the writer prints "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME".
    const NodeId id = tree.add_flags(tree.root(), op, xlat::futex_op_flags);
    if (id == kNoNode) return;
    tree.mutable_node(id).enum_table = &xlat::futex_ops;
    tree.mutable_node(id).enum_mask = kCmdMask | kPrivate;
}

void add_timeout(DecodeContext& ctx, std::uint64_t addr) {
    shapes::add_timespec(ctx, ctx.root(), addr);
}

// val3 of the bitset commands: FUTEX_BITSET_MATCH_ANY or the mask in hex.
void add_bitset(ArgTree& tree, std::uint32_t val3) {
    const NodeId id = tree.add_enum(tree.root(), val3, xlat::futex_bitset);
    if (id != kNoNode) tree.mutable_node(id).enum_hex = true;
}

// FUTEX_WAKE_OP's encoded operation, in strace's notation:
//   [FUTEX_OP_OPARG_SHIFT<<28|]FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0
void add_wake_op(ArgTree& tree, std::uint32_t val3) {
    char text[160];
    std::size_t n = 0;
    auto put = [&](const char* fmt, auto arg, auto... more) {
        if (n < sizeof text) {
            const int w = std::snprintf(text + n, sizeof text - n, fmt, arg, more...);
            if (w > 0) n = std::min(sizeof text - 1, n + static_cast<std::size_t>(w));
        }
    };
    auto say = [&](const char* words) { put("%s", words); };
    auto hex = [&](std::uint32_t v) {
        if (v == 0) {
            say("0");
        } else {
            put("%#x", v);
        }
    };
    if ((val3 >> 28) & 8) say("FUTEX_OP_OPARG_SHIFT<<28|");
    const std::uint32_t op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
    if (const auto name = xlat::futex_wake_ops.name_of(op)) {
        put("%.*s<<28", static_cast<int>(name->size()), name->data());
    } else {
        hex(op);
        say("<<28 /* FUTEX_OP_??? */");
    }
    say("|");
    hex((val3 >> 12) & 0xfff);
    say("<<12|");
    if (const auto name = xlat::futex_wake_cmps.name_of(cmp)) {
        put("%.*s<<24", static_cast<int>(name->size()), name->data());
    } else {
        hex(cmp);
        say("<<24 /* FUTEX_OP_CMP_??? */");
    }
    say("|");
    hex(val3 & 0xfff);
    tree.add_text_copy(tree.root(), std::string_view(text, n));
}

void futex_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const auto op = static_cast<std::uint32_t>(ctx.arg(1));
    const int cmd = static_cast<int>(op) & kCmdMask;
    const auto val = static_cast<std::uint32_t>(ctx.arg(2));
    const auto val2 = static_cast<std::uint32_t>(ctx.arg(3));  // shares timeout's slot
    const std::uint64_t timeout = ctx.arg(3), uaddr2 = ctx.arg(4);
    const auto val3 = static_cast<std::uint32_t>(ctx.arg(5));

    tree.add_ptr(root, ctx.arg(0));
    add_op(tree, op);
    switch (cmd) {
        case kWait:
            tree.add_uint(root, val);
            add_timeout(ctx, timeout);
            break;
        case kLockPi:
        case kLockPi2:
            add_timeout(ctx, timeout);
            break;
        case kWaitBitset:
            tree.add_uint(root, val);
            add_timeout(ctx, timeout);
            add_bitset(tree, val3);
            break;
        case kWakeBitset:
            tree.add_uint(root, val);
            add_bitset(tree, val3);
            break;
        case kRequeue:
            tree.add_uint(root, val);
            tree.add_uint(root, val2);
            tree.add_ptr(root, uaddr2);
            break;
        case kCmpRequeue:
        case kCmpRequeuePi:
            tree.add_uint(root, val);
            tree.add_uint(root, val2);
            tree.add_ptr(root, uaddr2);
            tree.add_uint(root, val3);
            break;
        case kWakeOp:
            tree.add_uint(root, val);
            tree.add_uint(root, val2);
            tree.add_ptr(root, uaddr2);
            add_wake_op(tree, val3);
            break;
        case kWaitRequeuePi:
            tree.add_uint(root, val);
            add_timeout(ctx, timeout);
            tree.add_ptr(root, uaddr2);
            break;
        case kFd:
        case kWake:
            tree.add_uint(root, val);
            break;
        case kUnlockPi:
        case kTrylockPi:
            break;
        default:
            tree.add_uint(root, val);
            tree.add_ptr(root, timeout);
            tree.add_ptr(root, uaddr2);
            tree.add_hex(root, val3);
            break;
    }
}

// struct futex_waitv (linux/futex.h).
struct FutexWaitv {
    std::uint64_t val;
    std::uint64_t uaddr;
    std::uint32_t flags;
    std::uint32_t reserved;
};

// The most waiters the kernel takes (FUTEX_WAITV_MAX); strace prints no
// more than these, "..." after them, whatever -s says.
constexpr std::uint64_t kFutexWaitvMax = 128;

void futex_waitv_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const auto count = static_cast<std::uint32_t>(ctx.arg(1));
    shapes::add_array<sizeof(FutexWaitv)>(
        ctx, root, ctx.arg(0), count,
        [](DecodeContext& c, NodeId list, const char* bytes) {
            FutexWaitv w{};
            std::memcpy(&w, bytes, sizeof w);
            ArgTree& t = c.tree();
            const NodeId s = t.add_struct(list);
            t.add_hex(s, w.val, "val");
            t.add_ptr(s, w.uaddr, "uaddr");
            shapes::add_xflags(t, s, w.flags, xlat::futex_waitv_flags, "FUTEX_???", "flags");
            if (w.reserved != 0) t.add_hex(s, w.reserved, "__reserved");
        },
        sizeof(FutexWaitv), {}, kFutexWaitvMax);
    tree.add_uint(root, count);
    tree.add_hex(root, static_cast<std::uint32_t>(ctx.arg(2)));
    shapes::add_timespec(ctx, root, ctx.arg(3));
    shapes::add_xval(tree, root, static_cast<std::uint32_t>(ctx.arg(4)), xlat::futex_clocks,
                     "CLOCK_???");
}

// The robust futex list: its head's address and length; get_robust_list
// shows what the kernel stored through its two pointers.
void set_robust_list_entry(DecodeContext& ctx) {
    ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

void get_robust_list_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
}

void get_robust_list_exit(DecodeContext& ctx) {
    const unsigned word = ctx.arch() == Arch::X86_64 ? 8 : 4;
    ArgTree& tree = ctx.tree();
    // The head: an address, NULL when zero.
    std::uint64_t head = 0;
    if (ctx.arg(1) == 0) {
        tree.add_ptr(ctx.root(), 0);
    } else if (ctx.failed() ||
               ctx.read(ctx.arg(1), {reinterpret_cast<char*>(&head), word}) != word) {
        tree.add_hex(ctx.root(), ctx.arg(1));
    } else {
        tree.add_ptr(tree.add_array(ctx.root()), head);
    }
    shapes::add_num_at(ctx, ctx.root(), ctx.arg(2), word, shapes::NumAs::Unsigned);
}

constexpr SyscallDecoder kDecoders[] = {
    {"futex", futex_entry, nullptr},
    {"set_robust_list", set_robust_list_entry, nullptr},
    {"get_robust_list", get_robust_list_entry, get_robust_list_exit},
    {"futex_waitv", futex_waitv_entry, nullptr},
};

}  // namespace

std::span<const SyscallDecoder> futex_decoders() {
    return kDecoders;
}

}  // namespace sctrace
