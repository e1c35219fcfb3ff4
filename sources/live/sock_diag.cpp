#include "sources/live/sock_diag.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/c_escape.h"
#include "base/unique_fd.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// IPPROTO_L2TP (linux/l2tp.h), which netinet/in.h does not name.
constexpr std::uint8_t kIpprotoL2tp = 115;

// How the kernel is asked about a protocol.
enum class Query : std::uint8_t { Unix, Inet, Netlink };

// The protocols strace describes, by the name the kernel gives them
// ("system.sockprotoname"), with the family and IP protocol sock_diag is
// asked with. PING and PINGv6 are asked as IPPROTO_ICMP both, as strace
// asks them.
struct Protocol {
    std::string_view name;
    Query query;
    std::uint8_t family;
    std::uint8_t ipproto;
};

constexpr Protocol kProtocols[] = {
    {"UNIX", Query::Unix, AF_UNIX, 0},
    {"UNIX-STREAM", Query::Unix, AF_UNIX, 0},
    {"TCP", Query::Inet, AF_INET, IPPROTO_TCP},
    {"UDP", Query::Inet, AF_INET, IPPROTO_UDP},
    {"UDPLITE", Query::Inet, AF_INET, IPPROTO_UDPLITE},
    {"DCCP", Query::Inet, AF_INET, IPPROTO_DCCP},
    {"SCTP", Query::Inet, AF_INET, IPPROTO_SCTP},
    {"L2TP/IP", Query::Inet, AF_INET, kIpprotoL2tp},
    {"PING", Query::Inet, AF_INET, IPPROTO_ICMP},
    {"RAW", Query::Inet, AF_INET, IPPROTO_RAW},
    {"TCPv6", Query::Inet, AF_INET6, IPPROTO_TCP},
    {"UDPv6", Query::Inet, AF_INET6, IPPROTO_UDP},
    {"UDPLITEv6", Query::Inet, AF_INET6, IPPROTO_UDPLITE},
    {"DCCPv6", Query::Inet, AF_INET6, IPPROTO_DCCP},
    {"SCTPv6", Query::Inet, AF_INET6, IPPROTO_SCTP},
    {"L2TP/IPv6", Query::Inet, AF_INET6, kIpprotoL2tp},
    {"PINGv6", Query::Inet, AF_INET6, IPPROTO_ICMP},
    {"RAWv6", Query::Inet, AF_INET6, IPPROTO_RAW},
    {"NETLINK", Query::Netlink, AF_NETLINK, 0},
};

const Protocol* protocol_named(std::string_view name) {
    for (const Protocol& p : kProtocols) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

bool send_request(int fd, const void* request, std::size_t size) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        if (::sendto(fd, request, size, 0, reinterpret_cast<const sockaddr*>(&kernel),
                     sizeof kernel) >= 0) {
            return true;
        }
        if (errno != EINTR) return false;
    }
}

using Parser = int (*)(std::string_view, std::uint64_t, std::string_view, std::string&);

// Reads the answers until one is about `inode` (true, `out` set), or the
// kernel says it is done or something is wrong (false).
bool receive(int fd, std::uint64_t inode, std::string_view protocol, Parser parse,
             std::string& out) {
    alignas(nlmsghdr) char buffer[8192];
    int flags = 0;
    for (;;) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, flags);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        auto left = static_cast<int>(got);
        const auto* h = reinterpret_cast<const nlmsghdr*>(buffer);
        if (!NLMSG_OK(h, left)) return false;
        for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            // NLMSG_DONE or NLMSG_ERROR: the socket was not found.
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return false;
            const std::string_view payload(static_cast<const char*>(NLMSG_DATA(h)),
                                           h->nlmsg_len - NLMSG_HDRLEN);
            const int rc = parse(payload, inode, protocol, out);
            if (rc > 0) return true;
            if (rc < 0) return false;
        }
        // The rest of a dump, if the kernel sent more.
        flags = MSG_DONTWAIT;
    }
}

bool ask_unix(int fd, std::uint64_t inode, std::string_view protocol, std::string& out) {
    struct {
        nlmsghdr header;
        unix_diag_req request;
    } message{};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    // By inode, not a dump: the kernel looks the one socket up.
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.request.sdiag_family = AF_UNIX;
    message.request.udiag_ino = static_cast<std::uint32_t>(inode);
    message.request.udiag_states = ~0u;
    message.request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
    message.request.udiag_cookie[0] = message.request.udiag_cookie[1] = ~0u;  // no cookie
    return send_request(fd, &message, sizeof message) &&
           receive(fd, inode, protocol, parse_unix_diag, out);
}

bool ask_inet(int fd, const Protocol& p, std::uint64_t inode, std::string& out) {
    struct {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message{};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_DUMP | NLM_F_REQUEST;
    message.request.sdiag_family = p.family;
    message.request.sdiag_protocol = p.ipproto;
    message.request.idiag_states = ~0u;
    return send_request(fd, &message, sizeof message) &&
           receive(fd, inode, p.name, parse_inet_diag, out);
}

bool ask_netlink(int fd, std::uint64_t inode, std::string_view protocol, std::string& out) {
    struct {
        nlmsghdr header;
        netlink_diag_req request;
    } message{};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_DUMP | NLM_F_REQUEST;
    message.request.sdiag_family = AF_NETLINK;
    message.request.sdiag_protocol = NDIAG_PROTO_ALL;
    return send_request(fd, &message, sizeof message) &&
           receive(fd, inode, protocol, parse_netlink_diag, out);
}

template <typename T>
bool fits(std::string_view payload) {
    return payload.size() >= sizeof(T);
}

}  // namespace

