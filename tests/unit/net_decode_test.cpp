// The net family's decoders on synthetic calls: sockets, addresses, options
// and messages, printed as strace 6.1 prints them (each expectation was
// checked against strace 6.1's output for the same call).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "decode_test_util.h"
#include "decoders/sockaddr.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

constexpr std::uint64_t kAddr = 0x10000;
constexpr std::uint64_t kLen = 0x20000;
constexpr std::uint64_t kBuf = 0x30000;
constexpr std::uint64_t kMsg = 0x40000;
constexpr std::uint64_t kIov = 0x50000;
constexpr std::uint64_t kCtl = 0x60000;
constexpr std::uint64_t kUnmapped = 0xdead0000;

sockaddr_in inet(const char* ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

// --- socket, socketpair ---

TEST(NetDecode, SocketTypesFlagsAndProtocolsPerFamily) {
    FakeMemory mem;
    EXPECT_EQ(
        decode_to_strace(make_call("socket", {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 6}, 3), mem),
        "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3");
    EXPECT_EQ(decode_to_strace(make_call("socket", {AF_NETLINK, SOCK_RAW, 0}, 3), mem),
              "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 3");
    EXPECT_EQ(decode_to_strace(make_call("socket", {AF_UNIX, SOCK_DGRAM, 0}, 3), mem),
              "socket(AF_UNIX, SOCK_DGRAM, 0) = 3");
    EXPECT_EQ(decode_to_strace(make_call("socket", {AF_PACKET, SOCK_RAW, htons(3)}, 3), mem),
              "socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 3");
}

TEST(NetDecode, SocketTypeAndFlagsAreStyledApartUnderX) {
    FakeMemory mem;
    const auto call = make_call("socket", {AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 6}, 3);
    EXPECT_EQ(decode_to_strace(call, mem, 32, StraceStyle{.xlat = XlatStyle::Raw}),
              "socket(0x2, 0x1|0x80000, 0x6) = 3");
    EXPECT_EQ(decode_to_strace(call, mem, 32, StraceStyle{.xlat = XlatStyle::Verbose}),
              "socket(0x2 /* AF_INET */, 0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */, "
              "0x6 /* IPPROTO_TCP */) = 3");
}

TEST(NetDecode, UnknownSocketConstantsCarryStraceComments) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("socket", {12345, SOCK_STREAM, 0}, 0, EAFNOSUPPORT), mem),
              "socket(0x3039 /* AF_??? */, SOCK_STREAM, 0)");
    EXPECT_EQ(decode_to_strace(make_call("socket", {AF_INET, 99, 99}, 0, EINVAL), mem),
              "socket(AF_INET, SOCK_RAW|0x60 /* SOCK_??? */, 0x63 /* IPPROTO_??? */)");
    EXPECT_EQ(decode_to_strace(make_call("socket", {AF_UNIX, 7, 0}, 0, EINVAL), mem),
              "socket(AF_UNIX, 0x7 /* SOCK_??? */, 0)");
}

TEST(NetDecode, SocketpairPrintsItsFdsAtExit) {
    FakeMemory mem;
    const int sv[2] = {3, 4};
    mem.put(kBuf, sv);
    const auto call = make_call("socketpair", {AF_UNIX, SOCK_STREAM, 0, kBuf}, 0);
    EXPECT_EQ(decode_to_strace(call, mem), "socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0");
    EXPECT_EQ(decode_entry_to_strace(call, mem), "AF_UNIX, SOCK_STREAM, 0");
    EXPECT_EQ(decode_to_strace(make_call("socketpair", {AF_INET, 1, 0, 0}, 0, EFAULT), mem),
              "socketpair(AF_INET, SOCK_STREAM, 0, NULL)");
}

// --- socket addresses ---

