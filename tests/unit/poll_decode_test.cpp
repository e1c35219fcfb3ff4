// The poll family's decoders on synthetic calls: fd sets, pollfd arrays,
// epoll events, and the decoded results strace 6.1 prints after "=".
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

constexpr std::uint64_t kIn = 0x10000, kOut = 0x11000, kExcept = 0x12000;
constexpr std::uint64_t kTime = 0x13000, kSig = 0x14000, kMask = 0x15000;
constexpr std::uint64_t kFds = 0x20000, kEvents = 0x30000;

std::uint64_t put_set(FakeMemory& mem, std::uint64_t addr, std::initializer_list<int> fds) {
    fd_set set;
    FD_ZERO(&set);
    for (int fd : fds) FD_SET(fd, &set);
    return mem.put(addr, set);
}

TEST(PollDecode, SelectShowsTheSetsAndWhatIsReady) {
    FakeMemory mem;
    put_set(mem, kIn, {3, 7});
    put_set(mem, kOut, {4});
    put_set(mem, kExcept, {5});
    const timeval tv{0, 0};
    mem.put(kTime, tv);
    // The kernel rewrote the sets by exit; the fake memory shows the input
    // sets, so of [3 7] both count as ready here, then out [4].
    EXPECT_EQ(decode_to_strace(make_call("select", {8, kIn, kOut, kExcept, kTime}, 3), mem),
              "select(8, [3 7], [4], [5], {tv_sec=0, tv_usec=0}) = 3 "
              "(in [3 7], out [4], left {tv_sec=0, tv_usec=0})");
    // Bits at or above nfds are not shown.
    EXPECT_EQ(decode_to_strace(make_call("select", {4, kIn, 0, 0, 0}, 1), mem),
              "select(4, [3], NULL, NULL, NULL) = 1 (in [3])");
    EXPECT_EQ(decode_to_strace(make_call("select", {8, kIn, 0, 0, kTime}, 0), mem),
              "select(8, [3 7], NULL, NULL, {tv_sec=0, tv_usec=0}) = 0 (Timeout)");
    EXPECT_EQ(decode_to_strace(make_call("select", {0xffffffff, 0, 0, 0, 0}, 0, EINVAL), mem),
              "select(-1, NULL, NULL, NULL, NULL)");
    EXPECT_EQ(decode_to_strace(make_call("select", {8, 0x999000, 0, 0, 0}, 0, EFAULT), mem),
              "select(8, 0x999000, NULL, NULL, NULL)");
}

TEST(PollDecode, Pselect6ShowsTheSigmaskPair) {
    FakeMemory mem;
    put_set(mem, kIn, {7});
    const timespec ts{4, 999997386};
    mem.put(kTime, ts);
    const std::uint64_t usr1 = 1ull << (SIGUSR1 - 1);
    mem.put(kMask, usr1);
    const std::uint64_t pair[2] = {kMask, 8};
    mem.put(kSig, pair);
    EXPECT_EQ(decode_to_strace(make_call("pselect6", {8, kIn, 0, 0, kTime, kSig}, 1), mem),
              "pselect6(8, [7], NULL, NULL, {tv_sec=4, tv_nsec=999997386}, "
              "{sigmask=[USR1], sigsetsize=8}) = 1 (in [7], left {tv_sec=4, tv_nsec=999997386})");
    const std::uint64_t null_pair[2] = {0, 8};
    mem.put(kSig, null_pair);
    EXPECT_EQ(decode_to_strace(make_call("pselect6", {8, 0, kIn, 0, 0, kSig}, 1), mem),
              "pselect6(8, NULL, [7], NULL, NULL, {sigmask=NULL, sigsetsize=8}) = 1 (out [7])");
}

TEST(PollDecode, PollShowsEventsInAndReventsOut) {
    FakeMemory mem;
    const pollfd fds[4] = {{3, POLLIN | POLLPRI, 0},
                           {4, POLLOUT, POLLOUT},
                           {-1, POLLIN, 0},
                           {7, POLLIN | POLLRDHUP, POLLIN}};
    mem.put(kFds, fds);
    EXPECT_EQ(decode_to_strace(make_call("poll", {kFds, 4, 1000}, 2), mem),
              "poll([{fd=3, events=POLLIN|POLLPRI}, {fd=4, events=POLLOUT}, {fd=-1}, "
              "{fd=7, events=POLLIN|POLLRDHUP}], 4, 1000) = 2 "
              "([{fd=4, revents=POLLOUT}, {fd=7, revents=POLLIN}])");
    EXPECT_EQ(decode_to_strace(make_call("poll", {kFds, 1, 0}, 0), mem),
              "poll([{fd=3, events=POLLIN|POLLPRI}], 1, 0) = 0 (Timeout)");
    EXPECT_EQ(decode_to_strace(make_call("poll", {0, 0, 0}, 0), mem),
              "poll(NULL, 0, 0) = 0 (Timeout)");
    // -s bounds both the array and the list of ready fds.
    EXPECT_EQ(decode_to_strace(make_call("poll", {kFds, 4, 1000}, 2), mem, 1),
              "poll([{fd=3, events=POLLIN|POLLPRI}, ...], 4, 1000) = 2 "
              "([{fd=4, revents=POLLOUT}, ...])");
}

