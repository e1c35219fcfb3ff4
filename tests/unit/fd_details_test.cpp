// strace's -yy: sock_diag descriptions of real sockets of this process
// (sources/live/sock_diag.h), devices and pidfds (fd_details.h), and how a
// decoder stores them for the writer.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "base/unique_fd.h"
#include "decode_test_util.h"
#include "report/strace_format.h"
#include "sources/live/fd_details.h"
#include "sources/live/sock_diag.h"

namespace sctrace {
namespace {

std::uint64_t inode_of(int fd) {
    struct stat st {};
    EXPECT_EQ(fstat(fd, &st), 0);
    return st.st_ino;
}

std::string described(SocketDiag& diag, int fd, std::string_view protocol) {
    return std::string(diag.describe(inode_of(fd), protocol));
}

std::uint16_t port_of(int fd) {
    sockaddr_in6 address{};
    socklen_t len = sizeof address;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len), 0);
    return ntohs(address.sin6_port);  // sin_port and sin6_port share their offset
}

TEST(SockDiag, AUnixPairNamesItsPeer) {
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    const UniqueFd a(pair[0]), b(pair[1]);
    SocketDiag diag;
    EXPECT_EQ(described(diag, a.get(), "UNIX-STREAM"),
              "UNIX-STREAM:[" + std::to_string(inode_of(a.get())) + "->" +
                  std::to_string(inode_of(b.get())) + "]");
}

TEST(SockDiag, ABoundUnixSocketNamesItsPathQuoted) {
    const UniqueFd s(socket(AF_UNIX, SOCK_DGRAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // An abstract name: no file to clean up; a newline to be escaped.
    const std::string name = "sctrace-test\n" + std::to_string(getpid());
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&address),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
              0);
    SocketDiag diag;
    EXPECT_EQ(described(diag, s.get(), "UNIX"), "UNIX:[" + std::to_string(inode_of(s.get())) +
                                                    R"(,@"sctrace-test\n)" +
                                                    std::to_string(getpid()) + "\"]");
}

