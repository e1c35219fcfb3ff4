// Decoders of the net family: sockets, addresses and options. The message
// calls (sendmsg, recvmsg, sendmmsg, recvmmsg) are in net_msg.cpp, socket
// addresses in sockaddr.cpp. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: what the caller passes in is decoded at
// entry; what the kernel fills in (accept's peer, getsockname's address,
// recvfrom's buffer, getsockopt's value, socketpair's fds) at exit. A
// value-result length prints as [16] when the kernel kept it and as
// [128 => 16] when it changed it, so the entry half keeps the caller's
// length for the exit half (net_shapes::stash_*).
#include <arpa/inet.h>

#include <cstring>

#include "decoders/decoder.h"
#include "decoders/net_shapes.h"
#include "decoders/shapes.h"
#include "decoders/sockaddr.h"
#include "model/names.h"
#include "model/xlat_tables.h"

namespace sctrace {

// net_msg.cpp
std::span<const SyscallDecoder> net_msg_decoders();

namespace {

using net_shapes::add_changed_int;
using net_shapes::add_hex_buffer;
using net_shapes::stash_open;
using net_shapes::stash_take;
using net_shapes::stash_value;
using shapes::add_textf;
using shapes::add_xflags;
using shapes::add_xval;

constexpr int kAfInet = 2, kAfInet6 = 10, kAfNetlink = 16, kAfPacket = 17, kAfIrda = 23,
              kAfCan = 29, kAfBluetooth = 31, kAfRxrpc = 33;
constexpr int kSolIp = 0, kSolSocket = 1, kSolTcp = 6, kSolUdp = 17, kSolIpv6 = 41, kSolRaw = 255,
              kSolPacket = 263, kSolNetlink = 270;
constexpr int kSoLinger = 13, kSoPeercred = 17, kSoError = 4, kSoAttachFilter = 26,
              kSoAttachReuseportCbpf = 51, kSoTxrehash = 74;
constexpr int kIpAddMembership = 35, kIpDropMembership = 36;
constexpr int kIpv6AddMembership = 20, kIpv6DropMembership = 21, kIpv6JoinAnycast = 27,
              kIpv6LeaveAnycast = 28;
constexpr int kNetlinkListMemberships = 9;

NodeId add_fd(DecodeContext& ctx, int i) {
    return shapes::add_fd(ctx, ctx.root(), ctx.arg(i));
}

// Whether the entry half already printed every argument (strace's
// RVAL_DECODED at entry): then the exit half has nothing to add.
bool decoded_at_entry(DecodeContext& ctx, std::size_t nargs) {
    return ctx.tree().child_count(ctx.root()) >= nargs;
}

// The int at addr, when addr is set and readable.
bool read_int(DecodeContext& ctx, std::uint64_t addr, int& out) {
    return ctx.read_value(addr, out);
}

// socket(2)'s type: SOCK_STREAM|SOCK_CLOEXEC.
NodeId add_sock_type(ArgTree& tree, NodeId parent, std::uint64_t type) {
    type &= 0xffffffffu;
    const std::uint64_t low = type & 0xf, rest = type & ~std::uint64_t{0xf};
    const auto name = xlat::sock_type.name_of(low);
    if (!name) return add_xflags(tree, parent, type, xlat::sock_type_flags, "SOCK_???");
    if (rest == 0) return add_xval(tree, parent, low, xlat::sock_type, "SOCK_???");
    // The type, then its flags (strace's printxval and printflags joined).
    const NodeId id = add_xflags(tree, parent, type, xlat::sock_type_flags, "SOCK_???");
    if (id == kNoNode) return id;
    ArgNode& n = tree.mutable_node(id);
    n.enum_table = &xlat::sock_type;
    n.enum_mask = 0xf;
    n.style_parts = true;
    return id;
}

// --- socket, socketpair ---

void socket_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const std::uint64_t family = ctx.arg(0) & 0xffffffffu;
    const std::uint64_t protocol = ctx.arg(2) & 0xffffffffu;
    add_xval(tree, root, family, xlat::sock_family, "AF_???");
    add_sock_type(tree, root, ctx.arg(1));
    switch (family) {
        case kAfInet:
        case kAfInet6:
            add_xval(tree, root, protocol, xlat::ipproto, "IPPROTO_???");
            break;
        case kAfNetlink:
            add_xval(tree, root, protocol, xlat::netlink_protocols, "NETLINK_???");
            break;
        case kAfPacket: {
            const unsigned proto = ntohs(static_cast<std::uint16_t>(protocol));
            if (const auto name = xlat::sock_eth_protocols.name_of(proto)) {
                add_textf(tree, root, {}, "htons(%.*s)", static_cast<int>(name->size()),
                          name->data());
            } else {
                add_textf(tree, root, {}, "htons(%#x /* ETH_P_??? */)", proto);
            }
            break;
        }
        case kAfRxrpc:
            add_xval(tree, root, protocol, xlat::sock_family, "AF_???");
            break;
        case kAfIrda:  // strace 6.1 names IrDA protocols from the CAN table
            add_xval(tree, root, protocol, xlat::sock_can_protocols, "IRDAPROTO_???");
            break;
        case kAfCan:
            add_xval(tree, root, protocol, xlat::sock_can_protocols, "CAN_???");
            break;
        case kAfBluetooth:
            add_xval(tree, root, protocol, xlat::sock_bt_protocols, "BTPROTO_???");
            break;
        default:
            tree.add_uint(root, protocol);
            break;
    }
}

void socketpair_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    add_xval(tree, ctx.root(), ctx.arg(0) & 0xffffffffu, xlat::sock_family, "AF_???");
    add_sock_type(tree, ctx.root(), ctx.arg(1));
    tree.add_uint(ctx.root(), ctx.arg(2) & 0xffffffffu);
}

