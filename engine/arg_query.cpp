#include "engine/arg_query.h"

#include <charconv>

namespace sctrace {

namespace {

bool text_has_token(std::string_view text, std::string_view flag) {
    while (!text.empty()) {
        const auto bar = text.find('|');
        if (text.substr(0, bar) == flag) return true;
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
    return false;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t v = 0;
    int base = 10;
    if (text.starts_with("0x")) {
        text.remove_prefix(2);
        base = 16;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// The text between the first pair of double quotes: inet_addr("1.2.3.4").
std::string_view quoted(std::string_view text) {
    const auto open = text.find('"');
    if (open == std::string_view::npos) return {};
    const auto close = text.find('"', open + 1);
    if (close == std::string_view::npos) return {};
    return text.substr(open + 1, close - open - 1);
}

}  // namespace

NodeId arg_node(const SyscallEvent& call, int index) {
    if (!call.decoded) return kNoNode;
    const ArgTree& tree = *call.decoded;
    NodeId c = tree.node(tree.root()).first_child;
    for (int i = 0; i < index && c != kNoNode; ++i) c = tree.node(c).next;
    return c;
}

std::optional<std::int64_t> arg_int(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id != kNoNode) {
        const ArgNode& n = call.decoded->node(id);
        switch (n.kind) {
            case ArgKind::Int:
            case ArgKind::UInt:
            case ArgKind::Hex:
            case ArgKind::Oct:
            case ArgKind::Ptr:
            case ArgKind::Enum:
            case ArgKind::Flags:
                return static_cast<std::int64_t>(n.value);
            case ArgKind::Text:
                return parse_int(n.text);
            default:
                return std::nullopt;
        }
    }
    if (call.decoded == nullptr && index >= 0 && index < 6) {
        return static_cast<std::int64_t>(call.args[static_cast<std::size_t>(index)]);
    }
    return std::nullopt;
}

std::optional<int> arg_fd(const SyscallEvent& call, int index) {
    const auto v = arg_int(call, index);
    if (!v) return std::nullopt;
    return static_cast<int>(*v);
}

std::string_view node_name(const ArgTree& tree, NodeId id) {
    if (id == kNoNode) return {};
    const ArgNode& n = tree.node(id);
    switch (n.kind) {
        case ArgKind::Text:
            return n.text;
        case ArgKind::Enum:
            if (n.table) {
                if (const auto name = n.table->name_of(n.value)) return *name;
            }
            return {};
        case ArgKind::Flags:
            if (n.enum_table) {
                if (const auto name = n.enum_table->name_of(n.value & n.enum_mask)) return *name;
            }
            return {};
        default:
            return {};
    }
}

std::string_view arg_name(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode) return {};
    std::string_view name = node_name(*call.decoded, id);
    // Text like "SOCK_STREAM|SOCK_NONBLOCK": the first token names the value.
    if (call.decoded->node(id).kind == ArgKind::Text) name = name.substr(0, name.find('|'));
    return name;
}

bool arg_has_flag(const SyscallEvent& call, int index, std::string_view flag) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode) return false;
    return node_has_flag(*call.decoded, id, flag);
}

bool node_has_flag(const ArgTree& tree, NodeId id, std::string_view flag) {
    if (id == kNoNode) return false;
    const ArgNode& n = tree.node(id);
    switch (n.kind) {
        case ArgKind::Text:
            return text_has_token(n.text, flag);
        case ArgKind::Enum:
            return node_name(tree, id) == flag;
        case ArgKind::Flags: {
            if (n.enum_table && n.enum_table->name_of(n.value & n.enum_mask) == flag) return true;
            if (!n.table) return false;
            const auto v = n.table->value_of(flag);
            return v && *v != 0 && (n.value & ~n.enum_mask & *v) == *v;
        }
        default:
            return false;
    }
}

NodeId struct_member(const ArgTree& tree, NodeId node, std::string_view key) {
    if (node == kNoNode) return kNoNode;
    for (NodeId c = tree.node(node).first_child; c != kNoNode; c = tree.node(c).next) {
        if (tree.node(c).key == key) return c;
    }
    return kNoNode;
}

std::optional<std::int64_t> array_int(const ArgTree& tree, NodeId array, int index) {
    if (array == kNoNode || tree.node(array).kind != ArgKind::Array) return std::nullopt;
    NodeId c = tree.node(array).first_child;
    for (int i = 0; i < index && c != kNoNode; ++i) c = tree.node(c).next;
    if (c == kNoNode) return std::nullopt;
    const ArgNode& n = tree.node(c);
    if (n.kind == ArgKind::Text) return parse_int(n.text);
    if (n.kind == ArgKind::Str || n.kind == ArgKind::Struct || n.kind == ArgKind::Array) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(n.value);
}

std::optional<SocketAddress> arg_sockaddr(const SyscallEvent& call, int index) {
    const NodeId id = arg_node(call, index);
    if (id == kNoNode || call.decoded->node(id).kind != ArgKind::Struct) return std::nullopt;
    const ArgTree& tree = *call.decoded;
    const NodeId family = struct_member(tree, id, "sa_family");
    if (family == kNoNode) return std::nullopt;
    SocketAddress address;
    address.family = node_name(tree, family);
    for (const char* key : {"sin_port", "sin6_port"}) {
        const NodeId port = struct_member(tree, id, key);
        if (port == kNoNode) continue;
        const ArgNode& n = tree.node(port);
        if (n.kind == ArgKind::Text && n.text.starts_with("htons(")) {
            const auto v = parse_int(n.text.substr(6, n.text.size() - 7));
            if (v) address.port = static_cast<int>(*v);
        } else if (n.kind != ArgKind::Text) {
            address.port = static_cast<int>(n.value);
        }
    }
    if (const NodeId host = struct_member(tree, id, "sin_addr"); host != kNoNode) {
        address.host = quoted(tree.node(host).text);
    }
    // strace spells an IPv6 address as a member without a key:
    // inet_pton(AF_INET6, "::1", &sin6_addr).
    for (NodeId c = tree.node(id).first_child; c != kNoNode && address.host.empty();
         c = tree.node(c).next) {
        const ArgNode& n = tree.node(c);
        if (n.kind == ArgKind::Text && n.text.starts_with("inet_pton(")) {
            address.host = quoted(n.text);
        }
    }
    if (const NodeId path = struct_member(tree, id, "sun_path"); path != kNoNode) {
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

std::string_view decoration_peer(std::string_view decoration) {
    // Only inet sockets name a peer address (UNIX-STREAM's "->" is an inode).
    if (!decoration.starts_with("TCP") && !decoration.starts_with("UDP")) return {};
    const auto open = decoration.find(":[");
    if (open == std::string_view::npos || !decoration.ends_with(']')) return {};
    const std::string_view inside = decoration.substr(open + 2, decoration.size() - open - 3);
    const auto arrow = inside.find("->");
    if (arrow == std::string_view::npos) return {};
    return inside.substr(arrow + 2);
}

}  // namespace sctrace
