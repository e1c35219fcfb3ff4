#include "model/arg_tree.h"

#include <algorithm>
#include <charconv>
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
    ret_text = {};
    ret_pid = {};
    ret_decoration = FdDecoration::Path;
    unshown_fds = kNoNode;
    dump_parts_.clear();
    dump_bytes_.clear();
}

void ArgTree::add_dump_header(IoDumpPart::Kind kind, std::uint32_t index, std::uint64_t length) {
    IoDumpPart part;
    part.kind = kind;
    part.index = index;
    part.length = length;
    part.offset = dump_bytes_.size();  // where a truncation back to it cuts the bytes
    dump_parts_.push_back(part);
}

void ArgTree::begin_dump_data(std::uint64_t addr, std::uint64_t length) {
    IoDumpPart part;
    part.kind = IoDumpPart::Kind::Data;
    part.length = length;
    part.addr = addr;
    part.offset = dump_bytes_.size();
    dump_parts_.push_back(part);
}

std::span<char> ArgTree::dump_room(std::size_t n) {
    const std::size_t at = dump_bytes_.size();
    dump_bytes_.resize(at + n);
    return {dump_bytes_.data() + at, n};
}

void ArgTree::commit_dump_data(std::size_t n) {
    IoDumpPart& part = dump_parts_.back();
    part.readable += n;
    dump_bytes_.resize(part.offset + part.readable);
}

void ArgTree::truncate_dump(std::size_t count) {
    if (count >= dump_parts_.size()) return;
    dump_bytes_.resize(dump_parts_[count].offset);
    dump_parts_.resize(count);
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
    if (!inside(ret_text)) ret_text = store(ret_text);
    if (!inside(ret_pid)) ret_pid = store(ret_pid);
}

void ArgTree::mark_truncated(NodeId id) {
    if (id != kNoNode) nodes_[id].truncated = true;
}

std::size_t ArgTree::child_count(NodeId id) const {
    std::size_t n = 0;
    for ([[maybe_unused]] const NodeId c : children(id)) ++n;
    return n;
}

NodeId ArgTree::child(NodeId id, std::size_t index) const {
    for (const NodeId c : children(id)) {
        if (index-- == 0) return c;
    }
    return kNoNode;
}

NodeId ArgTree::member(NodeId id, std::string_view key) const {
    for (const NodeId c : children(id)) {
        if (nodes_[c].key == key) return c;
    }
    return kNoNode;
}

namespace {

// Whether `text`, tokens joined by '|', holds `token`.
bool has_token(std::string_view text, std::string_view token) {
    while (!text.empty()) {
        const auto bar = text.find('|');
        if (text.substr(0, bar) == token) return true;
        if (bar == std::string_view::npos) break;
        text.remove_prefix(bar + 1);
    }
    return false;
}

}  // namespace

std::optional<std::int64_t> ArgTree::text_int(std::string_view text) {
    std::int64_t v = 0;
    int base = 10;
    if (text.starts_with("0x")) {
        text.remove_prefix(2);
        base = 16;
    }
    if (text.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> ArgTree::int_value(NodeId id) const {
    if (id == kNoNode) return std::nullopt;
    const ArgNode& n = nodes_[id];
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
            if (n.first_child != kNoNode) return int_value(n.first_child);
            return text_int(n.text);
        case ArgKind::Str:
        case ArgKind::Struct:
        case ArgKind::Array:
            return std::nullopt;
    }
    return std::nullopt;
}

std::string_view ArgTree::name(NodeId id) const {
    if (id == kNoNode) return {};
    const ArgNode& n = nodes_[id];
    switch (n.kind) {
        case ArgKind::Text:
            return n.text;
        case ArgKind::Enum:
            if (n.table) return n.table->name_of(n.value).value_or(std::string_view{});
            return {};
        case ArgKind::Flags:
            if (n.enum_table) {
                return n.enum_table->name_of(n.value & n.enum_mask).value_or(std::string_view{});
            }
            return {};
        default:
            return {};
    }
}

bool ArgTree::has_flag(NodeId id, std::string_view flag) const {
    if (id == kNoNode) return false;
    const ArgNode& n = nodes_[id];
    switch (n.kind) {
        case ArgKind::Text:
            return has_token(n.text, flag);
        case ArgKind::Enum:
            return name(id) == flag;
        case ArgKind::Flags: {
            if (n.enum_table && name(id) == flag) return true;
            if (!n.table) return false;
            const auto v = n.table->value_of(flag);
            return v && *v != 0 && (n.value & ~n.enum_mask & *v) == *v;
        }
        default:
            return false;
    }
}

}  // namespace sctrace
