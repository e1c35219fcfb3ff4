// Decoders of the file family: calls that name files by path (access,
// chdir, chmod, chown, link, rename, mkdir, unlink, readlink, utimensat,
// truncate, mknod ...), their fd twins (fchdir, fchmod, fchown, ftruncate,
// fsync, flock), the file offset (lseek, sendfile) and directory listings
// (getdents, getdents64). The stat calls are stat.cpp. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: everything at entry (RVAL_DECODED),
// except what the kernel writes: readlink's and getcwd's buffer, the
// directory entries, sendfile's updated offset, at exit.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/desc_shapes.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using desc_shapes::add_mode;
using shapes::add_dirfd;
using shapes::add_fd;
using shapes::add_path;
using shapes::add_uid;
using shapes::add_xflags;
using shapes::add_xval;

void path_arg(DecodeContext& ctx, int i) {
    add_path(ctx, ctx.root(), ctx.arg(i));
}

void fd_arg(DecodeContext& ctx, int i) {
    add_fd(ctx, ctx.root(), ctx.arg(i));
}

void dirfd_arg(DecodeContext& ctx, int i) {
    add_dirfd(ctx, ctx.root(), ctx.arg(i));
}

// The AT_* flags of the *at calls (strace's at_flags).
void at_flags_arg(DecodeContext& ctx, int i) {
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(i) & 0xffffffffu, xlat::at_flags, "AT_???");
}

// A mode_t argument: the kernel's umode_t is 16 bits, and strace prints
// those ("%#03o").
void mode_arg(DecodeContext& ctx, int i) {
    add_mode(ctx, ctx.root(), ctx.arg(i) & 0xffffu);
}

void uid_arg(DecodeContext& ctx, int i) {
    add_uid(ctx.tree(), ctx.root(), static_cast<std::uint32_t>(ctx.arg(i)));
}

// --- one path, one fd ---

void path_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
}

void two_paths_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    path_arg(ctx, 1);
}

void fd_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
}

// --- access ---

void access_mode_arg(DecodeContext& ctx, int i) {
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(i) & 0xffffffffu, xlat::access_modes, "?_OK");
}

void access_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    access_mode_arg(ctx, 1);
}

void faccessat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    access_mode_arg(ctx, 2);
}

void faccessat2_entry(DecodeContext& ctx) {
    faccessat_entry(ctx);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(3) & 0xffffffffu, xlat::faccessat_flags, "AT_???");
}

// --- modes and owners ---

void path_mode_entry(DecodeContext& ctx) {  // chmod, mkdir
    path_arg(ctx, 0);
    mode_arg(ctx, 1);
}

void dirfd_path_mode_entry(DecodeContext& ctx) {  // fchmodat, mkdirat
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    mode_arg(ctx, 2);
}

void fchmod_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    mode_arg(ctx, 1);
}

void chown_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    uid_arg(ctx, 1);
    uid_arg(ctx, 2);
}

void fchown_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    uid_arg(ctx, 1);
    uid_arg(ctx, 2);
}

void fchownat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    uid_arg(ctx, 2);
    uid_arg(ctx, 3);
    at_flags_arg(ctx, 4);
}

void umask_entry(DecodeContext& ctx) {
    mode_arg(ctx, 0);
    // The previous mask, in octal as strace's RVAL_OCTAL prints it.
    ctx.tree().ret_format = RetFormat::Octal;
}

// --- links, renames, removal ---

void linkat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    dirfd_arg(ctx, 2);
    path_arg(ctx, 3);
    at_flags_arg(ctx, 4);
}

void unlinkat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    at_flags_arg(ctx, 2);
}

void symlinkat_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    dirfd_arg(ctx, 1);
    path_arg(ctx, 2);
}

void renameat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    dirfd_arg(ctx, 2);
    path_arg(ctx, 3);
}

void renameat2_entry(DecodeContext& ctx) {
    renameat_entry(ctx);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(4) & 0xffffffffu, xlat::rename_flags, "RENAME_??");
}

// --- readlink, getcwd: the kernel fills the buffer ---

// The link's text (not NUL-terminated, ret bytes), or the address when
// the call failed; then the buffer's size.
void readlink_buffer(DecodeContext& ctx, int buf_arg) {
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(buf_arg));
    } else {
        shapes::add_string_n(ctx, ctx.root(), ctx.arg(buf_arg),
                             static_cast<std::uint64_t>(ctx.ret()), false);
    }
    ctx.tree().add_uint(ctx.root(), ctx.arg(buf_arg + 1));
}

