// Socket addresses: typed facts and strace 6.1's notation from the same
// bytes. The rules (which family needs how many bytes before its fields are
// shown, sun_path vs @"abstract", when sin6_scope_id appears) follow what
// strace 6.1 prints; see tests/unit/net_decode_test.cpp and
// tests/unit/sockaddr_test.cpp.
//
// Values strace writes in a symbolic form (htons(80), inet_addr("1.2.3.4"),
// if_nametoindex("lo"), a MAC address) are Text nodes over their raw
// bytes or number (model/arg_tree.h), so the writer prints what -X asks.
#include "decoders/sockaddr.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <cstring>

#include "decoders/net_shapes.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_textf;
using shapes::add_xflags;
using shapes::add_xval;

constexpr std::uint16_t kUnix = 1;
constexpr std::uint16_t kInet = 2;
constexpr std::uint16_t kAx25 = 3;
constexpr std::uint16_t kIpx = 4;
constexpr std::uint16_t kX25 = 9;
constexpr std::uint16_t kInet6 = 10;
constexpr std::uint16_t kNetlink = 16;
constexpr std::uint16_t kPacket = 17;
constexpr std::uint16_t kRxrpc = 33;
constexpr std::uint16_t kIeee802154 = 36;
constexpr std::uint16_t kAlg = 38;
constexpr std::uint16_t kNfc = 39;
constexpr std::uint16_t kVsock = 40;
constexpr std::uint16_t kQipcrtr = 42;
constexpr std::uint16_t kXdp = 44;
constexpr std::uint16_t kMctp = 45;

constexpr std::size_t kSunPathMax = 108;  // sizeof(sockaddr_un::sun_path)
constexpr std::size_t kInet6Min = 24;     // offsetof(struct sockaddr_in6, sin6_scope_id)
constexpr std::size_t kAx25Size = 16;     // sizeof(struct sockaddr_ax25)
constexpr std::size_t kAx25CallSize = 7;  // sizeof(ax25_address)
constexpr std::size_t kAx25MaxDigis = 8;  // AX25_MAX_DIGIS
constexpr std::size_t kNfcSize = 16;      // sizeof(struct sockaddr_nfc)
constexpr std::size_t kAlgNameOffset = 24;
constexpr std::uint32_t kIeee802154AddrNone = 0, kIeee802154AddrShort = 2;
constexpr std::uint16_t kXdpSharedUmem = 1;

// Bytes a family needs before strace shows its fields instead of sa_data
// (its struct's size, AF_UNIX one byte of path, AF_INET6 up to the scope
// id, AF_ALG one byte of name). Families not listed print sa_data.
std::size_t min_length(std::uint16_t family) {
    switch (family) {
        case kUnix:
            return 3;
        case kInet:
        case kIpx:
        case kNfc:
        case kVsock:
        case kXdp:
            return 16;
        case kAx25:
            return kAx25Size;
        case kX25:
            return 18;
        case kInet6:
            return kInet6Min;
        case kNetlink:
        case kQipcrtr:
        case kMctp:
            return 12;
        case kPacket:
        case kIeee802154:
            return 20;
        case kRxrpc:
            return 36;
        case kAlg:
            return kAlgNameOffset + 1;
        default:
            return 0;
    }
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
    std::uint16_t u16(std::size_t off) const {
        std::uint16_t v;
        std::memcpy(&v, b + off, sizeof v);
        return v;
    }
    std::uint32_t u32(std::size_t off) const {
        std::uint32_t v;
        std::memcpy(&v, b + off, sizeof v);
        return v;
    }
    std::uint64_t u64(std::size_t off) const {
        std::uint64_t v;
        std::memcpy(&v, b + off, sizeof v);
        return v;
    }
    std::span<const char> at(std::size_t off, std::size_t n) const {
        return {reinterpret_cast<const char*>(b + off), n};
    }
};

// What the bytes are decoded for: the tree, and the call when there is one
// (an fd member's -y decoration, the tracee's word size).
struct Out {
    ArgTree& tree;
    DecodeContext* ctx;
};

