// The watchdog's reading of /proc, on a fake procfs tree: what a thread's
// stat, wchan, syscall and status files say becomes a ThreadSampleEvent.
// (The live watchdog against real hangs is tests/hangs.)
#include "sources/live/watchdog.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace sctrace {
namespace {

namespace fs = std::filesystem;

class FakeProc : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("sctrace-fakeproc-" + std::to_string(::getpid()));
        fs::remove_all(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    void write(pid_t pid, pid_t tid, const std::string& file, const std::string& text) {
        const fs::path dir = root_ / std::to_string(pid) / "task" / std::to_string(tid);
        fs::create_directories(dir);
        std::ofstream(dir / file) << text;
    }
    // A stat line with the given comm, state and flags (field 9).
    static std::string stat(pid_t tid, const std::string& comm, char state, unsigned flags = 0) {
        return std::to_string(tid) + " (" + comm + ") " + state + " 1 100 100 0 -1 " +
               std::to_string(flags) + " 0 0 0 0 0 0 0 0 20 0 1 0\n";
    }

    fs::path root_;
};

TEST_F(FakeProc, AThreadBlockedInFutexGivesStateWchanCallAndArguments) {
    write(100, 101, "stat", stat(101, "worker", 'S'));
    write(100, 101, "wchan", "futex_do_wait");
    write(100, 101, "syscall", "202 0x55d11da850a0 0x80 0x2 0x0 0x0 0x0 0x7ffc0 0x7f12\n");
    const auto sample = read_thread_sample(root_.string(), 100, 101);
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->state, 'S');
    EXPECT_STREQ(sample->comm.data(), "worker");
    EXPECT_STREQ(sample->wchan.data(), "futex_do_wait");
    EXPECT_EQ(sample->syscall, 202);
    EXPECT_EQ(sample->args[0], 0x55d11da850a0u);
    EXPECT_EQ(sample->args[1], 0x80u);
    EXPECT_EQ(sample->args[3], 0u);
    EXPECT_FALSE(sample->io_worker);
    EXPECT_FALSE(sample->sigkill_pending);
}

TEST_F(FakeProc, ACommWithParenthesesAndSpacesDoesNotConfuseTheState) {
    write(100, 100, "stat", stat(100, "a) R (b", 'D'));
    write(100, 100, "syscall", "running\n");
    const auto sample = read_thread_sample(root_.string(), 100, 100);
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->state, 'D');
    EXPECT_STREQ(sample->comm.data(), "a) R (b");
    EXPECT_EQ(sample->syscall, -1) << "running: in no syscall";
}

TEST_F(FakeProc, ADStateThreadWithSigkillInItsPendingSetIsMarked) {
    write(100, 100, "stat", stat(100, "victim", 'D'));
    write(100, 100, "syscall", "257 0xffffff9c 0x7ffd 0x0 0x0 0x0 0x0 0x7ffc0 0x7f12\n");
    // SIGKILL is bit 8 (signal 9) of the pending masks.
    write(100, 100, "status",
          "Name:\tvictim\nSigQ:\t1/100\nSigPnd:\t0000000000000100\nShdPnd:\t0000000000000000\n");
    const auto sample = read_thread_sample(root_.string(), 100, 100);
    ASSERT_TRUE(sample);
    EXPECT_TRUE(sample->sigkill_pending);
    EXPECT_EQ(sample->syscall, 257);
    // A SIGTERM pending is not a SIGKILL.
    write(100, 100, "status", "SigPnd:\t0000000000004000\nShdPnd:\t0000000000004000\n");
    EXPECT_FALSE(read_thread_sample(root_.string(), 100, 100)->sigkill_pending);
}

TEST_F(FakeProc, IoUringKernelThreadsAreMarkedByFlagOrName) {
    write(100, 102, "stat", stat(102, "iou-sqp-100", 'S'));
    write(100, 103, "stat", stat(103, "renamed", 'S', 0x10 /* PF_IO_WORKER */));
    write(100, 104, "stat", stat(104, "iou", 'S'));
    EXPECT_TRUE(read_thread_sample(root_.string(), 100, 102)->io_worker);
    EXPECT_TRUE(read_thread_sample(root_.string(), 100, 103)->io_worker);
    EXPECT_FALSE(read_thread_sample(root_.string(), 100, 104)->io_worker);
}

TEST_F(FakeProc, AGoneThreadGivesNothingAndAnUnreadableSyscallIsUnknown) {
    EXPECT_FALSE(read_thread_sample(root_.string(), 100, 999));
    write(100, 105, "stat", stat(105, "t", 'S'));  // no syscall file: not permitted
    const auto sample = read_thread_sample(root_.string(), 100, 105);
    ASSERT_TRUE(sample);
    EXPECT_EQ(sample->syscall, -2);
    EXPECT_STREQ(sample->wchan.data(), "");
}