TEST(NetDecode, ConnectShowsEachAddressFamily) {
    FakeMemory mem;
    mem.put(kAddr, inet("127.0.0.1", 8080));
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kAddr, 16}), mem),
              "connect(3, {sa_family=AF_INET, sin_port=htons(8080), "
              "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");

    sockaddr_in6 a6{};
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(443);
    a6.sin6_flowinfo = htonl(74565);
    inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
    a6.sin6_scope_id = 99;
    mem.put(kAddr, a6);
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kAddr, 28}), mem),
              "connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(74565), "
              "inet_pton(AF_INET6, \"2001:db8::1\", &sin6_addr), sin6_scope_id=99}, 28) = 0");
    // 24 bytes: no room for sin6_scope_id, so none is shown.
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kAddr, 24}), mem),
              "connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(74565), "
              "inet_pton(AF_INET6, \"2001:db8::1\", &sin6_addr)}, 24) = 0");

    sockaddr_nl nl{};
    nl.nl_family = AF_NETLINK;
    nl.nl_groups = 0x10001;
    mem.put(kAddr, nl);
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, 12}), mem),
              "bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x010001}, 12) = 0");
    nl.nl_groups = 0;
    mem.put(kAddr, nl);
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, 12}), mem),
              "bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0");
}

TEST(NetDecode, UnixPathsAbstractNamesAndUnnamedSockets) {
    FakeMemory mem;
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strcpy(un.sun_path, "/tmp/x.sock");
    mem.put(kAddr, un);
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, sizeof un}), mem),
              "bind(3, {sa_family=AF_UNIX, sun_path=\"/tmp/x.sock\"}, 110) = 0");
    std::memcpy(un.sun_path, "\0abs\n\0x", 7);
    mem.put(kAddr, un);
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, 2 + 7}), mem),
              "bind(3, {sa_family=AF_UNIX, sun_path=@\"abs\\n\\0x\"}, 9) = 0");
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, 2}), mem),
              "bind(3, {sa_family=AF_UNIX}, 2) = 0");
}

TEST(NetDecode, ShortUnknownAndUnreadableAddresses) {
    FakeMemory mem;
    mem.put(kAddr, inet("127.0.0.1", 80));
    // Too short for sockaddr_in: the raw sa_data.
    EXPECT_EQ(decode_to_strace(make_call("bind", {3, kAddr, 8}), mem),
              "bind(3, {sa_family=AF_INET, sa_data=\"\\0P\\177\\0\\0\\1\"}, 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kAddr, 1}), mem),
              "connect(3, 0x10000, 1) = 0");
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kUnmapped, 16}), mem),
              "connect(3, 0xdead0000, 16) = 0");
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, 0, 0}), mem), "connect(3, NULL, 0) = 0");
    const char raw[6] = {0x77, 0, 1, 2, 3, 0};
    mem.put(kAddr, raw);
    EXPECT_EQ(decode_to_strace(make_call("connect", {3, kAddr, 6}), mem),
              "connect(3, {sa_family=0x77 /* AF_??? */, sa_data=\"\\1\\2\\3\\0\"}, 6) = 0");
}

TEST(SockAddrFacts, TheSameBytesGiveTypedValues) {
    const sockaddr_in a = inet("10.1.2.3", 8080);
    SockAddr f;
    ASSERT_TRUE(parse_sockaddr({reinterpret_cast<const char*>(&a), sizeof a}, f));
    EXPECT_EQ(f.family, AF_INET);
    EXPECT_TRUE(f.is_inet());
    EXPECT_EQ(f.port, 8080);
    EXPECT_EQ(f.ip[0], 10);
    EXPECT_EQ(f.ip[3], 3);

    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, "\0name", 5);
    ASSERT_TRUE(parse_sockaddr({reinterpret_cast<const char*>(&un), 2 + 5}, f));
    EXPECT_EQ(f.unix_kind, SockAddr::UnixKind::Abstract);
    EXPECT_EQ(f.unix_path(), "name");
    std::strcpy(un.sun_path, "/run/x");
    ASSERT_TRUE(parse_sockaddr({reinterpret_cast<const char*>(&un), sizeof un}, f));
    EXPECT_EQ(f.unix_kind, SockAddr::UnixKind::Path);
    EXPECT_EQ(f.unix_path(), "/run/x");
    ASSERT_TRUE(parse_sockaddr({reinterpret_cast<const char*>(&un), 2}, f));
    EXPECT_EQ(f.unix_kind, SockAddr::UnixKind::Unnamed);
    EXPECT_FALSE(parse_sockaddr({reinterpret_cast<const char*>(&un), 1}, f));

    FakeMemory mem;
    mem.put(kAddr, a);
    ASSERT_TRUE(read_sockaddr(mem, kAddr, sizeof a, f));
    EXPECT_EQ(f.port, 8080);
    EXPECT_FALSE(read_sockaddr(mem, kUnmapped, sizeof a, f));
}