bool all_zero(std::span<const char> bytes) {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

// Bytes as strace's QUOTE_FORCE_HEX prints them: "\x30\x39".
NodeId add_hex_bytes(ArgTree& tree, NodeId parent, std::span<const char> bytes,
                     std::string_view key) {
    const NodeId id = tree.add_str(parent, bytes, false, key);
    if (id != kNoNode) tree.mutable_node(id).force_hex = true;
    return id;
}

// PRINT_VAL_0X: "%#0*x", twice the value's size wide, "0x" included.
NodeId add_0x(ArgTree& tree, NodeId parent, std::uint64_t value, int size, std::string_view key) {
    return add_textf(tree, parent, key, "%#0*llx", size * 2,
                     static_cast<unsigned long long>(value));
}

// A C string in a fixed array of `size` bytes (print_quoted_cstring): up to
// the NUL, "..." after it when none ends it within the array.
NodeId add_cstring_field(ArgTree& tree, NodeId parent, std::span<const char> field,
                         std::string_view key) {
    if (field.empty()) return tree.add_str(parent, {}, false, key);
    const std::size_t shown = strnlen(field.data(), field.size() - 1);
    const bool terminated = shown < field.size() - 1 || field.back() == '\0';
    return tree.add_str(parent, field.first(shown), !terminated, key);
}

// PRINT_FIELD_NET_PORT: htons(80) over the port's two bytes.
void add_net_port(ArgTree& tree, NodeId parent, const Padded& p, std::size_t off,
                  std::string_view key) {
    const NodeId id = add_textf(tree, parent, key, "htons(%u)", ntohs(p.u16(off)));
    add_hex_bytes(tree, id, p.at(off, 2), {});
}

// A MAC-style address: 8a:8b:8c over its bytes (print_hwaddr).
void add_hwaddr(ArgTree& tree, NodeId parent, std::span<const char> bytes, std::string_view key) {
    char text[3 * 32] = {};
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes.size() && n + 3 < sizeof text; ++i) {
        n += static_cast<std::size_t>(std::snprintf(text + n, sizeof text - n, "%s%02x",
                                                    i ? ":" : "",
                                                    static_cast<unsigned char>(bytes[i])));
    }
    const NodeId id = tree.add_text_copy(parent, std::string_view(text, n), key);
    add_hex_bytes(tree, id, bytes, {});
}

// An fd inside a struct: the number, and with -y what it names.
void add_member_fd(Out& o, NodeId parent, std::uint32_t raw, std::string_view key) {
    if (o.ctx) {
        shapes::add_fd(*o.ctx, parent, raw, key);
    } else {
        o.tree.add_int(parent, static_cast<std::int32_t>(raw), key);
    }
}

bool link_local(const unsigned char* a) {
    // IN6_IS_ADDR_LINKLOCAL (fe80::/10) or IN6_IS_ADDR_MC_LINKLOCAL (ff02::/16).
    return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] == 0xff && (a[1] & 0x0f) == 0x02);
}

void add_unix(ArgTree& tree, NodeId s, const Padded& p) {
    // The path as strace reads it: at most sun_path's size.
    const std::size_t path_len = std::min(p.len - 2, kSunPathMax);
    const char* path = reinterpret_cast<const char*>(p.b + 2);
    if (path[0] != '\0') {
        tree.add_str(s, {path, strnlen(path, path_len)}, false, "sun_path");
        return;
    }
    char text[4 + kSunPathMax * 4];
    text[0] = '@';
    const std::size_t n = net_shapes::quote(text + 1, sizeof text - 1, {path + 1, path_len - 1});
    tree.add_text_copy(s, std::string_view(text, n + 1), "sun_path");
}

// sockaddr_in's port and address (also inside AF_RXRPC's transport).
void add_inet(ArgTree& tree, NodeId s, const Padded& p, std::size_t base) {
    add_net_port(tree, s, p, base + 2, "sin_port");
    add_inet_addr(tree, s, p.b + base + 4, "sin_addr");
}

// sockaddr_in6's fields after the family; `len` bytes of it were given.
void add_inet6(ArgTree& tree, NodeId s, const Padded& p, std::size_t base, std::size_t len) {
    add_net_port(tree, s, p, base + 2, "sin6_port");
    const NodeId flow = add_textf(tree, s, "sin6_flowinfo", "htonl(%u)", ntohl(p.u32(base + 4)));
    add_hex_bytes(tree, flow, p.at(base + 4, 4), {});
    add_inet6_addr(tree, s, p.b + base + 8, "sin6_addr");
    if (len <= kInet6Min) return;
    const std::uint32_t scope = p.u32(base + 24);
    if (link_local(p.b + base + 8)) {
        add_ifindex(tree, s, scope, "sin6_scope_id");
    } else {
        tree.add_uint(s, scope, "sin6_scope_id");
    }
}

