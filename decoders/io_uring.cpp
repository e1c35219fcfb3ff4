// Decoders of the io_uring family: io_uring_setup, io_uring_enter and
// io_uring_register, printed as strace 6.1 prints them. See decoders/decoder.h.
//
// What the submissions themselves do (the SQEs in the ring) strace never
// shows; sources/live/io_uring_tracker.h reads them. This file is only the three
// syscalls' own arguments.
#include "model/io_uring_sqe.h"

#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/net_shapes.h"
#include "decoders/shapes.h"
#include "decoders/sockaddr.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// strace 6.1 names submission opcodes only up to IORING_OP_URING_CMD; our
// table knows the newer ones (the submission decoder needs them), so the
// strace notation stops here to print what strace prints.
constexpr std::uint64_t kStrace61LastOp = 46;
// Newer than the build's <linux/io_uring.h>; kernel ABI.
constexpr unsigned kOpBind = 56;

// strace 6.1's printxval of a submission opcode: past the last one it
// knew, every opcode is unnamed.
NodeId add_op(ArgTree& tree, NodeId parent, std::uint64_t op, shapes::Unnamed as,
              std::string_view key) {
    if (op > kStrace61LastOp)
        return shapes::add_unknown(tree, parent, op, "IORING_OP_???", key, as);
    return shapes::add_xval(tree, parent, op, xlat::io_uring_ops, "IORING_OP_???", key, as);
}

// A fixed-size array of reserved words, printed only when not all zero.
template <typename T, std::size_t N>
void add_resv_array(ArgTree& tree, NodeId parent, const T (&words)[N], std::string_view key) {
    if (std::all_of(std::begin(words), std::end(words), [](T w) { return w == 0; })) return;
    const NodeId list = tree.add_array(parent, key);
    for (const T w : words) tree.add_hex(list, w);
}

// strace's print_array (shapes::add_array) over `nmemb` members of type
// Elem; `each(list, elem)` adds one member.
template <typename Elem, typename Each>
NodeId add_array_of(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t nmemb,
                    Each&& each, std::string_view key = {}) {
    const auto elem = [&each](DecodeContext&, NodeId list, const char* bytes) {
        Elem value;
        std::memcpy(&value, bytes, sizeof value);
        each(list, value);
    };
    return shapes::add_array<sizeof(Elem)>(ctx, parent, addr, nmemb, elem, sizeof(Elem), key);
}

// An fd array's member: the fd, with what it names under -y.
void add_fd_member(DecodeContext& ctx, NodeId list, const std::int32_t& fd) {
    shapes::add_fd(ctx, list, static_cast<std::uint32_t>(fd));
}

// A files-update member: fds below -1 are the table's special values
// (printxval_d: signed, and no label for the others).
void add_files_update_member(DecodeContext& ctx, NodeId list, const std::int32_t& fd) {
    if (fd < -1) {
        shapes::add_xval(ctx.tree(), list,
                         static_cast<std::uint64_t>(static_cast<std::int64_t>(fd)),
                         xlat::io_uring_files_update_fds, {}, {}, shapes::Unnamed::Decimal);
    } else {
        add_fd_member(ctx, list, fd);
    }
}

// What follows a struct of `known` bytes in an argument of `size` (strace's
// print_nonzero_bytes, up to a page): nothing when all zero, "???" when
// unreadable, else "/* bytes 32..39 */ "\xa0..."" with at most -s bytes.
void add_nonzero_tail(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::size_t known,
                      std::uint64_t size) {
    constexpr std::size_t kPage = 4096;
    const std::size_t end = std::min<std::uint64_t>(size, kPage);
    if (known >= end) return;
    std::array<char, kPage> bytes;
    const std::size_t len = end - known;
    if (ctx.read(addr + known, {bytes.data(), len}) != len) {
        ctx.tree().add_text(parent, "???");
        return;
    }
    if (std::all_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len),
                    [](char c) { return c == 0; })) {
        return;
    }
    const std::size_t shown = std::min(len, ctx.options().string_limit);
    char text[64 + kPage * 4];
    int n = std::snprintf(text, sizeof text, "/* bytes %zu..%zu */ ", known, end - 1);
    n += static_cast<int>(net_shapes::quote(text + n, sizeof text - static_cast<std::size_t>(n) - 4,
                                            {bytes.data(), shown}, true));
    if (shown < len) n += std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n), "...");
    ctx.tree().add_text_copy(parent, std::string_view(text, static_cast<std::size_t>(n)));
}

