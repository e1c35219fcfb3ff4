#include "sources/live/wait_status.h"

#include <gtest/gtest.h>

namespace sctrace {
namespace {

// Status words as the kernel builds them (see wait(2) and ptrace(2)).
int exited(int code) {
    return (code & 0xff) << 8;
}
int killed(int sig, bool core = false) {
    return sig | (core ? 0x80 : 0);
}
int stopped(int sig, int event = 0) {
    return 0x7f | (sig << 8) | (event << 16);
}

TEST(WaitStatus, ExitAndKillGiveTheShellStatus) {
    EXPECT_EQ(WaitStatus(exited(7)).kind(), WaitStatus::Kind::Exited);
    EXPECT_EQ(WaitStatus(exited(7)).shell_status(), 7);
    EXPECT_EQ(WaitStatus(killed(SIGSEGV, true)).kind(), WaitStatus::Kind::Killed);
    EXPECT_EQ(WaitStatus(killed(SIGSEGV, true)).shell_status(), 139);
    EXPECT_TRUE(WaitStatus(killed(SIGSEGV, true)).core_dumped());
    EXPECT_EQ(WaitStatus(killed(SIGKILL)).shell_status(), 137);
}

TEST(WaitStatus, SyscallStopNeedsTheTraceSysGoodBit) {
    EXPECT_EQ(WaitStatus(stopped(SIGTRAP | 0x80)).kind(), WaitStatus::Kind::SyscallStop);
    // A plain SIGTRAP is a signal (e.g. a breakpoint), not a syscall stop.
    EXPECT_EQ(WaitStatus(stopped(SIGTRAP)).kind(), WaitStatus::Kind::SignalDelivery);
}

TEST(WaitStatus, SeizeSeparatesGroupStopFromSignalDelivery) {
    EXPECT_EQ(WaitStatus(stopped(SIGSTOP, PTRACE_EVENT_STOP)).kind(), WaitStatus::Kind::GroupStop);
    EXPECT_EQ(WaitStatus(stopped(SIGTSTP, PTRACE_EVENT_STOP)).kind(), WaitStatus::Kind::GroupStop);
    EXPECT_EQ(WaitStatus(stopped(SIGTRAP, PTRACE_EVENT_STOP)).kind(),
              WaitStatus::Kind::InterruptStop);
    EXPECT_EQ(WaitStatus(stopped(SIGSTOP)).kind(), WaitStatus::Kind::SignalDelivery);
    EXPECT_EQ(WaitStatus(stopped(SIGSTOP)).stop_signal(), SIGSTOP);
}

TEST(WaitStatus, EventStopsCarryTheEvent) {
    const WaitStatus clone(stopped(SIGTRAP, PTRACE_EVENT_CLONE));
    EXPECT_EQ(clone.kind(), WaitStatus::Kind::EventStop);
    EXPECT_EQ(clone.ptrace_event(), PTRACE_EVENT_CLONE);
    EXPECT_EQ(WaitStatus(stopped(SIGTRAP, PTRACE_EVENT_SECCOMP)).ptrace_event(),
              PTRACE_EVENT_SECCOMP);
    EXPECT_EQ(WaitStatus(exited(0)).ptrace_event(), 0);
}

}  // namespace
}  // namespace sctrace
