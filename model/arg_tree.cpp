#include "model/arg_tree.h"

#include <algorithm>
#include <cstring>

namespace sctrace {

void ArgTree::clear() {
    nodes_[0] = ArgNode{};
    nodes_[0].kind = ArgKind::Array;
    used_nodes_ = 1;
    used_bytes_ = 0;
    overflowed_ = false;
    entry_arg_count = 0;
    entry_complete = false;
    ret_format = RetFormat::Default;
    ret_aux = kNoNode;
}

NodeId ArgTree::add(NodeId parent, const ArgNode& node) {
    if (used_nodes_ >= kMaxNodes) {
        overflowed_ = true;
        if (parent != kNoNode) nodes_[parent].truncated = true;
        return kNoNode;
    }
    const auto id = static_cast<NodeId>(used_nodes_++);
    nodes_[id] = node;
    nodes_[id].first_child = nodes_[id].last_child = nodes_[id].next = kNoNode;
    if (parent != kNoNode) {
        ArgNode& p = nodes_[parent];
        if (p.last_child == kNoNode) {
            p.first_child = id;
        } else {
            nodes_[p.last_child].next = id;
        }
        p.last_child = id;
    }
    return id;
}

namespace {
ArgNode make(ArgKind kind, std::uint64_t value, std::string_view key) {
    ArgNode n;
    n.kind = kind;
    n.value = value;
    n.key = key;
    return n;
}
}  // namespace

NodeId ArgTree::add_int(NodeId parent, std::int64_t v, std::string_view key) {
    return add(parent, make(ArgKind::Int, static_cast<std::uint64_t>(v), key));
}
NodeId ArgTree::add_uint(NodeId parent, std::uint64_t v, std::string_view key) {
    return add(parent, make(ArgKind::UInt, v, key));
}
NodeId ArgTree::add_hex(NodeId parent, std::uint64_t v, std::string_view key) {
    return add(parent, make(ArgKind::Hex, v, key));
}
NodeId ArgTree::add_oct(NodeId parent, std::uint64_t v, std::string_view key) {
    return add(parent, make(ArgKind::Oct, v, key));
}
NodeId ArgTree::add_ptr(NodeId parent, std::uint64_t v, std::string_view key) {
    return add(parent, make(ArgKind::Ptr, v, key));
}
NodeId ArgTree::add_flags(NodeId parent, std::uint64_t v, const XlatTable& table,
                          std::string_view key) {
    ArgNode n = make(ArgKind::Flags, v, key);
    n.table = &table;
    return add(parent, n);
}
NodeId ArgTree::add_enum(NodeId parent, std::uint64_t v, const XlatTable& table,
                         std::string_view key) {
    ArgNode n = make(ArgKind::Enum, v, key);
    n.table = &table;
    return add(parent, n);
}
NodeId ArgTree::add_struct(NodeId parent, std::string_view key) {
    return add(parent, make(ArgKind::Struct, 0, key));
}
NodeId ArgTree::add_array(NodeId parent, std::string_view key) {
    return add(parent, make(ArgKind::Array, 0, key));
}
NodeId ArgTree::add_detached_struct() {
    return add(kNoNode, make(ArgKind::Struct, 0, {}));
}

std::string_view ArgTree::store(std::span<const char> bytes) {
    const std::size_t n = std::min(bytes.size(), kMaxBytes - used_bytes_);
    if (n < bytes.size()) overflowed_ = true;
    char* at = bytes_.data() + used_bytes_;
    if (n) std::memcpy(at, bytes.data(), n);
    used_bytes_ += n;
    return {at, n};
}

NodeId ArgTree::add_str(NodeId parent, std::span<const char> bytes, bool truncated,
                        std::string_view key) {
    ArgNode n = make(ArgKind::Str, 0, key);
    n.text = store(bytes);
    n.truncated = truncated || n.text.size() < bytes.size();
    return add(parent, n);
}

NodeId ArgTree::add_text(NodeId parent, std::string_view text, std::string_view key) {
    ArgNode n = make(ArgKind::Text, 0, key);
    n.text = text;
    return add(parent, n);
}

NodeId ArgTree::add_text_copy(NodeId parent, std::string_view text, std::string_view key) {
    return add_text(parent, store(text), key);
}

NodeId ArgTree::append_copy(NodeId parent, const ArgTree& other, NodeId node) {
    const ArgNode& source = other.node(node);
    ArgNode copy = source;
    copy.key = store(source.key);
    copy.text = store(source.text);
    const NodeId id = add(parent, copy);
    if (id == kNoNode) return id;
    // Recursion depth is the source's nesting, which parsers bound.
    for (NodeId c = source.first_child; c != kNoNode; c = other.node(c).next) {
        append_copy(id, other, c);
    }
    return id;
}

void ArgTree::internalize() {
    const auto inside = [this](std::string_view v) {
        return v.empty() ||
               (v.data() >= bytes_.data() && v.data() + v.size() <= bytes_.data() + kMaxBytes);
    };
    for (std::size_t i = 0; i < used_nodes_; ++i) {
        if (!inside(nodes_[i].key)) nodes_[i].key = store(nodes_[i].key);
        if (!inside(nodes_[i].text)) nodes_[i].text = store(nodes_[i].text);
    }
}

void ArgTree::mark_truncated(NodeId id) {
    if (id != kNoNode) nodes_[id].truncated = true;
}

}  // namespace sctrace
