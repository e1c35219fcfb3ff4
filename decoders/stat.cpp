// Decoders of the stat family: stat, lstat, fstat, newfstatat, statx,
// statfs, fstatfs. See decoders/decoder.h.
//
// What strace 6.1 prints, and when: the path or fd at entry, the struct
// the kernel filled at exit; abbreviated ({st_mode=S_IFREG|0644,
// st_size=43927, ...}) unless -v, which shows every field with the times'
// dates in comments. The structs are x86_64's (and x32's, the same);
// i386's stat64 and statfs64 are not decoded yet and show as addresses.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "decoders/decoder.h"
#include "decoders/shapes.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

using shapes::add_dirfd;
using shapes::add_fd;
using shapes::add_path;
using shapes::add_xflags;

constexpr std::uint32_t kTypeMask = 0170000, kChr = 0020000, kBlk = 0060000;

// x86_64's struct stat (the kernel's and glibc's agree).
struct KernelStat {
    std::uint64_t dev, ino, nlink;
    std::uint32_t mode, uid, gid, pad0;
    std::uint64_t rdev;
    std::int64_t size, blksize, blocks;
    std::int64_t atime;
    std::uint64_t atime_nsec;
    std::int64_t mtime;
    std::uint64_t mtime_nsec;
    std::int64_t ctime;
    std::uint64_t ctime_nsec;
    std::int64_t unused[3];
};
static_assert(sizeof(KernelStat) == 144);

// "1700000000 /* 2023-11-14T22:13:20.123456789+0000 */" (a -v time field).
void add_time_field(ArgTree& tree, NodeId s, std::int64_t sec, std::uint64_t nsec,
                    std::string_view key) {
    char when[64];
    const std::size_t n = shapes::format_time_nsec(sec, nsec, when);
    if (n) {
        shapes::add_textf(tree, s, key, "%" PRId64 " /* %.*s */", sec, static_cast<int>(n), when);
    } else {
        tree.add_int(s, sec, key);
    }
}

