// Shapes the net family's decoders share (net.cpp, net_msg.cpp, sockaddr.cpp):
// quoted text built into the tree's arena, value-result lengths, and the
// values an entry half keeps for its exit half.
// Everything formats into fixed local buffers: no allocation per call.
#pragma once

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <span>
#include <string_view>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/arg_tree.h"

namespace sctrace::net_shapes {

// strace's quoting and hex buffers are every family's (decoders/shapes.h).
using shapes::add_hex_buffer;
using shapes::quote;

// "[16]" or, when the kernel changed it, "[128 => 16]" (a value-result length).
inline NodeId add_changed_int(ArgTree& tree, NodeId parent, int before, int after, bool in_brackets,
                              std::string_view key = {}) {
    const NodeId at = in_brackets ? tree.add_array(parent, key) : parent;
    const std::string_view inner_key = in_brackets ? std::string_view{} : key;
    if (before == after) {
        tree.add_int(at, after, inner_key);
    } else {
        shapes::add_textf(tree, at, inner_key, "%d => %d", before, after);
    }
    return at;
}

// What an entry half keeps for its exit half (strace's tcb private data:
// the caller's socklen before the kernel overwrites it, recvmmsg's name
// lengths and timeout). The tree survives from entry to exit, so the stash
// is a detached Struct parked on ret_aux, which the exit half must take back
// before it sets a ret_aux of its own. Nothing prints it: an unfinished line
// shows only the entry arguments, and a finished one has been taken.
inline NodeId stash_open(ArgTree& tree) {
    const NodeId s = tree.add_detached_struct();
    if (s != kNoNode) tree.mutable_node(s).key = "net.stash";
    tree.ret_aux = s;
    return s;
}

inline NodeId stash_take(ArgTree& tree) {
    const NodeId s = tree.ret_aux;
    if (s == kNoNode || tree.node(s).key != "net.stash") return kNoNode;
    tree.ret_aux = kNoNode;
    return s;
}

// The index-th value kept in a stash, or `fallback`.
inline std::int64_t stash_value(const ArgTree& tree, NodeId stash, std::size_t index,
                                std::int64_t fallback) {
    if (stash == kNoNode) return fallback;
    const NodeId c = tree.child(stash, index);
    return c == kNoNode ? fallback : static_cast<std::int64_t>(tree.node(c).value);
}

}  // namespace sctrace::net_shapes
