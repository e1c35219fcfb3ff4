// An io_uring's own descriptor table in the state (engine/ring_files.h):
// files registered with io_uring_register, read from its decoded arguments
// (here strace's notation, as sctrace's JSONL log and a parsed line give
// them), slots used with IOSQE_FIXED_FILE, and direct descriptors; and what
// the fd rules make of them.
#include "engine/ring_files.h"

#include <gtest/gtest.h>
#include <linux/io_uring.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/arg_query.h"
#include "engine/state.h"
#include "rule_pack.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

TEST(DirectKeys, NoProcessFdOrSpecialValueIsAKey) {
    EXPECT_FALSE(is_direct_key(-1));
    EXPECT_FALSE(is_direct_key(-100)) << "AT_FDCWD";
    EXPECT_FALSE(is_direct_key(0));
    EXPECT_FALSE(is_direct_key(INT_MAX));
    const auto k = direct_key(3, 2);
    ASSERT_TRUE(k);
    EXPECT_TRUE(is_direct_key(*k));
    EXPECT_EQ(direct_ring_fd(*k), 3);
    EXPECT_EQ(direct_slot(*k), 2u);
    EXPECT_NE(direct_key(3, 2), direct_key(2, 3));
    EXPECT_FALSE(direct_key(kMaxDirectRingFd, 0)) << "a ring fd past the bound";
    EXPECT_FALSE(direct_key(3, kMaxRingFiles));
    const auto last = direct_key(kMaxDirectRingFd - 1, kMaxRingFiles - 1);
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, kLastDirectKey);
}

}  // namespace
}  // namespace sctrace
