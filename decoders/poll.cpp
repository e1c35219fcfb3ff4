// Decoders of the poll family: select, pselect6, poll, ppoll and epoll.
// See decoders/decoder.h.
//
// strace prints the sets and arrays passed in at entry and what the kernel
// reported after the result, in parentheses: "= 1 (out [4], left {...})",
// "= 1 ([{fd=3, revents=POLLIN}])", "= 0 (Timeout)". epoll_wait's events
// are an argument instead, decoded at exit.
#include <algorithm>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/desc_shapes.h"
#include "decoders/shapes.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using desc_shapes::add_fd;
using desc_shapes::add_timespec;
using desc_shapes::add_timeval;
using desc_shapes::word_size;

// --- select, pselect6 ---

// The kernel's nfds, bounded as strace bounds it (negative: none; at most
// 2^20), so a hostile value cannot make the decoder read megabytes.
int select_nfds(std::uint64_t raw) {
    int nfds = static_cast<int>(raw);
    if (nfds < 0) nfds = 0;
    if (nfds > 1024 * 1024) nfds = 1024 * 1024;
    return nfds;
}

// An fd_set read in fixed chunks: strace reads the set rounded up to whole
// longs and prints it only when all of that is readable.
class FdSetReader {
public:
    FdSetReader(DecodeContext& ctx, std::uint64_t addr, int nfds)
        : ctx_(ctx), addr_(addr), nfds_(nfds) {
        const std::size_t word = word_size(ctx.arch());
        size_ = ((static_cast<std::size_t>(nfds) + 7) / 8 + word - 1) & ~(word - 1);
    }

    bool readable() {
        for (std::size_t at = 0; at < size_; at += sizeof chunk_) {
            const std::size_t want = std::min(sizeof chunk_, size_ - at);
            if (ctx_.read(addr_ + at, {chunk_, want}) != want) return false;
        }
        return true;
    }

    // Calls fn(fd) for each fd in the set below nfds, in order, until fn
    // returns false.
    template <typename Fn>
    void for_each(Fn&& fn) {
        for (std::size_t at = 0; at < size_; at += sizeof chunk_) {
            const std::size_t want = std::min(sizeof chunk_, size_ - at);
            if (ctx_.read(addr_ + at, {chunk_, want}) != want) return;
            for (std::size_t byte = 0; byte < want; ++byte) {
                const auto bits = static_cast<unsigned char>(chunk_[byte]);
                if (bits == 0) continue;
                for (int bit = 0; bit < 8; ++bit) {
                    const int fd = static_cast<int>((at + byte) * 8) + bit;
                    if (fd >= nfds_) return;
                    if ((bits & (1u << bit)) && !fn(fd)) return;
                }
            }
        }
    }

    std::size_t size() const { return size_; }

private:
    DecodeContext& ctx_;
    std::uint64_t addr_;
    int nfds_;
    std::size_t size_ = 0;
    char chunk_[128];
};

void add_fd_set(DecodeContext& ctx, std::uint64_t addr, int nfds) {
    FdSetReader set(ctx, addr, nfds);
    if (addr == 0 || set.size() == 0 || !set.readable()) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId list = ctx.tree().add_array(ctx.root());
    if (list == kNoNode) return;
    ctx.tree().mutable_node(list).spaced = true;
    set.for_each([&](int fd) {
        add_fd(ctx, list, static_cast<std::uint32_t>(fd));
        return !ctx.tree().overflowed();
    });
}

// The five select arguments: from registers, or for i386's old select
// from the block its one argument points to.
struct SelectArgs {
    std::uint64_t a[5] = {};
    bool ok = true;
};

SelectArgs select_args(DecodeContext& ctx) {
    SelectArgs args;
    // i386's old select (the table's one-argument select) reads its five
    // from a block; _newselect and x86_64's select take them in registers.
    const SyscallInfo* info = syscall_info(ctx.arch(), ctx.call().nr);
    if (info && info->traits.kind == SyscallKind::Select && info->nargs == 1) {
        std::uint32_t raw[5];
        if (!ctx.read_struct(ctx.arg(0), raw)) {
            args.ok = false;
            return args;
        }
        for (int i = 0; i < 5; ++i) args.a[i] = raw[i];
        return args;
    }
    for (int i = 0; i < 5; ++i) args.a[i] = ctx.arg(i);
    return args;
}

