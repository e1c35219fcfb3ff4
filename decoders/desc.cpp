// Decoders of the desc family: reading and writing fds, opening, duplicating
// and closing them, fcntl, pipes, eventfds and mappings. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: data the kernel fills in (read's buffer,
// pipe's fds, F_GETLK's lock) is decoded at exit; everything the caller
// passes in, at entry, so an "<unfinished ...>" line shows what strace's does.
#include <signal.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/desc_shapes.h"
#include "decoders/shapes.h"
#include "model/siginfo.h"
#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using desc_shapes::add_fd;
using desc_shapes::add_mode;
using desc_shapes::add_open_flags;

// --- read / write and their positional and vector forms ---

void fd_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
}

// The buffer the kernel filled: the address only when the call failed.
void add_result_buffer(DecodeContext& ctx, std::uint64_t addr) {
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), addr);
    } else {
        shapes::add_buffer(ctx, ctx.root(), addr, static_cast<std::uint64_t>(ctx.ret()));
    }
}

void read_exit(DecodeContext& ctx) {
    add_result_buffer(ctx, ctx.arg(1));
    ctx.tree().add_uint(ctx.root(), ctx.arg(2));
}

void write_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
    shapes::add_buffer(ctx, ctx.root(), ctx.arg(1), ctx.arg(2));
    ctx.tree().add_uint(ctx.root(), ctx.arg(2));
}

// The 64-bit offset: one register on x86_64, a low/high pair on i386.
std::int64_t offset_arg(DecodeContext& ctx, int i) {
    if (ctx.arch() == Arch::I386) {
        return static_cast<std::int64_t>((ctx.arg(i + 1) << 32) | (ctx.arg(i) & 0xffffffffu));
    }
    return static_cast<std::int64_t>(ctx.arg(i));
}

void pread_exit(DecodeContext& ctx) {
    read_exit(ctx);
    ctx.tree().add_int(ctx.root(), offset_arg(ctx, 3));
}

void pwrite_entry(DecodeContext& ctx) {
    write_entry(ctx);
    ctx.tree().add_int(ctx.root(), offset_arg(ctx, 3));
}

// An iovec array. strace shows each iov_base's bytes up to `data_size` in
// all (what readv returned; unlimited for writev), or, when `as_addr`, only
// the addresses (a failed readv).
void add_iov(DecodeContext& ctx, std::uint64_t addr, std::uint64_t count, std::uint64_t data_size,
             bool as_addr) {
    const std::size_t word = desc_shapes::word_size(ctx.arch());
    std::uint64_t left = data_size;
    auto elem = [&](DecodeContext& c, NodeId list, const char* bytes) {
        std::uint64_t base = 0, len = 0;
        if (word == 8) {
            std::memcpy(&base, bytes, 8);
            std::memcpy(&len, bytes + 8, 8);
        } else {
            std::uint32_t b32, l32;
            std::memcpy(&b32, bytes, 4);
            std::memcpy(&l32, bytes + 4, 4);
            base = b32;
            len = l32;
        }
        const std::uint64_t show = std::min(len, left);
        left -= show;
        const NodeId s = c.tree().add_struct(list);
        if (as_addr) {
            c.tree().add_ptr(s, base, "iov_base");
        } else {
            shapes::add_buffer(c, s, base, show, "iov_base");
        }
        c.tree().add_uint(s, len, "iov_len");
    };
    shapes::add_array<16>(ctx, ctx.root(), addr, count, elem, 2 * word);
}

void readv_exit(DecodeContext& ctx) {
    add_iov(ctx, ctx.arg(1), ctx.arg(2), ctx.failed() ? ~std::uint64_t{0} : ctx.ret(),
            ctx.failed());
    ctx.tree().add_uint(ctx.root(), ctx.arg(2));
}

void writev_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
    add_iov(ctx, ctx.arg(1), ctx.arg(2), ~std::uint64_t{0}, false);
    ctx.tree().add_uint(ctx.root(), ctx.arg(2));
}