// An AX.25 callsign: VALID-13 over its raw bytes, unless the bytes do not
// make a callsign strace would print (then the raw struct, and the
// callsign as a comment only when it is still printable).
void add_ax25_call(ArgTree& tree, NodeId parent, const unsigned char* call, std::string_view key) {
    enum class Form { Style, Always, Raw } form = Form::Style;
    bool space_seen = false, char_seen = false;
    for (std::size_t i = 0; i + 1 < kAx25CallSize; ++i) {
        const unsigned char c = call[i] >> 1;
        if (call[i] & 1) form = Form::Always;
        if (c == ' ') {
            space_seen = true;
        } else {
            char_seen = true;
        }
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ' ')) form = Form::Always;
        if (c != ' ' && space_seen) form = Form::Always;
        if (c < ' ' || c > 0x7e || c == '*' || c == '/') {
            form = Form::Raw;
            break;
        }
    }
    const unsigned char ssid_byte = call[kAx25CallSize - 1];
    if (form != Form::Raw && (ssid_byte & ~0x1e)) form = Form::Always;
    if (form != Form::Raw && !char_seen && ssid_byte) form = Form::Always;

    const auto add_raw = [&](NodeId at, std::string_view k) {
        const NodeId s = tree.add_struct(at, k);
        add_hex_bytes(tree, s, {reinterpret_cast<const char*>(call), kAx25CallSize}, "ax25_call");
    };
    if (form == Form::Raw) {
        add_raw(parent, key);
        return;
    }
    // The callsign without trailing blanks, '-', the SSID; "*" for none.
    char text[kAx25CallSize + 4];
    std::size_t end = kAx25CallSize - 1;
    while (end > 0 && (call[end - 1] >> 1) == ' ') --end;
    std::size_t n = 0;
    for (std::size_t i = 0; i < end; ++i) text[n++] = static_cast<char>(call[i] >> 1);
    text[n++] = '-';
    unsigned ssid = (ssid_byte >> 1) & 0xf;
    if (ssid > 9) {
        text[n++] = '1';
        ssid -= 10;
    }
    text[n++] = static_cast<char>('0' + ssid);
    std::string_view shown(text, n);
    if (shown.starts_with("-0")) shown = "*";
    const NodeId id = tree.add_text_copy(parent, shown, key);
    if (id == kNoNode) return;
    if (form == Form::Always) tree.mutable_node(id).pin = XlatPin::Always;
    add_raw(id, {});
}

void add_ax25(ArgTree& tree, NodeId s, const Padded& p) {
    const auto ndigis = static_cast<std::int32_t>(p.u32(12));
    const bool full = ndigis != 0 || p.len > kAx25Size;
    const NodeId head = full ? tree.add_struct(s, "fsa_ax25") : s;
    add_ax25_call(tree, head, p.b + 2, "sax25_call");
    tree.add_int(head, ndigis, "sax25_ndigis");
    if (!full) return;
    const std::size_t has = std::min((p.len - kAx25Size) / kAx25CallSize, kAx25MaxDigis);
    const std::size_t want = std::min<std::size_t>(std::max(ndigis, 0), kAx25MaxDigis);
    if (want != 0) {
        const NodeId list = tree.add_array(s, "fsa_digipeater");
        for (std::size_t i = 0; i < std::min(has, want); ++i) {
            add_ax25_call(tree, list, p.b + kAx25Size + i * kAx25CallSize, {});
        }
        if (want > has) tree.mark_truncated(list);
    }
    if (p.len > has * kAx25CallSize + kAx25Size) tree.mark_truncated(s);
}

void add_ipx(ArgTree& tree, NodeId s, const Padded& p) {
    add_net_port(tree, s, p, 2, "sipx_port");
    add_textf(tree, s, "sipx_network", "htonl(%#x)", ntohl(p.u32(4)));
    const NodeId node = tree.add_array(s, "sipx_node");
    for (std::size_t i = 0; i < 6; ++i) add_0x(tree, node, p.b[8 + i], 1, {});
    add_0x(tree, s, p.b[14], 1, "sipx_type");
    if (p.b[15]) tree.add_hex(s, p.b[15], "sipx_zero");
}

void add_x25(ArgTree& tree, NodeId s, const Padded& p) {
    const NodeId addr = tree.add_struct(s, "sx25_addr");
    add_cstring_field(tree, addr, p.at(2, 16), "x25_addr");
}

