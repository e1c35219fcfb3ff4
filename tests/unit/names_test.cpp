// model/names: the one spelling of signals, si_codes and errnos that live
// decoding, log reading, rules and reports share.
#include "model/names.h"

#include <signal.h>

#include <gtest/gtest.h>

namespace sctrace {
namespace {

TEST(Names, SignalNamesUseTheKernelsRealtimeNumbering) {
    // What strace 6.1 prints for kill -s 32/34/36 on x86_64.
    EXPECT_EQ(signal_name(SIGCHLD), "SIGCHLD");
    EXPECT_EQ(signal_name(32), "SIGRTMIN");
    EXPECT_EQ(signal_name(34), "SIGRT_2");
    EXPECT_EQ(signal_name(36), "SIGRT_4");
    EXPECT_EQ(signal_name(65), "");
    EXPECT_EQ(signal_name(0), "");
}

TEST(Names, SignalNumbersFromStracesNamesAndTheirAliases) {
    EXPECT_EQ(signal_number("SIGIO"), 29);
    EXPECT_EQ(signal_number("SIGPOLL"), 29);
    EXPECT_EQ(signal_number("SIGABRT"), 6);
    EXPECT_EQ(signal_number("SIGIOT"), 6);
    EXPECT_EQ(signal_number("SIGCHLD"), 17);
    EXPECT_EQ(signal_number("SIGCLD"), 17);
    EXPECT_EQ(signal_number("SIGSYS"), 31);
    EXPECT_EQ(signal_number("SIGUNUSED"), 31);
    EXPECT_EQ(signal_number("SIGRTMIN"), 32) << "the kernel's SIGRTMIN, not glibc's 34";
    EXPECT_EQ(signal_number("SIGRT_2"), 34);
    EXPECT_EQ(signal_number("SIGRT_32"), 64);
    EXPECT_EQ(signal_number("SIGRTMAX"), 64);
    EXPECT_EQ(signal_number("SEGV"), 11);
    EXPECT_EQ(signal_number("40"), 40);
    EXPECT_EQ(signal_number("SIGNOPE"), std::nullopt);
    EXPECT_EQ(signal_number("65"), std::nullopt);
    EXPECT_EQ(signal_number(""), std::nullopt);
}

TEST(Names, EveryNamedSignalReadsBackAsItsNumber) {
    for (int signo = 1; signo <= 64; ++signo) {
        EXPECT_EQ(signal_number(signal_name(signo)), signo) << signo;
    }
}

TEST(Names, ErrnoAndSignalNames) {
    char scratch[32];
    EXPECT_EQ(errno_name(115, scratch), "EINPROGRESS");
    EXPECT_EQ(errno_name(512, scratch), "ERESTARTSYS");
    EXPECT_EQ(errno_name(4000, scratch), "4000");
    EXPECT_EQ(signal_name(SIGSEGV, scratch), "SIGSEGV");
    EXPECT_EQ(signal_name(34, scratch), "SIGRT_2");  // glibc's SIGRTMIN, the kernel's 34
    EXPECT_EQ(signal_name(32, scratch), "SIGRTMIN");
    EXPECT_EQ(signal_name(SIGIO, scratch), "SIGIO") << "strace's name, not glibc's SIGPOLL";
    EXPECT_EQ(signal_name(SIGABRT, scratch), "SIGABRT");
    EXPECT_EQ(signal_name(64, scratch), "SIGRT_32");
    EXPECT_EQ(signal_name(0, scratch), "0");
}

TEST(Names, ErrnoNumbersFromNamesIncludeTheKernelsRestartCodes) {
    EXPECT_EQ(errno_number("EINPROGRESS"), 115);
    EXPECT_EQ(errno_number("ERESTARTSYS"), 512);
    EXPECT_EQ(errno_number("ERESTART_RESTARTBLOCK"), 516);
    EXPECT_EQ(errno_number("ENOPE"), std::nullopt);
}

TEST(Names, SiCodesBySignal) {
    EXPECT_EQ(si_code_name(SIGCHLD, CLD_EXITED), "CLD_EXITED");
    EXPECT_EQ(si_code_name(SIGSEGV, SEGV_MAPERR), "SEGV_MAPERR");
    EXPECT_EQ(si_code_name(SIGUSR1, SI_USER), "SI_USER");
    EXPECT_EQ(si_code_name(SIGUSR1, 1), "") << "1 means something only for some signals";
    EXPECT_EQ(si_code_number(SIGIO, "POLL_IN"), POLL_IN);
    EXPECT_EQ(si_code_number(SIGSEGV, "POLL_IN"), std::nullopt);
    EXPECT_EQ(si_code_number(SIGUSR1, "SI_QUEUE"), SI_QUEUE);
    EXPECT_EQ(si_code_number(SIGUSR1, "-6"), -6);
}

}  // namespace
}  // namespace sctrace