void socketpair_exit(DecodeContext& ctx) {
    // strace prints the pair whatever the result: NULL, the address when
    // unreadable, else [fd0, fd1].
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(3);
    int sv[2];
    if (addr == 0 || !ctx.read_struct(addr, sv)) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId list = tree.add_array(ctx.root());
    tree.add_int(list, sv[0]);
    tree.add_int(list, sv[1]);
}

// --- bind, connect, listen, shutdown ---

void sockaddr_call_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    add_sockaddr(ctx, ctx.root(), ctx.arg(1), ctx.iarg(2));
    ctx.tree().add_int(ctx.root(), ctx.iarg(2));
}

void listen_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    ctx.tree().add_int(ctx.root(), ctx.iarg(1));
}

void shutdown_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    add_xval(ctx.tree(), ctx.root(), ctx.arg(1) & 0xffffffffu, xlat::shut_how, "SHUT_???");
}

// --- accept, accept4, getsockname, getpeername ---

void sockname_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    int ulen = 0;
    if (ctx.arg(1) != 0 && read_int(ctx, ctx.arg(2), ulen)) {
        ctx.tree().add_int(stash_open(ctx.tree()), ulen);
        return;
    }
    // Nothing to fill in: strace prints the pointers now.
    ctx.tree().add_ptr(ctx.root(), ctx.arg(1));
    ctx.tree().add_ptr(ctx.root(), ctx.arg(2));
}

void sockname_exit(DecodeContext& ctx) {
    if (decoded_at_entry(ctx, 3)) return;
    ArgTree& tree = ctx.tree();
    const int ulen = static_cast<int>(stash_value(tree, stash_take(tree), 0, 0));
    int rlen = 0;
    if (ctx.failed() || !read_int(ctx, ctx.arg(2), rlen)) {
        tree.add_ptr(ctx.root(), ctx.arg(1));
        tree.add_int(tree.add_array(ctx.root()), ulen);
        return;
    }
    add_sockaddr(ctx, ctx.root(), ctx.arg(1), std::min(ulen, rlen));
    add_changed_int(tree, ctx.root(), ulen, rlen, true);
}

void accept4_entry(DecodeContext& ctx) {
    sockname_entry(ctx);
    if (decoded_at_entry(ctx, 3)) {
        add_xflags(ctx.tree(), ctx.root(), ctx.arg(3) & 0xffffffffu, xlat::sock_type_flags,
                   "SOCK_???");
    }
}

void accept4_exit(DecodeContext& ctx) {
    if (decoded_at_entry(ctx, 4)) return;
    sockname_exit(ctx);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(3) & 0xffffffffu, xlat::sock_type_flags, "SOCK_???");
}