// strace's print_struct_stat.
void add_stat_struct(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    KernelStat st;
    if (ctx.arch() == Arch::I386 || !ctx.read_struct(addr, st)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const bool verbose = !ctx.options().abbreviate;
    const NodeId s = tree.add_struct(ctx.root());
    if (verbose) {
        shapes::add_dev(tree, s, st.dev, "st_dev");
        tree.add_uint(s, st.ino, "st_ino");
    }
    shapes::add_symbolic_mode(tree, s, st.mode, "st_mode");
    if (verbose) {
        tree.add_uint(s, st.nlink, "st_nlink");
        tree.add_uint(s, st.uid, "st_uid");
        tree.add_uint(s, st.gid, "st_gid");
        tree.add_uint(s, static_cast<std::uint64_t>(st.blksize), "st_blksize");
        tree.add_uint(s, static_cast<std::uint64_t>(st.blocks), "st_blocks");
    }
    const std::uint32_t type = st.mode & kTypeMask;
    if (type == kChr || type == kBlk) {
        shapes::add_dev(tree, s, st.rdev, "st_rdev");
    } else {
        tree.add_uint(s, static_cast<std::uint64_t>(st.size), "st_size");
    }
    if (!verbose) {
        tree.mark_truncated(s);
        return;
    }
    add_time_field(tree, s, st.atime, st.atime_nsec, "st_atime");
    tree.add_uint(s, st.atime_nsec, "st_atime_nsec");
    add_time_field(tree, s, st.mtime, st.mtime_nsec, "st_mtime");
    tree.add_uint(s, st.mtime_nsec, "st_mtime_nsec");
    add_time_field(tree, s, st.ctime, st.ctime_nsec, "st_ctime");
    tree.add_uint(s, st.ctime_nsec, "st_ctime_nsec");
}

void path_entry(DecodeContext& ctx) {
    add_path(ctx, ctx.root(), ctx.arg(0));
}

void fd_entry(DecodeContext& ctx) {
    add_fd(ctx, ctx.root(), ctx.arg(0));
}

void stat_exit(DecodeContext& ctx) {
    add_stat_struct(ctx, ctx.arg(1));
}

void newfstatat_entry(DecodeContext& ctx) {
    add_dirfd(ctx, ctx.root(), ctx.arg(0));
    add_path(ctx, ctx.root(), ctx.arg(1));
}

void newfstatat_exit(DecodeContext& ctx) {
    add_stat_struct(ctx, ctx.arg(2));
    add_xflags(ctx.tree(), ctx.root(), ctx.arg(3) & 0xffffffffu, xlat::at_flags, "AT_???");
}

// --- statx ---

struct StatxTimestamp {
    std::int64_t sec;
    std::uint32_t nsec;
    std::int32_t pad;
};

struct Statx {
    std::uint32_t mask, blksize;
    std::uint64_t attributes;
    std::uint32_t nlink, uid, gid;
    std::uint16_t mode, pad1;
    std::uint64_t ino, size, blocks, attributes_mask;
    StatxTimestamp atime, btime, ctime, mtime;
    std::uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    std::uint64_t mnt_id;
    std::uint32_t dio_mem_align, dio_offset_align;
    std::uint64_t spare[12];
};
static_assert(sizeof(Statx) == 256);

constexpr std::uint32_t kStatxType = 0x1, kStatxMode = 0x2, kStatxNlink = 0x4, kStatxUid = 0x8,
                        kStatxGid = 0x10, kStatxAtime = 0x20, kStatxMtime = 0x40,
                        kStatxCtime = 0x80, kStatxIno = 0x100, kStatxSize = 0x200,
                        kStatxBlocks = 0x400, kStatxBtime = 0x800, kStatxMntId = 0x1000,
                        kStatxDioalign = 0x2000;
constexpr std::uint32_t kAtStatxSyncType = 0x6000;

void add_statx_time(ArgTree& tree, NodeId s, const StatxTimestamp& t, std::string_view key) {
    char when[64];
    const std::size_t n = shapes::format_time_nsec(t.sec, t.nsec, when);
    if (n) {
        shapes::add_textf(tree, s, key, "{tv_sec=%" PRId64 ", tv_nsec=%" PRIu32 "} /* %.*s */",
                          t.sec, t.nsec, static_cast<int>(n), when);
    } else {
        shapes::add_textf(tree, s, key, "{tv_sec=%" PRId64 ", tv_nsec=%" PRIu32 "}", t.sec, t.nsec);
    }
}

void statx_entry(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    add_dirfd(ctx, ctx.root(), ctx.arg(0));
    add_path(ctx, ctx.root(), ctx.arg(1));
    // The sync type by name, then the AT_* flags: "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW".
    const auto flags = static_cast<std::uint32_t>(ctx.arg(2));
    char text[256];
    std::size_t n = shapes::format_flags(flags & kAtStatxSyncType, xlat::statx_sync_types, text);
    if (const std::uint32_t rest = flags & ~kAtStatxSyncType) {
        if (n < sizeof text) text[n++] = '|';
        n += shapes::format_flags(rest, xlat::at_flags, {text + n, sizeof text - n});
    }
    tree.add_text_copy(ctx.root(), std::string_view(text, n));
    add_xflags(tree, ctx.root(), ctx.arg(3) & 0xffffffffu, xlat::statx_masks, "STATX_???");
}

void statx_exit(DecodeContext& ctx) {
    ArgTree& tree = ctx.tree();
    const std::uint64_t addr = ctx.arg(4);
    Statx stx;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (!ctx.read_struct(addr, stx)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const bool verbose = !ctx.options().abbreviate;
    const NodeId s = tree.add_struct(ctx.root());
    add_xflags(tree, s, stx.mask, xlat::statx_masks, "STATX_???", "stx_mask");
    if (verbose) tree.add_uint(s, stx.blksize, "stx_blksize");
    add_xflags(tree, s, stx.attributes, xlat::statx_attrs, "STATX_ATTR_???", "stx_attributes");
    if (verbose) {
        if (stx.mask & kStatxNlink) tree.add_uint(s, stx.nlink, "stx_nlink");
        if (stx.mask & kStatxUid) shapes::add_uid(tree, s, stx.uid, "stx_uid");
        if (stx.mask & kStatxGid) shapes::add_uid(tree, s, stx.gid, "stx_gid");
    }
    if (stx.mask & (kStatxType | kStatxMode)) {
        shapes::add_symbolic_mode(tree, s, stx.mode, "stx_mode");
    }
    if (verbose && (stx.mask & kStatxIno)) tree.add_uint(s, stx.ino, "stx_ino");
    if (stx.mask & kStatxSize) tree.add_uint(s, stx.size, "stx_size");
    if (!verbose) {
        tree.mark_truncated(s);
        return;
    }
    if (stx.mask & kStatxBlocks) tree.add_uint(s, stx.blocks, "stx_blocks");
    add_xflags(tree, s, stx.attributes_mask, xlat::statx_attrs, "STATX_ATTR_???",
               "stx_attributes_mask");
    if (stx.mask & kStatxAtime) add_statx_time(tree, s, stx.atime, "stx_atime");
    if (stx.mask & kStatxBtime) add_statx_time(tree, s, stx.btime, "stx_btime");
    if (stx.mask & kStatxCtime) add_statx_time(tree, s, stx.ctime, "stx_ctime");
    if (stx.mask & kStatxMtime) add_statx_time(tree, s, stx.mtime, "stx_mtime");
    tree.add_uint(s, stx.rdev_major, "stx_rdev_major");
    tree.add_uint(s, stx.rdev_minor, "stx_rdev_minor");
    tree.add_uint(s, stx.dev_major, "stx_dev_major");
    tree.add_uint(s, stx.dev_minor, "stx_dev_minor");
    if (stx.mask & kStatxMntId) tree.add_hex(s, stx.mnt_id, "stx_mnt_id");
    if (stx.mask & kStatxDioalign) {
        tree.add_uint(s, stx.dio_mem_align, "stx_dio_mem_align");
        tree.add_uint(s, stx.dio_offset_align, "stx_dio_offset_align");
    }
}

// --- statfs ---

// x86_64's struct statfs.
struct KernelStatfs {
    std::int64_t type, bsize;
    std::uint64_t blocks, bfree, bavail, files, ffree;
    std::int32_t fsid[2];
    std::int64_t namelen, frsize, flags;
    std::int64_t spare[4];
};
static_assert(sizeof(KernelStatfs) == 120);

constexpr std::uint64_t kStValid = 0x20;

void add_statfs_struct(DecodeContext& ctx, std::uint64_t addr) {
    ArgTree& tree = ctx.tree();
    KernelStatfs b;
    if (addr == 0) {
        tree.add_ptr(ctx.root(), 0);
        return;
    }
    if (ctx.arch() == Arch::I386 || !ctx.read_struct(addr, b)) {
        tree.add_hex(ctx.root(), addr);
        return;
    }
    const NodeId s = tree.add_struct(ctx.root());
    const auto type = static_cast<std::uint64_t>(b.type);
    if (xlat::fs_magic.name_of(type)) {
        tree.add_enum(s, type, xlat::fs_magic, "f_type");
    } else {
        tree.add_hex(s, type, "f_type");
    }
    tree.add_uint(s, static_cast<std::uint64_t>(b.bsize), "f_bsize");
    tree.add_uint(s, b.blocks, "f_blocks");
    tree.add_uint(s, b.bfree, "f_bfree");
    tree.add_uint(s, b.bavail, "f_bavail");
    tree.add_uint(s, b.files, "f_files");
    tree.add_uint(s, b.ffree, "f_ffree");
    const NodeId fsid = tree.add_struct(s, "f_fsid");
    const NodeId val = tree.add_array(fsid, "val");
    tree.add_hex(val, static_cast<std::uint32_t>(b.fsid[0]));
    tree.add_hex(val, static_cast<std::uint32_t>(b.fsid[1]));
    tree.add_uint(s, static_cast<std::uint64_t>(b.namelen), "f_namelen");
    tree.add_uint(s, static_cast<std::uint64_t>(b.frsize), "f_frsize");
    const auto flags = static_cast<std::uint64_t>(b.flags);
    if (flags & kStValid) add_xflags(tree, s, flags, xlat::statfs_flags, "ST_???", "f_flags");
}

void statfs_exit(DecodeContext& ctx) {
    add_statfs_struct(ctx, ctx.arg(1));
}

constexpr SyscallDecoder kDecoders[] = {
    {"", nullptr, nullptr},  // keeps the array non-empty; skipped below
    {"stat", path_entry, stat_exit},
    {"lstat", path_entry, stat_exit},
    {"fstat", fd_entry, stat_exit},
    {"newfstatat", newfstatat_entry, newfstatat_exit},
    {"statx", statx_entry, statx_exit},
    {"statfs", path_entry, statfs_exit},
    {"fstatfs", fd_entry, statfs_exit},
};

}  // namespace

std::span<const SyscallDecoder> stat_decoders() {
    return std::span(kDecoders).subspan(1);
}

}  // namespace sctrace