// --- value-result lengths ---

TEST(NetDecode, ValueResultLengthsShowWhatTheKernelChanged) {
    FakeMemory mem;
    mem.put(kAddr, inet("127.0.0.1", 5000));
    mem.put(kLen, socklen_t{16});
    // The kernel kept 16: [16].
    auto call = make_call("getsockname", {3, kAddr, kLen}, 0);
    EXPECT_EQ(decode_to_strace(call, mem),
              "getsockname(3, {sa_family=AF_INET, sin_port=htons(5000), "
              "sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 0");
    EXPECT_EQ(decode_entry_to_strace(call, mem), "3");

    // 128 at entry, 16 at exit: [128 => 16]. The entry value is kept in
    // the tree between the two halves.
    ArgTree tree;
    DecodeOptions options;
    mem.put(kLen, socklen_t{128});
    call = make_call("accept4", {3, kAddr, kLen, SOCK_CLOEXEC}, 5);
    decode_entry(call, tree, mem, options);
    mem.put(kLen, socklen_t{16});
    decode_exit(call, tree, mem, options);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    EXPECT_EQ(fmt::to_string(out),
              "3, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr(\"127.0.0.1\")}, "
              "[128 => 16], SOCK_CLOEXEC");
    EXPECT_EQ(tree.ret_aux, kNoNode) << "the exit half takes its stash back";

    // A failed call: the pointer and the entry length.
    mem.put(kLen, socklen_t{16});
    EXPECT_EQ(decode_to_strace(make_call("getpeername", {3, kAddr, kLen}, 0, ENOTCONN), mem),
              "getpeername(3, 0x10000, [16])");
    // Nothing to fill in: all printed at entry.
    EXPECT_EQ(decode_entry_to_strace(make_call("accept4", {3, 0, 0, SOCK_NONBLOCK}), mem),
              "3, NULL, NULL, SOCK_NONBLOCK");
}

// --- sendto, recvfrom ---

TEST(NetDecode, SendAndReceiveBuffersFollowMinusS) {
    FakeMemory mem;
    mem.put_string(kBuf, "hello, world: a longer message");
    EXPECT_EQ(decode_to_strace(make_call("sendto", {3, kBuf, 30, MSG_NOSIGNAL, 0, 0}, 30), mem, 16),
              "sendto(3, \"hello, world: a \"..., 30, MSG_NOSIGNAL, NULL, 0) = 30");
    // recvfrom shows what was received, not the buffer's size.
    EXPECT_EQ(decode_to_strace(make_call("recvfrom", {3, kBuf, 64, MSG_PEEK, 0, 0}, 5), mem),
              "recvfrom(3, \"hello\", 64, MSG_PEEK, NULL, NULL) = 5");
    EXPECT_EQ(
        decode_to_strace(make_call("recvfrom", {3, kBuf, 64, 0x100000, 0, 0}, 0, EAGAIN), mem),
        "recvfrom(3, 0x30000, 64, 0x100000 /* MSG_??? */, NULL, NULL)");
    EXPECT_EQ(decode_entry_to_strace(make_call("recvfrom", {3, kBuf, 64, 0, 0, 0}), mem), "3");
}