NodeId add_iovec_array(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t nr,
                       std::string_view key = {}) {
    return add_array_of<struct iovec>(
        ctx, parent, addr, nr,
        [&](NodeId list, const struct iovec& iov) {
            const NodeId s = ctx.tree().add_struct(list);
            ctx.tree().add_ptr(s, reinterpret_cast<std::uintptr_t>(iov.iov_base), "iov_base");
            ctx.tree().add_uint(s, iov.iov_len, "iov_len");
        },
        key);
}

NodeId add_tags(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t nr) {
    return add_array_of<std::uint64_t>(
        ctx, parent, addr, nr,
        [&](NodeId list, const std::uint64_t& tag) { ctx.tree().add_hex(list, tag); }, "tags");
}

// --- io_uring_setup --------------------------------------------------------

void setup_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    tree.add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(0)));
    const std::uint64_t addr = ctx.arg(1);
    io_uring_params p;
    if (!ctx.read_struct(addr, p)) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    shapes::add_xflags(ctx.tree(), s, p.flags, xlat::io_uring_setup_flags, "IORING_SETUP_???",
                       "flags");
    tree.add_hex(s, p.sq_thread_cpu, "sq_thread_cpu");
    tree.add_uint(s, p.sq_thread_idle, "sq_thread_idle");
    if (p.flags & IORING_SETUP_ATTACH_WQ) {
        shapes::add_fd(ctx, s, p.wq_fd, "wq_fd");
    }
    add_resv_array(tree, s, p.resv, "resv");
}

void add_sq_offsets(ArgTree& tree, NodeId parent, const io_sqring_offsets& o) {
    const NodeId s = tree.add_struct(parent, "sq_off");
    tree.add_uint(s, o.head, "head");
    tree.add_uint(s, o.tail, "tail");
    tree.add_uint(s, o.ring_mask, "ring_mask");
    tree.add_uint(s, o.ring_entries, "ring_entries");
    tree.add_uint(s, o.flags, "flags");
    tree.add_uint(s, o.dropped, "dropped");
    tree.add_uint(s, o.array, "array");
    if (o.resv1) tree.add_hex(s, o.resv1, "resv1");
    if (o.resv2) tree.add_hex(s, o.resv2, "resv2");
}

void add_cq_offsets(ArgTree& tree, NodeId parent, const io_cqring_offsets& o) {
    const NodeId s = tree.add_struct(parent, "cq_off");
    tree.add_uint(s, o.head, "head");
    tree.add_uint(s, o.tail, "tail");
    tree.add_uint(s, o.ring_mask, "ring_mask");
    tree.add_uint(s, o.ring_entries, "ring_entries");
    tree.add_uint(s, o.overflow, "overflow");
    tree.add_uint(s, o.cqes, "cqes");
    tree.add_uint(s, o.flags, "flags");
    if (o.resv1) tree.add_hex(s, o.resv1, "resv1");
    if (o.resv2) tree.add_hex(s, o.resv2, "resv2");
}

// The n-th argument node (0-based) of the call, or kNoNode.
NodeId nth_arg(const ArgTree& tree, int n) {
    NodeId c = tree.node(tree.root()).first_child;
    for (int i = 0; i < n && c != kNoNode; ++i) c = tree.node(c).next;
    return c;
}

void setup_exit(DecodeContext& ctx) {
    // strace adds what the kernel filled in to the same braces, on success.
    ArgTree& tree = ctx.tree();
    const NodeId s = nth_arg(tree, 1);
    if (ctx.failed() || s == kNoNode || tree.node(s).kind != ArgKind::Struct) return;
    io_uring_params p;
    if (!ctx.read_struct(ctx.arg(1), p)) return;
    tree.add_uint(s, p.sq_entries, "sq_entries");
    tree.add_uint(s, p.cq_entries, "cq_entries");
    shapes::add_xflags(ctx.tree(), s, p.features, xlat::io_uring_setup_features, "IORING_FEAT_???",
                       "features");
    add_sq_offsets(tree, s, p.sq_off);
    add_cq_offsets(tree, s, p.cq_off);
}