// --- sendto, recvfrom ---

NodeId add_msg_flags(DecodeContext& ctx, std::uint64_t flags) {
    return add_xflags(ctx.tree(), ctx.root(), flags & 0xffffffffu, xlat::msg_flags, "MSG_???");
}

void sendto_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    shapes::add_buffer(ctx, ctx.root(), ctx.arg(1), ctx.arg(2));
    ctx.tree().add_uint(ctx.root(), ctx.arg(2));
    add_msg_flags(ctx, ctx.arg(3));
    add_sockaddr(ctx, ctx.root(), ctx.arg(4), ctx.iarg(5));
    ctx.tree().add_int(ctx.root(), ctx.iarg(5));
}

void recvfrom_entry(DecodeContext& ctx) {
    add_fd(ctx, 0);
    int ulen = 0;
    if (ctx.arg(4) != 0 && read_int(ctx, ctx.arg(5), ulen)) {
        ctx.tree().add_int(stash_open(ctx.tree()), ulen);
    }
}

void recvfrom_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const int ulen = static_cast<int>(stash_value(tree, stash_take(tree), 0, 0));
    if (ctx.failed()) {
        tree.add_ptr(root, ctx.arg(1));
    } else {
        shapes::add_buffer(ctx, root, ctx.arg(1),
                           std::min(static_cast<std::uint64_t>(ctx.ret()), ctx.arg(2)));
    }
    tree.add_uint(root, ctx.arg(2));
    add_msg_flags(ctx, ctx.arg(3));
    int rlen = 0;
    if (ctx.arg(4) == 0 || !read_int(ctx, ctx.arg(5), rlen)) {
        tree.add_ptr(root, ctx.arg(4));
        tree.add_ptr(root, ctx.arg(5));
        return;
    }
    if (ctx.failed()) {
        tree.add_ptr(root, ctx.arg(4));
        tree.add_int(tree.add_array(root), ulen);
        return;
    }
    add_sockaddr(ctx, root, ctx.arg(4), std::min(ulen, rlen));
    add_changed_int(tree, root, ulen, rlen, true);
}

// --- getsockopt, setsockopt ---

// Levels strace knows but this decoder has no option table for: the unknown
// marker strace prints for their option names.
const char* unnamed_level_marker(int level) {
    switch (level) {
        case 40:
            return "SO_VM_???";
        case 256:
            return "IPX_???";
        case 257:
            return "AX25_???";
        case 101:
            return "CAN_RAW_???";
        case 132:
            return "SCTP_???";
        case 266:
            return "IRLMP_???";
        case 268:
            return "LLC_OPT_???";
        case 269:
            return "DCCP_SOCKOPT_???";
        case 271:
            return "TIPC_???";
        case 272:
            return "RXRPC_???";
        case 273:
            return "PPPOL2TP_SO_???";
        case 274:
            return "BT_???";
        case 275:
            return "PNPIPE_???";
        case 276:
            return "RDS_???";
        case 277:
            return "SO_???";
        case 278:
            return "CAIFSO_???";
        case 279:
            return "ALG_???";
        case 280:
            return "NFC_LLCP_???";
        case 281:
            return "KCM_???";
        case 282:
            return "TLS_???";
        case 283:
            return "XDP_???";
        default:
            return nullptr;
    }
}