// --- getsockopt, setsockopt ---

TEST(NetDecode, SocketOptionNamesPerLevelAndDirection) {
    FakeMemory mem;
    mem.put(kBuf, 1);
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, SO_REUSEADDR, kBuf, 4}), mem),
        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
    EXPECT_EQ(decode_to_strace(
                  make_call("setsockopt", {3, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, kBuf, 4}), mem),
              "setsockopt(3, SOL_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = 0");
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, 26, kBuf, 4}, 0, EINVAL), mem),
        "setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, 0x30000, 4)");
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, 12345, kBuf, 4}), mem),
              "setsockopt(3, SOL_SOCKET, 0x3039 /* SO_??? */, [1], 4) = 0");
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, 6666, 1, kBuf, 4}), mem),
              "setsockopt(3, 0x1a0a /* SOL_?? */, 1, [1], 4) = 0");
    mem.put(kLen, socklen_t{0});
    EXPECT_EQ(decode_to_strace(make_call("getsockopt", {3, SOL_SOCKET, 26, kBuf, kLen}), mem),
              "getsockopt(3, SOL_SOCKET, SO_GET_FILTER, 0x30000, [0]) = 0");
}

TEST(NetDecode, SetsockoptValuesByOptionAndLength) {
    FakeMemory mem;
    const long long one = 1;
    mem.put(kBuf, one);
    // An int option with a longer length still prints as an int ...
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, SO_KEEPALIVE, kBuf, 8}), mem),
        "setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], 8) = 0");
    // ... a shorter one as the address ...
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, SO_KEEPALIVE, kBuf, 2}), mem),
        "setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, 0x30000, 2) = 0");
    // ... and any other option of another length as bytes.
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, IPPROTO_TCP, TCP_NODELAY, kBuf, 8}), mem),
        "setsockopt(3, SOL_TCP, TCP_NODELAY, \"\\1\\0\\0\\0\\0\\0\\0\\0\", 8) = 0");
    const linger lg{1, 5};
    mem.put(kBuf, lg);
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, SO_LINGER, kBuf, 8}), mem),
              "setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, SO_LINGER, 0, 8}), mem),
              "setsockopt(3, SOL_SOCKET, SO_LINGER, NULL, 8) = 0");
    const unsigned char mreq[8] = {224, 0, 0, 1, 0, 0, 0, 0};
    mem.put(kBuf, mreq);
    EXPECT_EQ(
        decode_to_strace(make_call("setsockopt", {3, IPPROTO_IP, IP_ADD_MEMBERSHIP, kBuf, 8}), mem),
        "setsockopt(3, SOL_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr=inet_addr(\"224.0.0.1\"), "
        "imr_interface=inet_addr(\"0.0.0.0\")}, 8) = 0");
}

// getsockopt after the kernel wrote `value` and `rlen`, the caller having
// passed `ulen`.
std::string getsockopt_line(int level, int name, const void* value, std::size_t size, int ulen,
                            int rlen) {
    FakeMemory mem;
    ArgTree tree;
    DecodeOptions options;
    mem.put(kLen, ulen);
    const auto call = make_call("getsockopt", {3, static_cast<std::uint64_t>(level),
                                               static_cast<std::uint64_t>(name), kBuf, kLen});
    decode_entry(call, tree, mem, options);
    mem.put(kBuf, value, size);
    mem.put(kLen, rlen);
    decode_exit(call, tree, mem, options);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    return fmt::to_string(out);
}

