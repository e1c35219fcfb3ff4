// Argument shapes shared by the desc and poll decoders (desc.cpp, poll.cpp):
// fds, open flags, modes, times in the tracee's ABI, arrays of structs.
//
// Everything here builds tree nodes from fixed local buffers: no allocation.
#pragma once

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace::desc_shapes {

// The size of a long / pointer in the tracee's ABI (iovec, fd_set words,
// the pselect6 sigmask pair).
inline std::size_t word_size(Arch arch) {
    return arch == Arch::X86_64 ? 8 : 4;
}

using shapes::add_fd;

// open(2) flags: the access mode by name, then the other flags.
inline NodeId add_open_flags(DecodeContext& ctx, NodeId parent, std::uint64_t value,
                             std::string_view key = {}) {
    const NodeId id = ctx.tree().add_flags(parent, value, xlat::open_mode_flags, key);
    if (id != kNoNode) {
        ArgNode& n = ctx.tree().mutable_node(id);
        n.enum_table = &xlat::open_access_modes;
        n.enum_mask = 3;
    }
    return id;
}

// A file mode as strace prints it ("%#03o": 0644, 000, 007). The formatter's
// Oct kind always prints four digits, right only from 0100 up.
inline NodeId add_mode(DecodeContext& ctx, NodeId parent, std::uint64_t mode,
                       std::string_view key = {}) {
    if (mode >= 0100) return ctx.tree().add_oct(parent, mode, key);
    char text[8];
    const int n = std::snprintf(text, sizeof text, "%#03o", static_cast<unsigned>(mode));
    return ctx.tree().add_text_copy(parent, std::string_view(text, static_cast<std::size_t>(n)),
                                    key);
}

// A timespec in the tracee's ABI: i386's pselect6/ppoll/epoll_pwait2 use
// 32-bit fields; everything else the native 64-bit struct.
inline NodeId add_timespec(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                           std::string_view key = {}) {
    if (ctx.arch() != Arch::I386) return shapes::add_timespec(ctx, parent, addr, key);
    if (addr == 0) return ctx.tree().add_ptr(parent, 0, key);
    std::int32_t ts[2];
    if (!ctx.read_struct(addr, ts)) return ctx.tree().add_hex(parent, addr, key);
    const NodeId s = ctx.tree().add_struct(parent, key);
    ctx.tree().add_int(s, ts[0], "tv_sec");
    ctx.tree().add_uint(s, static_cast<std::uint32_t>(ts[1]), "tv_nsec");
    return s;
}

inline NodeId add_timeval(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                          std::string_view key = {}) {
    if (ctx.arch() != Arch::I386) return shapes::add_timeval(ctx, parent, addr, key);
    if (addr == 0) return ctx.tree().add_ptr(parent, 0, key);
    std::int32_t tv[2];
    if (!ctx.read_struct(addr, tv)) return ctx.tree().add_hex(parent, addr, key);
    const NodeId s = ctx.tree().add_struct(parent, key);
    ctx.tree().add_int(s, tv[0], "tv_sec");
    ctx.tree().add_uint(s, static_cast<std::uint32_t>(tv[1]), "tv_usec");
    return s;
}

}  // namespace sctrace::desc_shapes