void select_entry_common(DecodeContext& ctx, const SelectArgs& args, bool timespec) {
    const int nfds = select_nfds(args.a[0]);
    ctx.tree().add_int(ctx.root(), static_cast<int>(args.a[0]));
    for (int i = 1; i <= 3; ++i) add_fd_set(ctx, args.a[i], nfds);
    if (timespec) {
        add_timespec(ctx, ctx.root(), args.a[4]);
    } else {
        add_timeval(ctx, ctx.root(), args.a[4]);
    }
}

// "(in [3], out [4], left {...})", or "(Timeout)".
void select_exit_common(DecodeContext& ctx, const SelectArgs& args, bool timespec) {
    if (ctx.failed()) return;
    ArgTree& tree = ctx.tree();
    tree.ret_aux = tree.add_detached_struct();
    if (ctx.ret() == 0) {
        tree.add_text(tree.ret_aux, "Timeout");
        return;
    }
    const int nfds = select_nfds(args.a[0]);
    std::int64_t ready = ctx.ret();
    static constexpr std::string_view kNames[] = {"in", "out", "except"};
    for (int i = 0; i < 3 && ready > 0; ++i) {
        const std::uint64_t addr = args.a[i + 1];
        FdSetReader set(ctx, addr, nfds);
        if (addr == 0 || set.size() == 0 || !set.readable()) continue;
        NodeId list = kNoNode;
        set.for_each([&](int fd) {
            if (list == kNoNode) {
                list = tree.add_array(tree.ret_aux, kNames[i]);
                if (list == kNoNode) return false;
                tree.mutable_node(list).spaced = true;
            }
            add_fd(ctx, list, static_cast<std::uint32_t>(fd));
            return --ready > 0 && !tree.overflowed();
        });
    }
    if (args.a[4] != 0) {
        if (timespec) {
            add_timespec(ctx, tree.ret_aux, args.a[4], "left");
        } else {
            add_timeval(ctx, tree.ret_aux, args.a[4], "left");
        }
    }
}

void select_entry(DecodeContext& ctx) {
    const SelectArgs args = select_args(ctx);
    if (!args.ok) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
        return;
    }
    select_entry_common(ctx, args, false);
}

void select_exit(DecodeContext& ctx) {
    const SelectArgs args = select_args(ctx);
    if (args.ok) select_exit_common(ctx, args, false);
}

// pselect6's sixth argument: a pointer to {const sigset_t *ss; size_t ss_len}.
void add_pselect_sigmask(DecodeContext& ctx, std::uint64_t addr) {
    std::uint64_t ss = 0, len = 0;
    if (word_size(ctx.arch()) == 8) {
        std::uint64_t pair[2];
        if (!ctx.read_struct(addr, pair)) {
            ctx.tree().add_ptr(ctx.root(), addr);
            return;
        }
        ss = pair[0], len = pair[1];
    } else {
        std::uint32_t pair[2];
        if (!ctx.read_struct(addr, pair)) {
            ctx.tree().add_ptr(ctx.root(), addr);
            return;
        }
        ss = pair[0], len = pair[1];
    }
    const NodeId s = ctx.tree().add_struct(ctx.root());
    shapes::add_sigset(ctx, s, ss, len, "sigmask");
    ctx.tree().add_uint(s, len, "sigsetsize");
}

void pselect6_entry(DecodeContext& ctx) {
    const SelectArgs args = select_args(ctx);
    select_entry_common(ctx, args, true);
    add_pselect_sigmask(ctx, ctx.arg(5));
}

void pselect6_exit(DecodeContext& ctx) {
    select_exit_common(ctx, select_args(ctx), true);
}

// --- poll, ppoll ---