// --- open, close, dup ---

// open's mode is shown only when the flags make the kernel use it.
void add_open_rest(DecodeContext& ctx, int path_arg) {
    shapes::add_path(ctx, ctx.root(), ctx.arg(path_arg));
    const std::uint64_t flags = ctx.arg(path_arg + 1) & 0xffffffffu;
    add_open_flags(ctx, ctx.root(), flags);
    constexpr std::uint64_t kO_CREAT = 0100, k__O_TMPFILE = 020000000;
    if (flags & (kO_CREAT | k__O_TMPFILE)) add_mode(ctx, ctx.root(), ctx.arg(path_arg + 2));
}

// A directory fd: AT_FDCWD by name, other values as fds (-y shows either's path).
void add_dirfd(DecodeContext& ctx, std::uint64_t raw) {
    shapes::add_dirfd(ctx, ctx.root(), raw);
}

void open_entry(DecodeContext& ctx) {
    add_open_rest(ctx, 0);
}

void openat_entry(DecodeContext& ctx) {
    add_dirfd(ctx, ctx.arg(0));
    add_open_rest(ctx, 1);
}

void creat_entry(DecodeContext& ctx) {
    shapes::add_path(ctx, ctx.root(), ctx.arg(0));
    add_mode(ctx, ctx.root(), ctx.arg(1));
}

void close_range_entry(DecodeContext& ctx) {
    // strace 6.1 prints both bounds unsigned: ~0U is 4294967295.
    ctx.tree().add_uint(ctx.root(), ctx.arg(0) & 0xffffffffu);
    ctx.tree().add_uint(ctx.root(), ctx.arg(1) & 0xffffffffu);
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::close_range_flags,
                       "CLOSE_RANGE_???");
}

void dup2_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
    add_fd(ctx, ctx.root(), ctx.arg(1));
}

void dup3_entry(DecodeContext& ctx) {
    dup2_entry(ctx);
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::open_mode_flags,
                       "O_???");
}

// --- fcntl ---

constexpr unsigned kF_DUPFD = 0, kF_GETFD = 1, kF_SETFD = 2, kF_GETFL = 3, kF_SETFL = 4,
                   kF_GETLK = 5, kF_SETLK = 6, kF_SETLKW = 7, kF_SETOWN = 8, kF_GETOWN = 9,
                   kF_SETSIG = 10, kF_GETSIG = 11, kF_GETLK64 = 12, kF_SETLK64 = 13,
                   kF_SETLKW64 = 14, kF_SETOWN_EX = 15, kF_GETOWN_EX = 16, kF_OFD_GETLK = 36,
                   kF_OFD_SETLK = 37, kF_OFD_SETLKW = 38, kF_SETLEASE = 1024, kF_GETLEASE = 1025,
                   kF_NOTIFY = 1026, kF_DUPFD_CLOEXEC = 1030, kF_SETPIPE_SZ = 1031,
                   kF_GETPIPE_SZ = 1032, kF_ADD_SEALS = 1033, kF_GET_SEALS = 1034;

unsigned fcntl_cmd(const DecodeContext& ctx) {
    return static_cast<unsigned>(ctx.arg(1));
}

