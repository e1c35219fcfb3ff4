// The file and stat families' decoders on synthetic calls: strace 6.1's text
// for the calls that name files (access, chmod, chown, link, rename,
// readlink, getcwd, utimensat, lseek, sendfile, getdents, mknod) and the
// stat calls, abbreviated and with -v (each form checked against strace
// 6.1 itself: scripts/strace-suite runs its own tests of these calls).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstring>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;
using testing::split_to_strace;
using testing::verbose_options;

constexpr std::uint64_t kPath = 0x20000;
constexpr std::uint64_t kPath2 = 0x21000;
constexpr std::uint64_t kBuf = 0x30000;
constexpr std::uint64_t kAtFdcwd = static_cast<std::uint64_t>(-100);

TEST(FileDecode, AccessNamesItsModesAndLabelsUnknownBits) {
    FakeMemory mem;
    mem.put_string(kPath, "/etc/ld.so.preload");
    EXPECT_EQ(decode_to_strace(make_call("access", {kPath, R_OK}, -1, ENOENT), mem),
              R"(access("/etc/ld.so.preload", R_OK))");
    EXPECT_EQ(decode_to_strace(make_call("access", {kPath, F_OK}), mem),
              R"(access("/etc/ld.so.preload", F_OK) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("access", {kPath, R_OK | W_OK | 0x10}), mem),
              R"(access("/etc/ld.so.preload", R_OK|W_OK|0x10) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("access", {kPath, 0x10}), mem),
              R"(access("/etc/ld.so.preload", 0x10 /* ?_OK */) = 0)");
    // An unreadable path is its address.
    EXPECT_EQ(decode_to_strace(make_call("access", {0x999000, X_OK}), mem),
              "access(0x999000, X_OK) = 0");
}

TEST(FileDecode, TheAtCallsNameAtFdcwdAndShowTheWorkingDirectoryWithY) {
    FakeMemory mem;
    mem.put_string(kPath, "bin/python3");
    mem.cwd = "/usr";
    mem.fd_paths[3] = "/etc";
    EXPECT_EQ(decode_to_strace(make_call("faccessat2", {kAtFdcwd, kPath, X_OK, AT_EACCESS}), mem),
              R"(faccessat2(AT_FDCWD, "bin/python3", X_OK, AT_EACCESS) = 0)");
    DecodeOptions y;
    y.fd_paths = true;
    EXPECT_EQ(
        decode_to_strace(make_call("faccessat2", {kAtFdcwd, kPath, X_OK, AT_EACCESS}), mem, y),
        R"(faccessat2(AT_FDCWD</usr>, "bin/python3", X_OK, AT_EACCESS) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("unlinkat", {3, kPath, AT_REMOVEDIR}), mem, y),
              R"(unlinkat(3</etc>, "bin/python3", AT_REMOVEDIR) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("unlinkat", {3, kPath, 0x4}), mem),
              R"(unlinkat(3, "bin/python3", 0x4 /* AT_??? */) = 0)");
}

TEST(FileDecode, ModesAreOctalAndIdsUnsignedButMinusOne) {
    FakeMemory mem;
    mem.put_string(kPath, "prog");
    EXPECT_EQ(decode_to_strace(make_call("chmod", {kPath, 0755}), mem),
              R"(chmod("prog", 0755) = 0)");
    // mode_t is 16 bits to the kernel, and to strace.
    EXPECT_EQ(decode_to_strace(make_call("chmod", {kPath, 0100744}), mem),
              R"(chmod("prog", 0100744) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("mkdir", {kPath, 0}), mem), R"(mkdir("prog", 000) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("chown", {kPath, 65534, 0xffffffff}), mem),
              R"(chown("prog", 65534, -1) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("fchown", {4, 0, 0}), mem), "fchown(4, 0, 0) = 0");
    EXPECT_EQ(
        decode_to_strace(make_call("fchownat", {kAtFdcwd, kPath, 1, 2, AT_SYMLINK_NOFOLLOW}), mem),
        R"(fchownat(AT_FDCWD, "prog", 1, 2, AT_SYMLINK_NOFOLLOW) = 0)");
}

TEST(FileDecode, UmaskReturnsTheOldMaskInOctal) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("umask", {022}, 022), mem), "umask(022) = 022");
    EXPECT_EQ(decode_to_strace(make_call("umask", {06}, 0), mem), "umask(006) = 000");
}

