// The net family's message calls: sendmsg, recvmsg, sendmmsg, recvmmsg, with
// struct msghdr, its iovec array and its control messages, as strace 6.1
// prints them. Registered through net_decoders() (net.cpp).
//
// When: sendmsg is all input, printed at entry. recvmsg prints the fd at
// entry and the filled-in header at exit (with msg_namelen as "128 => 16"
// when the kernel changed it). sendmmsg and recvmmsg print the whole vector
// at exit, as strace does: sendmmsg's msg_len fields are only known then.
//
// Layouts: the 64-bit structs for x86_64 tracees, the compat (32-bit) ones
// for i386 and x32 tracees.
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/net_shapes.h"
#include "decoders/shapes.h"
#include "decoders/sockaddr.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using net_shapes::stash_open;
using net_shapes::stash_take;
using net_shapes::stash_value;
using shapes::add_textf;
using shapes::add_xflags;
using shapes::add_xval;

constexpr std::uint64_t kNoLimit = ~std::uint64_t{0};
// strace stops decoding a vector of messages at IOV_MAX entries.
constexpr std::size_t kIovMax = 1024;

bool compat(const DecodeContext& ctx) {
    return ctx.arch() == Arch::I386 || ctx.arch() == Arch::X32;
}

// struct msghdr, widened.
struct Msg {
    std::uint64_t name = 0;
    std::uint32_t namelen = 0;
    std::uint64_t iov = 0;
    std::uint64_t iovlen = 0;
    std::uint64_t control = 0;
    std::uint64_t controllen = 0;
    std::uint32_t flags = 0;
};

std::size_t msghdr_size(const DecodeContext& ctx) {
    return compat(ctx) ? 28 : sizeof(struct msghdr);
}
// struct mmsghdr: the header, then unsigned msg_len (padded on 64-bit).
std::size_t mmsghdr_size(const DecodeContext& ctx) {
    return compat(ctx) ? 32 : sizeof(struct mmsghdr);
}

bool fetch_msghdr(DecodeContext& ctx, std::uint64_t addr, Msg& out) {
    if (addr == 0) return false;
    if (compat(ctx)) {
        std::uint32_t m[7];
        if (!ctx.read_value(addr, m)) return false;
        out = {m[0], m[1], m[2], m[3], m[4], m[5], m[6]};
        return true;
    }
    struct msghdr m;
    if (!ctx.read_value(addr, m)) return false;
    out = {reinterpret_cast<std::uintptr_t>(m.msg_name),    m.msg_namelen,
           reinterpret_cast<std::uintptr_t>(m.msg_iov),     m.msg_iovlen,
           reinterpret_cast<std::uintptr_t>(m.msg_control), m.msg_controllen,
           static_cast<std::uint32_t>(m.msg_flags)};
    return true;
}

// --- iovec arrays (strace's tprint_iov_upto) ---

// [{iov_base="...", iov_len=N}, ...]: each base shown as at most -s bytes,
// and in all no more than data_size bytes (what recvmsg returned); at most
// -s elements, then "...". NULL, or the address when unreadable.
void add_iov(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t count,
             std::uint64_t data_size, std::string_view key) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(parent, 0, key);
        return;
    }
    const std::size_t word = compat(ctx) ? 4 : 8;
    const std::size_t elem = 2 * word;
    if (count != 0 && (count > kNoLimit / elem || addr + count * elem <= addr)) {
        tree.add_ptr(parent, addr, key);
        return;
    }
    NodeId list = kNoNode;
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t base = 0, len = 0;
        bool ok;
        if (word == 4) {
            std::uint32_t v[2];
            ok = ctx.read_value(addr + i * elem, v);
            base = v[0];
            len = v[1];
        } else {
            std::uint64_t v[2];
            ok = ctx.read_value(addr + i * elem, v);
            base = v[0];
            len = v[1];
        }
        if (!ok) {
            if (i == 0) {
                tree.add_ptr(parent, addr, key);
                return;
            }
            add_textf(tree, list, {}, "... /* %#llx */",
                      static_cast<unsigned long long>(addr + i * elem));
            return;
        }
        if (i == 0) list = tree.add_array(parent, key);
        if (i >= ctx.array_limit()) {
            tree.mark_truncated(list);
            return;
        }
        const std::uint64_t shown = std::min(len, data_size);
        if (data_size != kNoLimit) data_size -= shown;
        const NodeId s = tree.add_struct(list);
        shapes::add_buffer(ctx, s, base, shown, "iov_base");
        tree.add_uint(s, len, "iov_len");
    }
    if (list == kNoNode) tree.add_array(parent, key);  // count 0: []
}

