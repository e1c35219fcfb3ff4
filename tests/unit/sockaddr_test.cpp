// Socket address families beyond inet and unix, and every symbolic field
// under strace's -X styles, on hand-built address bytes passed to connect.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

constexpr std::uint64_t kAddr = 0x10000;

// Address bytes written field by field at their offsets.
class Bytes {
public:
    explicit Bytes(std::size_t size, std::uint16_t family) : b_(size) { u16(0, family); }
    Bytes& u8(std::size_t off, std::uint8_t v) { return put(off, &v, 1); }
    Bytes& u16(std::size_t off, std::uint16_t v) { return put(off, &v, 2); }
    Bytes& u32(std::size_t off, std::uint32_t v) { return put(off, &v, 4); }
    Bytes& u64(std::size_t off, std::uint64_t v) { return put(off, &v, 8); }
    Bytes& text(std::size_t off, std::string_view s) { return put(off, s.data(), s.size()); }
    const std::vector<char>& data() const { return b_; }

private:
    Bytes& put(std::size_t off, const void* p, std::size_t n) {
        std::memcpy(b_.data() + off, p, n);
        return *this;
    }
    std::vector<char> b_;
};

// connect(3, ADDR, len) as strace prints it, in the given -X style.
std::string connect(const Bytes& bytes, XlatStyle xlat = XlatStyle::Abbrev,
                    FakeMemory* memory = nullptr, bool fd_paths = false) {
    FakeMemory local;
    FakeMemory& mem = memory ? *memory : local;
    mem.put(kAddr, bytes.data().data(), bytes.data().size());
    const std::string line = decode_to_strace(make_call("connect", {3, kAddr, bytes.data().size()}),
                                              mem, 32, StraceStyle{.fd_paths = fd_paths, .xlat = xlat});
    // "connect(3, " ... ", LEN) = 0": only the address.
    const auto open = line.find(", ") + 2;
    const auto close = line.rfind(", ");
    return line.substr(open, close - open);
}

TEST(Sockaddr, InetFieldsInEveryStyle) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(80);
    inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
    Bytes b(sizeof in, AF_INET);
    b.text(0, std::string_view(reinterpret_cast<const char*>(&in), sizeof in));
    EXPECT_EQ(connect(b),
              R"({sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")})");
    EXPECT_EQ(connect(b, XlatStyle::Raw),
              R"({sa_family=0x2, sin_port="\x00\x50", sin_addr="\x7f\x00\x00\x01"})");
    EXPECT_EQ(connect(b, XlatStyle::Verbose),
              R"({sa_family=0x2 /* AF_INET */, sin_port="\x00\x50" /* htons(80) */, )"
              R"(sin_addr="\x7f\x00\x00\x01" /* inet_addr("127.0.0.1") */})");
}

TEST(Sockaddr, Inet6AddressKeepsItsKeyOutsideAbbrev) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(443);
    in6.sin6_flowinfo = htonl(5);
    inet_pton(AF_INET6, "::1", &in6.sin6_addr);
    Bytes b(24, AF_INET6);
    b.text(0, std::string_view(reinterpret_cast<const char*>(&in6), 24));
    EXPECT_EQ(connect(b), R"({sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(5), )"
                          R"(inet_pton(AF_INET6, "::1", &sin6_addr)})");
    EXPECT_EQ(connect(b, XlatStyle::Verbose),
              R"({sa_family=0xa /* AF_INET6 */, sin6_port="\x01\xbb" /* htons(443) */, )"
              R"(sin6_flowinfo="\x00\x00\x00\x05" /* htonl(5) */, )"
              R"(sin6_addr="\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01")"
              R"( /* inet_pton(AF_INET6, "::1") */})");
}

TEST(Sockaddr, UnixPathStopsAtSunPathsSize) {
    // 112 bytes: past struct sockaddr_un; the path is cut at its 108 bytes.
    Bytes b(112, AF_UNIX);
    b.text(2, std::string(110, 'a'));
    EXPECT_EQ(connect(b), "{sa_family=AF_UNIX, sun_path=\"" + std::string(108, 'a') + "\"}");
}

TEST(Sockaddr, Ipx) {
    Bytes b(16, 4);
    b.u16(2, htons(1234)).u32(4, htonl(0xc0a80001)).text(8, "\x01\x22\x33\x44\x55\x66");
    b.u8(14, 0xff);
    EXPECT_EQ(connect(b),
              "{sa_family=AF_IPX, sipx_port=htons(1234), sipx_network=htonl(0xc0a80001), "
              "sipx_node=[0x1, 0x22, 0x33, 0x44, 0x55, 0x66], sipx_type=0xff}");
    b.u8(15, 7);
    EXPECT_EQ(connect(b),
              "{sa_family=AF_IPX, sipx_port=htons(1234), sipx_network=htonl(0xc0a80001), "
              "sipx_node=[0x1, 0x22, 0x33, 0x44, 0x55, 0x66], sipx_type=0xff, "
              "sipx_zero=0x7}");
}