void add_netlink(ArgTree& tree, NodeId s, const Padded& p) {
    if (const std::uint16_t pad = p.u16(2)) tree.add_hex(s, pad, "nl_pad");
    tree.add_uint(s, p.u32(4), "nl_pid");
    add_0x(tree, s, p.u32(8), 4, "nl_groups");
}

void add_packet(ArgTree& tree, NodeId s, const Padded& p) {
    const std::uint16_t proto = ntohs(p.u16(2));
    NodeId id;
    if (const auto name = xlat::sock_eth_protocols.name_of(proto)) {
        id = add_textf(tree, s, "sll_protocol", "htons(%.*s)", static_cast<int>(name->size()),
                       name->data());
    } else {
        id = add_textf(tree, s, "sll_protocol", "htons(%#x /* ETH_P_??? */)", proto);
    }
    add_hex_bytes(tree, id, p.at(2, 2), {});
    add_ifindex(tree, s, p.u32(4), "sll_ifindex");
    add_xval(tree, s, p.u16(8), xlat::sock_arphrd, "ARPHRD_???", "sll_hatype");
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
        add_0x(tree, list, p.b[12 + i], 1, {});
    }
}

// PRINT_FIELD_XVAL_VERBOSE: "0x1 /* CM_SERVICE */" unless -X raw.
NodeId add_xval_verbose(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                        std::string_view unknown, std::string_view key) {
    const NodeId id = add_xval(tree, parent, value, table, unknown, key);
    if (id != kNoNode) tree.mutable_node(id).pin = XlatPin::VerboseUnlessRaw;
    return id;
}

void add_rxrpc(ArgTree& tree, NodeId s, const Padded& p) {
    add_xval_verbose(tree, s, p.u16(2), xlat::rxrpc_services, "???_SERVICE", "srx_service");
    add_xval(tree, s, p.u16(4), xlat::sock_type, "SOCK_???", "transport_type");
    const std::uint16_t declared = p.u16(6);
    tree.add_uint(s, declared, "transport_len");
    const NodeId t = tree.add_struct(s, "transport");
    constexpr std::size_t kTransport = 8;  // offsetof(struct sockaddr_rxrpc, transport)
    const std::size_t len = std::min<std::size_t>(declared, p.len - kTransport);
    const std::size_t rest = len > 2 ? len - 2 : 0;
    const std::uint16_t family = p.u16(kTransport);
    NodeId inner = t;
    std::string_view family_key = "family";
    if (family == kInet) {
        inner = tree.add_struct(t, "sin");
        family_key = "sin_family";
    } else if (family == kInet6) {
        inner = tree.add_struct(t, "sin6");
        family_key = "sin6_family";
    }
    add_xval(tree, inner, family, xlat::sock_family, "AF_???", family_key);
    // Only the declared length decides whether the fields are shown.
    if (family == kInet && declared >= 16) {
        add_inet(tree, inner, p, kTransport);
    } else if (family == kInet6 && declared >= kInet6Min) {
        add_inet6(tree, inner, p, kTransport, len);
    } else if (rest > 0) {
        tree.add_str(inner, p.at(kTransport + 2, rest), false);
    }
}

void add_ieee802154(ArgTree& tree, NodeId s, const Padded& p) {
    const NodeId a = tree.add_struct(s, "addr");
    const std::uint32_t type = p.u32(4);
    add_xval_verbose(tree, a, type, xlat::ieee802154_addr_types, "IEEE802154_ADDR_???",
                     "addr_type");
    add_xval_verbose(tree, a, p.u16(8), xlat::ieee802154_pan_ids, {}, "pan_id");
    if (type == kIeee802154AddrNone) return;
    if (type == kIeee802154AddrShort) {
        add_xval_verbose(tree, a, p.u16(10), xlat::ieee802154_addrs, {}, "short_addr");
    } else {
        add_hwaddr(tree, a, p.at(10, 8), "hwaddr");
    }
}

void add_alg(ArgTree& tree, NodeId s, const Padded& p) {
    add_cstring_field(tree, s, p.at(2, 14), "salg_type");
    // PRINT_FIELD_FLAGS_VERBOSE: names as a comment unless -X raw.
    for (const auto& [off, key] : {std::pair{16, "salg_feat"}, std::pair{20, "salg_mask"}}) {
        const NodeId id = add_xflags(tree, s, p.u32(static_cast<std::size_t>(off)),
                                     xlat::alg_sockaddr_flags, "CRYPTO_ALG_???", key);
        if (id != kNoNode) tree.mutable_node(id).pin = XlatPin::VerboseUnlessRaw;
    }
    add_cstring_field(tree, s, p.at(kAlgNameOffset, p.len - kAlgNameOffset), "salg_name");
}