// --- control messages (strace's decode_msg_control) ---

NodeId add_int_array(DecodeContext& ctx, NodeId parent, const char* data, std::size_t n,
                     bool is_unsigned, std::string_view key) {
    ArgTree& tree = ctx.tree();
    const NodeId list = tree.add_array(parent, key);
    for (std::size_t i = 0; i < n; ++i) {
        if (i >= ctx.array_limit()) {
            tree.mark_truncated(list);
            break;
        }
        std::int32_t v;
        std::memcpy(&v, data + i * 4, 4);
        if (is_unsigned) {
            tree.add_uint(list, static_cast<std::uint32_t>(v));
        } else {
            tree.add_int(list, v);
        }
    }
    return list;
}

NodeId add_quoted(ArgTree& tree, NodeId parent, const char* data, std::size_t n,
                  std::string_view key) {
    return tree.add_str(parent, {data, n}, false, key);
}

std::uint32_t u32_at(const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

void add_inet_field(ArgTree& tree, NodeId parent, const char* p, std::string_view key) {
    const auto* b = reinterpret_cast<const unsigned char*>(p);
    add_textf(tree, parent, key, "inet_addr(\"%u.%u.%u.%u\")", b[0], b[1], b[2], b[3]);
}

// Timestamps: {tv_sec=.., tv_usec=..} and {tv_sec=.., tv_nsec=..}, 64-bit.
void add_time_struct(ArgTree& tree, NodeId parent, const char* p, bool nsec,
                     std::string_view key = {}) {
    std::int64_t v[2];
    std::memcpy(v, p, sizeof v);
    const NodeId s = tree.add_struct(parent, key);
    tree.add_int(s, v[0], "tv_sec");
    tree.add_uint(s, static_cast<std::uint64_t>(v[1]), nsec ? "tv_nsec" : "tv_usec");
}

// cmsg_type and, when strace decodes it and enough bytes came, cmsg_data.
void add_cmsg_type_data(DecodeContext& ctx, NodeId cm, int level, int type, const char* data,
                        std::size_t len) {
    ArgTree& tree = ctx.tree();
    const auto utype = static_cast<std::uint32_t>(type);
    if (level == SOL_SOCKET) {
        add_xval(tree, cm, utype, xlat::sock_scm_types, "SCM_???", "cmsg_type");
        switch (type) {
            case SCM_RIGHTS:
                if (len >= 4) add_int_array(ctx, cm, data, len / 4, false, "cmsg_data");
                break;
            case SCM_CREDENTIALS:
                if (len >= 12) {
                    const NodeId s = tree.add_struct(cm, "cmsg_data");
                    tree.add_uint(s, u32_at(data), "pid");
                    for (int i = 1; i < 3; ++i) {
                        const std::uint32_t id = u32_at(data + 4 * i);
                        const std::string_view field = i == 1 ? "uid" : "gid";
                        if (id == 0xffffffffu) {
                            tree.add_int(s, -1, field);
                        } else {
                            tree.add_uint(s, id, field);
                        }
                    }
                }
                break;
            case 3:  // SCM_SECURITY
                if (len >= 1) add_quoted(tree, cm, data, len, "cmsg_data");
                break;
            case 29:  // SO_TIMESTAMP_OLD
            case 63:  // SO_TIMESTAMP_NEW
                if (len == 16 && !compat(ctx)) add_time_struct(tree, cm, data, false, "cmsg_data");
                break;
            case 35:  // SO_TIMESTAMPNS_OLD
            case 64:  // SO_TIMESTAMPNS_NEW
                if (len == 16 && !compat(ctx)) add_time_struct(tree, cm, data, true, "cmsg_data");
                break;
            case 37:  // SO_TIMESTAMPING_OLD
            case 65:  // SO_TIMESTAMPING_NEW
                if (len == 48 && !compat(ctx)) {
                    const NodeId list = tree.add_array(cm, "cmsg_data");
                    for (int i = 0; i < 3; ++i) add_time_struct(tree, list, data + 16 * i, true);
                }
                break;
            default:
                break;
        }
        return;
    }
    if (level == 0) {  // SOL_IP
        add_xval(tree, cm, utype, xlat::ip_cmsg_types, "IP_???", "cmsg_type");
        switch (type) {
            case 8:  // IP_PKTINFO: struct in_pktinfo
                if (len >= 12) {
                    const NodeId s = tree.add_struct(cm, "cmsg_data");
                    tree.add_uint(s, u32_at(data), "ipi_ifindex");
                    add_inet_field(tree, s, data + 4, "ipi_spec_dst");
                    add_inet_field(tree, s, data + 8, "ipi_addr");
                }
                break;
            case 2:   // IP_TTL
            case 23:  // IP_CHECKSUM
                if (len >= 4) add_int_array(ctx, cm, data, len / 4, true, "cmsg_data");
                break;
            case 1:  // IP_TOS
            case 6:  // IP_RECVOPTS
            case 7:  // IP_RETOPTS
                if (len >= 1) {
                    const NodeId list = tree.add_array(cm, "cmsg_data");
                    for (std::size_t i = 0; i < len; ++i) {
                        if (i >= ctx.array_limit()) {
                            tree.mark_truncated(list);
                            break;
                        }
                        tree.add_hex(list, static_cast<unsigned char>(data[i]));
                    }
                }
                break;
            case 11:  // IP_RECVERR: struct sock_extended_err + the offender
                if (len >= 32) {
                    const NodeId s = tree.add_struct(cm, "cmsg_data");
                    const auto* b = reinterpret_cast<const unsigned char*>(data);
                    tree.add_uint(s, u32_at(data), "ee_errno");
                    tree.add_uint(s, b[4], "ee_origin");
                    tree.add_uint(s, b[5], "ee_type");
                    tree.add_uint(s, b[6], "ee_code");
                    tree.add_uint(s, u32_at(data + 8), "ee_info");
                    tree.add_uint(s, u32_at(data + 12), "ee_data");
                    add_sockaddr_bytes(tree, s, {data + 16, 16}, "offender");
                }
                break;
            case 20:  // IP_ORIGDSTADDR
                if (len >= 16) {
                    add_sockaddr_bytes(tree, cm, {data, std::min(len, kSockAddrMax)}, "cmsg_data");
                }
                break;
            case 3:  // SCM_SECURITY
                if (len >= 1) add_quoted(tree, cm, data, len, "cmsg_data");
                break;
            default:
                break;
        }
        return;
    }
    add_textf(tree, cm, "cmsg_type", "%#x", utype);
}

// msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS,
// cmsg_data=[3]}, ...]. Reads at most a page of control data (strace reads
// up to net.core.optmem_max); more is shown as "...".
void add_msg_control(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                     std::uint64_t controllen) {
    if (controllen == 0) return;
    ArgTree& tree = ctx.tree();
    const std::size_t hdr = compat(ctx) ? 12 : sizeof(struct cmsghdr);
    const std::size_t word = compat(ctx) ? 4 : 8;
    char buf[4096];
    const std::size_t control_len = std::min<std::uint64_t>(controllen, sizeof buf);
    if (control_len < hdr || ctx.read(addr, {buf, control_len}) != control_len) {
        tree.add_ptr(parent, addr, "msg_control");
        return;
    }
    const NodeId list = tree.add_array(parent, "msg_control");
    std::size_t at = 0;
    std::size_t left = control_len;
    while (left >= hdr) {
        std::uint64_t cmsg_len;
        std::int32_t level, type;
        if (word == 4) {
            cmsg_len = u32_at(buf + at);
            std::memcpy(&level, buf + at + 4, 4);
            std::memcpy(&type, buf + at + 8, 4);
        } else {
            std::memcpy(&cmsg_len, buf + at, 8);
            std::memcpy(&level, buf + at + 8, 4);
            std::memcpy(&type, buf + at + 12, 4);
        }
        const NodeId cm = tree.add_struct(list);
        tree.add_uint(cm, cmsg_len, "cmsg_len");
        add_xval(tree, cm, static_cast<std::uint32_t>(level), xlat::sol_levels, "SOL_???",
                 "cmsg_level");
        const std::uint64_t len = std::min<std::uint64_t>(cmsg_len, left);
        add_cmsg_type_data(ctx, cm, level, type, buf + at + hdr, len > hdr ? len - hdr : 0);
        if (len < hdr) {
            left -= hdr;
            break;
        }
        const std::uint64_t step = (cmsg_len + word - 1) & ~std::uint64_t{word - 1};
        if (step >= left) {
            left = 0;
            break;
        }
        at += step;
        left -= step;
    }
    if (left) {
        add_textf(tree, list, {}, "... /* %#llx */",
                  static_cast<unsigned long long>(addr + (control_len - left)));
    } else if (control_len < controllen) {
        tree.mark_truncated(list);
    }
}

// --- struct msghdr (strace's print_struct_msghdr) ---

// user_namelen: the caller's msg_namelen before a receive (nullptr for a send).
void add_msghdr_fields(DecodeContext& ctx, NodeId s, const Msg& m, const int* user_namelen,
                       std::uint64_t data_size) {
    ArgTree& tree = ctx.tree();
    const int namelen = user_namelen && static_cast<int>(m.namelen) > *user_namelen
                            ? *user_namelen
                            : static_cast<int>(m.namelen);
    add_sockaddr(ctx, s, m.name, namelen, "msg_name");
    if (user_namelen && *user_namelen != static_cast<int>(m.namelen)) {
        add_textf(tree, s, "msg_namelen", "%d => %d", *user_namelen, static_cast<int>(m.namelen));
    } else {
        tree.add_int(s, static_cast<int>(m.namelen), "msg_namelen");
    }
    add_iov(ctx, s, m.iov, m.iovlen, data_size, "msg_iov");
    tree.add_uint(s, m.iovlen, "msg_iovlen");
    add_msg_control(ctx, s, m.control, m.controllen);
    tree.add_uint(s, m.controllen, "msg_controllen");
    add_xflags(tree, s, m.flags, xlat::msg_flags, "MSG_???", "msg_flags");
}

void add_msghdr(DecodeContext& ctx, NodeId parent, std::uint64_t addr, const int* user_namelen,
                std::uint64_t data_size) {
    Msg m;
    if (!fetch_msghdr(ctx, addr, m)) {
        ctx.tree().add_ptr(parent, addr);
        return;
    }
    add_msghdr_fields(ctx, ctx.tree().add_struct(parent), m, user_namelen, data_size);
}

void add_msg_flags(DecodeContext& ctx, std::uint64_t flags) {
    add_xflags(ctx.tree(), ctx.root(), flags & 0xffffffffu, xlat::msg_flags, "MSG_???");
}

// --- sendmsg, recvmsg ---

void sendmsg_entry(DecodeContext& ctx) {
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    add_msghdr(ctx, ctx.root(), ctx.arg(1), nullptr, kNoLimit);
    add_msg_flags(ctx, ctx.arg(2));
}

void recvmsg_entry(DecodeContext& ctx) {
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
    Msg m;
    if (fetch_msghdr(ctx, ctx.arg(1), m)) {
        ctx.tree().add_int(stash_open(ctx.tree()), static_cast<int>(m.namelen));
        return;
    }
    ctx.tree().add_ptr(ctx.root(), ctx.arg(1));
    add_msg_flags(ctx, ctx.arg(2));
}

void recvmsg_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    if (tree.child_count(ctx.root()) >= 3) return;  // decoded at entry
    const int namelen = static_cast<int>(stash_value(tree, stash_take(tree), 0, 0));
    if (ctx.failed()) {
        tree.add_int(tree.add_struct(ctx.root()), namelen, "msg_namelen");
    } else {
        add_msghdr(ctx, ctx.root(), ctx.arg(1), &namelen, static_cast<std::uint64_t>(ctx.ret()));
    }
    add_msg_flags(ctx, ctx.arg(2));
}

