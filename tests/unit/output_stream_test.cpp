// An output that fails says so once and drops the rest; a reader that closed
// its pipe is said but is not a loss.
#include "report/output_stream.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sctrace {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

TEST(OutputStream, AFullDiskIsSaidOnceNamingTheFileAndCountsAsLost) {
    const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) GTEST_SKIP() << "no /dev/full";
    OutputStream out(fd, "/dev/full");
    testing::internal::CaptureStderr();
    EXPECT_FALSE(out.write("first\n"));
    EXPECT_FALSE(out.write("second\n"));
    out.fail(EIO);  // a later error changes nothing
    const std::string err = testing::internal::GetCapturedStderr();
    ::close(fd);
    EXPECT_EQ(err, "sctrace: /dev/full: No space left on device: output lost from here on\n");
    EXPECT_TRUE(out.failed());
    EXPECT_TRUE(out.lost());
    EXPECT_EQ(out.error(), ENOSPC);
}

TEST(OutputStream, AClosedPipeIsSaidOnceButIsNotALoss) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    ::close(fds[0]);
    // As sctrace runs: SIGPIPE does not end it, the write fails with EPIPE.
    struct sigaction ignore = {};
    struct sigaction before = {};
    ignore.sa_handler = SIG_IGN;
    ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &before), 0);
    OutputStream out(fds[1], "/dev/fd/63", "sctrace analyze");
    testing::internal::CaptureStderr();
    EXPECT_FALSE(out.write("a line\n"));
    EXPECT_FALSE(out.write("another\n"));
    const std::string err = testing::internal::GetCapturedStderr();
    ::sigaction(SIGPIPE, &before, nullptr);
    ::close(fds[1]);
    EXPECT_EQ(count(err, "output lost from here on"), 1u) << err;
    EXPECT_EQ(err, "sctrace analyze: /dev/fd/63: Broken pipe: output lost from here on\n");
    EXPECT_TRUE(out.failed());
    EXPECT_FALSE(out.lost());
}

TEST(OutputStream, WritesEverythingWhileTheOutputWorks) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    OutputStream out(fds[1], "pipe");
    EXPECT_TRUE(out.write("hello "));
    EXPECT_TRUE(out.write("world\n"));
    ::close(fds[1]);
    char buf[64];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    ::close(fds[0]);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "hello world\n");
    EXPECT_FALSE(out.failed());
}

}  // namespace
}  // namespace sctrace