TEST(PollDecode, PpollShowsTheTimeLeftAndTheSigmask) {
    FakeMemory mem;
    const pollfd fds[1] = {{4, POLLOUT, POLLOUT}};
    mem.put(kFds, fds);
    const timespec ts{1, 999998437};
    mem.put(kTime, ts);
    const std::uint64_t usr1 = 1ull << (SIGUSR1 - 1);
    mem.put(kMask, usr1);
    EXPECT_EQ(decode_to_strace(make_call("ppoll", {kFds, 1, kTime, kMask, 8}, 1), mem),
              "ppoll([{fd=4, events=POLLOUT}], 1, {tv_sec=1, tv_nsec=999998437}, [USR1], 8) = 1 "
              "([{fd=4, revents=POLLOUT}], left {tv_sec=1, tv_nsec=999998437})");
    // A sigsetsize the kernel rejects: strace shows the mask's address.
    EXPECT_EQ(decode_to_strace(make_call("ppoll", {kFds, 1, 0, kMask, 4}, 0, EINVAL), mem),
              "ppoll([{fd=4, events=POLLOUT}], 1, NULL, 0x15000, 4)");
}

TEST(PollDecode, EpollCtlShowsTheEventBothWays) {
    FakeMemory mem;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 0x100000007ull;
    mem.put(kEvents, ev);
    EXPECT_EQ(decode_to_strace(make_call("epoll_ctl", {8, EPOLL_CTL_ADD, 7, kEvents}), mem),
              "epoll_ctl(8, EPOLL_CTL_ADD, 7, {events=EPOLLIN|EPOLLET, data={u32=7, "
              "u64=4294967303}}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("epoll_ctl", {8, EPOLL_CTL_DEL, 3, kEvents}), mem),
              "epoll_ctl(8, EPOLL_CTL_DEL, 3, 0x30000) = 0");
    EXPECT_EQ(decode_to_strace(make_call("epoll_ctl", {8, 7, 3, kEvents}, 0, EINVAL), mem),
              "epoll_ctl(8, 0x7 /* EPOLL_CTL_??? */, 3, {events=EPOLLIN|EPOLLET, data={u32=7, "
              "u64=4294967303}})");
    EXPECT_EQ(decode_to_strace(make_call("epoll_create1", {02000000}, 9), mem),
              "epoll_create1(EPOLL_CLOEXEC) = 9");
    EXPECT_EQ(decode_to_strace(make_call("epoll_create1", {0x10}, 0, EINVAL), mem),
              "epoll_create1(0x10 /* EPOLL_??? */)");
}

TEST(PollDecode, EpollWaitShowsTheEventsAtExit) {
    FakeMemory mem;
    epoll_event evs[2]{};
    evs[0].events = EPOLLIN;
    evs[0].data.u64 = 7;
    evs[1].events = EPOLLOUT | EPOLLHUP;
    evs[1].data.u64 = 4;
    mem.put(kEvents, evs);
    EXPECT_EQ(decode_to_strace(make_call("epoll_wait", {8, kEvents, 8, 1000}, 2), mem),
              "epoll_wait(8, [{events=EPOLLIN, data={u32=7, u64=7}}, {events=EPOLLOUT|EPOLLHUP, "
              "data={u32=4, u64=4}}], 8, 1000) = 2");
    EXPECT_EQ(decode_entry_to_strace(make_call("epoll_wait", {8, kEvents, 8, 1000}), mem), "8");
    EXPECT_EQ(decode_to_strace(make_call("epoll_wait", {9, kEvents, 8, 0}, 0), mem),
              "epoll_wait(9, [], 8, 0) = 0");
    EXPECT_EQ(decode_to_strace(make_call("epoll_wait", {99, kEvents, 8, 0}, 0, EBADF), mem),
              "epoll_wait(99, 0x30000, 8, 0)");
    const std::uint64_t usr1 = 1ull << (SIGUSR1 - 1);
    mem.put(kMask, usr1);
    EXPECT_EQ(decode_to_strace(make_call("epoll_pwait", {8, kEvents, 8, 100, kMask, 8}, 1), mem),
              "epoll_pwait(8, [{events=EPOLLIN, data={u32=7, u64=7}}], 8, 100, [USR1], 8) = 1");
    const timespec ts{1, 0};
    mem.put(kTime, ts);
    EXPECT_EQ(decode_to_strace(make_call("epoll_pwait2", {8, kEvents, 8, kTime, 0, 8}, 1), mem),
              "epoll_pwait2(8, [{events=EPOLLIN, data={u32=7, u64=7}}], 8, "
              "{tv_sec=1, tv_nsec=0}, NULL, 8) = 1");
}

}  // namespace
}  // namespace sctrace