// --- io_uring_enter --------------------------------------------------------

void enter_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    tree.add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(1)));
    tree.add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(2)));
    shapes::add_xflags(ctx.tree(), ctx.root(), static_cast<std::uint32_t>(ctx.arg(3)),
                       xlat::io_uring_enter_flags, "IORING_ENTER_???");
    // strace 6.1 always reads argument 4 as a sigset (it predates decoding
    // IORING_ENTER_EXT_ARG), so an io_uring_getevents_arg of 24 bytes prints
    // as its address, like any set of a size other than the word size.
    const std::uint64_t size = ctx.arg(5);
    shapes::add_sigset(ctx, ctx.root(), ctx.arg(4), size);
    tree.add_uint(ctx.root(), size);
}

// --- io_uring_register -----------------------------------------------------

void add_restriction(DecodeContext& ctx, NodeId list, const io_uring_restriction& r) {
    ArgTree& tree = ctx.tree();
    const NodeId s = tree.add_struct(list);
    const bool known = r.opcode == IORING_RESTRICTION_REGISTER_OP ||
                       r.opcode == IORING_RESTRICTION_SQE_OP ||
                       r.opcode == IORING_RESTRICTION_SQE_FLAGS_ALLOWED ||
                       r.opcode == IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
    if (known) {
        shapes::add_xval(tree, s, r.opcode, xlat::io_uring_restriction_opcodes,
                         "IORING_RESTRICTION_???", "opcode");
    } else {
        // strace appends the union's byte as a comment to the opcode, in
        // every -X style.
        const NodeId op = shapes::add_textf(tree, s, "opcode", "op: %#x", r.register_op);
        if (op != kNoNode) tree.mutable_node(op).pin = XlatPin::Always;
        shapes::add_xval(tree, op, r.opcode, xlat::io_uring_restriction_opcodes,
                         "IORING_RESTRICTION_???");
    }
    switch (r.opcode) {
        case IORING_RESTRICTION_REGISTER_OP:
            shapes::add_xval(tree, s, r.register_op, xlat::io_uring_register_opcodes,
                             "IORING_REGISTER_???", "register_op");
            break;
        case IORING_RESTRICTION_SQE_OP:
            add_op(tree, s, r.sqe_op, shapes::Unnamed::Hex, "sqe_op");
            break;
        case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
        case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
            shapes::add_xflags(ctx.tree(), s, r.sqe_flags, xlat::io_uring_sqe_flags, "IOSQE_???",
                               "sqe_flags");
            break;
        default:
            break;
    }
    if (r.resv) tree.add_hex(s, r.resv, "resv");
    add_resv_array(tree, s, r.resv2, "resv2");
}

// The probe struct with `count` ops (strace reads nargs of them at entry, the
// kernel's ops_len at exit). `cut`: the kernel has more ops than were room
// for (ops_len > nargs), shown as "...".
template <typename Header>
void add_probe(DecodeContext& ctx, NodeId parent, const Header& probe, const io_uring_probe_op* ops,
               std::size_t count, bool cut) {
    ArgTree& tree = ctx.tree();
    const NodeId s = tree.add_struct(parent);
    add_op(tree, s, probe.last_op, shapes::Unnamed::Decimal, "last_op");
    tree.add_uint(s, probe.ops_len, "ops_len");
    if (probe.resv) tree.add_hex(s, probe.resv, "resv");
    add_resv_array(tree, s, probe.resv2, "resv2");
    const NodeId list = tree.add_array(s, "ops");
    for (std::size_t i = 0; i < count; ++i) {
        if (i >= ctx.array_limit()) {
            tree.mark_truncated(list);
            break;
        }
        const io_uring_probe_op& op = ops[i];
        const NodeId o = tree.add_struct(list);
        add_op(tree, o, op.op, shapes::Unnamed::Decimal, "op");
        if (op.resv) tree.add_hex(o, op.resv, "resv");
        shapes::add_xflags(ctx.tree(), o, op.flags, xlat::io_uring_op_flags, "IO_URING_OP_???",
                           "flags");
        if (op.resv2) tree.add_hex(o, op.resv2, "resv2");
    }
    if (cut) tree.mark_truncated(list);
}

