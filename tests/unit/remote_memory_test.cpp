// Reading another process's memory: a forked child holds known bytes next to
// an unmapped page, and we read them from the parent.
#include "sources/live/remote_memory.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace sctrace {
namespace {

constexpr std::size_t kPage = 4096;

// A child process whose memory holds, at page_end - 5, the five bytes
// "hello" and then an unmapped page; it sleeps until killed. The mapping is
// made before fork, so the address is the same in parent and child.
class ChildWithHole : public ::testing::Test {
protected:
    void SetUp() override {
        void* two =
            mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(two, MAP_FAILED);
        base_ = static_cast<char*>(two);
        std::memset(base_, 'x', kPage);
        std::memcpy(base_ + kPage - 5, "hello", 5);
        std::memcpy(base_, "a string\0", 9);
        ASSERT_EQ(munmap(base_ + kPage, kPage), 0);
        child_ = fork();
        ASSERT_GE(child_, 0);
        if (child_ == 0) {
            for (;;) pause();
        }
        // The parent changes its copy: reads must come from the child.
        std::memcpy(base_, "parent's!", 9);
    }
    void TearDown() override {
        if (child_ > 0) {
            kill(child_, SIGKILL);
            waitpid(child_, nullptr, 0);
        }
        munmap(base_, kPage);
    }
    std::uint64_t addr(std::size_t offset) const {
        return reinterpret_cast<std::uint64_t>(base_ + offset);
    }

    char* base_ = nullptr;
    pid_t child_ = -1;
};

TEST_F(ChildWithHole, ReadsTheChildsBytesNotOurs) {
    char buf[9];
    ASSERT_EQ(read_remote(child_, addr(0), buf), sizeof buf);
    EXPECT_EQ(std::string(buf, 8), "a string");
}

TEST_F(ChildWithHole, StopsAtAnUnmappedPageWithWhatWasReadable) {
    char buf[64];
    EXPECT_EQ(read_remote(child_, addr(kPage - 5), buf), 5u);
    EXPECT_EQ(std::string(buf, 5), "hello");
    EXPECT_EQ(read_remote(child_, addr(kPage), buf), 0u);
}

TEST_F(ChildWithHole, ProcMemFallbackReadsTheSameBytes) {
    char buf[9];
    ASSERT_EQ(read_remote_via_proc_mem(child_, addr(0), buf), sizeof buf);
    EXPECT_EQ(std::string(buf, 8), "a string");
}

TEST_F(ChildWithHole, CStringsEndAtNulAtLimitOrAtTheHole) {
    char buf[64];
    bool truncated = true;
    EXPECT_EQ(read_remote_cstring(child_, addr(0), buf, &truncated), "a string");
    EXPECT_FALSE(truncated);

    char small[4];
    EXPECT_EQ(read_remote_cstring(child_, addr(0), small, &truncated), "a s");
    EXPECT_TRUE(truncated);

    // No NUL before the unmapped page: the readable part, not a fault.
    EXPECT_EQ(read_remote_cstring(child_, addr(kPage - 5), buf, &truncated), "hello");
    EXPECT_EQ(read_remote_cstring(child_, 0, buf, &truncated), "");
}

TEST(RemoteMemory, AGoneProcessReadsNothing) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) _exit(0);
    ASSERT_EQ(waitpid(child, nullptr, 0), child);
    char buf[16];
    int local = 0;
    EXPECT_EQ(read_remote(child, reinterpret_cast<std::uint64_t>(&local), buf), 0u);
}

}  // namespace
}  // namespace sctrace