// --- sendmmsg, recvmmsg (strace's decode_mmsgvec) ---

struct MmsgConfig {
    const ArgTree* tree = nullptr;
    NodeId namelens = kNoNode;  // first stashed namelen (recvmmsg), or none
    std::size_t count = kIovMax;
    std::uint64_t msg_len_count = 0;  // how many entries show msg_len
    bool use_msg_len = false;         // msg_len limits the iov data shown
};

void add_mmsgvec(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t vlen,
                 MmsgConfig c) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(parent, 0);
        return;
    }
    const std::size_t elem = mmsghdr_size(ctx);
    if (vlen != 0 && (vlen > kNoLimit / elem || addr + vlen * elem <= addr)) {
        tree.add_ptr(parent, addr);
        return;
    }
    NodeId list = kNoNode;
    NodeId namelen_node = c.namelens;
    for (std::uint64_t i = 0; i < vlen; ++i) {
        const std::uint64_t at = addr + i * elem;
        Msg m;
        std::uint32_t msg_len = 0;
        const bool ok = fetch_msghdr(ctx, at, m) && ctx.read_value(at + msghdr_size(ctx), msg_len);
        if (!ok) {
            if (i == 0) {
                tree.add_ptr(parent, addr);
                return;
            }
            add_textf(tree, list, {}, "... /* %#llx */", static_cast<unsigned long long>(at));
            return;
        }
        if (i == 0) list = tree.add_array(parent);
        if (i >= ctx.array_limit() || c.count == 0) {
            tree.mark_truncated(list);
            return;
        }
        --c.count;
        const NodeId s = tree.add_struct(list);
        const NodeId hdr = tree.add_struct(s, "msg_hdr");
        int user_namelen = 0;
        const int* p_namelen = nullptr;
        if (namelen_node != kNoNode) {
            user_namelen = static_cast<int>(tree.node(namelen_node).value);
            p_namelen = &user_namelen;
            namelen_node = tree.node(namelen_node).next;
        }
        add_msghdr_fields(ctx, hdr, m, p_namelen, c.use_msg_len ? msg_len : kNoLimit);
        if (c.msg_len_count) {
            tree.add_uint(s, msg_len, "msg_len");
            --c.msg_len_count;
        }
    }
    if (list == kNoNode) tree.add_array(parent);
}