TEST(NetDecode, GetsockoptValuesByOptionAndReturnedLength) {
    const int refused = ECONNREFUSED;
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_ERROR, &refused, 4, 4, 4),
              "3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]");
    const int zero = 0;
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_ERROR, &zero, 4, 4, 4),
              "3, SOL_SOCKET, SO_ERROR, [0], [4]");
    const int sndbuf = 0x1200;
    // An int option cut short comes back as hex bytes.
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_SNDBUF, &sndbuf, 4, 2, 2),
              "3, SOL_SOCKET, SO_SNDBUF, \"\\x00\\x12\", [2]");
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_SNDBUF, &sndbuf, 4, 8, 4),
              "3, SOL_SOCKET, SO_SNDBUF, [4608], [8 => 4]");
    const linger lg{1, 0};
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_LINGER, &lg, sizeof lg, 8, 8),
              "3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [8]");
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_LINGER, &lg, sizeof lg, 4, 4),
              "3, SOL_SOCKET, SO_LINGER, {l_onoff=1}, [4]");
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_LINGER, &lg, sizeof lg, 2, 2),
              "3, SOL_SOCKET, SO_LINGER, {l_onoff=\"\\x01\\x00\"}, [2]");
    const ucred cred{42, 1000, 0xffffffffu};
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_PEERCRED, &cred, sizeof cred, 12, 12),
              "3, SOL_SOCKET, SO_PEERCRED, {pid=42, uid=1000, gid=-1}, [12]");
    EXPECT_EQ(getsockopt_line(IPPROTO_TCP, TCP_CONGESTION, "cubic\0\0\0", 8, 200, 8),
              "3, SOL_TCP, TCP_CONGESTION, \"cubic\\0\\0\\0\", [200 => 8]");
}

TEST(NetDecode, IntOptionsPastAnIntAndSignedTxrehashValues) {
    const int zero = 0;
    // SO_TIMESTAMPING_OLD with a 5-byte length: still the int.
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, 37, &zero, 4, 5, 5),
              "3, SOL_SOCKET, SO_TIMESTAMPING_OLD, [0], [5]");
    const int refused = ECONNREFUSED;
    EXPECT_EQ(getsockopt_line(SOL_SOCKET, SO_ERROR, &refused, 4, 8, 8),
              "3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [8]");
    FakeMemory mem;
    mem.put(kBuf, -1);
    // printxval_d: an unnamed value in signed decimal.
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, 74, kBuf, 4}), mem),
              "setsockopt(3, SOL_SOCKET, SO_TXREHASH, [-1 /* SOCK_TXREHASH_??? */], 4) = 0");
}

TEST(NetDecode, SocketOptionsUnderEveryXlatStyle) {
    FakeMemory mem;
    mem.put(kBuf, 0);
    const auto call = make_call("setsockopt", {3, SOL_SOCKET, 74, kBuf, 4});
    EXPECT_EQ(decode_to_strace(call, mem, 32, StraceStyle{.xlat = XlatStyle::Raw}),
              "setsockopt(3, 0x1, 0x4a, [0], 4) = 0");
    EXPECT_EQ(decode_to_strace(call, mem, 32, StraceStyle{.xlat = XlatStyle::Verbose}),
              "setsockopt(3, 0x1 /* SOL_SOCKET */, 0x4a /* SO_TXREHASH */, "
              "[0 /* SOCK_TXREHASH_DISABLED */], 4) = 0");
    mem.put(kBuf, 5);
    EXPECT_EQ(decode_to_strace(make_call("setsockopt", {3, SOL_SOCKET, 12345, kBuf, 4}), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Verbose}),
              "setsockopt(3, 0x1 /* SOL_SOCKET */, 0x3039 /* SO_??? */, [5], 4) = 0");
}

// --- messages ---