// struct flock in the tracee's ABI. `wide`: struct flock64 (64-bit
// offsets, packed on i386), which x86_64's struct flock already is.
// `with_pid`: F_GETLK's result shows l_pid too.
void add_flock(DecodeContext& ctx, std::uint64_t addr, bool wide, bool with_pid) {
    std::int64_t type = 0, whence = 0, start = 0, len = 0, pid = 0;
    if (ctx.arch() == Arch::I386 && !wide) {
        struct {
            std::int16_t type, whence;
            std::int32_t start, len, pid;
        } fl;
        if (!ctx.read_struct(addr, fl)) {
            ctx.tree().add_ptr(ctx.root(), addr);
            return;
        }
        type = fl.type, whence = fl.whence, start = fl.start, len = fl.len, pid = fl.pid;
    } else if (ctx.arch() == Arch::I386) {
        struct __attribute__((packed)) {
            std::int16_t type, whence;
            std::int64_t start, len;
            std::int32_t pid;
        } fl;
        if (!ctx.read_struct(addr, fl)) {
            ctx.tree().add_ptr(ctx.root(), addr);
            return;
        }
        type = fl.type, whence = fl.whence, start = fl.start, len = fl.len, pid = fl.pid;
    } else {
        struct {
            std::int16_t type, whence;
            std::int64_t start, len;
            std::int32_t pid;
        } fl;
        if (!ctx.read_struct(addr, fl)) {
            ctx.tree().add_ptr(ctx.root(), addr);
            return;
        }
        type = fl.type, whence = fl.whence, start = fl.start, len = fl.len, pid = fl.pid;
    }
    const NodeId s = ctx.tree().add_struct(ctx.root());
    shapes::add_xval(ctx.tree(), s, static_cast<std::uint64_t>(type), xlat::f_lock_types, "F_???",
                     "l_type");
    shapes::add_xval(ctx.tree(), s, static_cast<std::uint64_t>(whence), xlat::f_whence, "SEEK_???",
                     "l_whence");
    ctx.tree().add_int(s, start, "l_start");
    ctx.tree().add_int(s, len, "l_len");
    if (with_pid) shapes::add_pid(ctx, s, pid, PidKind::Tgid, "l_pid");
}

void add_owner_ex(DecodeContext& ctx, std::uint64_t addr) {
    std::int32_t owner[2];
    if (ctx.failed() || !ctx.read_struct(addr, owner)) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId s = ctx.tree().add_struct(ctx.root());
    shapes::add_xval(ctx.tree(), s, static_cast<std::uint32_t>(owner[0]), xlat::f_owner_types,
                     "F_OWNER_???", "type");
    // The owner's type says what its id is (F_OWNER_TID, _PID, _PGRP); of
    // another type it is only a number.
    constexpr PidKind kOwnerKinds[] = {PidKind::Tid, PidKind::Tgid, PidKind::Pgid};
    if (owner[0] >= 0 && owner[0] < 3) {
        shapes::add_pid(ctx, s, owner[1], kOwnerKinds[owner[0]], "pid");
    } else {
        ctx.tree().add_int(s, owner[1], "pid");
    }
}

// A signal number as strace's printsignal shows it: SIGUSR1, or the number.
void add_signal(DecodeContext& ctx, NodeId parent, int signo) {
    sctrace::add_signal(ctx.tree(), parent, signo);
}

// fcntl64 exists on i386 only: there the *LK64 commands take struct flock64.
bool is_fcntl64(const DecodeContext& ctx) {
    return syscall_traits(ctx.call()).kind == SyscallKind::Fcntl64;
}

