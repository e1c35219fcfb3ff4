// Saved strace logs as event streams: pairing, threads, times, exits.
#include "sources/strace/strace_log.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace sctrace::strace_text {
namespace {

// Keeps a summary of every event (events are views; copy what we check).
struct Recorded {
    EventKind kind = EventKind::SyscallExit;
    Nanos time = 0;
    pid_t pid = 0, tid = 0;
    std::string name;
    int nr = -1;
    bool has_result = false;
    std::int64_t ret = 0;
    int err = 0;
    Nanos entry_time = 0;
    std::size_t args = 0;
    SpawnKind spawn = SpawnKind::Fork;
    pid_t child = 0;
    int code = 0;
    std::string exe;  // Exec events
};

struct Recorder final : EventSink {
    std::vector<Recorded> events;
    bool ended = false;
    void on_event(const Event& e) override {
        Recorded r;
        r.kind = e.kind;
        r.time = e.time;
        r.pid = e.pid;
        r.tid = e.tid;
        if (const auto* s = e.syscall()) {
            r.name = std::string(s->name);
            r.nr = s->nr;
            r.has_result = s->has_result;
            r.ret = s->ret;
            r.err = s->err;
            r.entry_time = s->entry_time;
            if (s->decoded) {
                for (NodeId c = s->decoded->node(s->decoded->root()).first_child; c != kNoNode;
                     c = s->decoded->node(c).next)
                    ++r.args;
            }
        }
        if (const auto* sp = e.spawn()) {
            r.spawn = sp->kind;
            r.child = sp->child_tid;
        }
        if (const auto* x = e.exit()) r.code = x->signaled ? x->signo : x->code;
        if (const auto* x = e.exec()) r.exe = std::string(x->path);
        events.push_back(r);
    }
    void on_end() override { ended = true; }
};

Recorder convert(const std::vector<std::string>& lines, pid_t pid_override = 0) {
    Recorder rec;
    StraceLogConverter converter(rec);
    converter.begin_file("test.log", pid_override, 1'000'000'000'000'000'000);
    for (const auto& l : lines) converter.feed(l);
    converter.finish();
    return rec;
}

TEST(StraceLog, ACompleteLineIsAnEntryAndAnExit) {
    const auto rec = convert({"100 1795447436.000000 close(3) = 0 <0.000010>"});
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[0].kind, EventKind::SyscallEntry);
    EXPECT_EQ(rec.events[1].kind, EventKind::SyscallExit);
    // strace stamps the call's start; -T says how long it took.
    EXPECT_EQ(rec.events[1].entry_time, 1795447436'000000000);
    EXPECT_EQ(rec.events[1].time, 1795447436'000000000 + 10000);
    EXPECT_TRUE(rec.ended);
}

// Converts `lines` and returns the converter's count of unparsed lines.
std::size_t unparsed_in(const std::vector<std::string>& lines, Recorder& rec) {
    StraceLogConverter converter(rec);
    converter.begin_file("test.log", 0, 1'000'000'000'000'000'000);
    for (const auto& l : lines) converter.feed(l);
    converter.finish();
    return converter.stats().unparsed;
}

TEST(StraceLog, TimesThatRunPastInt64AreBadLinesNotWrappedTimes) {
    constexpr Nanos kMax = std::numeric_limits<Nanos>::max();
    {
        // -r deltas (under 1e8 s) that add up past INT64_MAX: 92 of these
        // fit, the 93rd and after are bad.
        std::vector<std::string> lines(100, "100 99999999.000000 getpid() = 100");
        Recorder rec;
        EXPECT_EQ(unparsed_in(lines, rec), 8u);
        ASSERT_EQ(rec.events.size(), 2u * 92);
        EXPECT_EQ(rec.events.back().time, 92 * 99'999'999'000'000'000LL);
    }
    {
        // A -ttt stamp that fits, plus a -T duration that does not.
        Recorder rec;
        EXPECT_EQ(unparsed_in({"100 9223372036.000000 close(3) = 0 <1.000000>"}, rec), 1u);
        EXPECT_TRUE(rec.events.empty());
    }
    {
        // -tt times of day count from the file's day: one that ends past
        // INT64_MAX is bad; a line without a time after the largest time
        // keeps it (saturates) instead of wrapping to the smallest.
        Recorder rec;
        EXPECT_EQ(unparsed_in({"100 2562047:47:16.854775807 close(3) = 0",
                               "100 9223372036.854775807 close(4) = 0", "100 close(5) = 0"},
                              rec),
                  1u);
        ASSERT_FALSE(rec.events.empty());
        EXPECT_EQ(rec.events.back().name, "close");
        EXPECT_EQ(rec.events.back().time, kMax);
    }
    {
        // Each wrap past midnight adds a day; some 95000 of them overflow.
        std::vector<std::string> lines;
        for (int i = 0; i < 110'000; ++i) {
            lines.push_back("100 23:00:00.000000 getpid() = 100");
            lines.push_back("100 01:00:00.000000 getpid() = 100");
        }
        Recorder rec;
        EXPECT_GT(unparsed_in(lines, rec), 0u);
        Nanos last = 0;
        for (const auto& e : rec.events) {
            EXPECT_GE(e.time, last);
            last = e.time;
        }
    }
}

TEST(StraceLog, KnownCallsCarryTheirNumberUnknownOnesMinusOne) {
    const auto rec =
        convert({"100 close(3) = 0", "100 connect(3, NULL, 0) = 0",
                 "100 epoll_pwait2(4, [], 1, NULL, NULL, 8) = 0", "100 frobnicate(1) = 0",
                 "100 read(3 <unfinished ...>", "100 <... read resumed>\"\", 1) = 0"});
    std::vector<std::pair<std::string, int>> exits;
    for (const auto& e : rec.events) {
        if (e.kind == EventKind::SyscallExit) exits.emplace_back(e.name, e.nr);
    }
    const std::vector<std::pair<std::string, int>> want = {
        {"close", 3}, {"connect", 42}, {"epoll_pwait2", 441}, {"frobnicate", -1}, {"read", 0}};
    EXPECT_EQ(exits, want);
}

TEST(StraceLog, AThreadCanHaveManyCallsInFlightOneAfterAnother) {
    // Each thread's pending slot is reused call after call.
    std::vector<std::string> lines;
    for (int i = 0; i < 100; ++i) {
        lines.push_back("100 read(3 <unfinished ...>");
        lines.push_back("101 write(4, \"x\", 1) = 1");
        lines.push_back("100 <... read resumed>\"y\", 1) = 1");
    }
    lines.push_back("100 futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>");
    lines.push_back("100 +++ exited with 0 +++");
    const auto rec = convert(lines);
    std::size_t reads = 0, cut = 0;
    for (const auto& e : rec.events) {
        if (e.kind != EventKind::SyscallExit) continue;
        reads += e.name == "read" && e.has_result && e.ret == 1 && e.args == 3;
        cut += e.name == "futex" && !e.has_result;
    }
    EXPECT_EQ(reads, 100u);
    EXPECT_EQ(cut, 1u);
}

TEST(StraceLog, UnfinishedAndResumedHalvesJoinAcrossOtherThreads) {
    const auto rec = convert({
        "100 read(3,  <unfinished ...>",
        "101 close(4) = 0",
        "100 <... read resumed>\"abc\", 10) = 3",
    });
    // entry(read), entry+exit(close), exit(read)
    ASSERT_EQ(rec.events.size(), 4u);
    EXPECT_EQ(rec.events[0].name, "read");
    EXPECT_EQ(rec.events[0].kind, EventKind::SyscallEntry);
    const Recorded& read_exit = rec.events[3];
    EXPECT_EQ(read_exit.kind, EventKind::SyscallExit);
    EXPECT_EQ(read_exit.ret, 3);
    EXPECT_EQ(read_exit.args, 3u) << "the fd from the first half, buffer and size from the second";
}

TEST(StraceLog, ALogThatEndsMidCallLeavesTheCallOpen) {
    const auto rec = convert({"100 futex(0x7f00, FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>"});
    ASSERT_EQ(rec.events.size(), 1u);
    EXPECT_EQ(rec.events[0].kind, EventKind::SyscallEntry);
    EXPECT_TRUE(rec.ended);
}

TEST(StraceLog, AThreadThatExitsInsideACallGetsAnExitWithoutResult) {
    const auto rec = convert({"100 read(3,  <unfinished ...>", "100 +++ killed by SIGKILL +++"});
    ASSERT_EQ(rec.events.size(), 3u);
    EXPECT_EQ(rec.events[1].kind, EventKind::SyscallExit);
    EXPECT_FALSE(rec.events[1].has_result);
    EXPECT_EQ(rec.events[2].kind, EventKind::Exit);
    EXPECT_EQ(rec.events[2].code, 9);
}

TEST(StraceLog, ClonesTellThreadsFromProcesses) {
    const auto rec = convert({
        "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, "
        "exit_signal=0}, 88) = 101",
        "101 getpid() = 100",
        "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) = 102",
        "102 getpid() = 102",
        "100 vfork() = 103",
    });
    std::vector<Recorded> spawns;
    for (const auto& e : rec.events)
        if (e.kind == EventKind::Spawn) spawns.push_back(e);
    ASSERT_EQ(spawns.size(), 3u);
    EXPECT_EQ(spawns[0].spawn, SpawnKind::Thread);
    EXPECT_EQ(spawns[1].spawn, SpawnKind::Fork);
    EXPECT_EQ(spawns[2].spawn, SpawnKind::Vfork);
    // The thread's calls belong to process 100; the fork's to 102.
    for (const auto& e : rec.events) {
        if (e.tid == 101) {
            EXPECT_EQ(e.pid, 100);
        }
        if (e.tid == 102) {
            EXPECT_EQ(e.pid, 102);
        }
    }
}

// strace 6.1 -f, a second thread calling execve while the leader sits in
// pause(): the execve's end is printed under the leader's pid, after the
// "superseded" line. The exec still has its path.
TEST(StraceLog, AnExecFromASecondThreadKeepsItsPath) {
    const auto rec = convert({
        "26501 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
        "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
        "child_tid=0x7f4a356d5990, parent_tid=0x7f4a356d5990, exit_signal=0, "
        "stack=0x7f4a34ed5000, stack_size=0x7fff80, tls=0x7f4a356d56c0} => "
        "{parent_tid=[26502]}, 88) = 26502",
        "26501 pause( <unfinished ...>",
        "26502 execve(\"/bin/true\", [\"/bin/true\"], 0x7fff1f050368 /* 41 vars */ <unfinished "
        "...>",
        "26501 <... pause resumed>)              = ?",
        "26501 +++ superseded by execve in pid 26502 +++",
        "26501 <... execve resumed>)             = 0",
    });
    std::vector<Recorded> execs;
    for (const auto& e : rec.events)
        if (e.kind == EventKind::Exec) execs.push_back(e);
    ASSERT_EQ(execs.size(), 1u);
    EXPECT_EQ(execs[0].exe, "/bin/true");
    EXPECT_EQ(execs[0].tid, 26501);
}

// In a merged -ff set a call is fed as its entry, then later its exit; a
// new thread's file may have lines stamped before the clone's end. They
// belong to the process that cloned it.
TEST(StraceLog, AnFfThreadsLinesBeforeItsClonesEndBelongToItsProcess) {
    Recorder rec;
    StraceLogConverter converter(rec);
    converter.begin_file("set.100", 100, 0);
    const std::string clone =
        "1.000000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
        "CLONE_SYSVSEM, exit_signal=0}, 88) = 101 <0.000100>";
    converter.feed(clone, StraceLogConverter::Part::Entry);
    converter.switch_file("set.101", 101, 0);
    converter.feed("1.000050 getpid() = 100 <0.000001>");
    converter.switch_file("set.100", 100, 1);
    converter.feed(clone, StraceLogConverter::Part::Exit);
    converter.finish();
    bool seen = false;
    for (const auto& e : rec.events) {
        if (e.tid != 101) continue;
        seen = true;
        EXPECT_EQ(e.pid, 100) << e.name;
    }
    EXPECT_TRUE(seen);
}

// An untimed -ff set is read file by file: the leader's exit line comes
// before its thread's file. The process ends after its last thread.
TEST(StraceLog, AnUntimedFfSetEndsAProcessAfterItsThreadsFiles) {
    Recorder rec;
    StraceLogConverter converter(rec);
    converter.defer_process_exits();
    converter.begin_file("set.100", 100, 0);
    converter.feed("execve(\"/bin/app\", [\"app\"], 0x7ffd /* 3 vars */) = 0");
    converter.feed(
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
        "exit_signal=0}, 88) = 101");
    converter.feed("+++ exited with 0 +++");
    converter.begin_file("set.101", 101, 0);
    converter.feed("getpid() = 100");
    converter.feed("+++ exited with 0 +++");
    converter.finish();
    ASSERT_FALSE(rec.events.empty());
    const Recorded& last = rec.events.back();
    EXPECT_EQ(last.kind, EventKind::Exit);
    EXPECT_EQ(last.tid, 100);
    for (const auto& e : rec.events) {
        if (e.tid == 101) {
            EXPECT_EQ(e.pid, 100);
        }
    }
}

// strace without -o writes its messages to the same stderr as the trace;
// one can land inside a call's line.
TEST(StraceLog, ALineSplitByADiagnosticIsJoined) {
    Recorder rec;
    StraceLogConverter converter(rec);
    converter.begin_file("stderr.log", 0, 0);
    EXPECT_TRUE(
        converter.feed("104 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|"
                       "SIGCHLDstrace: Process 10123 attached"));
    EXPECT_TRUE(converter.feed(", child_tidptr=0x7f2c1a3f5a10) = 10123"));
    converter.feed("10123 close(3) = 0");
    converter.finish();
    EXPECT_EQ(converter.stats().unparsed, 0u);
    std::vector<Recorded> spawns;
    for (const auto& e : rec.events)
        if (e.kind == EventKind::Spawn) spawns.push_back(e);
    ASSERT_EQ(spawns.size(), 1u);
    EXPECT_EQ(spawns[0].child, 10123);
    EXPECT_EQ(spawns[0].spawn, SpawnKind::Fork);
}

TEST(StraceLog, TimeOfDayWrapsAtMidnight) {
    const auto rec =
        convert({"100 23:59:59.900000 close(3) = 0", "100 00:00:00.100000 close(4) = 0"});
    ASSERT_EQ(rec.events.size(), 4u);
    EXPECT_EQ(rec.events[3].time - rec.events[1].time, 200'000'000);
}

TEST(StraceLog, FfFilesTakeThePidFromTheirName) {
    const auto rec = convert({"close(3) = 0"}, 4711);
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[1].tid, 4711);
    EXPECT_EQ(rec.events[1].pid, 4711);
}

TEST(StraceLog, BadLinesAreCountedWithTheirLineNumber) {
    Recorder rec;
    StraceLogConverter converter(rec);
    converter.begin_file("x.log", 0, 0);
    converter.feed("100 close(3) = 0");
    converter.feed("100 close(3");
    converter.feed("garbage here");
    converter.finish();
    EXPECT_EQ(converter.stats().lines, 3u);
    EXPECT_EQ(converter.stats().unparsed, 2u);
    ASSERT_EQ(converter.stats().first_problems.size(), 2u);
    EXPECT_EQ(converter.stats().first_problems[0].line, 2u);
    EXPECT_EQ(converter.stats().first_problems[0].file, "x.log");
}

}  // namespace
}  // namespace sctrace::strace_text
