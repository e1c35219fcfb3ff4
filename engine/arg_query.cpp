#include "engine/arg_query.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

#include "model/names.h"

namespace sctrace {

namespace {

// The text between the first pair of double quotes: inet_addr("1.2.3.4").
std::string_view quoted(std::string_view text) {
    const auto open = text.find('"');
    if (open == std::string_view::npos) return {};
    const auto close = text.find('"', open + 1);
    if (close == std::string_view::npos) return {};
    return text.substr(open + 1, close - open - 1);
}

// The argument of a one-argument call spelled in text: htons(80) -> "80".
std::string_view call_argument(std::string_view text, std::string_view function) {
    if (!text.starts_with(function) || !text.ends_with(')') || text.size() < function.size() + 2 ||
        text[function.size()] != '(') {
        return {};
    }
    return text.substr(function.size() + 1, text.size() - function.size() - 2);
}

}  // namespace

NodeId arg_node(const SyscallEvent& call, int index) {
    if (!call.decoded || index < 0) return kNoNode;
    return call.decoded->arg(static_cast<std::size_t>(index));
}

std::optional<std::int64_t> arg_int(const SyscallEvent& call, int index) {
    if (call.decoded) return call.decoded->int_value(arg_node(call, index));
    // A live call decoded without a tree: the raw register.
    if (index >= 0 && index < 6) {
        return static_cast<std::int64_t>(call.args[static_cast<std::size_t>(index)]);
    }
    return std::nullopt;
}

std::optional<int> arg_fd(const SyscallEvent& call, int index) {
    const auto v = arg_int(call, index);
    if (!v) return std::nullopt;
    return static_cast<int>(*v);
}

std::optional<int> arg_signal(const SyscallEvent& call, int index) {
    if (const auto v = arg_int(call, index)) return static_cast<int>(*v);
    if (!call.decoded) return std::nullopt;
    return signal_number(call.decoded->name(arg_node(call, index)));
}

std::string_view arg_name(const SyscallEvent& call, int index) {
    if (!call.decoded) return {};
    const NodeId id = arg_node(call, index);
    std::string_view name = call.decoded->name(id);
    // Text like "SOCK_STREAM|SOCK_NONBLOCK": the first token names the value.
    if (id != kNoNode && call.decoded->node(id).kind == ArgKind::Text) {
        name = name.substr(0, name.find('|'));
    }
    return name;
}

bool arg_has_flag(const SyscallEvent& call, int index, std::string_view flag) {
    return call.decoded && call.decoded->has_flag(arg_node(call, index), flag);
}

std::optional<std::int64_t> array_int(const ArgTree& tree, NodeId array, int index) {
    if (array == kNoNode || tree.node(array).kind != ArgKind::Array || index < 0) {
        return std::nullopt;
    }
    return tree.int_value(tree.child(array, static_cast<std::size_t>(index)));
}

std::optional<std::int64_t> arg_array_int(const SyscallEvent& call, int index, int element) {
    if (!call.decoded) return std::nullopt;
    return array_int(*call.decoded, arg_node(call, index), element);
}

std::optional<std::size_t> arg_array_length(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode || call.decoded->node(id).kind != ArgKind::Array) return std::nullopt;
    return call.decoded->child_count(id);
}

std::optional<std::string_view> arg_string(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode || call.decoded->node(id).kind != ArgKind::Str) return std::nullopt;
    return call.decoded->node(id).text;
}

std::string_view arg_decoration(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode) return {};
    const ArgNode& n = call.decoded->node(id);
    // Only a number carries a decoration in its text.
    const bool number = n.kind == ArgKind::Int || n.kind == ArgKind::UInt ||
                        n.kind == ArgKind::Hex || n.kind == ArgKind::Oct;
    return number ? n.text : std::string_view{};
}

bool arg_is_null(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode) {
        return !call.decoded && index >= 0 && index < 6 &&
               call.args[static_cast<std::size_t>(index)] == 0;
    }
    // Both dialects make NULL a Ptr node (model/arg_text reads a log's "NULL"
    // as one).
    const ArgNode& n = call.decoded->node(id);
    return n.kind == ArgKind::Ptr && n.value == 0;
}

NodeId arg_struct(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode || call.decoded->node(id).kind != ArgKind::Struct) return kNoNode;
    return id;
}

