// What strace's -yy prints for a socket, asked of the kernel as strace 6.1
// asks it: a NETLINK_SOCK_DIAG query by the socket's inode, from sctrace's
// own process (sock_diag answers about every socket of the network
// namespace, the tracee's included):
//
//   TCP:[127.0.0.1:45678->127.0.0.1:80]   TCPv6:[[::1]:80]   UDP:[0.0.0.0:53]
//   UNIX-STREAM:[4711->4712,"/run/sock"]  UNIX:[4711,@"abstract"]
//   NETLINK:[ROUTE:1234]
//
// Answers are remembered by inode, in a table of 1024 slots indexed by the
// inode's low bits, as strace does: once a socket is described, later calls
// show that description until another socket takes its slot (a listening
// socket keeps showing the address it was first seen bound to). A socket
// the kernel does not describe (a TCP socket before bind on older kernels)
// shows its protocol and inode, "TCP:[4711]", and is asked again next time.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sctrace {

class SocketDiag {
public:
    // The description of the socket with `inode`, whose protocol the kernel
    // names `protocol` (the "system.sockprotoname" attribute of its fd:
    // "TCP", "UDPv6", "UNIX-STREAM", "NETLINK"). Empty when the protocol is
    // not one strace knows: then its path ("socket:[4711]") is shown. Valid
    // until the next call.
    std::string_view describe(std::uint64_t inode, std::string_view protocol);

private:
    struct Slot {
        std::uint64_t inode = 0;
        std::string details;
    };
    std::array<Slot, 1024> cache_;
    std::string fallback_;
};

// The kernel's sock_diag answer about one socket, turned into strace's
// description; exposed for tests. Each takes one message's payload (after
// its nlmsghdr) and returns 1 with `out` set when it is about `inode`, 0
// when it is about another socket, -1 when it cannot be used.
int parse_inet_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                    std::string& out);
int parse_unix_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                    std::string& out);
int parse_netlink_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                       std::string& out);

}  // namespace sctrace
