#include "model/packed_arg_trees.h"

#include <algorithm>

namespace sctrace {

std::size_t PackedArgTrees::add(const ArgTree& tree) {
    Header h;
    h.first_node = static_cast<std::uint32_t>(nodes_.size());
    h.node_count = static_cast<std::uint32_t>(tree.used_nodes_);
    h.first_byte = static_cast<std::uint32_t>(bytes_.size());
    h.byte_count = static_cast<std::uint32_t>(tree.used_bytes_);
    h.first_part = static_cast<std::uint32_t>(parts_.size());
    h.part_count = static_cast<std::uint32_t>(tree.dump_parts_.size());
    h.first_dump_byte = dump_bytes_.size();
    h.dump_byte_count = tree.dump_bytes_.size();
    h.arena = reinterpret_cast<std::uintptr_t>(tree.bytes_.data());
    h.overflowed = tree.overflowed_;
    h.entry_complete = tree.entry_complete;
    h.entry_arg_count = tree.entry_arg_count;
    h.ret_format = tree.ret_format;
    h.ret_decoration = tree.ret_decoration;
    h.ret_aux = tree.ret_aux;
    h.unshown_fds = tree.unshown_fds;
    h.ret_text = tree.ret_text;
    h.ret_pid = tree.ret_pid;
    nodes_.insert(nodes_.end(), tree.nodes_.begin(), tree.nodes_.begin() + h.node_count);
    bytes_.insert(bytes_.end(), tree.bytes_.begin(), tree.bytes_.begin() + h.byte_count);
    if (h.part_count > 0 || h.dump_byte_count > 0) {
        parts_.insert(parts_.end(), tree.dump_parts_.begin(), tree.dump_parts_.end());
        dump_bytes_.insert(dump_bytes_.end(), tree.dump_bytes_.begin(), tree.dump_bytes_.end());
    }
    headers_.push_back(h);
    return headers_.size() - 1;
}

void PackedArgTrees::load(std::size_t index, ArgTree& into) const {
    const Header& h = headers_[index];
    // Only addresses are compared (as integers): the packed tree's arena
    // has long been reused for other lines.
    const std::uintptr_t from = h.arena;
    const char* const to = into.bytes_.data();
    const auto moved = [from, to](std::string_view v) -> std::string_view {
        const auto at = reinterpret_cast<std::uintptr_t>(v.data());
        if (at - from >= ArgTree::kMaxBytes) return v;  // outside (wraps below `from`)
        return {to + (at - from), v.size()};
    };
    const ArgNode* src = nodes_.data() + h.first_node;
    for (std::uint32_t i = 0; i < h.node_count; ++i) {
        ArgNode& n = into.nodes_[i];
        n = src[i];
        if (!n.key.empty()) n.key = moved(n.key);
        if (!n.text.empty()) n.text = moved(n.text);
    }
    std::copy_n(bytes_.data() + h.first_byte, h.byte_count, into.bytes_.data());
    into.used_nodes_ = h.node_count;
    into.used_bytes_ = h.byte_count;
    into.overflowed_ = h.overflowed;
    into.entry_complete = h.entry_complete;
    into.entry_arg_count = h.entry_arg_count;
    into.ret_format = h.ret_format;
    into.ret_decoration = h.ret_decoration;
    into.ret_aux = h.ret_aux;
    into.unshown_fds = h.unshown_fds;
    into.ret_text = h.ret_text.empty() ? h.ret_text : moved(h.ret_text);
    into.ret_pid = h.ret_pid.empty() ? h.ret_pid : moved(h.ret_pid);
    into.dump_parts_.assign(parts_.begin() + h.first_part,
                            parts_.begin() + h.first_part + h.part_count);
    into.dump_bytes_.assign(dump_bytes_.begin() + static_cast<std::ptrdiff_t>(h.first_dump_byte),
                            dump_bytes_.begin() +
                                static_cast<std::ptrdiff_t>(h.first_dump_byte + h.dump_byte_count));
}

void PackedArgTrees::clear() {
    headers_.clear();
    nodes_.clear();
    bytes_.clear();
    parts_.clear();
    dump_bytes_.clear();
}

}  // namespace sctrace