// An AX.25 callsign: each character shifted left, blank-padded, then the SSID.
std::string ax25_call(std::string_view call, unsigned ssid_byte) {
    std::string out(7, static_cast<char>(' ' << 1));
    for (std::size_t i = 0; i < call.size(); ++i) out[i] = static_cast<char>(call[i] << 1);
    out[6] = static_cast<char>(ssid_byte);
    return out;
}

TEST(Sockaddr, Ax25CallsignsAndDigipeaters) {
    Bytes b(16, 3);
    b.text(2, ax25_call("N0CALL", 5 << 1));
    EXPECT_EQ(connect(b), "{sa_family=AF_AX25, sax25_call=N0CALL-5, sax25_ndigis=0}");
    EXPECT_EQ(connect(b, XlatStyle::Raw),
              R"({sa_family=0x3, sax25_call={ax25_call="\x9c\x60\x86\x82\x98\x98\x0a"}, )"
              R"(sax25_ndigis=0})");
    EXPECT_EQ(
        connect(b, XlatStyle::Verbose),
        R"({sa_family=0x3 /* AF_AX25 */, sax25_call={ax25_call="\x9c\x60\x86\x82\x98\x98\x0a"})"
        R"( /* N0CALL-5 */, sax25_ndigis=0})");

    // A lower-case digipeater is shown raw with its reading as a comment,
    // whatever the style; a blank one is "*"; a missing one is "...".
    Bytes full(16 + 2 * 7, 3);
    full.text(2, ax25_call("N0CALL", 5 << 1)).u32(12, 3);
    full.text(16, ax25_call("abc", 0)).text(23, ax25_call("", 0));
    EXPECT_EQ(
        connect(full),
        R"({sa_family=AF_AX25, fsa_ax25={sax25_call=N0CALL-5, sax25_ndigis=3}, )"
        R"(fsa_digipeater=[{ax25_call="\xc2\xc4\xc6\x40\x40\x40\x00"} /* abc-0 */, *, ...]})");
    // Unprintable: raw only, in every style.
    Bytes odd(16, 3);
    odd.text(2, std::string("\x02\x04\x06\x08\x0a\x0c\x00", 7));
    EXPECT_EQ(connect(odd),
              R"({sa_family=AF_AX25, sax25_call={ax25_call="\x02\x04\x06\x08\x0a\x0c\x00"}, )"
              R"(sax25_ndigis=0})");
}

TEST(Sockaddr, X25AddressIsACString) {
    Bytes b(18, 9);
    b.text(2, "1234");
    EXPECT_EQ(connect(b), R"({sa_family=AF_X25, sx25_addr={x25_addr="1234"}})");
    b.text(2, "0123456789abcdef");
    EXPECT_EQ(connect(b), R"({sa_family=AF_X25, sx25_addr={x25_addr="0123456789abcde"...}})");
}

TEST(Sockaddr, RxrpcOverInet) {
    Bytes b(36, 33);
    b.u16(2, 1).u16(4, SOCK_DGRAM).u16(6, 16).u16(8, AF_INET).u16(10, htons(7000));
    b.u32(12, htonl(0x0a000001));
    EXPECT_EQ(connect(b),
              R"({sa_family=AF_RXRPC, srx_service=0x1 /* CM_SERVICE */, )"
              R"(transport_type=SOCK_DGRAM, transport_len=16, transport={sin={)"
              R"(sin_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr("10.0.0.1")}}})");
    // The service is named in a comment unless -X raw.
    EXPECT_EQ(
        connect(b, XlatStyle::Raw),
        R"({sa_family=0x21, srx_service=0x1, transport_type=0x2, transport_len=16, )"
        R"(transport={sin={sin_family=0x2, sin_port="\x1b\x58", sin_addr="\x0a\x00\x00\x01"}}})");
    // Another transport family: its bytes after the family, keyless.
    b.u16(6, 5).u16(8, AF_UNIX);
    EXPECT_EQ(connect(b),
              R"({sa_family=AF_RXRPC, srx_service=0x1 /* CM_SERVICE */, )"
              R"(transport_type=SOCK_DGRAM, transport_len=5, transport={family=AF_UNIX, )"
              R"("\33X\n"}})");
}

TEST(Sockaddr, Ieee802154) {
    Bytes b(20, 36);
    b.u32(4, 2).u16(8, 0xffff).u16(10, 0x1234);
    EXPECT_EQ(connect(b),
              "{sa_family=AF_IEEE802154, addr={addr_type=0x2 /* IEEE802154_ADDR_SHORT */, "
              "pan_id=0xffff /* IEEE802154_PANID_BROADCAST */, short_addr=0x1234}}");
    b.u32(4, 3).u16(8, 7).text(10, "\x01\x02\x03\x04\x05\x06\x07\x08");
    EXPECT_EQ(connect(b),
              "{sa_family=AF_IEEE802154, addr={addr_type=0x3 /* IEEE802154_ADDR_LONG */, "
              "pan_id=0x7, hwaddr=01:02:03:04:05:06:07:08}}");
    EXPECT_EQ(connect(b, XlatStyle::Raw), R"({sa_family=0x24, addr={addr_type=0x3, pan_id=0x7, )"
                                          R"(hwaddr="\x01\x02\x03\x04\x05\x06\x07\x08"}})");
}