TEST(SockDiag, TcpShowsItsEndpointsAndIsRememberedByInode) {
    const UniqueFd listener(socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(listen(listener.get(), 1), 0);
    const std::uint16_t port = port_of(listener.get());
    address.sin_port = htons(port);

    SocketDiag diag;
    const std::string listening = "TCP:[127.0.0.1:" + std::to_string(port) + "]";
    EXPECT_EQ(described(diag, listener.get(), "TCP"), listening);

    const UniqueFd client(socket(AF_INET, SOCK_STREAM, 0));
    ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const UniqueFd server(accept(listener.get(), nullptr, nullptr));
    ASSERT_TRUE(server);
    const std::string client_end = "127.0.0.1:" + std::to_string(port_of(client.get()));
    const std::string server_end = "127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(described(diag, client.get(), "TCP"), "TCP:[" + client_end + "->" + server_end + "]");
    EXPECT_EQ(described(diag, server.get(), "TCP"), "TCP:[" + server_end + "->" + client_end + "]");
    // As strace: a described inode keeps its description.
    EXPECT_EQ(described(diag, listener.get(), "TCP"), listening);
}

TEST(SockDiag, UdpAndIpv6) {
    const UniqueFd udp(socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(udp.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    SocketDiag diag;
    EXPECT_EQ(described(diag, udp.get(), "UDP"),
              "UDP:[127.0.0.1:" + std::to_string(port_of(udp.get())) + "]");

    const UniqueFd v6(socket(AF_INET6, SOCK_STREAM, 0));
    sockaddr_in6 address6{};
    address6.sin6_family = AF_INET6;
    address6.sin6_addr = in6addr_loopback;
    if (bind(v6.get(), reinterpret_cast<sockaddr*>(&address6), sizeof address6) != 0) {
        GTEST_SKIP() << "no IPv6 loopback here";
    }
    ASSERT_EQ(listen(v6.get(), 1), 0);
    EXPECT_EQ(described(diag, v6.get(), "TCPv6"),
              "TCPv6:[[::1]:" + std::to_string(port_of(v6.get())) + "]");
}

TEST(SockDiag, NetlinkNamesItsProtocolAndPort) {
    const UniqueFd s(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t len = sizeof address;
    ASSERT_EQ(getsockname(s.get(), reinterpret_cast<sockaddr*>(&address), &len), 0);
    SocketDiag diag;
    EXPECT_EQ(described(diag, s.get(), "NETLINK"),
              "NETLINK:[ROUTE:" + std::to_string(address.nl_pid) + "]");
}

TEST(SockDiag, WhatTheKernelDoesNotDescribe) {
    SocketDiag diag;
    // A TCP socket that is not there: its protocol and inode.
    EXPECT_EQ(diag.describe(4294967295u, "TCP"), "TCP:[4294967295]");
    // A protocol strace does not know: nothing (the path is shown).
    EXPECT_EQ(diag.describe(12345, "PACKET"), "");
}

TEST(FdDescriber, DevicesAndPidfds) {
    FdDescriber describer;
    const UniqueFd null(open("/dev/null", O_RDONLY | O_CLOEXEC));
    char out[256];
    FdDecoration decoration = FdDecoration::Path;
    std::size_t n =
        describer.describe(getpid(), null.get(), "/dev/null", kFdDetailDevice, out, decoration);
    EXPECT_EQ(std::string_view(out, n), "char 1:3");
    EXPECT_EQ(decoration, FdDecoration::Device);
    // Not asked for: nothing.
    EXPECT_EQ(
        describer.describe(getpid(), null.get(), "/dev/null", kFdDetailSocket, out, decoration),
        0u);
    // A regular file is no device.
    EXPECT_EQ(
        describer.describe(getpid(), null.get(), "/etc/hostname", kFdDetailDevice, out, decoration),
        0u);

    const UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0)));
    if (!pidfd) GTEST_SKIP() << "no pidfd_open";
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", pidfd.get());
    char path[256] = {};
    const ssize_t len = readlink(link, path, sizeof path - 1);
    if (std::string_view(path, len > 0 ? len : 0) != "anon_inode:[pidfd]") {
        GTEST_SKIP() << "pidfds are " << path << " here, not strace's anon_inode:[pidfd]";
    }
    n = describer.describe(getpid(), pidfd.get(), path, kFdDetailPidfd, out, decoration);
    EXPECT_EQ(std::string_view(out, n), "pid:" + std::to_string(getpid()));
    EXPECT_EQ(decoration, FdDecoration::Details);
}

// A tracee whose fd 3 is /dev/null and fd 4 a socket, for the decoders.
class FakeFds final : public MemoryReader {
public:
    std::size_t read(std::uint64_t, std::span<char>) override { return 0; }
    std::size_t fd_path(int fd, std::span<char> out) override {
        const std::string_view path = fd == 3 ? "/dev/null (deleted)" : "socket:[77]";
        std::memcpy(out.data(), path.data(), path.size());
        return path.size();
    }
    std::size_t fd_details(int fd, std::string_view path, unsigned kinds, std::span<char> out,
                           FdDecoration& decoration) override {
        std::string_view text;
        if (fd == 3 && (kinds & kFdDetailDevice)) {
            EXPECT_EQ(path, "/dev/null (deleted)");
            text = "char 1:3";
            decoration = FdDecoration::Device;
        } else if (fd == 4 && (kinds & kFdDetailSocket)) {
            text = "UNIX-STREAM:[77->78]";
            decoration = FdDecoration::Details;
        }
        text.copy(out.data(), text.size());
        return text.size();
    }
};

std::string dup2_line(unsigned details, bool paths) {
    FakeFds memory;
    const SyscallEvent call = testing::make_call("dup2", {3, 4}, 4);
    ArgTree tree;
    DecodeOptions options;
    options.fd_paths = paths;
    options.fd_details = details;
    decode_entry(call, tree, memory, options);
    decode_exit(call, tree, memory, options);
    fmt::memory_buffer out;
    const StraceStyle style{paths, details != 0};
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes, style);
    out.append(std::string_view(" = 4"));
    if (strace_shows_decoration(style, tree.ret_decoration)) {
        append_strace_fd_decoration(out, tree.ret_text, tree.ret_decoration);
    }
    return fmt::to_string(out);
}

TEST(FdDescriber, DecodersKeepWhatEachKindShows) {
    // -yy: the device's path (without readlink's " (deleted)") and numbers,
    // the socket's description, for arguments and the result alike.
    EXPECT_EQ(dup2_line(kFdDetailSocket | kFdDetailDevice | kFdDetailPidfd, true),
              "3</dev/null<char 1:3>>, 4<UNIX-STREAM:[77->78]> = 4<UNIX-STREAM:[77->78]>");
    // -y: paths only.
    EXPECT_EQ(dup2_line(0, true), "3</dev/null>(deleted), 4<socket:[77]> = 4<socket:[77]>");
    // --decode-fds=socket: a socket described, nothing for the rest.
    EXPECT_EQ(dup2_line(kFdDetailSocket, false),
              "3, 4<UNIX-STREAM:[77->78]> = 4<UNIX-STREAM:[77->78]>");
}

}  // namespace
}  // namespace sctrace
