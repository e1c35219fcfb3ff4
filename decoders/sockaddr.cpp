// Socket addresses: typed facts and strace 6.1's notation from the same
// bytes. The rules (which family needs how many bytes before its fields are
// shown, sun_path vs @"abstract", when sin6_scope_id appears) follow what
// strace 6.1 prints; see tests/unit/net_decode_test.cpp.
#include "decoders/sockaddr.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <cstring>

#include "decoders/net_shapes.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_textf;
using shapes::add_xval;

constexpr std::uint16_t kUnix = 1;
constexpr std::uint16_t kInet = 2;
constexpr std::uint16_t kInet6 = 10;
constexpr std::uint16_t kNetlink = 16;
constexpr std::uint16_t kPacket = 17;

// Bytes a family needs before strace shows its fields instead of sa_data.
constexpr std::size_t kUnixMin = 3;      // sa_family + one byte of path
constexpr std::size_t kInetMin = 16;     // sizeof(struct sockaddr_in)
constexpr std::size_t kInet6Min = 24;    // offsetof(struct sockaddr_in6, sin6_scope_id)
constexpr std::size_t kNetlinkMin = 12;  // sizeof(struct sockaddr_nl)
constexpr std::size_t kPacketMin = 20;   // sizeof(struct sockaddr_ll)

std::uint16_t get16(const unsigned char* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint32_t get32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// The bytes, zero-padded past their length as strace pads them (so a path
// that fills sun_path still ends in a NUL).
struct Padded {
    unsigned char b[kSockAddrMax + 1] = {};
    std::size_t len = 0;
    explicit Padded(std::span<const char> bytes) {
        len = std::min(bytes.size(), kSockAddrMax);
        std::memcpy(b, bytes.data(), len);
    }
};

bool link_local(const unsigned char* a) {
    // IN6_IS_ADDR_LINKLOCAL (fe80::/10) or IN6_IS_ADDR_MC_LINKLOCAL (ff02::/16).
    return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] == 0xff && (a[1] & 0x0f) == 0x02);
}

// strace's PRINT_FIELD_IFINDEX: if_nametoindex("lo") when the index names
// an interface here, else the number.
NodeId add_ifindex(ArgTree& tree, NodeId parent, std::uint32_t index, std::string_view key) {
    char name[IF_NAMESIZE] = {};
    if (index != 0 && if_indextoname(index, name)) {
        char quoted[IF_NAMESIZE * 4 + 4];
        const std::size_t n = net_shapes::quote(quoted, sizeof quoted, {name, std::strlen(name)});
        return add_textf(tree, parent, key, "if_nametoindex(%.*s)", static_cast<int>(n), quoted);
    }
    return tree.add_uint(parent, index, key);
}

void add_unix(ArgTree& tree, NodeId s, const Padded& p) {
    const std::size_t un_len = std::min<std::size_t>(p.len, 110);  // sizeof(sockaddr_un)
    const std::size_t path_len = un_len - 2;
    const char* path = reinterpret_cast<const char*>(p.b + 2);
    if (path[0] != '\0') {
        // Up to the NUL (the padding guarantees one at path_len).
        tree.add_str(s, {path, strnlen(path, path_len + 1)}, false, "sun_path");
        return;
    }
    char text[4 + 107 * 4];
    text[0] = '@';
    const std::size_t n = net_shapes::quote(text + 1, sizeof text - 1, {path + 1, path_len - 1});
    tree.add_text_copy(s, std::string_view(text, n + 1), "sun_path");
}

void add_inet(ArgTree& tree, NodeId s, const Padded& p) {
    char ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, p.b + 4, ip, sizeof ip);
    add_textf(tree, s, "sin_port", "htons(%u)", ntohs(get16(p.b + 2)));
    add_textf(tree, s, "sin_addr", "inet_addr(\"%s\")", ip);
}

void add_inet6(ArgTree& tree, NodeId s, const Padded& p) {
    char ip[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, p.b + 8, ip, sizeof ip);
    add_textf(tree, s, "sin6_port", "htons(%u)", ntohs(get16(p.b + 2)));
    add_textf(tree, s, "sin6_flowinfo", "htonl(%u)", ntohl(get32(p.b + 4)));
    add_textf(tree, s, {}, "inet_pton(AF_INET6, \"%s\", &sin6_addr)", ip);
    if (p.len <= kInet6Min) return;
    const std::uint32_t scope = get32(p.b + 24);
    if (link_local(p.b + 8)) {
        add_ifindex(tree, s, scope, "sin6_scope_id");
    } else {
        tree.add_uint(s, scope, "sin6_scope_id");
    }
}

void add_netlink(ArgTree& tree, NodeId s, const Padded& p) {
    if (const std::uint16_t pad = get16(p.b + 2)) add_textf(tree, s, "nl_pad", "%#x", pad);
    tree.add_uint(s, get32(p.b + 4), "nl_pid");
    add_textf(tree, s, "nl_groups", "%#08x", get32(p.b + 8));
}