// The probe buffer: header and at most 256 ops (the kernel's own limit).
// io_uring_probe ends in a flexible array, hence the two members.
struct ProbeBuffer {
    struct {
        std::uint8_t last_op;
        std::uint8_t ops_len;
        std::uint16_t resv;
        std::uint32_t resv2[3];
    } header;
    io_uring_probe_op ops[256];
};

// Reads the probe with `nargs` ops; false when unreadable.
bool read_probe(DecodeContext& ctx, std::uint64_t addr, std::uint32_t nargs, ProbeBuffer& buf) {
    static_assert(sizeof(io_uring_probe) == 16 && sizeof(io_uring_probe_op) == 8);
    if (addr == 0 || nargs > 256) return false;
    if (!ctx.read_struct(addr, buf.header)) return false;
    const std::size_t size = nargs * sizeof(io_uring_probe_op);
    return ctx.read(addr + sizeof(io_uring_probe), {reinterpret_cast<char*>(buf.ops), size}) ==
           size;
}

bool all_zero(const void* p, std::size_t n) {
    const auto* bytes = static_cast<const unsigned char*>(p);
    return std::all_of(bytes, bytes + n, [](unsigned char b) { return b == 0; });
}

// IORING_REGISTER_IOWQ_MAX_WORKERS' array, "[[IO_WQ_BOUND]=4, ...]"
// (strace's print_array with indices named by the table). Returns whether
// every element was shown: only then does strace show the array again,
// as the kernel left it, after " => ".
bool add_iowq_counts(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint32_t nargs) {
    std::uint32_t index = 0;
    const auto elem = [&index](DecodeContext& c, NodeId list, const char* bytes) {
        std::uint32_t count;
        std::memcpy(&count, bytes, sizeof count);
        // The index, with the count as its child: [IO_WQ_BOUND]=4.
        const NodeId id = shapes::add_xval(c.tree(), list, index++, xlat::io_uring_iowq_acct,
                                           "IO_WQ_???", {}, shapes::Unnamed::Decimal);
        c.tree().add_uint(id, count);
    };
    const NodeId list = shapes::add_array<4>(ctx, parent, addr, nargs, elem);
    if (list != kNoNode && ctx.tree().node(list).kind == ArgKind::Array) {
        ctx.tree().mutable_node(list).indexed = true;
    }
    return nargs != 0 && index == nargs && list != kNoNode && !ctx.tree().node(list).truncated;
}

// A CPU bitmap of `len` bytes as the set CPU numbers, space separated.
NodeId add_affinity_list(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len) {
    ArgTree& tree = ctx.tree();
    std::array<unsigned char, 1024> bits{};
    const std::size_t want = std::min<std::uint64_t>(len, bits.size());
    if (addr != 0 && len == 0) return tree.add_array(parent);
    if (addr == 0 || ctx.read(addr, {reinterpret_cast<char*>(bits.data()), want}) != want) {
        return tree.add_ptr(parent, addr);
    }
    const NodeId list = tree.add_array(parent);
    tree.mutable_node(list).spaced = true;
    for (std::size_t cpu = 0; cpu < want * 8; ++cpu) {
        if (bits[cpu / 8] & (1u << (cpu % 8))) tree.add_uint(list, cpu);
    }
    return list;
}

