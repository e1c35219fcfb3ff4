// strace's -e read=SET / -e write=SET: what the decoders keep of a call's
// data (decoders/io_dump.cpp) and how the strace writer dumps it
// (append_strace_io_dump), on a fake address space.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <string>

#include "decode_test_util.h"
#include "report/strace_format.h"

namespace sctrace {
namespace {

using testing::FakeMemory;
using testing::make_call;

DescriptorSet only(std::vector<int> fds) {
    DescriptorSet set;
    set.fds = std::move(fds);
    return set;
}

// The dump lines strace prints after `call`'s line, with these sets.
std::string dump_of(const SyscallEvent& call, FakeMemory& memory, DescriptorSet reads,
                    DescriptorSet writes) {
    ArgTree tree;
    DecodeOptions options;
    options.dump_reads = std::move(reads);
    options.dump_writes = std::move(writes);
    decode_entry(call, tree, memory, options);
    decode_exit(call, tree, memory, options);
    fmt::memory_buffer out;
    append_strace_io_dump(out, tree, 4711);
    return fmt::to_string(out);
}

TEST(IoDump, AWriteIsDumpedInHexAndAscii) {
    FakeMemory memory;
    const std::uint64_t buf = memory.put(0x1000, "hello\n", 6);
    const std::string dump = dump_of(make_call("write", {1, buf, 6}, 6), memory, {}, only({1}));
    EXPECT_EQ(dump,
              " | 00000  68 65 6c 6c 6f 0a                                 hello.           |\n");
}

TEST(IoDump, LinesHoldSixteenBytesInTwoGroupsOfEight) {
    FakeMemory memory;
    const std::string data = "0123456789abcdefXYZ";
    const std::uint64_t buf = memory.put(0x1000, data.data(), data.size());
    EXPECT_EQ(dump_of(make_call("write", {3, buf, data.size()}, 19), memory, {}, only({3})),
              " | 00000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  0123456789abcdef |\n"
              " | 00010  58 59 5a                                          XYZ              |\n");
}

TEST(IoDump, OnlyTheSetsDescriptorsAndDirections) {
    FakeMemory memory;
    const std::uint64_t buf = memory.put(0x1000, "data", 4);
    // fd 5 is not in the write set; a read set does not dump writes.
    EXPECT_EQ(dump_of(make_call("write", {5, buf, 4}, 4), memory, only({5}), only({1, 4})), "");
    // "!1": every descriptor but 1.
    DescriptorSet all_but_one = only({1});
    all_but_one.inverted = true;
    EXPECT_NE(dump_of(make_call("write", {5, buf, 4}, 4), memory, {}, all_but_one), "");
    EXPECT_EQ(dump_of(make_call("write", {1, buf, 4}, 4), memory, {}, all_but_one), "");
}

TEST(IoDump, AReadShowsWhatItReturnedAndNothingWhenItFailed) {
    FakeMemory memory;
    const std::uint64_t buf = memory.put(0x1000, "abcdefgh", 8);
    EXPECT_EQ(dump_of(make_call("read", {0, buf, 8}, 3), memory, only({0}), {}),
              " | 00000  61 62 63                                          abc              |\n");
    EXPECT_EQ(dump_of(make_call("read", {0, buf, 8}, -1, EAGAIN), memory, only({0}), {}), "");
}

TEST(IoDump, AFailedWriteIsStillDumpedWholeAsAsked) {
    FakeMemory memory;
    const std::uint64_t buf = memory.put(0x1000, "xy", 2);
    // strace dumps the length argument, whatever the call did with it.
    EXPECT_EQ(dump_of(make_call("write", {1, buf, 2}, -1, EBADF), memory, {}, only({1})),
              " | 00000  78 79                                             xy               |\n");
    // An unreadable buffer shows nothing.
    EXPECT_EQ(dump_of(make_call("write", {1, 0x9000, 2}, -1, EFAULT), memory, {}, only({1})), "");
}

TEST(IoDump, IovecsAreDumpedPerBufferUpToTheResult) {
    FakeMemory memory;
    memory.put(0x1000, "012", 3);
    memory.put(0x2000, "34567", 5);
    const std::uint64_t iov[] = {0x1000, 3, 0x2000, 5};
    const std::uint64_t vec = memory.put(0x3000, iov);
    EXPECT_EQ(dump_of(make_call("writev", {1, vec, 2}, 8), memory, {}, only({1})),
              " * 3 bytes in buffer 0\n"
              " | 00000  30 31 32                                          012              |\n"
              " * 5 bytes in buffer 1\n"
              " | 00000  33 34 35 36 37                                    34567            |\n");
    // readv returned 4: three bytes of the first buffer, one of the second.
    EXPECT_EQ(dump_of(make_call("readv", {0, vec, 2}, 4), memory, only({0}), {}),
              " * 3 bytes in buffer 0\n"
              " | 00000  30 31 32                                          012              |\n"
              " * 1 bytes in buffer 1\n"
              " | 00000  33                                                3                |\n");
}

TEST(IoDump, AnIovecArrayIsDumpedOnlyWhenAllOfItIsReadable) {
    FakeMemory memory;
    memory.put(0x1000, "012", 3);
    const std::uint64_t iov[] = {0x1000, 3};
    const std::uint64_t vec = memory.put(0x3000, iov);
    // Two elements claimed, one readable: strace fetches the array whole.
    EXPECT_EQ(dump_of(make_call("writev", {1, vec, 2}, -1, EFAULT), memory, {}, only({1})), "");
}

TEST(IoDump, MessagesDumpTheirIovecs) {
    FakeMemory memory;
    memory.put(0x1000, "hi", 2);
    const std::uint64_t iov[] = {0x1000, 2};
    const std::uint64_t vec = memory.put(0x3000, iov);
    struct msghdr msg {};
    msg.msg_iov = reinterpret_cast<struct iovec*>(vec);
    msg.msg_iovlen = 1;
    const std::uint64_t m = memory.put(0x4000, msg);
    EXPECT_EQ(dump_of(make_call("sendmsg", {1, m, 0}, 2), memory, {}, only({1})),
              " * 2 bytes in buffer 0\n"
              " | 00000  68 69                                             hi               |\n");
    struct mmsghdr mm[2]{};
    mm[0].msg_hdr = msg;
    mm[0].msg_len = 1;
    mm[1].msg_hdr = msg;
    mm[1].msg_len = 2;
    const std::uint64_t mms = memory.put(0x5000, mm);
    // recvmmsg returned 1: one message, msg_len bytes of it.
    EXPECT_EQ(dump_of(make_call("recvmmsg", {0, mms, 2, 0, 0}, 1), memory, only({0}), {}),
              " = 1 buffers in vector 0\n"
              " * 1 bytes in buffer 0\n"
              " | 00000  68                                                h                |\n");
}

TEST(IoDump, ABufferCutShortPastItsFirstPieceSaysSo) {
    // 64 KiB readable of a 3 MiB buffer: the offsets widen past 1 MiB, and
    // the piece that could not be fetched is named.
    ArgTree tree;
    const std::uint64_t length = 3 << 20;
    tree.begin_dump_data(0x10000, length);
    const std::span<char> room = tree.dump_room(64 * 1024);
    std::fill(room.begin(), room.end(), 'A');
    tree.commit_dump_data(room.size());
    fmt::memory_buffer out;
    append_strace_io_dump(out, tree, 4711);
    const std::string dump = fmt::to_string(out);
    EXPECT_TRUE(dump.starts_with(" | 000000  41 41")) << dump.substr(0, 80);
    EXPECT_TRUE(
        dump.ends_with(" | 00fff0  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  "
                       "AAAAAAAAAAAAAAAA |\n"
                       " | <Cannot fetch 65536 bytes from pid 4711 @0x20000>\n"))
        << dump.substr(dump.size() - 200);
}

TEST(IoDump, NothingIsKeptWithoutSets) {
    FakeMemory memory;
    const std::uint64_t buf = memory.put(0x1000, "data", 4);
    ArgTree tree;
    const SyscallEvent call = make_call("write", {1, buf, 4}, 4);
    decode_entry(call, tree, memory, DecodeOptions{});
    decode_exit(call, tree, memory, DecodeOptions{});
    EXPECT_TRUE(tree.dump().empty());
}

}  // namespace
}  // namespace sctrace