void fd_entry(DecodeContext& ctx) {
    shapes::add_fd(ctx, ctx.root(), ctx.arg(0));
}

void sendmmsg_exit(DecodeContext& ctx) {
    // strace prints the vector whatever the result; msg_len only for the
    // messages that were sent.
    MmsgConfig c;
    c.msg_len_count = ctx.failed() ? 0 : static_cast<std::uint64_t>(ctx.ret());
    const std::uint64_t vlen = ctx.arg(2) & 0xffffffffu;
    add_mmsgvec(ctx, ctx.root(), ctx.arg(1), vlen, c);
    ctx.tree().add_uint(ctx.root(), vlen);
    add_msg_flags(ctx, ctx.arg(3));
}

// The stash of recvmmsg: [0] how many headers were read at entry, [1] the
// timeout as it was at entry, then each header's msg_namelen.
void recvmmsg_entry(DecodeContext& ctx) {
    fd_entry(ctx);
    ArgTree& tree = ctx.tree();
    const NodeId stash = stash_open(tree);
    const NodeId count = tree.add_uint(stash, 0);
    shapes::add_timespec(ctx, stash, ctx.arg(4));
    // Only as many as can print: -s entries (strace keeps up to IOV_MAX).
    const std::uint64_t vlen =
        std::min<std::uint64_t>({ctx.arg(2) & 0xffffffffu, std::uint64_t{kIovMax},
                                 std::uint64_t{ctx.options().string_limit} + 1});
    std::uint64_t fetched = 0;
    for (; fetched < vlen; ++fetched) {
        Msg m;
        if (!fetch_msghdr(ctx, ctx.arg(1) + fetched * mmsghdr_size(ctx), m)) break;
        tree.add_int(stash, static_cast<int>(m.namelen));
    }
    if (count != kNoNode) tree.mutable_node(count).value = fetched;
}

