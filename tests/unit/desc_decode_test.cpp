// The desc family's decoders on synthetic calls: strace 6.1's text for
// read/write and their vector forms, open, dup, fcntl, pipes, eventfds and
// mmap (each expectation was checked against strace 6.1 itself).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

constexpr std::uint64_t kBuf = 0x10000;
constexpr std::uint64_t kPath = 0x20000;
constexpr std::uint64_t kIov = 0x30000;

TEST(DescDecode, ReadShowsTheBytesReadAtExitCutAtTheStringLimit) {
    FakeMemory mem;
    mem.put(kBuf, "The quick brown fox jumps over the lazy dog", 43);
    EXPECT_EQ(decode_to_strace(make_call("read", {3, kBuf, 100}, 43), mem, 16),
              R"(read(3, "The quick brown "..., 100) = 43)");
    EXPECT_EQ(decode_to_strace(make_call("read", {3, kBuf, 100}, 9), mem, 16),
              R"(read(3, "The quick", 100) = 9)");
    EXPECT_EQ(decode_to_strace(make_call("read", {3, kBuf, 100}, 0), mem),
              R"(read(3, "", 100) = 0)");
    // Only the fd is known before the call returns.
    EXPECT_EQ(decode_entry_to_strace(make_call("read", {3, kBuf, 100}), mem), "3");
}

TEST(DescDecode, AFailedReadShowsTheBufferAddress) {
    FakeMemory mem;
    mem.put(kBuf, "stale", 5);
    EXPECT_EQ(decode_to_strace(make_call("read", {99, kBuf, 10}, 0, EBADF), mem),
              "read(99, 0x10000, 10)");
    EXPECT_EQ(decode_to_strace(make_call("pread64", {99, kBuf, 8, 0}, 0, EBADF), mem),
              "pread64(99, 0x10000, 8, 0)");
}

TEST(DescDecode, WriteEscapesBinaryData) {
    FakeMemory mem;
    const char data[] = {'\0', '\1', '\2', '7', '\177', '\377', '\n', '\t', '"', '\\'};
    mem.put(kBuf, data, sizeof data);
    EXPECT_EQ(decode_to_strace(make_call("write", {3, kBuf, sizeof data}, 10), mem),
              R"(write(3, "\0\1\0027\177\377\n\t\"\\", 10) = 10)");
    EXPECT_EQ(decode_to_strace(make_call("pwrite64", {3, kBuf, 4, 200}, 4), mem),
              R"(pwrite64(3, "\0\1\0027", 4, 200) = 4)");
    EXPECT_EQ(decode_to_strace(make_call("write", {1, 0, 5}, 0, EFAULT), mem), "write(1, NULL, 5)");
}

TEST(DescDecode, ReadvSpreadsTheBytesReadOverTheVectors) {
    FakeMemory mem;
    mem.put(kBuf, "The quick brown fox jumps over", 30);
    const iovec iov[3] = {{reinterpret_cast<void*>(kBuf), 4},
                          {reinterpret_cast<void*>(kBuf + 4), 8},
                          {reinterpret_cast<void*>(kBuf + 12), 64}};
    mem.put(kIov, iov);
    EXPECT_EQ(decode_to_strace(make_call("readv", {4, kIov, 3}, 20), mem),
              R"(readv(4, [{iov_base="The ", iov_len=4}, {iov_base="quick br", iov_len=8}, )"
              R"({iov_base="own fox ", iov_len=64}], 3) = 20)");
    // Fewer bytes than the first vector holds: the rest show "".
    EXPECT_EQ(decode_to_strace(make_call("readv", {4, kIov, 2}, 2), mem),
              R"(readv(4, [{iov_base="Th", iov_len=4}, {iov_base="", iov_len=8}], 2) = 2)");
    // A failed readv shows where the data would have gone.
    EXPECT_EQ(decode_to_strace(make_call("readv", {99, kIov, 2}, 0, EBADF), mem),
              "readv(99, [{iov_base=0x10000, iov_len=4}, {iov_base=0x10004, iov_len=8}], 2)");
    EXPECT_EQ(decode_to_strace(make_call("readv", {4, kIov, 0}, 0), mem), "readv(4, [], 0) = 0");
}