void register_arg(DecodeContext& ctx, std::uint32_t opcode, std::uint64_t arg,
                  std::uint32_t nargs) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    switch (opcode) {
        case IORING_REGISTER_BUFFERS:
            add_iovec_array(ctx, root, arg, nargs);
            return;
        case IORING_REGISTER_FILES:
        case IORING_REGISTER_EVENTFD:
        case IORING_REGISTER_EVENTFD_ASYNC:
            add_array_of<std::int32_t>(
                ctx, root, arg, nargs,
                [&](NodeId l, const std::int32_t& fd) { add_fd_member(ctx, l, fd); });
            return;
        case IORING_REGISTER_FILES_UPDATE: {
            io_uring_files_update u;
            if (!ctx.read_struct(arg, u)) {
                tree.add_ptr(root, arg);
                return;
            }
            const NodeId s = tree.add_struct(root);
            tree.add_uint(s, u.offset, "offset");
            if (u.resv) tree.add_hex(s, u.resv, "resv");
            add_array_of<std::int32_t>(
                ctx, s, u.fds, nargs,
                [&](NodeId l, const std::int32_t& fd) { add_files_update_member(ctx, l, fd); },
                "fds");
            return;
        }
        case IORING_REGISTER_RESTRICTIONS:
            add_array_of<io_uring_restriction>(
                ctx, root, arg, nargs,
                [&](NodeId l, const io_uring_restriction& r) { add_restriction(ctx, l, r); });
            return;
        case IORING_REGISTER_FILES2:
        case IORING_REGISTER_BUFFERS2: {
            io_uring_rsrc_register r;
            if (nargs < sizeof r || !ctx.read_struct(arg, r)) {
                tree.add_ptr(root, arg);
                return;
            }
            const NodeId s = tree.add_struct(root);
            tree.add_uint(s, r.nr, "nr");
            shapes::add_xflags(ctx.tree(), s, r.flags, xlat::io_uring_rsrc_register_flags,
                               "IORING_RSRC_REGISTER_???", "flags");
            if (r.resv2) tree.add_hex(s, r.resv2, "resv2");
            if (opcode == IORING_REGISTER_FILES2) {
                add_array_of<std::int32_t>(
                    ctx, s, r.data, r.nr,
                    [&](NodeId l, const std::int32_t& fd) { add_fd_member(ctx, l, fd); }, "data");
            } else {
                add_iovec_array(ctx, s, r.data, r.nr, "data");
            }
            add_tags(ctx, s, r.tags, r.nr);
            add_nonzero_tail(ctx, s, arg, sizeof r, nargs);
            return;
        }
        case IORING_REGISTER_FILES_UPDATE2:
        case IORING_REGISTER_BUFFERS_UPDATE: {
            io_uring_rsrc_update2 u;
            if (nargs < sizeof u || !ctx.read_struct(arg, u)) {
                tree.add_ptr(root, arg);
                return;
            }
            const NodeId s = tree.add_struct(root);
            tree.add_uint(s, u.offset, "offset");
            if (u.resv) tree.add_hex(s, u.resv, "resv");
            if (opcode == IORING_REGISTER_FILES_UPDATE2) {
                add_array_of<std::int32_t>(
                    ctx, s, u.data, u.nr,
                    [&](NodeId l, const std::int32_t& fd) { add_files_update_member(ctx, l, fd); },
                    "data");
            } else {
                add_iovec_array(ctx, s, u.data, u.nr, "data");
            }
            add_tags(ctx, s, u.tags, u.nr);
            tree.add_uint(s, u.nr, "nr");
            if (u.resv2) tree.add_hex(s, u.resv2, "resv2");
            add_nonzero_tail(ctx, s, arg, sizeof u, nargs);
            return;
        }
        case IORING_REGISTER_IOWQ_AFF:
            add_affinity_list(ctx, root, arg, nargs);
            return;
        case IORING_REGISTER_RING_FDS:
            add_array_of<io_uring_rsrc_update>(ctx, root, arg, nargs,
                                               [&](NodeId l, const io_uring_rsrc_update& u) {
                                                   const NodeId s = tree.add_struct(l);
                                                   if (u.offset == ~0u) {
                                                       tree.add_int(s, -1, "offset");
                                                   } else {
                                                       tree.add_uint(s, u.offset, "offset");
                                                   }
                                                   if (u.resv) tree.add_hex(s, u.resv, "resv");
                                                   shapes::add_fd(ctx, s, u.data, "data");
                                               });
            return;
        case IORING_UNREGISTER_RING_FDS:
            add_array_of<io_uring_rsrc_update>(ctx, root, arg, nargs,
                                               [&](NodeId l, const io_uring_rsrc_update& u) {
                                                   const NodeId s = tree.add_struct(l);
                                                   tree.add_uint(s, u.offset, "offset");
                                                   if (u.resv) tree.add_hex(s, u.resv, "resv");
                                                   if (u.data) tree.add_hex(s, u.data, "data");
                                               });
            return;
        case IORING_REGISTER_PBUF_RING:
        case IORING_UNREGISTER_PBUF_RING: {
            io_uring_buf_reg r;
            if (!ctx.read_struct(arg, r)) {
                tree.add_ptr(root, arg);
                return;
            }
            const NodeId s = tree.add_struct(root);
            tree.add_ptr(s, r.ring_addr, "ring_addr");
            tree.add_uint(s, r.ring_entries, "ring_entries");
            tree.add_uint(s, r.bgid, "bgid");
            if (r.pad) tree.add_hex(s, r.pad, "pad");
            add_resv_array(tree, s, r.resv, "resv");
            return;
        }
        default:
            tree.add_ptr(root, arg);
            return;
    }
}