// -P: strace matches every fd of the array against its paths, up to the
// first unreadable element (at most 1M of them), shown or not; the ones
// past -s are kept apart, each fd once, while the arena has room.
void add_unshown_pollfds(DecodeContext& ctx, std::uint32_t nfds) {
    constexpr std::uint64_t kMaxMatched = 1024 * 1024;
    constexpr std::size_t kRoomLeft = 64;  // nodes kept for the call's result
    ArgTree& tree = ctx.tree();
    const std::uint64_t start = ctx.arg(0);
    const std::uint64_t count = std::min<std::uint64_t>(nfds, kMaxMatched);
    if (start == 0 || start + count * 8 < start) return;
    for (std::uint64_t i = ctx.array_limit(); i < count; ++i) {
        struct {
            std::int32_t fd;
            std::int16_t events, revents;
        } p;
        if (!ctx.read_value(start + i * 8, p)) break;
        if (tree.unshown_fds == kNoNode) tree.unshown_fds = tree.add_detached_struct();
        bool seen = false;
        for (const NodeId c : tree.children(tree.unshown_fds)) {
            seen = seen || static_cast<std::int32_t>(tree.node(c).value) == p.fd;
        }
        if (seen) continue;
        if (tree.node_count() + kRoomLeft >= ArgTree::kMaxNodes) break;
        add_fd(ctx, tree.unshown_fds, static_cast<std::uint32_t>(p.fd));
    }
}

void add_pollfds(DecodeContext& ctx) {
    const auto nfds = static_cast<std::uint32_t>(ctx.arg(1));
    auto elem = [](DecodeContext& c, NodeId list, const char* bytes) {
        struct pollfd_raw {
            std::int32_t fd;
            std::int16_t events, revents;
        } p;
        std::memcpy(&p, bytes, sizeof p);
        const NodeId s = c.tree().add_struct(list);
        add_fd(c, s, static_cast<std::uint32_t>(p.fd), "fd");
        if (p.fd >= 0) {
            shapes::add_xflags(c.tree(), s, static_cast<std::uint16_t>(p.events), xlat::poll_events,
                               "POLL???", "events");
        }
    };
    shapes::add_array<8>(ctx, ctx.root(), ctx.arg(0), nfds, elem);
    ctx.tree().add_uint(ctx.root(), nfds);
    if (ctx.options().match_paths) add_unshown_pollfds(ctx, nfds);
}

void poll_entry(DecodeContext& ctx) {
    add_pollfds(ctx);
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(2)));
}

// "([{fd=3, revents=POLLIN}], left {...})", or "(Timeout)": the fds with
// events, at most -s of them, then (ppoll) the time left.
void poll_exit_common(DecodeContext& ctx, std::uint64_t timeout_addr) {
    if (ctx.failed()) return;
    ArgTree& tree = ctx.tree();
    if (ctx.ret() == 0) {
        tree.ret_aux = tree.add_detached_struct();
        tree.add_text(tree.ret_aux, "Timeout");
        return;
    }
    const auto nfds = static_cast<std::uint32_t>(ctx.arg(1));
    const std::uint64_t start = ctx.arg(0);
    const NodeId aux = tree.add_detached_struct();
    if (start != 0 && nfds != 0 && start + std::uint64_t{nfds} * 8 > start) {
        NodeId list = kNoNode;
        std::size_t printed = 0;
        for (std::uint32_t i = 0; i < nfds; ++i) {
            struct {
                std::int32_t fd;
                std::int16_t events, revents;
            } p;
            if (!ctx.read_struct(start + std::uint64_t{i} * 8, p)) break;
            if (p.revents == 0) continue;
            if (list == kNoNode) list = tree.add_array(aux);
            if (list == kNoNode) break;
            if (printed + 1 > ctx.array_limit()) {
                tree.mark_truncated(list);
                break;
            }
            const NodeId s = tree.add_struct(list);
            add_fd(ctx, s, static_cast<std::uint32_t>(p.fd), "fd");
            shapes::add_xflags(ctx.tree(), s, static_cast<std::uint16_t>(p.revents),
                               xlat::poll_events, "POLL???", "revents");
            ++printed;
        }
    }
    if (timeout_addr != 0) add_timespec(ctx, aux, timeout_addr, "left");
    if (tree.node(aux).first_child != kNoNode) tree.ret_aux = aux;
}

void poll_exit(DecodeContext& ctx) {
    poll_exit_common(ctx, 0);
}

void ppoll_entry(DecodeContext& ctx) {
    add_pollfds(ctx);
    add_timespec(ctx, ctx.root(), ctx.arg(2));
    shapes::add_sigset(ctx, ctx.root(), ctx.arg(3), ctx.arg(4));
    ctx.tree().add_uint(ctx.root(), ctx.arg(4));
}