TEST(DescDecode, WritevShowsEveryVectorUpToTheStringLimit) {
    FakeMemory mem;
    mem.put(kBuf, "abcdefgh", 8);
    iovec iov[5];
    for (auto& v : iov) v = {reinterpret_cast<void*>(kBuf), 2};
    mem.put(kIov, iov);
    // -s also bounds how many elements an array shows.
    EXPECT_EQ(decode_to_strace(make_call("writev", {3, kIov, 5}, 10), mem, 3),
              R"(writev(3, [{iov_base="ab", iov_len=2}, {iov_base="ab", iov_len=2}, )"
              R"({iov_base="ab", iov_len=2}, ...], 5) = 10)");
    // An unreadable array is shown by its address.
    EXPECT_EQ(decode_to_strace(make_call("writev", {3, 0x999000, 2}, 0, EFAULT), mem),
              "writev(3, 0x999000, 2)");
    // An array readable only in part: what could be read, then where the
    // reading stopped, as strace's print_array shows it.
    EXPECT_EQ(decode_to_strace(make_call("writev", {3, kIov + 4 * sizeof(iovec), 3}, 2), mem),
              R"(writev(3, [{iov_base="ab", iov_len=2}, ... /* 0x30050 */], 3) = 2)");
}

TEST(DescDecode, OpenShowsTheModeOnlyWhenItIsUsed) {
    FakeMemory mem;
    mem.put_string(kPath, "/tmp/a-path-longer-than-the-string-limit");
    EXPECT_EQ(decode_to_strace(make_call("openat",
                                         {static_cast<std::uint64_t>(AT_FDCWD), kPath,
                                          O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640},
                                         3),
                               mem, 8),
              R"(openat(AT_FDCWD, "/tmp/a-path-longer-than-the-string-limit", )"
              R"(O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC, 0640) = 3)");
    EXPECT_EQ(decode_to_strace(
                  make_call("openat", {12345, kPath, O_RDONLY | O_DIRECTORY, 0777}, 0, EBADF), mem),
              R"(openat(12345, "/tmp/a-path-longer-than-the-string-limit", O_RDONLY|O_DIRECTORY))");
    EXPECT_EQ(
        decode_to_strace(
            make_call("openat",
                      {static_cast<std::uint64_t>(AT_FDCWD), kPath, O_WRONLY | O_TMPFILE, 0600}, 4),
            mem),
        R"(openat(AT_FDCWD, "/tmp/a-path-longer-than-the-string-limit", )"
        R"(O_WRONLY|O_TMPFILE, 0600) = 4)");
    EXPECT_EQ(decode_to_strace(make_call("open", {kPath, O_WRONLY | O_APPEND | O_SYNC}, 5), mem),
              R"(open("/tmp/a-path-longer-than-the-string-limit", O_WRONLY|O_APPEND|O_SYNC) = 5)");
    // Small modes keep strace's "%#03o" form.
    EXPECT_EQ(decode_to_strace(make_call("creat", {kPath, 0}, 6), mem),
              R"(creat("/tmp/a-path-longer-than-the-string-limit", 000) = 6)");
    EXPECT_EQ(decode_to_strace(make_call("creat", {kPath, 07}, 6), mem),
              R"(creat("/tmp/a-path-longer-than-the-string-limit", 007) = 6)");
    EXPECT_EQ(decode_to_strace(make_call("open", {0x999000, O_RDONLY}, 0, EFAULT), mem),
              "open(0x999000, O_RDONLY)");
}

TEST(DescDecode, DupAndCloseFamilies) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("close", {0xffffffff}, 0, EBADF), mem), "close(-1)");
    EXPECT_EQ(decode_to_strace(make_call("dup2", {3, 20}, 20), mem), "dup2(3, 20) = 20");
    EXPECT_EQ(decode_to_strace(make_call("dup3", {3, 21, O_CLOEXEC}, 21), mem),
              "dup3(3, 21, O_CLOEXEC) = 21");
    EXPECT_EQ(decode_to_strace(make_call("dup3", {3, 3, 0}, 0, EINVAL), mem), "dup3(3, 3, 0)");
    EXPECT_EQ(decode_to_strace(make_call("close_range", {30, 0xffffffff, 4}), mem),
              "close_range(30, 4294967295, CLOSE_RANGE_CLOEXEC) = 0");
    EXPECT_EQ(decode_to_strace(make_call("close_range", {40, 50, 0x100}, 0, EINVAL), mem),
              "close_range(40, 50, 0x100 /* CLOSE_RANGE_??? */)");
}