void readlink_exit(DecodeContext& ctx) {
    readlink_buffer(ctx, 1);
}

void readlinkat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
}

void readlinkat_exit(DecodeContext& ctx) {
    readlink_buffer(ctx, 2);
}

void getcwd_exit(DecodeContext& ctx) {
    if (ctx.failed()) {
        ctx.tree().add_ptr(ctx.root(), ctx.arg(0));
    } else {
        // The result counts the NUL.
        const std::uint64_t n = ctx.ret() > 0 ? static_cast<std::uint64_t>(ctx.ret()) - 1 : 0;
        shapes::add_pathn(ctx, ctx.root(), ctx.arg(0), n);
    }
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

// --- file times ---

// A struct timespec[2] of utimensat: each time with its date in a comment,
// or UTIME_NOW / UTIME_OMIT alone.
void add_utime_timespecs(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    std::int64_t ts[4];
    if (!ctx.read_struct(addr, ts)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    constexpr std::int64_t kUtimeNow = (1L << 30) - 1, kUtimeOmit = (1L << 30) - 2;
    const NodeId list = tree.add_array(ctx.root());
    for (int i = 0; i < 2; ++i) {
        const std::int64_t sec = ts[2 * i];
        const auto nsec = static_cast<std::uint64_t>(ts[2 * i + 1]);
        if (ts[2 * i + 1] == kUtimeNow || ts[2 * i + 1] == kUtimeOmit) {
            // The struct is the raw form (-X raw), the name its comment
            // with -X verbose.
            const NodeId name =
                tree.add_text(list, ts[2 * i + 1] == kUtimeNow ? "UTIME_NOW" : "UTIME_OMIT");
            shapes::add_textf(tree, name, {}, "{tv_sec=%" PRId64 ", tv_nsec=%" PRIu64 "}", sec,
                              nsec);
            continue;
        }
        char when[64];
        const std::size_t n = shapes::format_time_nsec(sec, nsec, when);
        if (n) {
            shapes::add_textf(tree, list, {},
                              "{tv_sec=%" PRId64 ", tv_nsec=%" PRIu64 "} /* %.*s */", sec, nsec,
                              static_cast<int>(n), when);
        } else {
            shapes::add_textf(tree, list, {}, "{tv_sec=%" PRId64 ", tv_nsec=%" PRIu64 "}", sec,
                              nsec);
        }
    }
}

// A struct timeval[2] of utimes and futimesat, each with its date.
void add_utime_timevals(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    std::int64_t tv[4];
    if (!ctx.read_struct(addr, tv)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId list = tree.add_array(ctx.root());
    for (int i = 0; i < 2; ++i) {
        const std::int64_t sec = tv[2 * i];
        const auto usec = static_cast<std::uint64_t>(tv[2 * i + 1]);
        char when[64];
        // sprinttime_usec: microseconds, six digits.
        std::size_t n = 0;
        if (usec <= 999'999) n = shapes::format_time_nsec(sec, usec * 1000, when);
        if (n && usec > 0) {
            // format_time_nsec wrote nine fraction digits: keep six.
            char* dot = static_cast<char*>(std::memchr(when, '.', n));
            if (dot && static_cast<std::size_t>(dot - when) + 10 <= n) {
                std::memmove(dot + 7, dot + 10, n - static_cast<std::size_t>(dot + 10 - when));
                n -= 3;
            }
        }
        if (n) {
            shapes::add_textf(tree, list, {},
                              "{tv_sec=%" PRId64 ", tv_usec=%" PRIu64 "} /* %.*s */", sec, usec,
                              static_cast<int>(n), when);
        } else {
            shapes::add_textf(tree, list, {}, "{tv_sec=%" PRId64 ", tv_usec=%" PRIu64 "}", sec,
                              usec);
        }
    }
}

void utimensat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    add_utime_timespecs(ctx, ctx.arg(2));
    at_flags_arg(ctx, 3);
}

void utimes_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    add_utime_timevals(ctx, ctx.arg(1));
}

void futimesat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    path_arg(ctx, 1);
    add_utime_timevals(ctx, ctx.arg(2));
}

// utime's struct utimbuf: {actime=..., modtime=...}, each with its date
// (whole seconds).
void utime_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(1);
    std::int64_t u[2];
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (!ctx.read_struct(addr, u)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    shapes::TextBuilder text;
    auto put = [&](const char* key, std::int64_t sec) {
        char when[64];
        const std::size_t w = shapes::format_time_nsec(sec, 0, when);
        text.printf("%s=%" PRId64, key, sec);
        if (w) text.printf(" /* %.*s */", static_cast<int>(w), when);
    };
    text.append("{");
    put("actime", u[0]);
    text.append(", ");
    put("modtime", u[1]);
    text.append("}");
    text.add_to(tree, ctx.root());
}

// --- sizes, syncs, locks ---

void truncate_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

void ftruncate_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    ctx.tree().add_uint(ctx.root(), ctx.arg(1));
}