void fcntl_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
    const unsigned cmd = fcntl_cmd(ctx);
    shapes::add_xval(ctx.tree(), ctx.root(), cmd, xlat::fcntl_cmds, "F_???");
    const std::uint64_t arg = ctx.arg(2);
    if (is_fcntl64(ctx) && (cmd == kF_SETLK64 || cmd == kF_SETLKW64)) {
        add_flock(ctx, arg, true, false);
        return;
    }
    if (is_fcntl64(ctx) && cmd == kF_GETLK64) return;  // at exit
    switch (cmd) {
        case kF_SETFD:
            shapes::add_xflags(ctx.tree(), ctx.root(), arg, xlat::fd_flags, "FD_???");
            break;
        case kF_SETOWN: {
            // strace's printpid_tgid_pgid: a process, or below -1 a group.
            const int owner = static_cast<int>(arg);
            if (owner < -1) {
                const NodeId id = ctx.tree().add_int(ctx.root(), owner);
                if (id != kNoNode) {
                    ctx.tree().mutable_node(id).pid = true;
                    ctx.tree().mutable_node(id).text = ctx.pid_in_tracer_namespace(
                        -static_cast<std::int64_t>(owner), PidKind::Pgid);
                }
            } else {
                shapes::add_pid(ctx, ctx.root(), owner, PidKind::Tgid);
            }
            break;
        }
        case kF_SETPIPE_SZ:
        case kF_DUPFD:
        case kF_DUPFD_CLOEXEC:
            ctx.tree().add_int(ctx.root(), static_cast<int>(arg));
            break;
        case kF_SETFL:
            add_open_flags(ctx, ctx.root(), arg & 0xffffffffu);
            break;
        case kF_SETLK:
        case kF_SETLKW:
            add_flock(ctx, arg, false, false);
            break;
        case kF_OFD_SETLK:
        case kF_OFD_SETLKW:
            add_flock(ctx, arg, true, false);
            break;
        case kF_SETOWN_EX:
            add_owner_ex(ctx, arg);
            break;
        case kF_NOTIFY:
            shapes::add_xflags(ctx.tree(), ctx.root(), arg, xlat::fcntl_notify_flags, "DN_???");
            break;
        case kF_SETLEASE:
            shapes::add_xval(ctx.tree(), ctx.root(), arg, xlat::f_lock_types, "F_???");
            break;
        case kF_ADD_SEALS:
            shapes::add_xflags(ctx.tree(), ctx.root(), arg, xlat::f_seals, "F_SEAL_???");
            break;
        case kF_SETSIG:
            add_signal(ctx, ctx.root(), static_cast<int>(arg));
            break;
        case kF_GETFD:
        case kF_GETFL:
        case kF_GETOWN:
        case kF_GETSIG:
        case kF_GETLEASE:
        case kF_GET_SEALS:
        case kF_GETPIPE_SZ:
            // Nothing more: an "<unfinished ...>" line ends at the command.
            ctx.tree().entry_complete = true;
            break;
        case kF_GETLK:
        case kF_OFD_GETLK:
        case kF_GETOWN_EX:
            break;  // the struct comes at exit
        default:
            ctx.tree().add_hex(ctx.root(), arg);
            break;
    }
}

// The result in hex, as strace's RVAL_HEX prints it: "0x802", but plain "0"
// (C's %#x), which the writer's Hex format would print as "0x0".
void hex_result(DecodeContext& ctx) {
    if (ctx.ret() != 0) ctx.tree().ret_format = RetFormat::Hex;
}

void fcntl_exit(DecodeContext& ctx) {
    const unsigned cmd = fcntl_cmd(ctx);
    const std::uint64_t arg = ctx.arg(2);
    ArgTree& tree = ctx.tree();
    if (is_fcntl64(ctx) && cmd == kF_GETLK64) {
        if (ctx.failed()) {
            tree.add_ptr(ctx.root(), arg);
        } else {
            add_flock(ctx, arg, true, true);
        }
        return;
    }
    switch (cmd) {
        case kF_GETLK:
        case kF_OFD_GETLK:
            // strace reads the struct at exit only when the call succeeded.
            if (ctx.failed()) {
                tree.add_ptr(ctx.root(), arg);
            } else {
                add_flock(ctx, arg, cmd == kF_OFD_GETLK, true);
            }
            return;
        case kF_GETOWN_EX:
            add_owner_ex(ctx, arg);
            return;
        default:
            break;
    }
    if (ctx.failed()) return;
    const auto value = static_cast<std::uint64_t>(ctx.ret());
    switch (cmd) {
        case kF_GETOWN:
            // A process id (a negative one, a process group, is left as is).
            if (ctx.ret() > 0) tree.ret_pid = ctx.pid_in_tracer_namespace(ctx.ret(), PidKind::Tgid);
            break;
        case kF_GETFD:
            if (value == 0) return;
            hex_result(ctx);
            tree.ret_aux = tree.add_detached_struct();
            tree.add_flags(tree.ret_aux, value, xlat::fd_flags, "flags");
            break;
        case kF_GETFL:
            hex_result(ctx);
            tree.ret_aux = tree.add_detached_struct();
            // strace names these whatever -X says (sprint_open_modes).
            if (const NodeId id = add_open_flags(ctx, tree.ret_aux, value, "flags");
                id != kNoNode) {
                tree.mutable_node(id).pin = XlatPin::Abbrev;
            }
            break;
        case kF_GETLEASE:
            hex_result(ctx);
            if (xlat::f_lock_types.name_of(value)) {
                tree.ret_aux = tree.add_detached_struct();
                tree.add_enum(tree.ret_aux, value, xlat::f_lock_types);
            }
            break;
        case kF_GET_SEALS:
            if (value == 0) return;
            hex_result(ctx);
            tree.ret_aux = tree.add_detached_struct();
            tree.add_flags(tree.ret_aux, value, xlat::f_seals, "seals");
            break;
        case kF_GETSIG:
            if (value == 0) return;
            tree.ret_aux = tree.add_detached_struct();
            add_signal(ctx, tree.ret_aux, static_cast<int>(value));
            break;
        default:
            break;
    }
}