void register_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint32_t opcode = static_cast<std::uint32_t>(ctx.arg(1));
    const std::uint64_t arg = ctx.arg(2);
    const std::uint32_t nargs = static_cast<std::uint32_t>(ctx.arg(3));
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    shapes::add_xval(tree, ctx.root(), opcode, xlat::io_uring_register_opcodes,
                     "IORING_REGISTER_???");
    if (opcode == IORING_REGISTER_PROBE) {
        // The argument is the kernel's to fill: strace shows it at entry
        // only when the caller put something in it (the kernel then fails).
        ProbeBuffer buf;
        if (nargs > 256 || !read_probe(ctx, arg, nargs, buf)) {
            tree.add_ptr(ctx.root(), arg);
            tree.add_uint(ctx.root(), nargs);
            return;
        }
        if (all_zero(&buf.header, sizeof buf.header) &&
            all_zero(buf.ops, nargs * sizeof(io_uring_probe_op))) {
            return;
        }
        // As the caller filled it, then " => " as the kernel left it when
        // the call succeeds.
        const NodeId changed = tree.add_array(ctx.root());
        if (changed != kNoNode) tree.mutable_node(changed).changed = true;
        add_probe(ctx, changed, buf.header, buf.ops, nargs, false);
        return;
    }
    if (opcode == IORING_REGISTER_IOWQ_MAX_WORKERS) {
        // In and out: the new limits, then " => " the old ones at exit,
        // when the new ones were shown whole.
        const NodeId changed = tree.add_array(ctx.root());
        if (changed != kNoNode) tree.mutable_node(changed).changed = true;
        if (!add_iowq_counts(ctx, changed, arg, nargs)) tree.add_uint(ctx.root(), nargs);
        return;
    }
    register_arg(ctx, opcode, arg, nargs);
    tree.add_uint(ctx.root(), nargs);
}

void register_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint32_t opcode = static_cast<std::uint32_t>(ctx.arg(1));
    const std::uint64_t arg = ctx.arg(2);
    const std::uint32_t nargs = static_cast<std::uint32_t>(ctx.arg(3));
    if (nth_arg(tree, 3) != kNoNode) return;  // all printed at entry
    const NodeId shown = nth_arg(tree, 2);    // what entry printed of the argument
    if (opcode == IORING_REGISTER_PROBE) {
        ProbeBuffer buf;
        if (ctx.failed()) {
            if (shown == kNoNode) tree.add_ptr(ctx.root(), arg);
        } else {
            // After the caller's probe (shown at entry) or alone.
            const NodeId parent = shown == kNoNode ? ctx.root() : shown;
            if (read_probe(ctx, arg, nargs, buf)) {
                add_probe(ctx, parent, buf.header, buf.ops,
                          std::min<std::size_t>(buf.header.ops_len, nargs),
                          nargs < buf.header.ops_len);
            } else {
                tree.add_ptr(parent, arg);
            }
        }
    } else if (opcode == IORING_REGISTER_IOWQ_MAX_WORKERS && shown != kNoNode) {
        // Shown whole at entry (else nargs was added then): the array
        // the kernel left, or the address of one a failed call did not.
        if (ctx.failed()) {
            tree.add_ptr(shown, arg);
        } else {
            add_iowq_counts(ctx, shown, arg, nargs);
        }
    }
    tree.add_uint(ctx.root(), nargs);
}