// i386's 64-bit lengths come as a low/high register pair.
std::uint64_t u64_pair(DecodeContext& ctx, int i) {
    return (ctx.arg(i + 1) << 32) | (ctx.arg(i) & 0xffffffffu);
}

void truncate64_entry(DecodeContext& ctx) {
    path_arg(ctx, 0);
    ctx.tree().add_uint(ctx.root(), u64_pair(ctx, 1));
}

void ftruncate64_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    ctx.tree().add_uint(ctx.root(), u64_pair(ctx, 1));
}

void flock_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(1) & 0xffffffffu, xlat::flock_ops, "LOCK_???");
}

// --- offsets ---

void lseek_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    // The offset is a long of the caller's ABI.
    const std::int64_t offset = ctx.arch() == Arch::I386
                                    ? std::int64_t{static_cast<std::int32_t>(ctx.arg(1))}
                                    : static_cast<std::int64_t>(ctx.arg(1));
    ctx.tree().add_int(ctx.root(), offset);
    add_xval(ctx.tree(), ctx.root(), ctx.arg(2) & 0xffffffffu, xlat::f_whence, "SEEK_???");
}

// i386's _llseek(fd, high, low, &result, whence): the result at exit.
void llseek_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    ctx.tree().add_int(ctx.root(),
                       static_cast<std::int64_t>((ctx.arg(1) << 32) | (ctx.arg(2) & 0xffffffffu)));
}

void llseek_exit(DecodeContext& ctx) {
    shapes::add_num_at(ctx, ctx.root(), ctx.arg(3), 8, shapes::NumAs::Unsigned);
    add_xval(ctx.tree(), ctx.root(), ctx.arg(4) & 0xffffffffu, xlat::f_whence, "SEEK_???");
}

// sendfile(out, in, offset*, count): the offset the kernel advanced shows
// as "[0] => [4096]" at exit. On x86_64 sendfile is strace's sendfile64
// (a 64-bit offset); i386's sendfile has a 32-bit one.
unsigned sendfile_offset_size(const DecodeContext& ctx) {
    return ctx.arch() == Arch::I386 && ctx.call().name == "sendfile" ? 4 : 8;
}

void sendfile_entry(DecodeContext& ctx) {
    fd_arg(ctx, 0);
    fd_arg(ctx, 1);
    const std::uint64_t offset = ctx.arg(2);
    shapes::add_num_at(ctx, ctx.root(), offset, sendfile_offset_size(ctx), shapes::NumAs::Unsigned);
    // Without an offset to update, everything is known now.
    if (offset == 0 || ctx.tree().node(ctx.tree().arg(2)).kind != ArgKind::Array) {
        ctx.tree().add_uint(ctx.root(), ctx.arg(3));
    }
}

void sendfile_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    if (tree.child_count(ctx.root()) >= 4) return;  // decoded at entry
    if (!ctx.failed() && ctx.ret() != 0) {
        // "[before] => [after]": the entry's bracket, then the new value.
        std::uint64_t after = 0;
        const unsigned size = sendfile_offset_size(ctx);
        const NodeId before = tree.arg(2);
        if (before != kNoNode &&
            ctx.read(ctx.arg(2), {reinterpret_cast<char*>(&after), size}) == size) {
            const NodeId first = tree.child(before, 0);
            const std::uint64_t old = first == kNoNode ? 0 : tree.node(first).value;
            // Rewrite the offset argument as one text: "[0] => [4096]".
            ArgNode& n = tree.mutable_node(before);
            n.kind = ArgKind::Text;
            n.first_child = n.last_child = kNoNode;
            char text[64];
            const int k =
                std::snprintf(text, sizeof text, "[%" PRIu64 "] => [%" PRIu64 "]", old, after);
            n.text = tree.store({text, static_cast<std::size_t>(std::max(k, 0))});
        }
    }
    tree.add_uint(ctx.root(), ctx.arg(3));
}

// --- directory listings ---