// --- pipes, eventfds ---

// The two fds the kernel wrote, or the address when it did not.
void add_fd_pair(DecodeContext& ctx, std::uint64_t addr) {
    std::int32_t fds[2];
    if (ctx.failed() || !ctx.read_struct(addr, fds)) {
        ctx.tree().add_ptr(ctx.root(), addr);
        return;
    }
    const NodeId list = ctx.tree().add_array(ctx.root());
    add_fd(ctx, list, static_cast<std::uint32_t>(fds[0]));
    add_fd(ctx, list, static_cast<std::uint32_t>(fds[1]));
}

void pipe_exit(DecodeContext& ctx) {
    add_fd_pair(ctx, ctx.arg(0));
}

void pipe2_exit(DecodeContext& ctx) {
    add_fd_pair(ctx, ctx.arg(0));
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(1) & 0xffffffffu, xlat::open_mode_flags,
                       "O_???");
}

void eventfd_entry(DecodeContext& ctx) {
    ctx.tree().add_uint(ctx.root(), ctx.arg(0) & 0xffffffffu);
}

void eventfd2_entry(DecodeContext& ctx) {
    eventfd_entry(ctx);
    shapes::add_xflags(ctx.tree(), ctx.root(), ctx.arg(1) & 0xffffffffu, xlat::efd_flags,
                       "EFD_???");
}

// --- mappings ---

constexpr std::uint64_t kMapType = 0xf;
constexpr unsigned kMapHugeShift = 26;
constexpr std::uint64_t kMapHugeMask = 0x3fULL << kMapHugeShift;