TEST(NetDecode, SendmsgWithNameIovecsAndRights) {
    FakeMemory mem;
    mem.put(kAddr, inet("127.0.0.1", 53));
    mem.put_string(kBuf, "abc");
    mem.put_string(kBuf + 0x100, "defghijklmnopqrstuvwxyz");
    const iovec iov[2] = {{reinterpret_cast<void*>(kBuf), 3},
                          {reinterpret_cast<void*>(kBuf + 0x100), 23}};
    mem.put(kIov, iov);
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
    auto* cm = reinterpret_cast<cmsghdr*>(ctl);
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    const int fd = 7;
    std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    mem.put(kCtl, ctl);
    msghdr m{};
    m.msg_name = reinterpret_cast<void*>(kAddr);
    m.msg_namelen = 16;
    m.msg_iov = reinterpret_cast<iovec*>(kIov);
    m.msg_iovlen = 2;
    m.msg_control = reinterpret_cast<void*>(kCtl);
    m.msg_controllen = sizeof ctl;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, kMsg, MSG_DONTWAIT}, 26), mem, 16),
              "sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(53), "
              "sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"abc\", "
              "iov_len=3}, {iov_base=\"defghijklmnopqrs\"..., iov_len=23}], msg_iovlen=2, "
              "msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
              "cmsg_data=[7]}], msg_controllen=24, msg_flags=0}, MSG_DONTWAIT) = 26");
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, 0, 0}, 0, EFAULT), mem),
              "sendmsg(3, NULL, 0)");
}

TEST(NetDecode, IovecArraysStopAtMinusSEntries) {
    FakeMemory mem;
    mem.put_string(kBuf, "ab");
    iovec iov[5];
    for (auto& v : iov) v = {reinterpret_cast<void*>(kBuf), 2};
    mem.put(kIov, iov);
    msghdr m{};
    m.msg_iov = reinterpret_cast<iovec*>(kIov);
    m.msg_iovlen = 5;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, kMsg, 0}, 10), mem, 2),
              "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ab\", iov_len=2}, "
              "{iov_base=\"ab\", iov_len=2}, ...], msg_iovlen=5, msg_controllen=0, "
              "msg_flags=0}, 0) = 10");
    m.msg_iovlen = 0;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, kMsg, 0}, 0), mem),
              "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[], msg_iovlen=0, "
              "msg_controllen=0, msg_flags=0}, 0) = 0");
}

TEST(NetDecode, RecvmsgShowsReceivedDataAndTheChangedNameLength) {
    FakeMemory mem;
    ArgTree tree;
    DecodeOptions options;
    char data[8] = {};
    mem.put(kBuf, data);
    const iovec iov[2] = {{reinterpret_cast<void*>(kBuf), 2},
                          {reinterpret_cast<void*>(kBuf + 2), 6}};
    mem.put(kIov, iov);
    msghdr m{};
    m.msg_name = reinterpret_cast<void*>(kAddr);
    m.msg_namelen = 110;
    m.msg_iov = reinterpret_cast<iovec*>(kIov);
    m.msg_iovlen = 2;
    mem.put(kMsg, m);
    const auto call = make_call("recvmsg", {3, kMsg, 0}, 3);
    decode_entry(call, tree, mem, options);
    // The kernel fills in three bytes, an unnamed peer and the flags.
    mem.put(kBuf, "xyz", 3);
    m.msg_namelen = 0;
    m.msg_flags = MSG_TRUNC;
    mem.put(kMsg, m);
    decode_exit(call, tree, mem, options);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    EXPECT_EQ(fmt::to_string(out),
              "3, {msg_name=0x10000, msg_namelen=110 => 0, msg_iov=[{iov_base=\"xy\", iov_len=2}, "
              "{iov_base=\"z\", iov_len=6}], msg_iovlen=2, msg_controllen=0, "
              "msg_flags=MSG_TRUNC}, 0");

    // A failed receive shows only the caller's msg_namelen.
    m.msg_namelen = 16;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("recvmsg", {3, kMsg, MSG_DONTWAIT}, 0, EAGAIN), mem),
              "recvmsg(3, {msg_namelen=16}, MSG_DONTWAIT)");
}