TEST(FileDecode, LinksAndRenamesShowBothPaths) {
    FakeMemory mem;
    mem.put_string(kPath, ".git/HEAD.lock");
    mem.put_string(kPath2, ".git/HEAD");
    EXPECT_EQ(decode_to_strace(make_call("rename", {kPath, kPath2}), mem),
              R"(rename(".git/HEAD.lock", ".git/HEAD") = 0)");
    EXPECT_EQ(
        decode_to_strace(make_call("renameat2", {kAtFdcwd, kPath, kAtFdcwd, kPath2, 1}), mem),
        R"(renameat2(AT_FDCWD, ".git/HEAD.lock", AT_FDCWD, ".git/HEAD", RENAME_NOREPLACE) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("symlinkat", {kPath, 5, kPath2}), mem),
              R"(symlinkat(".git/HEAD.lock", 5, ".git/HEAD") = 0)");
}

TEST(FileDecode, ReadlinkShowsTheTargetItReadOrTheBufferOnFailure) {
    FakeMemory mem;
    mem.put_string(kPath, "/proc/self/exe");
    mem.put(kBuf, "/usr/bin/python3.11XXXX", 23);  // no NUL: readlink writes none
    EXPECT_EQ(decode_to_strace(make_call("readlink", {kPath, kBuf, 4096}, 19), mem),
              R"(readlink("/proc/self/exe", "/usr/bin/python3.11", 4096) = 19)");
    EXPECT_EQ(decode_to_strace(make_call("readlink", {kPath, kBuf, 4096}, 19), mem, 8),
              R"(readlink("/proc/self/exe", "/usr/bin"..., 4096) = 19)");
    EXPECT_EQ(decode_to_strace(make_call("readlink", {kPath, kBuf, 64}, -1, EINVAL), mem),
              R"(readlink("/proc/self/exe", 0x30000, 64))");
    // The path is known at entry, the buffer only at exit.
    EXPECT_EQ(split_to_strace(make_call("readlinkat", {kAtFdcwd, kPath, kBuf, 64}, 19), mem),
              R"(readlinkat(AT_FDCWD, "/proc/self/exe",  <unfinished ...> | )"
              R"(<... readlinkat resumed>"/usr/bin/python3.11", 64))");
}

TEST(FileDecode, GetcwdShowsTheDirectoryOfTheResultsLength) {
    FakeMemory mem;
    mem.put_string(kBuf, "/tmp/work");
    EXPECT_EQ(decode_to_strace(make_call("getcwd", {kBuf, 129}, 10), mem),
              R"(getcwd("/tmp/work", 129) = 10)");
    EXPECT_EQ(decode_to_strace(make_call("getcwd", {kBuf, 2}, -1, ERANGE), mem),
              "getcwd(0x30000, 2)");
}

TEST(FileDecode, UtimensatNamesUtimeNowAndOmitAndDatesTheRest) {
    FakeMemory mem;
    mem.put_string(kPath, "f");
    const std::int64_t now_omit[4] = {0, (1L << 30) - 1, 0, (1L << 30) - 2};
    mem.put(kBuf, now_omit);
    EXPECT_EQ(decode_to_strace(make_call("utimensat", {kAtFdcwd, kPath, 0, 0}), mem),
              R"(utimensat(AT_FDCWD, "f", NULL, 0) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("utimensat", {kAtFdcwd, kPath, kBuf, 0}), mem),
              R"(utimensat(AT_FDCWD, "f", [UTIME_NOW, UTIME_OMIT], 0) = 0)");
    // The names stand for the structs: -X raw prints those, -X verbose both.
    EXPECT_EQ(decode_to_strace(make_call("utimensat", {kAtFdcwd, kPath, kBuf, 0}), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Raw}),
              R"(utimensat(-100, "f", [{tv_sec=0, tv_nsec=1073741823}, )"
              R"({tv_sec=0, tv_nsec=1073741822}], 0) = 0)");
    EXPECT_EQ(
        decode_to_strace(make_call("utimensat", {kAtFdcwd, kPath, kBuf, 0}), mem, 32,
                         StraceStyle{.xlat = XlatStyle::Verbose}),
        R"(utimensat(-100 /* AT_FDCWD */, "f", [{tv_sec=0, tv_nsec=1073741823} /* UTIME_NOW */, )"
        R"({tv_sec=0, tv_nsec=1073741822} /* UTIME_OMIT */], 0) = 0)");
    // Time zero has no date comment.
    const std::int64_t zero[4] = {0, 0, 0, 0};
    mem.put(kBuf, zero);
    EXPECT_EQ(decode_to_strace(make_call("utimensat", {kAtFdcwd, kPath, kBuf, 0}), mem),
              R"(utimensat(AT_FDCWD, "f", [{tv_sec=0, tv_nsec=0}, {tv_sec=0, tv_nsec=0}], 0) = 0)");
}