// The entries getdents/getdents64 returned: with -v each one
// ({d_ino=..., d_off=..., d_reclen=..., d_type=DT_DIR, d_name="."}),
// else the buffer's address and "/* N entries */".
template <bool k64>
void add_dirents(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(1);
    const auto count = static_cast<std::uint32_t>(ctx.arg(2));
    if (ctx.failed() || static_cast<std::uint64_t>(ctx.ret()) > count) {
        tree.add_ptr(ctx.root(), addr);
        return;
    }
    // linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
    // linux_dirent: ino ulong, off ulong, reclen u16, name, padding, type last.
    const std::size_t word = k64 || ctx.arch() == Arch::X86_64 ? 8 : 4;
    const std::size_t header = k64 ? 19 : 2 * word + 2;
    const bool verbose = !ctx.options().abbreviate;
    auto len = static_cast<std::uint64_t>(ctx.ret());
    std::uint64_t at = addr;
    unsigned entries = 0;
    NodeId list = kNoNode;
    // The abbreviated form is one text: "0x55d0 /* 7 entries */".
    shapes::TextBuilder text;
    if (!verbose) {
        if (addr) {
            text.printf("%#" PRIx64, addr);
        } else {
            text.append("NULL");
        }
    }
    char buf[32];
    for (;;) {
        if (len < header) {
            if (verbose && len == 0) {
                if (list == kNoNode) list = tree.add_array(ctx.root());
            } else if (verbose) {
                shapes::add_hex_buffer(ctx, list == kNoNode ? ctx.root() : list, at, len);
            }
            break;
        }
        if (ctx.read(at, {buf, header}) != header) {
            if (verbose && list != kNoNode) {
                shapes::add_textf(tree, list, {}, "... /* %#" PRIx64 " */", at);
            } else if (verbose) {
                tree.add_hex(ctx.root(), at);
            }
            break;
        }
        if (verbose && list == kNoNode) list = tree.add_array(ctx.root());
        ++entries;
        std::uint64_t ino = 0, off = 0;
        std::memcpy(&ino, buf, word);
        std::memcpy(&off, buf + word, word);
        std::uint16_t reclen = 0;
        std::memcpy(&reclen, buf + 2 * word, 2);
        std::uint64_t next_len = 0, next_at = 0;
        const char* problem = nullptr;  // a record that does not fit: strace's comment
        std::uint64_t problem_bytes = 0;
        std::uint64_t d_reclen = reclen;
        if (d_reclen > len) {
            problem = "overflow";
            problem_bytes = d_reclen - len;
            d_reclen = len;
        } else if (d_reclen < header) {
            problem = "underflow";
            problem_bytes = header - d_reclen;
            d_reclen = header;
            next_len = len - header;
        } else {
            next_len = len - d_reclen;
            if (next_len) next_at = at + d_reclen;
        }
        len = next_len;
        if (!verbose) {
            if (problem)
                text.printf(" /* d_reclen %" PRIu64 " bytes %s */", problem_bytes, problem);
        } else {
            const NodeId e = tree.add_struct(list);
            tree.add_uint(e, ino, "d_ino");
            tree.add_uint(e, off, "d_off");
            if (problem) {
                shapes::add_textf(tree, e, "d_reclen", "%u /* %" PRIu64 " bytes %s */", reclen,
                                  problem_bytes, problem);
            } else {
                tree.add_uint(e, reclen, "d_reclen");
            }
            const std::uint64_t tail = d_reclen - header;
            bool unreadable = false;
            if (k64) {
                shapes::add_xval(tree, e, static_cast<unsigned char>(buf[18]), xlat::dirent_types,
                                 "DT_???", "d_type");
                if (tail) {
                    // The name fills the rest of the record, NUL-padded.
                    const std::uint64_t name_len = std::min<std::uint64_t>(tail, 256);
                    const NodeId name =
                        shapes::add_pathn(ctx, e, at + header, name_len - 1, "d_name");
                    unreadable = tree.node(name).kind != ArgKind::Str;
                }
            } else if (tail) {
                // linux_dirent: the name, then padding, then d_type last.
                const std::uint64_t name_len = std::min<std::uint64_t>(tail - 1, 256);
                if (name_len) {
                    const NodeId name =
                        shapes::add_pathn(ctx, e, at + header, name_len - 1, "d_name");
                    unreadable = tree.node(name).kind != ArgKind::Str;
                }
                unsigned char type = 0;
                if (ctx.read(at + header + tail - 1, {reinterpret_cast<char*>(&type), 1}) != 1) {
                    tree.add_hex(e, at + header + tail - 1, "d_type");
                    unreadable = true;
                } else {
                    shapes::add_xval(tree, e, type, xlat::dirent_types, "DT_???", "d_type");
                }
            }
            if (next_at && unreadable) {
                tree.mark_truncated(list);
                break;
            }
        }
        if (!next_at || tree.overflowed()) break;
        at = next_at;
    }
    if (!verbose) {
        text.printf(" /* %u%s entries */", entries, len ? "+" : "");
        text.add_to(tree, ctx.root());
    }
}

