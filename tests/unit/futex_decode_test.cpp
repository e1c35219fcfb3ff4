// The futex decoders on synthetic calls: every command's argument shape,
// the op's flags, FUTEX_WAKE_OP's encoding and futex_waitv's array.
#include <linux/futex.h>
#include <time.h>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

constexpr std::uint64_t kWord = 0x55555555807c, kWord2 = 0x555555558078, kTs = 0x7ffc0000;

std::string futex(FakeMemory& m, std::uint64_t op, std::uint64_t val, std::uint64_t a3,
                  std::uint64_t a4, std::uint64_t a5, std::int64_t ret = 0, int err = 0) {
    return decode_to_strace(make_call("futex", {kWord, op, val, a3, a4, a5}, ret, err), m);
}

TEST(FutexDecode, WaitWithAndWithoutTimeout) {
    FakeMemory m;
    const timespec ts{0, 1000000};
    m.put(kTs, ts);
    EXPECT_EQ(futex(m, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0),
              "futex(0x55555555807c, FUTEX_WAIT_PRIVATE, 0, NULL) = 0");
    EXPECT_EQ(futex(m, FUTEX_WAIT, 1, kTs, 0, 0),
              "futex(0x55555555807c, FUTEX_WAIT, 1, {tv_sec=0, tv_nsec=1000000}) = 0");
    // An unreadable timeout is shown as its address.
    EXPECT_EQ(futex(m, FUTEX_WAIT, 1, 0x1000, 0, 0),
              "futex(0x55555555807c, FUTEX_WAIT, 1, 0x1000) = 0");
}

TEST(FutexDecode, ClockRealtimeAndBitsets) {
    FakeMemory m;
    const timespec ts{1, 500};
    m.put(kTs, ts);
    EXPECT_EQ(futex(m, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, kTs, 0,
                    FUTEX_BITSET_MATCH_ANY),
              "futex(0x55555555807c, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, "
              "{tv_sec=1, tv_nsec=500}, FUTEX_BITSET_MATCH_ANY) = 0");
    EXPECT_EQ(futex(m, FUTEX_WAKE_BITSET, 1, 0, 0, 5),
              "futex(0x55555555807c, FUTEX_WAKE_BITSET, 1, 0x5) = 0");
    // The clock flag on a command that takes no clock is not a name strace knows.
    EXPECT_EQ(futex(m, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0),
              "futex(0x55555555807c, 0x101 /* FUTEX_??? */, 1) = 0");
    EXPECT_EQ(futex(m, 14, 3, 0x10, kWord2, 0x20),
              "futex(0x55555555807c, 0xe /* FUTEX_??? */, 3, 0x10, 0x555555558078, 0x20) = 0");
}

TEST(FutexDecode, WakeRequeueAndPi) {
    FakeMemory m;
    EXPECT_EQ(futex(m, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0, 1),
              "futex(0x55555555807c, FUTEX_WAKE_PRIVATE, 1) = 1");
    EXPECT_EQ(futex(m, FUTEX_REQUEUE_PRIVATE, 1, 2, kWord2, 0),
              "futex(0x55555555807c, FUTEX_REQUEUE_PRIVATE, 1, 2, 0x555555558078) = 0");
    EXPECT_EQ(futex(m, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, kWord2, 9),
              "futex(0x55555555807c, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, 0x555555558078, 9) = 0");
    EXPECT_EQ(futex(m, FUTEX_LOCK_PI_PRIVATE, 0, 0, 0, 0),
              "futex(0x55555555807c, FUTEX_LOCK_PI_PRIVATE, NULL) = 0");
    EXPECT_EQ(futex(m, FUTEX_UNLOCK_PI, 0, 0, 0, 0), "futex(0x55555555807c, FUTEX_UNLOCK_PI) = 0");
    EXPECT_EQ(futex(m, FUTEX_FD | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0),
              "futex(0x55555555807c, FUTEX_FD|FUTEX_PRIVATE_FLAG, 0) = 0");
}

TEST(FutexDecode, WakeOpEncoding) {
    FakeMemory m;
    EXPECT_EQ(futex(m, FUTEX_WAKE_OP_PRIVATE, 1, 1, kWord2,
                    FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0)),
              "futex(0x55555555807c, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x555555558078, "
              "FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0) = 0");
    EXPECT_EQ(futex(m, FUTEX_WAKE_OP, 1, 0, kWord2,
                    FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 3, FUTEX_OP_CMP_EQ, 5)),
              "futex(0x55555555807c, FUTEX_WAKE_OP, 1, 0, 0x555555558078, "
              "FUTEX_OP_OPARG_SHIFT<<28|FUTEX_OP_OR<<28|0x3<<12|FUTEX_OP_CMP_EQ<<24|0x5) = 0");
    // Unknown op and comparison codes.
    EXPECT_EQ(futex(m, FUTEX_WAKE_OP, 1, 0, kWord2, (7u << 28) | (9u << 24)),
              "futex(0x55555555807c, FUTEX_WAKE_OP, 1, 0, 0x555555558078, "
              "0x7<<28 /* FUTEX_OP_??? */|0<<12|0x9<<24 /* FUTEX_OP_CMP_??? */|0) = 0");
}

TEST(FutexDecode, AnUnfinishedWaitShowsEveryArgument) {
    FakeMemory m;
    EXPECT_EQ(decode_entry_to_strace(make_call("futex", {kWord, FUTEX_WAIT_PRIVATE, 0, 0}), m),
              "0x55555555807c, FUTEX_WAIT_PRIVATE, 0, NULL");
}

TEST(FutexDecode, Waitv) {
    FakeMemory m;
    struct futex_waitv w[2] = {
        {5, kWord, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0},
        {0, kWord2, FUTEX_32, 0},
    };
    m.put(0x1000, w);
    EXPECT_EQ(decode_to_strace(
                  make_call("futex_waitv", {0x1000, 2, 0, 0, CLOCK_MONOTONIC}, -1, EAGAIN), m),
              "futex_waitv([{val=0x5, uaddr=0x55555555807c, flags=FUTEX_32|FUTEX_PRIVATE_FLAG}, "
              "{val=0, uaddr=0x555555558078, flags=FUTEX_32}], 2, 0, NULL, CLOCK_MONOTONIC)");
    EXPECT_EQ(decode_to_strace(make_call("futex_waitv", {0x2000, 1, 0, 0, 77}), m),
              "futex_waitv(0x2000, 1, 0, NULL, 0x4d /* CLOCK_??? */) = 0");
}

}  // namespace
}  // namespace sctrace
