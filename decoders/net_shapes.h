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

// Quotes bytes as strace's print_quoted_string does, into out (with the
// quotes); force_hex gives "\x00\x40" for every byte. Returns the length.
inline std::size_t quote(char* out, std::size_t cap, std::span<const char> bytes,
                         bool force_hex = false) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t n = 0;
    auto put = [&](char c) {
        if (n < cap) out[n++] = c;
    };
    put('"');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (force_hex) {
            put('\\');
            put('x');
            put(kHex[c >> 4]);
            put(kHex[c & 15]);
            continue;
        }
        switch (c) {
            case '"':
                put('\\');
                put('"');
                continue;
            case '\\':
                put('\\');
                put('\\');
                continue;
            case '\f':
                put('\\');
                put('f');
                continue;
            case '\n':
                put('\\');
                put('n');
                continue;
            case '\r':
                put('\\');
                put('r');
                continue;
            case '\t':
                put('\\');
                put('t');
                continue;
            case '\v':
                put('\\');
                put('v');
                continue;
            default:
                break;
        }
        if (c >= 0x20 && c < 0x7f) {
            put(static_cast<char>(c));
            continue;
        }
        // Shortest octal, three digits when a digit follows.
        const bool next_digit = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
        put('\\');
        if (next_digit || c >= 64) put(static_cast<char>('0' + (c >> 6)));
        if (next_digit || c >= 8) put(static_cast<char>('0' + ((c >> 3) & 7)));
        put(static_cast<char>('0' + (c & 7)));
    }
    put('"');
    return n;
}

// printstr_ex(..., QUOTE_FORCE_HEX): at most -s bytes of the buffer as
// "\x01\x00", "..." after when longer; the address when unreadable.
inline NodeId add_hex_buffer(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                             std::uint64_t len, std::string_view key = {}) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) return tree.add_ptr(parent, 0, key);
    char data[256];
    const std::size_t show = std::min<std::uint64_t>(
        std::min<std::size_t>(ctx.options().string_limit, sizeof data), len);
    if (ctx.read(addr, {data, show}) < show) return tree.add_hex(parent, addr, key);
    char text[sizeof data * 4 + 8];
    std::size_t n = quote(text, sizeof text - 3, {data, show}, true);
    if (len > show) {
        text[n++] = '.';
        text[n++] = '.';
        text[n++] = '.';
    }
    return tree.add_text_copy(parent, std::string_view(text, n), key);
}

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