void add_packet(ArgTree& tree, NodeId s, const Padded& p) {
    const std::uint16_t proto = ntohs(get16(p.b + 2));
    if (const auto name = xlat::sock_eth_protocols.name_of(proto)) {
        add_textf(tree, s, "sll_protocol", "htons(%.*s)", static_cast<int>(name->size()),
                  name->data());
    } else {
        add_textf(tree, s, "sll_protocol", "htons(%#x /* ETH_P_??? */)", proto);
    }
    add_ifindex(tree, s, get32(p.b + 4), "sll_ifindex");
    add_xval(tree, s, get16(p.b + 8), xlat::sock_arphrd, "ARPHRD_???", "sll_hatype");
    add_xval(tree, s, p.b[10], xlat::sock_packet_types, "PACKET_???", "sll_pkttype");
    const unsigned halen = p.b[11];
    tree.add_uint(s, halen, "sll_halen");
    if (halen == 0) return;
    const NodeId list = tree.add_array(s, "sll_addr");
    const std::size_t in_bounds = p.len > 12 ? p.len - 12 : 0;
    for (unsigned i = 0; i < halen; ++i) {
        if (i >= in_bounds || i >= 8) {
            tree.mark_truncated(list);
            break;
        }
        add_textf(tree, list, {}, "%#04x", p.b[12 + i]);
    }
}

}  // namespace

bool parse_sockaddr(std::span<const char> bytes, SockAddr& out) {
    out = SockAddr{};
    if (bytes.size() < 2) return false;
    const Padded p(bytes);
    out.length = static_cast<std::uint32_t>(p.len);
    out.family = get16(p.b);
    switch (out.family) {
        case kUnix: {
            const std::size_t path_len = std::min<std::size_t>(p.len, 110) - 2;
            const char* path = reinterpret_cast<const char*>(p.b + 2);
            if (path_len == 0) {
                out.unix_kind = SockAddr::UnixKind::Unnamed;
            } else if (path[0] != '\0') {
                out.unix_kind = SockAddr::UnixKind::Path;
                out.path_len = static_cast<std::uint8_t>(strnlen(path, path_len));
                std::memcpy(out.path.data(), path, out.path_len);
            } else {
                out.unix_kind = SockAddr::UnixKind::Abstract;
                out.path_len = static_cast<std::uint8_t>(path_len - 1);
                std::memcpy(out.path.data(), path + 1, out.path_len);
            }
            break;
        }
        case kInet:
            if (p.len < kInetMin) break;
            out.port = ntohs(get16(p.b + 2));
            std::memcpy(out.ip.data(), p.b + 4, 4);
            break;
        case kInet6:
            if (p.len < kInet6Min) break;
            out.port = ntohs(get16(p.b + 2));
            out.flowinfo = ntohl(get32(p.b + 4));
            std::memcpy(out.ip.data(), p.b + 8, 16);
            if (p.len > kInet6Min) out.scope_id = get32(p.b + 24);
            break;
        case kNetlink:
            if (p.len < kNetlinkMin) break;
            out.nl_pid = get32(p.b + 4);
            out.nl_groups = get32(p.b + 8);
            break;
        default:
            break;
    }
    return true;
}

bool read_sockaddr(MemoryReader& memory, std::uint64_t addr, int addrlen, SockAddr& out) {
    out = SockAddr{};
    if (addr == 0 || addrlen < 2) return false;
    char buf[kSockAddrMax];
    const std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(addrlen), sizeof buf);
    if (memory.read(addr, {buf, want}) != want) return false;
    return parse_sockaddr({buf, want}, out);
}

NodeId add_sockaddr_bytes(ArgTree& tree, NodeId parent, std::span<const char> bytes,
                          std::string_view key) {
    const Padded p(bytes);
    const NodeId s = tree.add_struct(parent, key);
    if (s == kNoNode) return s;
    const std::uint16_t family = get16(p.b);
    add_xval(tree, s, family, xlat::sock_family, "AF_???", "sa_family");
    if (p.len <= 2) return s;
    bool decoded = true;
    if (family == kUnix && p.len >= kUnixMin) {
        add_unix(tree, s, p);
    } else if (family == kInet && p.len >= kInetMin) {
        add_inet(tree, s, p);
    } else if (family == kInet6 && p.len >= kInet6Min) {
        add_inet6(tree, s, p);
    } else if (family == kNetlink && p.len >= kNetlinkMin) {
        add_netlink(tree, s, p);
    } else if (family == kPacket && p.len >= kPacketMin) {
        add_packet(tree, s, p);
    } else {
        decoded = false;
    }
    if (!decoded) {
        tree.add_str(s, {reinterpret_cast<const char*>(p.b + 2), p.len - 2}, false, "sa_data");
    }
    return s;
}

NodeId add_sockaddr(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int addrlen,
                    std::string_view key, SockAddr* facts) {
    if (facts) *facts = SockAddr{};
    if (addrlen < 2 || addr == 0) return ctx.tree().add_ptr(parent, addr, key);
    char buf[kSockAddrMax];
    const std::size_t want = std::min<std::size_t>(static_cast<std::size_t>(addrlen), sizeof buf);
    if (ctx.read(addr, {buf, want}) != want) return ctx.tree().add_ptr(parent, addr, key);
    if (facts) parse_sockaddr({buf, want}, *facts);
    const NodeId s = add_sockaddr_bytes(ctx.tree(), parent, {buf, want}, key);
    // AF_NETLINK's nl_pid names a process (strace's printpid).
    if (const NodeId pid = ctx.tree().member(s, "nl_pid"); pid != kNoNode) {
        ArgNode& n = ctx.tree().mutable_node(pid);
        n.pid = true;
        n.text = ctx.pid_in_tracer_namespace(static_cast<std::int32_t>(n.value), PidKind::Tgid);
    }
    return s;
}

}  // namespace sctrace
