// The bundled unkillable-task rule (rules/hangs.yaml) over the watchdog
// samples of processes that survive SIGKILL, in the shapes Linux 6.18
// showed them in: a thread of the process which is not stuck (a zombie
// leader) does not hide the one that is. tests/hangs runs the samples
// themselves, with root.
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
}

}  // namespace
}  // namespace sctrace