template <bool k64>
void getdents_exit(DecodeContext& ctx) {
    add_dirents<k64>(ctx);
    ctx.tree().add_uint(ctx.root(), static_cast<std::uint32_t>(ctx.arg(2)));
}

// --- device nodes ---

void add_mknod_rest(DecodeContext& ctx, int path) {
    path_arg(ctx, path);
    const auto mode = static_cast<std::uint16_t>(ctx.arg(path + 1));
    shapes::add_symbolic_mode(ctx.tree(), ctx.root(), mode);
    constexpr std::uint32_t kTypeMask = 0170000, kChr = 0020000, kBlk = 0060000;
    if ((mode & kTypeMask) == kChr || (mode & kTypeMask) == kBlk) {
        shapes::add_dev(ctx.tree(), ctx.root(), static_cast<std::uint32_t>(ctx.arg(path + 2)));
    }
}

void mknod_entry(DecodeContext& ctx) {
    add_mknod_rest(ctx, 0);
}

void mknodat_entry(DecodeContext& ctx) {
    dirfd_arg(ctx, 0);
    add_mknod_rest(ctx, 1);
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"access", access_entry, nullptr},
    {"faccessat", faccessat_entry, nullptr},
    {"faccessat2", faccessat2_entry, nullptr},
    {"chdir", path_entry, nullptr},
    {"chroot", path_entry, nullptr},
    {"rmdir", path_entry, nullptr},
    {"unlink", path_entry, nullptr},
    {"acct", path_entry, nullptr},
    {"swapoff", path_entry, nullptr},
    {"uselib", path_entry, nullptr},
    {"fchdir", fd_entry, nullptr},
    {"fsync", fd_entry, nullptr},
    {"fdatasync", fd_entry, nullptr},
    {"syncfs", fd_entry, nullptr},
    {"chmod", path_mode_entry, nullptr},
    {"mkdir", path_mode_entry, nullptr},
    {"fchmodat", dirfd_path_mode_entry, nullptr},
    {"mkdirat", dirfd_path_mode_entry, nullptr},
    {"fchmod", fchmod_entry, nullptr},
    {"chown", chown_entry, nullptr},
    {"lchown", chown_entry, nullptr},
    {"chown32", chown_entry, nullptr},
    {"lchown32", chown_entry, nullptr},
    {"fchown", fchown_entry, nullptr},
    {"fchown32", fchown_entry, nullptr},
    {"fchownat", fchownat_entry, nullptr},
    {"umask", umask_entry, nullptr},
    {"link", two_paths_entry, nullptr},
    {"rename", two_paths_entry, nullptr},
    {"symlink", two_paths_entry, nullptr},
    {"pivot_root", two_paths_entry, nullptr},
    {"linkat", linkat_entry, nullptr},
    {"unlinkat", unlinkat_entry, nullptr},
    {"symlinkat", symlinkat_entry, nullptr},
    {"renameat", renameat_entry, nullptr},
    {"renameat2", renameat2_entry, nullptr},
    {"readlink", path_entry, readlink_exit},
    {"readlinkat", readlinkat_entry, readlinkat_exit},
    {"getcwd", nullptr, getcwd_exit},
    {"utimensat", utimensat_entry, nullptr},
    {"utimes", utimes_entry, nullptr},
    {"futimesat", futimesat_entry, nullptr},
    {"utime", utime_entry, nullptr},
    {"truncate", truncate_entry, nullptr},
    {"ftruncate", ftruncate_entry, nullptr},
    {"truncate64", truncate64_entry, nullptr},
    {"ftruncate64", ftruncate64_entry, nullptr},
    {"flock", flock_entry, nullptr},
    {"lseek", lseek_entry, nullptr},
    {"_llseek", llseek_entry, llseek_exit},
    {"sendfile", sendfile_entry, sendfile_exit},
    {"sendfile64", sendfile_entry, sendfile_exit},
    {"getdents", fd_entry, getdents_exit<false>},
    {"getdents64", fd_entry, getdents_exit<true>},
    {"mknod", mknod_entry, nullptr},
    {"mknodat", mknodat_entry, nullptr},
};

}  // namespace

std::span<const SyscallDecoder> file_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