TEST(DescDecode, FcntlDecodesFlagResultsInHex) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_GETFL}, 0x8c02), mem),
              "fcntl(3, F_GETFL) = 0x8c02 (flags O_RDWR|O_APPEND|O_NONBLOCK|O_LARGEFILE)");
    // A zero result is "0", as C's %#x prints it.
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {8, F_GETFL}, 0), mem),
              "fcntl(8, F_GETFL) = 0 (flags O_RDONLY)");
    // strace names these flags whatever -X says; the command follows it.
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_GETFL}, 0x8002), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Raw}),
              "fcntl(3, 0x3) = 0x8002 (flags O_RDWR|O_LARGEFILE)");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_GETFD}, 1), mem),
              "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {6, F_GETFD}, 0), mem), "fcntl(6, F_GETFD) = 0");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_SETFL, O_NONBLOCK | O_APPEND}), mem),
              "fcntl(3, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {6, F_SETFD, FD_CLOEXEC}), mem),
              "fcntl(6, F_SETFD, FD_CLOEXEC) = 0");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_DUPFD_CLOEXEC, 0}, 7), mem),
              "fcntl(3, F_DUPFD_CLOEXEC, 0) = 7");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, 0x4000, 7}, 0, EINVAL), mem),
              "fcntl(3, 0x4000 /* F_??? */, 0x7)");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {99, F_GETFL}, 0, EBADF), mem),
              "fcntl(99, F_GETFL)");
}

TEST(DescDecode, FcntlLocksShowThePidOnlyForGetlk) {
    FakeMemory mem;
    struct flock lk {};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    lk.l_len = 100;
    lk.l_pid = 4242;
    mem.put(kBuf, lk);
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_SETLK, kBuf}), mem),
              "fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("fcntl", {3, F_GETLK, kBuf}), mem),
              "fcntl(3, F_GETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100, "
              "l_pid=4242}) = 0");
    // F_GETLK's struct is the kernel's answer: nothing of it at entry.
    EXPECT_EQ(decode_entry_to_strace(make_call("fcntl", {3, F_GETLK, kBuf}), mem), "3, F_GETLK");
}

TEST(DescDecode, PipesShowTheFdsTheKernelWrote) {
    FakeMemory mem;
    const int fds[2] = {11, 12};
    mem.put(kBuf, fds);
    EXPECT_EQ(decode_to_strace(make_call("pipe2", {kBuf, O_NONBLOCK | O_CLOEXEC}), mem),
              "pipe2([11, 12], O_NONBLOCK|O_CLOEXEC) = 0");
    EXPECT_EQ(decode_to_strace(make_call("pipe", {kBuf}), mem), "pipe([11, 12]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("pipe2", {kBuf, 0xffff}, 0, EINVAL), mem),
              "pipe2(0x10000, O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_DSYNC|"
              "O_DIRECT|O_LARGEFILE|FASYNC|0x3f)");
}

TEST(DescDecode, EventfdFlags) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("eventfd2", {5, 02004000}, 13), mem),
              "eventfd2(5, EFD_CLOEXEC|EFD_NONBLOCK) = 13");
    EXPECT_EQ(decode_to_strace(make_call("eventfd2", {0, 0x10}, 0, EINVAL), mem),
              "eventfd2(0, 0x10 /* EFD_??? */)");
    EXPECT_EQ(decode_to_strace(make_call("eventfd", {0}, 14), mem), "eventfd(0) = 14");
}

TEST(DescDecode, MmapPrintsTypeFlagsAndAHexResult) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("mmap",
                                         {0, 8192, PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, 0xffffffffffffffff, 0},
                                         0x7ffff7fbe000),
                               mem),
              "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
              "0x7ffff7fbe000");
    EXPECT_EQ(
        decode_to_strace(make_call("mmap",
                                   {0x7ffff7df9000, 4096, PROT_NONE,
                                    MAP_SHARED_VALIDATE | MAP_FIXED | MAP_POPULATE, 3, 0x26000},
                                   0x7ffff7df9000),
                         mem),
        "mmap(0x7ffff7df9000, 4096, PROT_NONE, MAP_SHARED_VALIDATE|MAP_FIXED|MAP_POPULATE, "
        "3, 0x26000) = 0x7ffff7df9000");
    // io_uring's ring offsets are plain hex offsets.
    EXPECT_EQ(decode_to_strace(make_call("mmap",
                                         {0, 4096, PROT_READ | PROT_WRITE,
                                          MAP_SHARED | MAP_POPULATE, 5, 0x10000000},
                                         0x7ffff7fb0000),
                               mem),
              "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, 5, 0x10000000) = "
              "0x7ffff7fb0000");
    EXPECT_EQ(decode_to_strace(make_call("mmap",
                                         {0, 2097152, PROT_READ,
                                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21u << 26),
                                          0xffffffffffffffff, 0},
                                         0x7ffff7a00000),
                               mem),
              "mmap(NULL, 2097152, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|"
              "21<<MAP_HUGE_SHIFT, -1, 0) = 0x7ffff7a00000");
    EXPECT_EQ(decode_to_strace(make_call("munmap", {0x7ffff7fbe000, 8192}), mem),
              "munmap(0x7ffff7fbe000, 8192) = 0");
}

}  // namespace
}  // namespace sctrace