int parse_inet_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                    std::string& out) {
    if (!fits<inet_diag_msg>(payload)) return -1;
    inet_diag_msg msg;
    std::memcpy(&msg, payload.data(), sizeof msg);
    if (msg.idiag_inode != inode) return 0;
    std::size_t address_size = 0;
    if (msg.idiag_family == AF_INET) {
        address_size = sizeof(in_addr);
    } else if (msg.idiag_family == AF_INET6) {
        address_size = sizeof(in6_addr);
    } else {
        return -1;
    }
    // An IPv6 address is bracketed before its port: "[::1]:80".
    const bool v6 = msg.idiag_family == AF_INET6;
    const auto endpoint = [&](const void* address, std::uint16_t port) -> std::string {
        char text[INET6_ADDRSTRLEN];
        if (!::inet_ntop(msg.idiag_family, address, text, sizeof text)) return {};
        return fmt::format("{}{}{}:{}", v6 ? "[" : "", text, v6 ? "]" : "", ntohs(port));
    };
    const std::string source = endpoint(msg.id.idiag_src, msg.id.idiag_sport);
    if (source.empty()) return -1;
    static constexpr char kZero[sizeof(in6_addr)] = {};
    if (msg.id.idiag_dport != 0 || std::memcmp(msg.id.idiag_dst, kZero, address_size) != 0) {
        const std::string destination = endpoint(msg.id.idiag_dst, msg.id.idiag_dport);
        if (destination.empty()) return -1;
        out = fmt::format("{}:[{}->{}]", protocol, source, destination);
    } else {
        out = fmt::format("{}:[{}]", protocol, source);
    }
    return 1;
}

int parse_unix_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                    std::string& out) {
    if (!fits<unix_diag_msg>(payload)) return -1;
    unix_diag_msg msg;
    std::memcpy(&msg, payload.data(), sizeof msg);
    if (msg.udiag_ino != inode) return 0;
    if (msg.udiag_family != AF_UNIX) return -1;
    constexpr std::size_t kPathMax = sizeof(sockaddr_un::sun_path);
    std::string_view path;
    bool named = false;
    std::uint32_t peer = 0;
    auto left = static_cast<int>(payload.size() - sizeof msg);
    // The attributes follow the message, each 4-aligned; copied out
    // because the payload need not be aligned for rtattr.
    for (std::size_t at = sizeof msg; left >= static_cast<int>(sizeof(rtattr));) {
        rtattr attr;
        std::memcpy(&attr, payload.data() + at, sizeof attr);
        if (attr.rta_len < sizeof attr || attr.rta_len > static_cast<unsigned>(left)) break;
        const std::string_view data =
            payload.substr(at + RTA_LENGTH(0), attr.rta_len - RTA_LENGTH(0));
        if (attr.rta_type == UNIX_DIAG_NAME && !named) {
            path = data.substr(0, kPathMax);
            named = !path.empty();
        } else if (attr.rta_type == UNIX_DIAG_PEER && data.size() >= sizeof peer) {
            std::memcpy(&peer, data.data(), sizeof peer);
        }
        const std::size_t step = RTA_ALIGN(attr.rta_len);
        left -= static_cast<int>(step);
        at += step;
    }
    if (peer == 0 && !named) return -1;
    // "UNIX-STREAM:[INODE->PEER,"PATH"]", an abstract name as @"NAME".
    out = fmt::format("{}:[{}", protocol, inode);
    if (peer != 0) fmt::format_to(std::back_inserter(out), "->{}", peer);
    if (named) {
        out.push_back(',');
        if (path.front() == '\0') {
            out.push_back('@');
            path.remove_prefix(1);
        }
        path = path.substr(0, path.find('\0'));  // strace stops at a NUL
        out.push_back('"');
        append_c_escaped(out, path);
        out.push_back('"');
    }
    out.push_back(']');
    return 1;
}

int parse_netlink_diag(std::string_view payload, std::uint64_t inode, std::string_view protocol,
                       std::string& out) {
    if (!fits<netlink_diag_msg>(payload)) return -1;
    netlink_diag_msg msg;
    std::memcpy(&msg, payload.data(), sizeof msg);
    if (msg.ndiag_ino != inode) return 0;
    if (msg.ndiag_family != AF_NETLINK) return -1;
    if (const auto name = xlat::netlink_protocols.name_of(msg.ndiag_protocol)) {
        std::string_view shown = *name;
        if (shown.starts_with("NETLINK_")) shown.remove_prefix(8);
        out = fmt::format("{}:[{}:{}]", protocol, shown, msg.ndiag_portid);
    } else {
        out = fmt::format("{}:[{}]", protocol, static_cast<unsigned>(msg.ndiag_protocol));
    }
    return 1;
}

std::string_view SocketDiag::describe(std::uint64_t inode, std::string_view protocol) {
    Slot& slot = cache_[inode % cache_.size()];
    if (slot.inode == inode && !slot.details.empty()) return slot.details;
    const Protocol* p = protocol_named(protocol);
    if (!p) return {};
    std::string details;
    const UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    bool found = false;
    if (fd) {
        switch (p->query) {
            case Query::Unix:
                found = ask_unix(fd.get(), inode, p->name, details);
                break;
            case Query::Inet:
                found = ask_inet(fd.get(), *p, inode, details);
                break;
            case Query::Netlink:
                found = ask_netlink(fd.get(), inode, p->name, details);
                break;
        }
    }
    if (found) {
        slot.inode = inode;
        slot.details = std::move(details);
        return slot.details;
    }
    fallback_ = fmt::format("{}:[{}]", p->name, inode);
    return fallback_;
}

}  // namespace sctrace
