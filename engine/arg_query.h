// Typed questions about a syscall's arguments, answered the same way for a
// live call (raw registers and a decoded ArgTree with table-typed nodes) and
// for a call parsed from a strace log (an ArgTree of numbers and strace's
// spellings as text). The state tracker and the rules ask here, so neither
// cares where an event came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/arg_tree.h"
#include "model/event.h"

namespace sctrace {

// The index-th argument's node in the decoded tree, or kNoNode. The tree
// itself (model/arg_tree.h) answers questions about a node in both dialects.
NodeId arg_node(const SyscallEvent& call, int index);

// The argument as an integer: a number node of the tree (a log's number
// text included), else (live calls without a tree) the raw register.
std::optional<std::int64_t> arg_int(const SyscallEvent& call, int index);

// The argument as a file descriptor (the C int the kernel took).
std::optional<int> arg_fd(const SyscallEvent& call, int index);

// The argument as a signal number: a live decoder's table-typed node, a
// log's name ("SIGUSR1", "SIGRT_2") or number.
std::optional<int> arg_signal(const SyscallEvent& call, int index);

// Whether a flags argument has `flag` ("SOCK_NONBLOCK", "O_NONBLOCK",
// "CLONE_THREAD"): ArgTree::has_flag of the argument's node.
bool arg_has_flag(const SyscallEvent& call, int index, std::string_view flag);

// The symbolic name of an enum-like argument ("AF_INET", "F_SETFL",
// "SOL_SOCKET"; a log's "SOCK_STREAM|SOCK_CLOEXEC" gives its first token),
// or empty when the tree has none.
std::string_view arg_name(const SyscallEvent& call, int index);

// Integers inside Array nodes, e.g. pipe2's / socketpair's [3, 4].
std::optional<std::int64_t> array_int(const ArgTree& tree, NodeId array, int index);
// The element-th integer of an array argument: pipe2's [3, 4], getsockopt's
// [0] or [ECONNREFUSED]; nullopt when the argument is no array or is shorter.
std::optional<std::int64_t> arg_array_int(const SyscallEvent& call, int index, int element);

// How many elements an array argument has; nullopt when it is no array.
std::optional<std::size_t> arg_array_length(const SyscallEvent& call, int index);

// The bytes of a string argument (a path, a name) as the call passed them;
// nullopt when the argument is not a string (NULL, an unreadable address).
std::optional<std::string_view> arg_string(const SyscallEvent& call, int index);

// What strace -y/-yy wrote after an fd argument: "/etc/passwd",
// "TCP:[1.2.3.4:5->6.7.8.9:80]"; empty when nothing was.
std::string_view arg_decoration(const SyscallEvent& call, int index);

// Whether a pointer argument is NULL (in either dialect).
bool arg_is_null(const SyscallEvent& call, int index);

// A struct argument's node (sigaction's, clone3's), for ArgTree::member;
// kNoNode when the argument is not a struct (NULL, an address).
NodeId arg_struct(const SyscallEvent& call, int index);

// What a sockaddr argument says, from its decoded struct.
struct SocketAddress {
    std::string_view family;  // "AF_INET", "AF_INET6", "AF_UNIX", ...
    std::optional<int> port;  // from htons(N)
    std::string_view host;    // the text inside inet_addr("...") / inet_pton(..., "...")
    std::string_view path;    // sun_path, as written (abstract names start with '@')
};
std::optional<SocketAddress> arg_sockaddr(const SyscallEvent& call, int index);

// How a socket's peer is named (fd.name): "127.0.0.1:8080", "[::1]:8080"
// (brackets, as in URLs, so the port cannot be read as part of the
// address), the unix path, or "" when the address names nothing.
std::string socket_address_name(const SocketAddress& address);

// The peer in an strace -yy socket decoration: "TCP:[127.0.0.1:8080->10.0.0.2:443]"
// -> "10.0.0.2:443", "TCPv6:[[::1]:40000->[::1]:8080]" -> "[::1]:8080";
// "" for decorations without a peer (-y's "socket:[1234]", a listener).
std::string_view decoration_peer(std::string_view decoration);
// The local end in the same decoration: "127.0.0.1:8080" of both examples'
// kind, a listener's only address ("TCP:[0.0.0.0:8080]"); "" when none.
std::string_view decoration_local(std::string_view decoration);

// An endpoint as fd.name and the decorations spell it, "127.0.0.1:8080" or
// "[::1]:8080", split into the address ("::1") and the port; nullopt for
// anything else (a unix path, no port, an address that does not parse).
struct InetEndpoint {
    std::string_view ip;
    int port = 0;
};
std::optional<InetEndpoint> split_inet_endpoint(std::string_view endpoint);

// The address and port of a sockaddr argument, when it is an inet one
// (AF_INET, AF_INET6) with both; nullopt otherwise.
std::optional<InetEndpoint> inet_endpoint(const SocketAddress& address);

}  // namespace sctrace