TEST(Sockaddr, Alg) {
    Bytes b(88, 38);
    b.text(2, "hash").u32(16, 0x1000).text(24, "sha1");
    EXPECT_EQ(connect(b),
              "{sa_family=AF_ALG, salg_type=\"hash\", "
              "salg_feat=0x1000 /* CRYPTO_ALG_KERN_DRIVER_ONLY */, salg_mask=0, "
              "salg_name=\"sha1\"}");
    EXPECT_EQ(connect(b, XlatStyle::Raw),
              "{sa_family=0x26, salg_type=\"hash\", salg_feat=0x1000, salg_mask=0, "
              "salg_name=\"sha1\"}");
    // One byte of name, not a NUL: cut short.
    Bytes short_name(25, 38);
    short_name.u8(24, 'x');
    EXPECT_EQ(connect(short_name),
              "{sa_family=AF_ALG, salg_type=\"\", salg_feat=0, salg_mask=0, "
              "salg_name=\"\"...}");
}

TEST(Sockaddr, Nfc) {
    Bytes b(16, 39);
    b.u32(8, 7).u32(12, 2);
    EXPECT_EQ(connect(b),
              "{sa_family=AF_NFC, dev_idx=0, target_idx=0x7, nfc_protocol=NFC_PROTO_MIFARE}");
    Bytes longer(17, 39);
    EXPECT_EQ(connect(longer),
              "{sa_family=AF_NFC, dev_idx=0, target_idx=0, "
              "nfc_protocol=0 /* NFC_PROTO_??? */, ...}");
    Bytes llcp(96, 39);
    llcp.u8(16, 1).u8(17, 0x20).text(18, "urn:nfc").u64(88, 7);
    EXPECT_EQ(connect(llcp),
              "{sa_family=AF_NFC, dev_idx=0, target_idx=0, "
              "nfc_protocol=0 /* NFC_PROTO_??? */, dsap=0x1 /* LLCP_SAP_SDP */, "
              "ssap=0x20, service_name=\"urn:nfc\", service_name_len=7}");
}

TEST(Sockaddr, VsockQrtrAndMctp) {
    Bytes vsock(16, 40);
    vsock.u32(4, 1234).u32(8, 2).u8(12, 1);
    EXPECT_EQ(connect(vsock),
              "{sa_family=AF_VSOCK, svm_cid=VMADDR_CID_HOST, svm_port=0x4d2, "
              "svm_flags=VMADDR_FLAG_TO_HOST}");
    vsock.u16(2, 9).u8(14, 1);
    EXPECT_EQ(
        connect(vsock, XlatStyle::Verbose),
        R"({sa_family=0x28 /* AF_VSOCK */, svm_reserved1=0x9, svm_cid=0x2 /* VMADDR_CID_HOST */, )"
        R"(svm_port=0x4d2, svm_flags=0x1 /* VMADDR_FLAG_TO_HOST */, svm_zero="\x00\x01\x00"})");

    Bytes qrtr(12, 42);
    qrtr.u32(4, 0xffffffff).u32(8, 5);
    EXPECT_EQ(connect(qrtr), "{sa_family=AF_QIPCRTR, sq_node=QRTR_NODE_BCAST, sq_port=0x5}");

    Bytes mctp(12, 45);
    mctp.u32(4, 1).u8(8, 0xff).u8(9, 1).u8(10, 8);
    EXPECT_EQ(connect(mctp),
              "{sa_family=AF_MCTP, smctp_network=0x1, smctp_addr={s_addr=MCTP_ADDR_ANY}, "
              "smctp_type=0x1, smctp_tag=0x8}");
}

TEST(Sockaddr, XdpSharedUmemFdIsDecorated) {
    Bytes b(16, 44);
    b.u16(2, 1).u32(8, 3).u32(12, 5);
    FakeMemory mem;
    mem.name_fd(5, "/dev/zero");
    EXPECT_EQ(connect(b, XlatStyle::Abbrev, &mem, true),
              "{sa_family=AF_XDP, sxdp_flags=XDP_SHARED_UMEM, sxdp_ifindex=0, sxdp_queue_id=3, "
              "sxdp_shared_umem_fd=5</dev/zero>}");
    // Without XDP_SHARED_UMEM the field is a plain number, shown when set.
    b.u16(2, 0x12);
    EXPECT_EQ(connect(b),
              "{sa_family=AF_XDP, sxdp_flags=XDP_COPY|0x10, sxdp_ifindex=0, "
              "sxdp_queue_id=3, sxdp_shared_umem_fd=0x5}");
}

}  // namespace
}  // namespace sctrace