// The option name: the level's shared table, then the direction's own
// (getsockopt's SO_GET_FILTER is setsockopt's SO_ATTACH_FILTER).
void add_optname(ArgTree& tree, NodeId parent, int level, std::uint64_t name, bool get) {
    const XlatTable* common = nullptr;
    const XlatTable* own = nullptr;
    const char* unknown = nullptr;
    switch (level) {
        case kSolSocket:
            common = &xlat::so_options;
            own = get ? &xlat::so_get_options : &xlat::so_set_options;
            unknown = "SO_???";
            break;
        case kSolIp:
            common = &xlat::ip_options;
            own = get ? &xlat::ip_get_options : &xlat::ip_set_options;
            unknown = "IP_???";
            break;
        case kSolIpv6:
            common = &xlat::ipv6_options;
            own = get ? &xlat::ipv6_get_options : &xlat::ipv6_set_options;
            unknown = "IPV6_???";
            break;
        case kSolTcp:
            common = &xlat::tcp_options;
            unknown = "TCP_???";
            break;
        case kSolUdp:
            common = &xlat::sol_udp_options;
            unknown = "UDP_???";
            break;
        case kSolNetlink:
            common = &xlat::netlink_sockopts;
            unknown = "NETLINK_???";
            break;
        case kSolPacket:
            common = &xlat::sol_packet_options;
            unknown = "PACKET_???";
            break;
        case kSolRaw:
            common = &xlat::sol_raw_options;
            unknown = "RAW_???";
            break;
        default:
            if (const char* marker = unnamed_level_marker(level)) {
                shapes::add_unknown(tree, parent, name, marker);
            } else {
                tree.add_uint(parent, name);
            }
            return;
    }
    // strace's printxvals over both tables: the first that names it.
    const XlatTable& table = common->name_of(name) || !own ? *common : *own;
    add_xval(tree, parent, name, table, unknown);
}

void add_sockopt_head(DecodeContext& ctx, bool get) {
    ArgTree& tree = ctx.tree();
    add_fd(ctx, 0);
    const int level = ctx.iarg(1);
    add_xval(tree, ctx.root(), static_cast<std::uint32_t>(level), xlat::sol_levels, "SOL_??");
    add_optname(tree, ctx.root(), level, ctx.arg(2) & 0xffffffffu, get);
}

bool is_int_option(int level, int name) {
    return level == kSolSocket && xlat::so_int_options.name_of(static_cast<std::uint32_t>(name));
}

// [N], or [SOCK_TXREHASH_ENABLED] for the one int option strace names.
void add_int_value(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int level, int name) {
    int value = 0;
    if (!read_int(ctx, addr, value)) {
        ctx.tree().add_ptr(parent, addr);
        return;
    }
    const NodeId list = ctx.tree().add_array(parent);
    if (level == kSolSocket && name == kSoTxrehash) {
        // printxval_d: a signed number where the table has no name.
        add_xval(ctx.tree(), list, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)),
                 xlat::sock_txrehash, "SOCK_TXREHASH_???", {}, shapes::Unnamed::Decimal);
    } else {
        ctx.tree().add_int(list, value);
    }
}

// A struct of 4-byte fields that may be cut short: whole fields print as
// numbers, a partly returned one as its bytes in hex, and the rest not at
// all (strace's MAYBE_PRINT_FIELD_LEN). ucred's uid and gid print -1 as -1.
void add_int_fields(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int len,
                    std::span<const std::string_view> names, bool ids_after_first) {
    ArgTree& tree = ctx.tree();
    const std::size_t size = std::min<std::size_t>(static_cast<std::size_t>(len), names.size() * 4);
    char buf[16] = {};
    if (ctx.read(addr, {buf, size}) < size) {
        tree.add_ptr(parent, addr);
        return;
    }
    const NodeId s = tree.add_struct(parent);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::size_t off = i * 4;
        if (size >= off + 4) {
            std::int32_t v;
            std::memcpy(&v, buf + off, 4);
            if (ids_after_first && i > 0) {
                if (v == -1) {
                    tree.add_int(s, -1, names[i]);
                } else {
                    tree.add_uint(s, static_cast<std::uint32_t>(v), names[i]);
                }
            } else {
                tree.add_int(s, v, names[i]);
            }
        } else if (size > off) {
            char text[40];
            const std::size_t n =
                net_shapes::quote(text, sizeof text, {buf + off, size - off}, true);
            tree.add_text_copy(s, std::string_view(text, n), names[i]);
            break;
        } else {
            break;
        }
    }
}

constexpr std::string_view kLingerFields[] = {"l_onoff", "l_linger"};
constexpr std::string_view kUcredFields[] = {"pid", "uid", "gid"};