void ppoll_exit(DecodeContext& ctx) {
    poll_exit_common(ctx, ctx.arg(2));
}

// --- epoll ---

void epoll_create_entry(DecodeContext& ctx) {
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(0)));
}

void epoll_create1_entry(DecodeContext& ctx) {
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(0) & 0xffffffffu, xlat::epoll_create_flags,
                       "EPOLL_???");
}

// struct epoll_event: 12 bytes, packed, on x86_64 and i386 alike. The data
// union is shown both ways, as strace cannot know which the program uses.
constexpr std::size_t kEpollEventSize = 12;

void add_epoll_event(DecodeContext& ctx, NodeId parent, const char* bytes) {
    std::uint32_t events = 0;
    std::uint64_t data = 0;
    std::memcpy(&events, bytes, 4);
    std::memcpy(&data, bytes + 4, 8);
    const NodeId s = ctx.tree().add_struct(parent);
    shapes::add_xflags(ctx.tree(), s, events, xlat::epoll_events, "EPOLL???", "events");
    const NodeId d = ctx.tree().add_struct(s, "data");
    ctx.tree().add_uint(d, static_cast<std::uint32_t>(data), "u32");
    ctx.tree().add_uint(d, data, "u64");
}

void epoll_ctl_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
    const auto op = static_cast<std::uint32_t>(ctx.arg(1));
    shapes::add_xval(ctx.tree(), ctx.root(), op, xlat::epoll_ctl_ops, "EPOLL_CTL_???");
    add_fd(ctx, ctx.root(), ctx.arg(2));
    constexpr std::uint32_t kEpollCtlDel = 2;
    char ev[kEpollEventSize];
    if (op == kEpollCtlDel || ctx.arg(3) == 0 ||
        ctx.read(ctx.arg(3), {ev, sizeof ev}) != sizeof ev) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(3));
        return;
    }
    add_epoll_event(ctx, ctx.root(), ev);
}

// epoll_wait and friends: the events the kernel wrote (as many as the
// result says; the address when the call failed), maxevents, timeout.
void epoll_wait_exit_common(DecodeContext& ctx, bool timespec) {
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(1));
    } else {
        shapes::add_array<kEpollEventSize>(ctx, ctx.root(), ctx.arg(1),
                                           static_cast<std::uint64_t>(ctx.ret()),
                                           [](DecodeContext& c, NodeId list, const char* bytes) {
                                               add_epoll_event(c, list, bytes);
                                           });
    }
    ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(2)));
    if (timespec) {
        add_timespec(ctx, ctx.root(), ctx.arg(3));
    } else {
        ctx.tree().add_int(ctx.root(), static_cast<int>(ctx.arg(3)));
    }
}

void epoll_wait_exit(DecodeContext& ctx) {
    epoll_wait_exit_common(ctx, false);
}

void epoll_pwait_exit(DecodeContext& ctx) {
    epoll_wait_exit_common(ctx, false);
    shapes::add_sigset(ctx, ctx.root(), ctx.arg(4), ctx.arg(5));
    ctx.tree().add_uint(ctx.root(), ctx.arg(5));
}

void epoll_pwait2_exit(DecodeContext& ctx) {
    epoll_wait_exit_common(ctx, true);
    shapes::add_sigset(ctx, ctx.root(), ctx.arg(4), ctx.arg(5));
    ctx.tree().add_uint(ctx.root(), ctx.arg(5));
}

void fd_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"select", select_entry, select_exit},
    {"_newselect", select_entry, select_exit},
    {"pselect6", pselect6_entry, pselect6_exit},
    {"poll", poll_entry, poll_exit},
    {"ppoll", ppoll_entry, ppoll_exit},
    {"epoll_create", epoll_create_entry, nullptr},
    {"epoll_create1", epoll_create1_entry, nullptr},
    {"epoll_ctl", epoll_ctl_entry, nullptr},
    {"epoll_wait", fd_entry, epoll_wait_exit},
    {"epoll_pwait", fd_entry, epoll_pwait_exit},
    {"epoll_pwait2", fd_entry, epoll_pwait2_exit},
};

}  // namespace

std::span<const SyscallDecoder> poll_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