void add_mmap(DecodeContext& ctx, const std::uint64_t (&a)[6], std::uint64_t offset) {
    ArgTree& tree = ctx.tree();
    tree.ret_format = RetFormat::Hex;
    tree.add_ptr(ctx.root(), a[0]);
    tree.add_uint(ctx.root(), a[1]);
    shapes::add_xflags(ctx.tree(), ctx.root(), a[2], xlat::mmap_prot, "PROT_???");
    // The type by name, then the flags, then the huge page size as strace
    // writes it ("|21<<MAP_HUGE_SHIFT").
    const std::uint64_t flags = a[3] & 0xffffffffu;
    const std::uint64_t huge = flags & kMapHugeMask;
    if (huge == 0) {
        const NodeId id = tree.add_flags(ctx.root(), flags, xlat::mmap_flags);
        if (id != kNoNode) {
            tree.mutable_node(id).enum_table = &xlat::mmap_type;
            tree.mutable_node(id).enum_mask = kMapType;
        }
    } else {
        // Rare (explicit huge page sizes): printed by hand into one text.
        char text[512];
        std::size_t n = 0;
        auto put = [&](std::string_view s) {
            const std::size_t k = std::min(s.size(), sizeof text - n);
            std::memcpy(text + n, s.data(), k);
            n += k;
        };
        const auto type = xlat::mmap_type.name_of(flags & kMapType);
        char num[32];
        if (type) {
            put(*type);
        } else {
            put(std::string_view(
                num, static_cast<std::size_t>(std::snprintf(
                         num, sizeof num, "%#" PRIx64 " /* MAP_??? */", flags & kMapType))));
        }
        std::uint64_t rest = flags & ~kMapType & ~kMapHugeMask;
        for (const XlatEntry& e : xlat::mmap_flags.entries) {
            if (e.value != 0 && (rest & e.value) == e.value) {
                put("|");
                put(e.name);
                rest &= ~e.value;
            }
        }
        if (rest) {
            put(std::string_view(
                num, static_cast<std::size_t>(std::snprintf(num, sizeof num, "|%#" PRIx64, rest))));
        }
        put(std::string_view(num, static_cast<std::size_t>(std::snprintf(
                                      num, sizeof num, "|%u<<MAP_HUGE_SHIFT",
                                      static_cast<unsigned>(huge >> kMapHugeShift)))));
        tree.add_text_copy(ctx.root(), std::string_view(text, n));
    }
    add_fd(ctx, ctx.root(), a[4]);
    tree.add_hex(ctx.root(), offset);
}

void mmap_entry(DecodeContext& ctx) {
    if (ctx.arch() == Arch::I386) {
        // i386's old mmap: one pointer to the six arguments.
        std::uint32_t raw[6];
        if (!ctx.read_struct(ctx.arg(0), raw)) {
            ctx.tree().ret_format = RetFormat::Hex;
            ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
            return;
        }
        const std::uint64_t a[6] = {raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]};
        add_mmap(ctx, a, raw[5]);
        return;
    }
    const std::uint64_t a[6] = {ctx.arg(0), ctx.arg(1), ctx.arg(2),
                                ctx.arg(3), ctx.arg(4), ctx.arg(5)};
    add_mmap(ctx, a, ctx.arg(5));
}

void mmap2_entry(DecodeContext& ctx) {
    // The offset is in 4096-byte pages.
    const std::uint64_t a[6] = {ctx.arg(0), ctx.arg(1), ctx.arg(2),
                                ctx.arg(3), ctx.arg(4), ctx.arg(5)};
    add_mmap(ctx, a, (ctx.arg(5) & 0xffffffffu) * 4096);
}

void munmap_entry(DecodeContext& ctx) {
    ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"read", fd_entry, read_exit},
    {"write", write_entry, nullptr},
    {"pread64", fd_entry, pread_exit},
    {"pwrite64", pwrite_entry, nullptr},
    {"readv", fd_entry, readv_exit},
    {"writev", writev_entry, nullptr},
    {"open", open_entry, nullptr},
    {"openat", openat_entry, nullptr},
    {"creat", creat_entry, nullptr},
    {"close", fd_entry, nullptr},
    {"close_range", close_range_entry, nullptr},
    {"dup", fd_entry, nullptr},
    {"dup2", dup2_entry, nullptr},
    {"dup3", dup3_entry, nullptr},
    {"fcntl", fcntl_entry, fcntl_exit},
    {"fcntl64", fcntl_entry, fcntl_exit},
    {"pipe", nullptr, pipe_exit},
    {"pipe2", nullptr, pipe2_exit},
    {"eventfd", eventfd_entry, nullptr},
    {"eventfd2", eventfd2_entry, nullptr},
    {"mmap", mmap_entry, nullptr},
    {"mmap2", mmap2_entry, nullptr},
    {"munmap", munmap_entry, nullptr},
};

}  // namespace

std::span<const SyscallDecoder> desc_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