void add_getsockopt_value(DecodeContext& ctx, int level, int name, int ulen, int rlen) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const std::uint64_t addr = ctx.arg(3);
    if (ulen <= 0 || rlen <= 0) {
        tree.add_ptr(root, addr);
        return;
    }
    if (addr != 0 && level == kSolSocket) {
        switch (name) {
            case kSoLinger:
                add_int_fields(ctx, root, addr, rlen, kLingerFields, false);
                return;
            case kSoPeercred:
                add_int_fields(ctx, root, addr, rlen, kUcredFields, true);
                return;
            case kSoAttachFilter:
                // A struct sock_fprog with BPF code: not decoded here.
                tree.add_ptr(root, addr);
                return;
            case kSoError: {
                int err = 0;
                if (rlen < 4) break;
                if (!read_int(ctx, addr, err)) {
                    tree.add_ptr(root, addr);
                    return;
                }
                const NodeId list = tree.add_array(root);
                const std::string_view errname = err > 0 ? errno_name(err) : std::string_view{};
                const auto number = static_cast<std::uint32_t>(err);
                if (!errname.empty()) {
                    // The name over its number, for -X.
                    tree.add_uint(tree.add_text(list, errname), number);  // static storage
                } else {
                    tree.add_uint(list, number);
                }
                return;
            }
            default:
                break;
        }
        if (name == kSoError || is_int_option(level, name)) {
            // A length past an int's shows the int (strace's printnum_int).
            if (rlen >= 4) {
                add_int_value(ctx, root, addr, level, name);
            } else {
                add_hex_buffer(ctx, root, addr, static_cast<std::uint64_t>(rlen));
            }
            return;
        }
    }
    if (addr != 0 && level == kSolNetlink) {
        if (name == kNetlinkListMemberships) {
            const std::size_t count = static_cast<std::size_t>(std::min(ulen, rlen)) / 4;
            std::uint32_t v = 0;
            if (!ctx.read_struct(addr, v)) {
                tree.add_ptr(root, addr);
                return;
            }
            const NodeId list = tree.add_array(root);
            for (std::size_t i = 0; i < count; ++i) {
                if (i >= ctx.array_limit()) {
                    tree.mark_truncated(list);
                    break;
                }
                if (!ctx.read_struct(addr + i * 4, v)) break;
                tree.add_uint(list, v);
            }
            return;
        }
        add_int_value(ctx, root, addr, level, name);
        return;
    }
    if (rlen == 4) {
        add_int_value(ctx, root, addr, level, name);
    } else {
        shapes::add_buffer(ctx, root, addr, static_cast<std::uint64_t>(rlen));
    }
}

void getsockopt_entry(DecodeContext& ctx) {
    add_sockopt_head(ctx, true);
    int ulen = 0;
    if (read_int(ctx, ctx.arg(4), ulen)) {
        ctx.tree().add_int(stash_open(ctx.tree()), ulen);
        return;
    }
    ctx.tree().add_ptr(ctx.root(), ctx.arg(3));
    ctx.tree().add_ptr(ctx.root(), ctx.arg(4));
}

void getsockopt_exit(DecodeContext& ctx) {
    if (decoded_at_entry(ctx, 5)) return;
    ArgTree& tree = ctx.tree();
    const int ulen = static_cast<int>(stash_value(tree, stash_take(tree), 0, 0));
    int rlen = 0;
    if (ctx.failed() || !read_int(ctx, ctx.arg(4), rlen)) {
        tree.add_ptr(ctx.root(), ctx.arg(3));
        tree.add_int(tree.add_array(ctx.root()), ulen);
        return;
    }
    add_getsockopt_value(ctx, ctx.iarg(1), ctx.iarg(2), ulen, rlen);
    add_changed_int(tree, ctx.root(), ulen, rlen, true);
}

// {imr_multiaddr=inet_addr("224.0.0.1"), imr_interface=inet_addr("0.0.0.0")}
void add_ip_mreq(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int len) {
    unsigned char m[8];
    if (len < 8 || !ctx.read_struct(addr, m)) {
        ctx.tree().add_ptr(parent, addr);
        return;
    }
    const NodeId s = ctx.tree().add_struct(parent);
    add_inet_addr(ctx.tree(), s, m, "imr_multiaddr");
    add_inet_addr(ctx.tree(), s, m + 4, "imr_interface");
}

