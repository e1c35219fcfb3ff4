// The bundled unkillable-task and io-uring-unkillable-task rules
// (rules/hangs.yaml) over the watchdog samples of processes that survive
// SIGKILL, in the shapes Linux 6.18 showed them in: which of the two rules
// fires, that never both do, and that a thread of the process which is not
// stuck (a zombie leader, an SQ thread in its cancel loop) does not hide the
// one that is. tests/hangs runs the samples themselves, with root.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "model/syscall_table.h"
#include "rule_pack.h"

namespace sctrace {
namespace {

constexpr Nanos kSecond = 1'000'000'000;
constexpr Nanos kT0 = 1'700'000'000 * kSecond;
constexpr pid_t kPid = 100;

// One thread as the watchdog reads it.
struct Seen {
    pid_t tid;
    char state;
    const char* comm;
    const char* wchan = "";
    const char* call = nullptr;  // the syscall it sits in, if any
    bool io_worker = false;
    bool sigkill_pending = false;
};

Event sample(Nanos t, const Seen& s) {
    ThreadSampleEvent data;
    data.state = s.state;
    std::snprintf(data.comm.data(), data.comm.size(), "%s", s.comm);
    std::snprintf(data.wchan.data(), data.wchan.size(), "%s", s.wchan);
    data.syscall = s.call ? syscall_number(Arch::X86_64, s.call).value_or(-1) : -1;
    data.io_worker = s.io_worker;
    data.sigkill_pending = s.sigkill_pending;
    return Event{EventKind::ThreadSample, kT0 + t, kPid, s.tid, data};
}

Event ring_setup(Nanos t) {
    SyscallEvent c;
    c.name = "io_uring_setup";
    c.nr = syscall_number(Arch::X86_64, c.name).value_or(-1);
    c.ret = 3;
    c.has_result = true;
    c.entry_time = kT0 + t;
    return Event{EventKind::SyscallExit, kT0 + t, kPid, kPid, c};
}

struct Hangs : RulePack {
    Hangs() : RulePack({"macros.yaml", "hangs.yaml"}) {}
    // The watchdog's rounds, one a second from `from` to `to` seconds, each
    // sampling `threads` in /proc's order.
    void rounds(int from, int to, const std::vector<Seen>& threads) {
        for (int second = from; second <= to; ++second) {
            for (const Seen& s : threads) engine->on_event(sample(second * kSecond, s));
        }
    }
};

const Seen kStuckInOpen{kPid, 'D', "victim", "request_wait_answer", "openat", false, true};

TEST(UnkillableRules, APlainProcessStuckInAFileServerIsUnkillableTask) {
    Hangs h;
    h.rounds(0, 6, {kStuckInOpen});
    ASSERT_EQ(h.of("unkillable-task").size(), 1u);
    EXPECT_NE(h.of("unkillable-task")[0].message.find("survived SIGKILL for 5.0s"),
              std::string::npos)
        << h.of("unkillable-task")[0].message;
    EXPECT_TRUE(h.of("io-uring-unkillable-task").empty()) << "it owns no ring";
}

TEST(UnkillableRules, AStuckThreadBesideAZombieLeaderIsStillFound) {
    // Killed, the leader exits and stays a zombie (Z, no SIGKILL pending any
    // more) while another thread of the process is stuck.
    Hangs h;
    h.rounds(0, 6,
             {Seen{kPid, 'Z', "victim"},
              Seen{kPid + 1, 'D', "victim", "request_wait_answer", "openat", false, true}});
    ASSERT_EQ(h.of("unkillable-task").size(), 1u) << "the zombie leader hid the stuck thread";
    EXPECT_EQ(h.of("unkillable-task")[0].tid, kPid + 1);
    EXPECT_TRUE(h.of("io-uring-unkillable-task").empty());
}

TEST(UnkillableRules, AnSqpollOwnerWhoseSqThreadIsStuckIsTheRingsNotUnkillableTask) {
    // Linux 6.18, a read of a FUSE file through an SQPOLL ring: the SQ thread
    // waits for the server, the killed thread's exit for the ring's lock.
    Hangs h;
    h.rounds(0, 6,
             {Seen{kPid, 'D', "npm", "io_uring_del_tctx_node", "pause", false, true},
              Seen{kPid + 1, 'D', "iou-sqp-100", "request_wait_answer", nullptr, true, true}});
    EXPECT_TRUE(h.of("unkillable-task").empty()) << "reported twice";
    ASSERT_EQ(h.of("io-uring-unkillable-task").size(), 1u);
    const std::string message = h.of("io-uring-unkillable-task")[0].message;
    EXPECT_NE(message.find("survived SIGKILL for 5.0s"), std::string::npos) << message;
    EXPECT_NE(message.find("iou-sqp-100 (tid 101, state D, in request_wait_answer)"),
              std::string::npos)
        << message;
}

TEST(UnkillableRules, AStuckRingWorkerBesideAZombieLeaderIsTheRings) {
    // An OPENAT through the ring, handed to a worker: the leader is a zombie,
    // the SQ thread runs its cancel loop, the worker waits for the server.
    Hangs h;
    h.rounds(0, 6,
             {Seen{kPid, 'Z', "npm"}, Seen{kPid + 1, 'R', "iou-sqp-100", "", nullptr, true},
              Seen{kPid + 2, 'D', "iou-wrk-101", "request_wait_answer", nullptr, true, true}});
    EXPECT_TRUE(h.of("unkillable-task").empty());
    ASSERT_EQ(h.of("io-uring-unkillable-task").size(), 1u) << "the other threads hid the worker";
    EXPECT_EQ(h.of("io-uring-unkillable-task")[0].tid, kPid + 2);
}

TEST(UnkillableRules, AnOwnerStuckInItsOwnRingCallIsTheRingsWithoutAnyRingThreadSeen) {
    // No SQPOLL: the owner issues the read itself, inside io_uring_enter. Only
    // its io_uring_setup says it owns a ring.
    Hangs h;
    h.engine->on_event(ring_setup(0));
    h.rounds(1, 7,
             {Seen{kPid, 'D', "victim", "request_wait_answer", "io_uring_enter", false, true}});
    EXPECT_TRUE(h.of("unkillable-task").empty());
    EXPECT_EQ(h.of("io-uring-unkillable-task").size(), 1u);
}

TEST(UnkillableRules, AStuckRingThreadIsInNoSyscallNotItsCreatorsIoUringSetup) {
    // /proc/TID/syscall of an iou-wrk thread shows the registers it was
    // created with: its creator's io_uring_setup. The finding must not say
    // the ring thread sits in that call.
    Hangs h;
    h.engine->on_event(ring_setup(0));
    h.rounds(1, 7,
             {Seen{kPid, 'Z', "npm"}, Seen{kPid + 1, 'D', "iou-wrk-100", "request_wait_answer",
                                           "io_uring_setup", true, true}});
    ASSERT_EQ(h.of("io-uring-unkillable-task").size(), 1u);
    const std::string message = h.of("io-uring-unkillable-task")[0].message;
    EXPECT_EQ(message.find("io_uring_setup"), std::string::npos) << message;
    EXPECT_NE(message.find("in syscall 'none (an io_uring kernel thread)'"), std::string::npos)
        << message;
}

TEST(UnkillableRules, ARingOwnerThatDiesSecondsAfterSigkillIsNoFinding) {
    Hangs h;
    h.rounds(0, 3,
             {Seen{kPid, 'D', "npm", "io_uring_del_tctx_node", "pause", false, true},
              Seen{kPid + 1, 'D', "iou-sqp-100", "request_wait_answer", nullptr, true, true}});
    EXPECT_TRUE(h.sink.findings.empty()) << h.sink.findings[0].message;
}

}  // namespace
}  // namespace sctrace