TEST(FileDecode, LseekShowsASignedOffsetAndTheWhence) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(
                  make_call("lseek", {3, static_cast<std::uint64_t>(-60), SEEK_CUR}, 54), mem),
              "lseek(3, -60, SEEK_CUR) = 54");
    EXPECT_EQ(decode_to_strace(make_call("lseek", {3, 0, 7}, -1, EINVAL), mem),
              "lseek(3, 0, 0x7 /* SEEK_??? */)");
}

TEST(FileDecode, SendfileShowsTheOffsetBeforeAndAfter) {
    FakeMemory mem;
    std::uint64_t offset = 4096;
    mem.put(kBuf, offset);
    EXPECT_EQ(decode_to_strace(make_call("sendfile", {1, 3, kBuf, 4096}, 4096), mem),
              "sendfile(1, 3, [4096] => [4096], 4096) = 4096");
    EXPECT_EQ(decode_to_strace(make_call("sendfile", {1, 3, 0, 4096}, 100), mem),
              "sendfile(1, 3, NULL, 4096) = 100");
    // Nothing sent: the offset stayed.
    EXPECT_EQ(decode_to_strace(make_call("sendfile", {1, 3, kBuf, 10}, 0), mem),
              "sendfile(1, 3, [4096], 10) = 0");
}

// Two linux_dirent64 records: "." and "..".
std::vector<char> two_dirents() {
    std::vector<char> buf(48, 0);
    auto put = [&](std::size_t at, std::uint64_t ino, std::uint64_t off, std::uint16_t reclen,
                   std::uint8_t type, const char* name) {
        std::memcpy(&buf[at], &ino, 8);
        std::memcpy(&buf[at + 8], &off, 8);
        std::memcpy(&buf[at + 16], &reclen, 2);
        buf[at + 18] = static_cast<char>(type);
        std::memcpy(&buf[at + 19], name, std::strlen(name));
    };
    put(0, 11, 1, 24, DT_DIR, ".");
    put(24, 2, 2, 24, DT_DIR, "..");
    return buf;
}

TEST(FileDecode, Getdents64CountsEntriesOrShowsThemWithV) {
    FakeMemory mem;
    const auto buf = two_dirents();
    mem.put(kBuf, buf.data(), buf.size());
    EXPECT_EQ(decode_to_strace(make_call("getdents64", {3, kBuf, 32768}, 48), mem),
              "getdents64(3, 0x30000 /* 2 entries */, 32768) = 48");
    EXPECT_EQ(decode_to_strace(make_call("getdents64", {3, kBuf, 32768}, 0), mem),
              "getdents64(3, 0x30000 /* 0 entries */, 32768) = 0");
    EXPECT_EQ(
        decode_to_strace(make_call("getdents64", {3, kBuf, 32768}, 48), mem, verbose_options()),
        "getdents64(3, [{d_ino=11, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, "
        "{d_ino=2, d_off=2, d_reclen=24, d_type=DT_DIR, d_name=\"..\"}], 32768) = 48");
    EXPECT_EQ(decode_to_strace(make_call("getdents64", {99, kBuf, 32768}, -1, EBADF), mem),
              "getdents64(99, 0x30000, 32768)");
}

TEST(FileDecode, MknodShowsTheTypeAndADevicesNumber) {
    FakeMemory mem;
    mem.put_string(kPath, "null");
    EXPECT_EQ(decode_to_strace(make_call("mknod", {kPath, S_IFCHR | 0666, makedev(1, 3)}), mem),
              R"(mknod("null", S_IFCHR|0666, makedev(0x1, 0x3)) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("mknod", {kPath, S_IFIFO | 0600}), mem),
              R"(mknod("null", S_IFIFO|0600) = 0)");
}

// x86_64's struct stat with a mode, a size and an rdev.
struct stat make_stat(mode_t mode, off_t size, dev_t rdev = 0) {
    struct stat st {};
    st.st_dev = makedev(8, 1);
    st.st_ino = 42;
    st.st_mode = mode;
    st.st_nlink = 1;
    st.st_size = size;
    st.st_rdev = rdev;
    st.st_blksize = 4096;
    st.st_blocks = 8;
    return st;
}

