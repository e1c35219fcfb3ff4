// Socket addresses, decoded once for two readers: the ArgTree (what strace
// prints: {sa_family=AF_INET, sin_port=htons(80), ...}) and typed facts for
// the state tracker and rules (family, port, IP bytes, unix path), from the
// same bytes by the same code.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "decoders/decoder.h"
#include "model/arg_tree.h"

namespace sctrace {

// The typed facts of one sockaddr. Only the members of `family` are set.
struct SockAddr {
    enum class UnixKind : std::uint8_t { Unnamed, Path, Abstract };

    std::uint16_t family = 0;  // AF_*
    std::uint32_t length = 0;  // bytes parsed (the addrlen, at most 128)

    // AF_INET / AF_INET6: port in host byte order; ip holds 4 or 16 bytes
    // in network order (AF_INET uses the first 4).
    std::uint16_t port = 0;
    std::array<std::uint8_t, 16> ip{};
    std::uint32_t flowinfo = 0;  // AF_INET6, host byte order
    std::uint32_t scope_id = 0;  // AF_INET6

    // AF_UNIX: the path without its NUL; for an abstract name without the
    // leading NUL byte (strace shows it as @"name").
    UnixKind unix_kind = UnixKind::Unnamed;
    std::uint8_t path_len = 0;
    std::array<char, 108> path{};

    // AF_NETLINK
    std::uint32_t nl_pid = 0;
    std::uint32_t nl_groups = 0;

    bool is_inet() const { return family == 2 || family == 10; }
    std::string_view unix_path() const { return {path.data(), path_len}; }
};

// The most bytes of a sockaddr anyone decodes (sizeof(struct sockaddr_storage)).
inline constexpr std::size_t kSockAddrMax = 128;

// Parses a sockaddr of bytes.size() bytes, as the kernel got or returned it.
// False when it is too short to hold even sa_family; a family whose fixed
// part is cut short keeps only `family` and `length`.
bool parse_sockaddr(std::span<const char> bytes, SockAddr& out);

// Reads `addrlen` bytes at addr (capped at kSockAddrMax) and parses them.
// False when addrlen < 2 or the memory is unreadable.
bool read_sockaddr(MemoryReader& memory, std::uint64_t addr, int addrlen, SockAddr& out);

// Adds strace's form of the sockaddr in `bytes` (one of that length):
// {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")},
// {sa_family=AF_UNIX, sun_path=@"abstract"}, ... {sa_family=..., sa_data="..."}
// for families without a decoder or with too few bytes. `ctx`, when given,
// is the call: fds inside the address get their -y paths, and layouts that
// differ by word size follow the tracee's.
NodeId add_sockaddr_bytes(ArgTree& tree, NodeId parent, std::span<const char> bytes,
                          std::string_view key = {}, DecodeContext* ctx = nullptr);

// strace's PRINT_FIELD_IFINDEX: if_nametoindex("lo") over the index when it
// names an interface here (the number under -X raw), else the number.
NodeId add_ifindex(ArgTree& tree, NodeId parent, std::uint32_t index, std::string_view key);

// strace's PRINT_FIELD_INET_ADDR: inet_addr("1.2.3.4") over the 4 bytes at
// `addr` (the bytes themselves under -X raw).
NodeId add_inet_addr(ArgTree& tree, NodeId parent, const unsigned char* addr, std::string_view key);
// The same for the 16 bytes of an IPv6 address: a keyless member
// inet_pton(AF_INET6, "::1", &KEY) that prints as KEY="\x00..." under
// -X raw. `key` must outlive the tree (a literal).
NodeId add_inet6_addr(ArgTree& tree, NodeId parent, const unsigned char* addr,
                      std::string_view key);

// strace's decode_sockaddr: the sockaddr at addr with addrlen bytes, or the
// address itself when addrlen < 2 or the memory is unreadable (NULL for 0).
// When `facts` is given it receives the typed values (family 0 if none).
NodeId add_sockaddr(DecodeContext& ctx, NodeId parent, std::uint64_t addr, int addrlen,
                    std::string_view key = {}, SockAddr* facts = nullptr);

}  // namespace sctrace