// The entry-time timeout again, rebuilt from the stash (a copied Struct
// node would lose its members).
NodeId add_stashed_timespec(ArgTree& tree, NodeId parent, NodeId saved, std::string_view key) {
    if (saved == kNoNode) return tree.add_ptr(parent, 0, key);
    const ArgNode& n = tree.node(saved);
    if (n.kind != ArgKind::Struct) {
        ArgNode copy = n;
        copy.key = key;
        return tree.add(parent, copy);
    }
    const NodeId s = tree.add_struct(parent, key);
    for (NodeId c = n.first_child; c != kNoNode; c = tree.node(c).next) {
        const ArgNode member = tree.node(c);
        tree.add(s, member);
    }
    return s;
}

void recvmmsg_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const NodeId stash = stash_take(tree);
    MmsgConfig c;
    c.use_msg_len = true;
    if (stash != kNoNode) {
        c.count = static_cast<std::size_t>(stash_value(tree, stash, 0, 0));
        c.namelens = tree.child(stash, 2);
    }
    const std::uint64_t got = ctx.failed() ? 0 : static_cast<std::uint64_t>(ctx.ret());
    c.msg_len_count = got;
    if (ctx.failed()) {
        tree.add_ptr(ctx.root(), ctx.arg(1));
    } else {
        add_mmsgvec(ctx, ctx.root(), ctx.arg(1), got, c);
    }
    tree.add_uint(ctx.root(), ctx.arg(2) & 0xffffffffu);
    add_msg_flags(ctx, ctx.arg(3));
    add_stashed_timespec(tree, ctx.root(), stash == kNoNode ? kNoNode : tree.child(stash, 1), {});
    if (ctx.failed()) return;
    if (got == 0) {
        const NodeId aux = tree.add_detached_struct();
        tree.add_text(aux, "Timeout");
        tree.ret_aux = aux;
    } else if (ctx.arg(4) != 0) {
        const NodeId aux = tree.add_detached_struct();
        shapes::add_timespec(ctx, aux, ctx.arg(4), "left");
        tree.ret_aux = aux;
    }
}

constexpr SyscallDecoder kDecoders[] = {
    {"sendmsg", sendmsg_entry, nullptr},
    {"recvmsg", recvmsg_entry, recvmsg_exit},
    {"sendmmsg", fd_entry, sendmmsg_exit},
    {"recvmmsg", recvmmsg_entry, recvmmsg_exit},
};

}  // namespace

std::span<const SyscallDecoder> net_msg_decoders() {
    return kDecoders;
}

}  // namespace sctrace