TEST(NetDecode, ControlMessagesCutShortOrTooSmall) {
    FakeMemory mem;
    msghdr m{};
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred))] = {};
    auto* cm = reinterpret_cast<cmsghdr*>(ctl);
    cm->cmsg_len = CMSG_LEN(sizeof(ucred));
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_CREDENTIALS;
    const ucred cred{100, 0, 0};
    std::memcpy(CMSG_DATA(cm), &cred, sizeof cred);
    mem.put(kCtl, ctl);
    m.msg_control = reinterpret_cast<void*>(kCtl);
    m.msg_controllen = sizeof ctl;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, kMsg, 0}, 0), mem),
              "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, "
              "msg_control=[{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, "
              "cmsg_data={pid=100, uid=0, gid=0}}], msg_controllen=32, msg_flags=0}, 0) = 0");
    // Smaller than one header: the address.
    m.msg_controllen = 8;
    mem.put(kMsg, m);
    EXPECT_EQ(decode_to_strace(make_call("sendmsg", {3, kMsg, 0}, 0), mem),
              "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, "
              "msg_control=0x60000, msg_controllen=8, msg_flags=0}, 0) = 0");
}

TEST(NetDecode, SendmmsgIsPrintedAtExitWithMsgLen) {
    FakeMemory mem;
    mem.put_string(kBuf, "one");
    const iovec iov{reinterpret_cast<void*>(kBuf), 3};
    mem.put(kIov, iov);
    mmsghdr v[2]{};
    for (auto& h : v) {
        h.msg_hdr.msg_iov = reinterpret_cast<iovec*>(kIov);
        h.msg_hdr.msg_iovlen = 1;
    }
    v[0].msg_len = 3;
    mem.put(kMsg, v);
    const auto call = make_call("sendmmsg", {3, kMsg, 2, 0}, 1);
    EXPECT_EQ(decode_to_strace(call, mem),
              "sendmmsg(3, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", "
              "iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, "
              "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", iov_len=3}], "
              "msg_iovlen=1, msg_controllen=0, msg_flags=0}}], 2, 0) = 1");
    EXPECT_EQ(decode_entry_to_strace(call, mem), "3");
}

TEST(NetDecode, RecvmmsgTimeoutsAndFailures) {
    FakeMemory mem;
    mmsghdr v[1]{};
    mem.put(kMsg, v);
    const timespec ts{0, 1000000};
    mem.put(kBuf, ts);
    EXPECT_EQ(
        decode_to_strace(make_call("recvmmsg", {3, kMsg, 1, MSG_DONTWAIT, kBuf}, 0, EAGAIN), mem),
        "recvmmsg(3, 0x40000, 1, MSG_DONTWAIT, {tv_sec=0, tv_nsec=1000000})");
    EXPECT_EQ(decode_to_strace(make_call("recvmmsg", {3, kMsg, 1, 0, kBuf}, 0), mem),
              "recvmmsg(3, [], 1, 0, {tv_sec=0, tv_nsec=1000000}) = 0 (Timeout)");
    EXPECT_EQ(decode_to_strace(make_call("recvmmsg", {3, kMsg, 1, 0, 0}, 1), mem),
              "recvmmsg(3, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, "
              "msg_controllen=0, msg_flags=0}, msg_len=0}], 1, 0, NULL) = 1");
}

TEST(NetDecode, ShutdownListenAndBadDescriptors) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("shutdown", {3, SHUT_RDWR}), mem),
              "shutdown(3, SHUT_RDWR) = 0");
    EXPECT_EQ(decode_to_strace(make_call("shutdown", {3, 5}, 0, EINVAL), mem),
              "shutdown(3, 0x5 /* SHUT_??? */)");
    EXPECT_EQ(decode_to_strace(
                  make_call("listen", {static_cast<std::uint64_t>(-1), 0xffffffff}, 0, EBADF), mem),
              "listen(-1, -1)");
    EXPECT_EQ(decode_to_strace(make_call("accept", {12345, 0, 0}, 0, EBADF), mem),
              "accept(12345, NULL, NULL)");
}

}  // namespace
}  // namespace sctrace