void add_nfc(Out& o, NodeId s, const Padded& p) {
    ArgTree& tree = o.tree;
    add_ifindex(tree, s, p.u32(4), "dev_idx");
    tree.add_hex(s, p.u32(8), "target_idx");
    add_xval(tree, s, p.u32(12), xlat::nfc_protocols, "NFC_PROTO_???", "nfc_protocol");
    // sockaddr_nfc_llcp ends in a size_t: its size is the tracee's.
    const bool wide = !o.ctx || o.ctx->arch() == Arch::X86_64;
    const std::size_t llcp_size = wide ? 96 : 88;
    if (p.len < llcp_size) {
        if (p.len > kNfcSize) tree.mark_truncated(s);
        return;
    }
    const std::uint64_t name_len = wide ? p.u64(88) : p.u32(84);
    add_xval_verbose(tree, s, p.b[16], xlat::nfc_saps, {}, "dsap");
    add_xval_verbose(tree, s, p.b[17], xlat::nfc_saps, {}, "ssap");
    tree.add_str(s, p.at(18, std::min<std::uint64_t>(63, name_len)), false, "service_name");
    tree.add_uint(s, name_len, "service_name_len");
}

void add_vsock(ArgTree& tree, NodeId s, const Padded& p) {
    if (const std::uint16_t reserved = p.u16(2)) tree.add_hex(s, reserved, "svm_reserved1");
    add_xval(tree, s, p.u32(8), xlat::vsock_cids, {}, "svm_cid");
    add_xval(tree, s, p.u32(4), xlat::vsock_ports, {}, "svm_port");
    add_xflags(tree, s, p.b[12], xlat::vsock_flags, "VMADDR_FLAG_???", "svm_flags");
    if (!all_zero(p.at(13, 3))) add_hex_bytes(tree, s, p.at(13, 3), "svm_zero");
}

void add_qipcrtr(ArgTree& tree, NodeId s, const Padded& p) {
    add_xval(tree, s, p.u32(4), xlat::qrtr_nodes, {}, "sq_node");
    add_xval(tree, s, p.u32(8), xlat::qrtr_ports, {}, "sq_port");
}

void add_xdp(Out& o, NodeId s, const Padded& p) {
    ArgTree& tree = o.tree;
    const std::uint16_t flags = p.u16(2);
    add_xflags(tree, s, flags, xlat::xdp_sockaddr_flags, "XDP_???", "sxdp_flags");
    add_ifindex(tree, s, p.u32(4), "sxdp_ifindex");
    tree.add_uint(s, p.u32(8), "sxdp_queue_id");
    const std::uint32_t umem_fd = p.u32(12);
    if (flags & kXdpSharedUmem) {
        add_member_fd(o, s, umem_fd, "sxdp_shared_umem_fd");
    } else if (umem_fd != 0) {
        tree.add_hex(s, umem_fd, "sxdp_shared_umem_fd");
    }
}

void add_mctp(ArgTree& tree, NodeId s, const Padded& p) {
    if (const std::uint16_t pad = p.u16(2)) tree.add_hex(s, pad, "__smctp_pad0");
    add_xval(tree, s, p.u32(4), xlat::mctp_nets, {}, "smctp_network");
    const NodeId addr = tree.add_struct(s, "smctp_addr");
    add_xval(tree, addr, p.b[8], xlat::mctp_addrs, {}, "s_addr");
    tree.add_hex(s, p.b[9], "smctp_type");
    tree.add_hex(s, p.b[10], "smctp_tag");
    if (p.b[11]) tree.add_hex(s, p.b[11], "__smctp_pad1");
}

}  // namespace

NodeId add_ifindex(ArgTree& tree, NodeId parent, std::uint32_t index, std::string_view key) {
    char name[IF_NAMESIZE] = {};
    if (index != 0 && if_indextoname(index, name)) {
        char quoted[IF_NAMESIZE * 4 + 4];
        const std::size_t n = net_shapes::quote(quoted, sizeof quoted, {name, std::strlen(name)});
        const NodeId id =
            add_textf(tree, parent, key, "if_nametoindex(%.*s)", static_cast<int>(n), quoted);
        tree.add_uint(id, index);
        return id;
    }
    return tree.add_uint(parent, index, key);
}