TEST_F(FakeProc, TaskIdsAreListedAndJunkEntriesIgnored) {
    write(100, 100, "stat", stat(100, "a", 'S'));
    write(100, 101, "stat", stat(101, "b", 'S'));
    fs::create_directories(root_ / "100" / "task" / "not-a-tid");
    std::vector<pid_t> tids = list_task_ids(root_.string(), 100);
    std::sort(tids.begin(), tids.end());
    EXPECT_EQ(tids, (std::vector<pid_t>{100, 101}));
    EXPECT_TRUE(list_task_ids(root_.string(), 4242).empty());
}

// The tracer sleeps in waitpid and is woken only through `notify`: a
// watchdog that sees nothing blocked must never call it (an idle trace
// costs nothing), and one with samples must keep calling until they are
// taken (a wake-up that lands just before the tracer blocks is not lost).
// At an exec, the process's /proc/PID/status gives what the trace never
// saw: the signals it starts ignoring, its real uid, its parent.
TEST_F(FakeProc, AProcessStatusGivesIgnoredSignalsRealUidAndParent) {
    fs::create_directories(root_ / "300");
    std::ofstream(root_ / "300" / "status")
        << "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t300\nNgid:\t0\n"
           "Pid:\t300\nPPid:\t299\nTracerPid:\t299\nUid:\t1000\t0\t0\t0\n"
           "Gid:\t100\t100\t100\t100\nSigIgn:\t0000000000001000\n";
    const auto status = read_process_status(root_.string(), 300);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->ignored_signals, 1ull << (SIGPIPE - 1));
    EXPECT_EQ(status->uid, 1000);  // the real uid, not the effective 0 of a setuid program
    EXPECT_EQ(status->ppid, 299);
    // The kernel's own threads and init have PPid 0: no parent, not pid 0.
    std::ofstream(root_ / "300" / "status") << "Pid:\t300\nPPid:\t0\nSigIgn:\t0\n";
    const auto orphan = read_process_status(root_.string(), 300);
    ASSERT_TRUE(orphan);
    EXPECT_EQ(orphan->ppid, 0);
    EXPECT_EQ(orphan->uid, -1);  // no Uid line: not known
    EXPECT_FALSE(read_process_status(root_.string(), 301));
}

TEST_F(FakeProc, AnIdleWatchdogNeverWakesTheTracer) {
    write(100, 100, "stat", stat(100, "busy", 'R'));
    std::atomic<int> wakes{0};
    WatchdogOptions options{std::chrono::milliseconds(5), root_.string(), {}};
    options.notify = [&wakes] { ++wakes; };
    Watchdog watchdog(std::move(options));
    watchdog.watch(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // ~60 rounds
    EXPECT_EQ(wakes.load(), 0);
    EXPECT_FALSE(watchdog.has_samples());
}

TEST_F(FakeProc, ABlockedThreadWakesTheTracerUntilItTakesTheSamples) {
    write(100, 100, "stat", stat(100, "stuck", 'S'));
    std::atomic<int> wakes{0};
    WatchdogOptions options{std::chrono::milliseconds(5), root_.string(), {}};
    options.notify = [&wakes] { ++wakes; };
    Watchdog watchdog(std::move(options));
    watchdog.watch(100);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (wakes.load() < 3 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(wakes.load(), 3) << "pending samples must be announced again until taken";
    EXPECT_FALSE(watchdog.take().empty());
    // Running again: one more round reports the change (a watch resets on
    // it), then the watchdog falls silent.
    write(100, 100, "stat", stat(100, "stuck", 'R'));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    watchdog.take();
    const int after = wakes.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(wakes.load(), after) << "nothing pending, yet the tracer was woken";
}

TEST(Watchdog, SamplesItsOwnBlockedThreadAndSkipsRunningOnesAfterTheFirstRound) {
    // The real /proc: a watchdog watching this very process sees the test's
    // threads. sample_now() keeps every thread; take() only what matters.
    WatchdogOptions hourly;
    hourly.interval = std::chrono::milliseconds(3600 * 1000);
    Watchdog watchdog(hourly);
    watchdog.watch(::getpid());
    const std::vector<ThreadSample> all = watchdog.sample_now();
    ASSERT_FALSE(all.empty());
    bool saw_self = false;
    for (const ThreadSample& s : all) {
        EXPECT_EQ(s.pid, ::getpid());
        if (s.tid == ::gettid()) saw_self = true;
    }
    EXPECT_TRUE(saw_self);
    EXPECT_FALSE(watchdog.has_samples()) << "nothing sampled in the background within an hour";
}

}  // namespace
}  // namespace sctrace