TEST(StatDecode, NewfstatatShowsTheModeAndSizeOrTheDevice) {
    FakeMemory mem;
    mem.put_string(kPath, "");
    mem.put(kBuf, make_stat(S_IFREG | 0644, 43927));
    EXPECT_EQ(
        decode_to_strace(make_call("newfstatat", {3, kPath, kBuf, AT_EMPTY_PATH}), mem),
        R"(newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=43927, ...}, AT_EMPTY_PATH) = 0)");
    mem.put(kBuf, make_stat(S_IFCHR | 0666, 0, makedev(1, 3)));
    EXPECT_EQ(decode_to_strace(make_call("fstat", {0, kBuf}), mem),
              "fstat(0, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
    // What the kernel did not fill is an address.
    EXPECT_EQ(decode_to_strace(make_call("stat", {kPath, kBuf}, -1, ENOENT), mem),
              R"(stat("", 0x30000))");
    // The struct comes at exit, after the entry half's ", ".
    EXPECT_EQ(split_to_strace(make_call("newfstatat", {kAtFdcwd, kPath, kBuf, 0}), mem),
              R"(newfstatat(AT_FDCWD, "",  <unfinished ...> | <... newfstatat resumed>)"
              R"({st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0))");
}

TEST(StatDecode, VerboseStatShowsEveryField) {
    FakeMemory mem;
    mem.put(kBuf, make_stat(S_IFDIR | S_ISVTX | 0777, 4096));
    const std::string rest =
        "st_nlink=1, st_uid=0, st_gid=0, st_blksize=4096, st_blocks=8, st_size=4096, "
        "st_atime=0, st_atime_nsec=0, st_mtime=0, st_mtime_nsec=0, st_ctime=0, "
        "st_ctime_nsec=0}) = 0";
    const auto fstat_in = [&](XlatStyle xlat) {
        return decode_to_strace(make_call("fstat", {3, kBuf}), mem, verbose_options(),
                                StraceStyle{.xlat = xlat});
    };
    EXPECT_EQ(
        fstat_in(XlatStyle::Abbrev),
        "fstat(3, {st_dev=makedev(0x8, 0x1), st_ino=42, st_mode=S_IFDIR|S_ISVTX|0777, " + rest);
    // The device and the mode are names of numbers: -X raw prints the
    // numbers, -X verbose both.
    EXPECT_EQ(fstat_in(XlatStyle::Raw),
              "fstat(3, {st_dev=0x801, st_ino=42, st_mode=041777, " + rest);
    EXPECT_EQ(fstat_in(XlatStyle::Verbose),
              "fstat(3, {st_dev=0x801 /* makedev(0x8, 0x1) */, st_ino=42, "
              "st_mode=041777 /* S_IFDIR|S_ISVTX|0777 */, " +
                  rest);
}

TEST(StatDecode, StatxJoinsTheSyncTypeAndFlagsAndNamesTheMask) {
    FakeMemory mem;
    mem.put_string(kPath, ".");
    char stx[256] = {};
    const std::uint32_t mask = 0x17ff;  // STATX_BASIC_STATS|STATX_MNT_ID
    const std::uint16_t mode = S_IFDIR | 0755;
    const std::uint64_t size = 4096;
    std::memcpy(stx, &mask, 4);
    std::memcpy(stx + 28, &mode, 2);
    std::memcpy(stx + 40, &size, 8);
    mem.put(kBuf, stx, sizeof stx);
    EXPECT_EQ(decode_to_strace(
                  make_call("statx", {kAtFdcwd, kPath, AT_SYMLINK_NOFOLLOW, 0xfff, kBuf}), mem),
              R"(statx(AT_FDCWD, ".", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_ALL, )"
              "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, "
              "stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0");
}

TEST(StatDecode, StatfsNamesTheFileSystem) {
    FakeMemory mem;
    mem.put_string(kPath, "/");
    std::int64_t b[15] = {0xef53, 4096, 100, 50, 40, 10, 5, 0, 255, 4096, 0x20 | 0x1000};
    mem.put(kBuf, b);
    EXPECT_EQ(decode_to_strace(make_call("statfs", {kPath, kBuf}), mem),
              R"(statfs("/", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=100, f_bfree=50, )"
              "f_bavail=40, f_files=10, f_ffree=5, f_fsid={val=[0, 0]}, f_namelen=255, "
              "f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0");
}

TEST(FileDecode, ThePathIsKnownBeforeTheCallReturns) {
    FakeMemory mem;
    mem.put_string(kPath, "/etc/passwd");
    EXPECT_EQ(decode_entry_to_strace(make_call("stat", {kPath, kBuf}), mem), R"("/etc/passwd")");
    EXPECT_EQ(decode_entry_to_strace(make_call("unlink", {kPath}), mem), R"("/etc/passwd")");
}

}  // namespace
}  // namespace sctrace