NodeId add_inet_addr(ArgTree& tree, NodeId parent, const unsigned char* addr,
                     std::string_view key) {
    char ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, addr, ip, sizeof ip);
    const NodeId id = add_textf(tree, parent, key, "inet_addr(\"%s\")", ip);
    add_hex_bytes(tree, id, {reinterpret_cast<const char*>(addr), 4}, {});
    return id;
}

NodeId add_inet6_addr(ArgTree& tree, NodeId parent, const unsigned char* addr,
                      std::string_view key) {
    char ip[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, addr, ip, sizeof ip);
    // strace's abbreviation names the member inside it and has no key; the
    // raw bytes have the key, and the comment does without the member.
    const NodeId id = add_textf(tree, parent, {}, "inet_pton(AF_INET6, \"%s\", &%.*s)", ip,
                                static_cast<int>(key.size()), key.data());
    add_hex_bytes(tree, id, {reinterpret_cast<const char*>(addr), 16}, key);
    add_textf(tree, id, {}, "inet_pton(AF_INET6, \"%s\")", ip);
    return id;
}

bool parse_sockaddr(std::span<const char> bytes, SockAddr& out) {
    out = SockAddr{};
    if (bytes.size() < 2) return false;
    const Padded p(bytes);
    out.length = static_cast<std::uint32_t>(p.len);
    out.family = p.u16(0);
    switch (out.family) {
        case kUnix: {
            const std::size_t path_len = std::min(p.len - 2, kSunPathMax);
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
            if (p.len < min_length(kInet)) break;
            out.port = ntohs(p.u16(2));
            std::memcpy(out.ip.data(), p.b + 4, 4);
            break;
        case kInet6:
            if (p.len < kInet6Min) break;
            out.port = ntohs(p.u16(2));
            out.flowinfo = ntohl(p.u32(4));
            std::memcpy(out.ip.data(), p.b + 8, 16);
            if (p.len > kInet6Min) out.scope_id = p.u32(24);
            break;
        case kNetlink:
            if (p.len < min_length(kNetlink)) break;
            out.nl_pid = p.u32(4);
            out.nl_groups = p.u32(8);
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
                          std::string_view key, DecodeContext* ctx) {
    const Padded p(bytes);
    const NodeId s = tree.add_struct(parent, key);
    if (s == kNoNode) return s;
    const std::uint16_t family = p.u16(0);
    add_xval(tree, s, family, xlat::sock_family, "AF_???", "sa_family");
    if (p.len <= 2) return s;
    const std::size_t need = min_length(family);
    if (need == 0 || p.len < need) {
        tree.add_str(s, p.at(2, p.len - 2), false, "sa_data");
        return s;
    }
    Out o{tree, ctx};
    switch (family) {
        case kUnix:
            add_unix(tree, s, p);
            break;
        case kInet:
            add_inet(tree, s, p, 0);
            break;
        case kAx25:
            add_ax25(tree, s, p);
            break;
        case kIpx:
            add_ipx(tree, s, p);
            break;
        case kX25:
            add_x25(tree, s, p);
            break;
        case kInet6:
            add_inet6(tree, s, p, 0, p.len);
            break;
        case kNetlink:
            add_netlink(tree, s, p);
            break;
        case kPacket:
            add_packet(tree, s, p);
            break;
        case kRxrpc:
            add_rxrpc(tree, s, p);
            break;
        case kIeee802154:
            add_ieee802154(tree, s, p);
            break;
        case kAlg:
            add_alg(tree, s, p);
            break;
        case kNfc:
            add_nfc(o, s, p);
            break;
        case kVsock:
            add_vsock(tree, s, p);
            break;
        case kQipcrtr:
            add_qipcrtr(tree, s, p);
            break;
        case kXdp:
            add_xdp(o, s, p);
            break;
        case kMctp:
            add_mctp(tree, s, p);
            break;
        default:
            break;
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
    const NodeId s = add_sockaddr_bytes(ctx.tree(), parent, {buf, want}, key, &ctx);
    // AF_NETLINK's nl_pid names a process (strace's printpid).
    if (const NodeId pid = ctx.tree().member(s, "nl_pid"); pid != kNoNode) {
        ArgNode& n = ctx.tree().mutable_node(pid);
        n.pid = true;
        n.text = ctx.pid_in_tracer_namespace(static_cast<std::int32_t>(n.value), PidKind::Tgid);
    }
    return s;
}

}  // namespace sctrace