std::optional<SocketAddress> arg_sockaddr(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode || call.decoded->node(id).kind != ArgKind::Struct) return std::nullopt;
    const ArgTree& tree = *call.decoded;
    const NodeId family = tree.member(id, "sa_family");
    if (family == kNoNode) return std::nullopt;
    SocketAddress address;
    address.family = tree.name(family);
    // Both dialects spell the port strace's way, htons(80); a number node
    // is taken as it is.
    for (const std::string_view key : {"sin_port", "sin6_port"}) {
        const NodeId port = tree.member(id, key);
        if (port == kNoNode) continue;
        const ArgNode& n = tree.node(port);
        if (n.kind != ArgKind::Text) {
            address.port = static_cast<int>(n.value);
        } else if (const auto v = ArgTree::text_int(call_argument(n.text, "htons"))) {
            address.port = static_cast<int>(*v);
        }
    }
    if (const NodeId host = tree.member(id, "sin_addr"); host != kNoNode) {
        address.host = quoted(tree.node(host).text);
    }
    // strace spells an IPv6 address as a member without a key:
    // inet_pton(AF_INET6, "::1", &sin6_addr).
    for (const NodeId c : tree.children(id)) {
        if (!address.host.empty()) break;
        const ArgNode& n = tree.node(c);
        if (n.kind == ArgKind::Text && n.text.starts_with("inet_pton(")) {
            address.host = quoted(n.text);
        }
    }
    if (const NodeId path = tree.member(id, "sun_path"); path != kNoNode) {
        address.path = tree.node(path).text;
    }
    return address;
}

std::string socket_address_name(const SocketAddress& address) {
    if (!address.host.empty()) {
        const bool v6 = address.host.find(':') != std::string_view::npos;
        std::string name;
        if (v6) name += '[';
        name += address.host;
        if (v6) name += ']';
        if (address.port) name += ":" + std::to_string(*address.port);
        return name;
    }
    return std::string(address.path);
}

namespace {

// The text inside an inet decoration's brackets: "127.0.0.1:1->10.0.0.1:2".
std::string_view decoration_inside(std::string_view decoration) {
    // Only inet sockets name addresses (UNIX-STREAM's "->" is an inode).
    if (!decoration.starts_with("TCP") && !decoration.starts_with("UDP")) return {};
    const auto open = decoration.find(":[");
    if (open == std::string_view::npos || !decoration.ends_with(']')) return {};
    return decoration.substr(open + 2, decoration.size() - open - 3);
}

bool parses_as_ip(std::string_view ip) {
    char text[INET6_ADDRSTRLEN] = {};
    if (ip.empty() || ip.size() >= sizeof text) return false;
    ip.copy(text, ip.size());
    unsigned char bytes[sizeof(in6_addr)];
    return inet_pton(AF_INET, text, bytes) == 1 || inet_pton(AF_INET6, text, bytes) == 1;
}

}  // namespace

std::string_view decoration_local(std::string_view decoration) {
    const std::string_view inside = decoration_inside(decoration);
    return inside.substr(0, inside.find("->"));
}

std::optional<InetEndpoint> split_inet_endpoint(std::string_view endpoint) {
    std::string_view ip, port;
    if (endpoint.starts_with('[')) {
        const auto close = endpoint.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        ip = endpoint.substr(1, close - 1);
        port = endpoint.substr(close + 2);
    } else {
        const auto colon = endpoint.rfind(':');
        // An IPv6 address outside brackets cannot be told from its port.
        if (colon == std::string_view::npos || endpoint.find(':') != colon) return std::nullopt;
        ip = endpoint.substr(0, colon);
        port = endpoint.substr(colon + 1);
    }
    int number = -1;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (ec != std::errc() || end != port.data() + port.size() || number < 0 || number > 65535 ||
        !parses_as_ip(ip)) {
        return std::nullopt;
    }
    return InetEndpoint{ip, number};
}

std::optional<InetEndpoint> inet_endpoint(const SocketAddress& address) {
    if (address.family != "AF_INET" && address.family != "AF_INET6") return std::nullopt;
    if (!address.port || !parses_as_ip(address.host)) return std::nullopt;
    return InetEndpoint{address.host, *address.port};
}

std::string_view decoration_peer(std::string_view decoration) {
    const std::string_view inside = decoration_inside(decoration);
    const auto arrow = inside.find("->");
    if (arrow == std::string_view::npos) return {};
    return inside.substr(arrow + 2);
}

}  // namespace sctrace