// {inet_pton(AF_INET6, "ff02::1", &ipv6mr_multiaddr), ipv6mr_interface=...}:
// the interface prints as if_nametoindex("lo") when it names one here.
void add_ipv6_mreq(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int len) {
    unsigned char m[20];
    if (len < 20 || !ctx.read_struct(addr, m)) {
        ctx.tree().add_ptr(parent, addr);
        return;
    }
    ArgTree& tree = ctx.tree();
    const NodeId s = tree.add_struct(parent);
    add_inet6_addr(tree, s, m, "ipv6mr_multiaddr");
    std::uint32_t index;
    std::memcpy(&index, m + 16, sizeof index);
    add_ifindex(tree, s, index, "ipv6mr_interface");
}

void add_setsockopt_value(DecodeContext& ctx, int level, int name, int len) {
    ArgTree& tree = ctx.tree();
    const NodeId root = ctx.root();
    const std::uint64_t addr = ctx.arg(3);
    if (addr == 0) {
        tree.add_ptr(root, 0);
        return;
    }
    switch (level) {
        case kSolSocket:
            if (name == kSoLinger) {
                if (len < 8) {
                    tree.add_ptr(root, addr);
                } else {
                    add_int_fields(ctx, root, addr, 8, kLingerFields, false);
                }
                return;
            }
            if (name == kSoAttachFilter || name == kSoAttachReuseportCbpf) {
                // A struct sock_fprog with BPF code: not decoded here.
                tree.add_ptr(root, addr);
                return;
            }
            if (is_int_option(level, name)) {
                if (len < 4) {
                    tree.add_ptr(root, addr);
                } else {
                    add_int_value(ctx, root, addr, level, name);
                }
                return;
            }
            break;
        case kSolIp:
            if (name == kIpAddMembership || name == kIpDropMembership) {
                add_ip_mreq(ctx, root, addr, len);
                return;
            }
            break;
        case kSolIpv6:
            if (name == kIpv6AddMembership || name == kIpv6DropMembership ||
                name == kIpv6JoinAnycast || name == kIpv6LeaveAnycast) {
                add_ipv6_mreq(ctx, root, addr, len);
                return;
            }
            break;
        case kSolNetlink:
            if (len < 4) {
                tree.add_ptr(root, addr);
            } else {
                add_int_value(ctx, root, addr, level, name);
            }
            return;
        default:
            break;
    }
    if (len == 4) {
        add_int_value(ctx, root, addr, level, name);
    } else if (len < 0) {
        tree.add_ptr(root, addr);
    } else {
        shapes::add_buffer(ctx, root, addr, static_cast<std::uint64_t>(len));
    }
}

void setsockopt_entry(DecodeContext& ctx) {
    add_sockopt_head(ctx, false);
    add_setsockopt_value(ctx, ctx.iarg(1), ctx.iarg(2), ctx.iarg(4));
    ctx.tree().add_int(ctx.root(), ctx.iarg(4));
}

constexpr SyscallDecoder kDecoders[] = {
    {"socket", socket_entry, nullptr},
    {"socketpair", socketpair_entry, socketpair_exit},
    {"bind", sockaddr_call_entry, nullptr},
    {"connect", sockaddr_call_entry, nullptr},
    {"listen", listen_entry, nullptr},
    {"shutdown", shutdown_entry, nullptr},
    {"accept", sockname_entry, sockname_exit},
    {"accept4", accept4_entry, accept4_exit},
    {"getsockname", sockname_entry, sockname_exit},
    {"getpeername", sockname_entry, sockname_exit},
    {"sendto", sendto_entry, nullptr},
    {"recvfrom", recvfrom_entry, recvfrom_exit},
    {"getsockopt", getsockopt_entry, getsockopt_exit},
    {"setsockopt", setsockopt_entry, nullptr},
};

// Both halves of the family in one table (net_decoders() returns a span).
constexpr std::size_t kMsgCount = 4;
struct AllDecoders {
    SyscallDecoder list[std::size(kDecoders) + kMsgCount];
};

}  // namespace

std::span<const SyscallDecoder> net_decoders() {
    static const AllDecoders all = [] {
        AllDecoders a{};
        std::size_t n = 0;
        for (const SyscallDecoder& d : kDecoders) a.list[n++] = d;
        for (const SyscallDecoder& d : net_msg_decoders()) {
            if (n < std::size(a.list)) a.list[n++] = d;
        }
        return a;
    }();
    return all.list;
}

}  // namespace sctrace