// --- submissions read from the ring (not strace's: it never reads them) --

bool is_path_op(unsigned op) {
    switch (op) {
        case IORING_OP_OPENAT:
        case IORING_OP_OPENAT2:
        case IORING_OP_STATX:
        case IORING_OP_UNLINKAT:
        case IORING_OP_MKDIRAT:
        case IORING_OP_RENAMEAT:
        case IORING_OP_LINKAT:
        case IORING_OP_SYMLINKAT:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string_view io_uring_op_name(unsigned opcode) {
    return xlat::io_uring_ops.name_of(opcode).value_or(std::string_view{});
}

void io_uring_sqe_to_tree(const IoUringSqeEvent& sqe, ArgTree& tree, std::size_t string_limit) {
    tree.clear();
    const NodeId s = tree.add_struct(tree.root());
    tree.add_enum(s, sqe.opcode, xlat::io_uring_ops, "opcode");
    tree.add_flags(s, sqe.flags, xlat::io_uring_sqe_flags, "flags");
    const auto add_path = [&](std::string_view path, std::string_view key) {
        const std::size_t shown = std::min(path.size(), string_limit);
        tree.add_str(s, {path.data(), shown}, shown < path.size(), key);
    };
    switch (sqe.opcode) {
        case IORING_OP_SOCKET:
            tree.add_enum(s, static_cast<std::uint64_t>(sqe.socket_domain()), xlat::sock_family,
                          "domain");
            tree.add_hex(s, static_cast<std::uint32_t>(sqe.socket_type()), "type");
            tree.add_int(s, sqe.socket_protocol(), "protocol");
            break;
        case IORING_OP_CONNECT:
        case kOpBind:
            tree.add_int(s, sqe.fd, "fd");
            if (!sqe.sockaddr.empty()) {
                add_sockaddr_bytes(
                    tree, s,
                    {reinterpret_cast<const char*>(sqe.sockaddr.data()), sqe.sockaddr.size()},
                    "addr");
            } else {
                tree.add_ptr(s, sqe.addr, "addr");
            }
            tree.add_uint(s, sqe.off, "addrlen");
            break;
        default:
            tree.add_int(s, sqe.fd, "fd");
            if (is_path_op(sqe.opcode)) {
                if (!sqe.path.empty()) {
                    add_path(sqe.path, "path");
                } else {
                    tree.add_ptr(s, sqe.addr, "path");
                }
                if (!sqe.path2.empty()) add_path(sqe.path2, "path2");
            } else {
                tree.add_hex(s, sqe.off, "off");
                tree.add_ptr(s, sqe.addr, "addr");
                tree.add_uint(s, sqe.len, "len");
            }
            break;
    }
    if (sqe.op_flags) tree.add_hex(s, sqe.op_flags, "op_flags");
    tree.add_hex(s, sqe.user_data, "user_data");
    if (sqe.seen_at == IoUringSeenAt::Sampled) tree.add_text(s, "sampled", "seen");
}

void io_uring_cqe_to_tree(const IoUringCqeEvent& cqe, ArgTree& tree) {
    tree.clear();
    const NodeId s = tree.add_struct(tree.root());
    tree.add_hex(s, cqe.user_data, "user_data");
    tree.add_int(s, cqe.res, "res");
    tree.add_flags(s, cqe.flags, xlat::io_uring_cqe_flags, "flags");
}

namespace {

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"io_uring_setup", setup_entry, setup_exit},
    {"io_uring_enter", enter_entry, nullptr},
    {"io_uring_register", register_entry, register_exit},
};

}  // namespace

std::span<const SyscallDecoder> io_uring_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
