// The signal decoders and the siginfo shapes on synthetic input.
#include <signal.h>

#include <gtest/gtest.h>

#include "decode_test_util.h"
#include "model/siginfo.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

struct KernelSigaction {
    std::uint64_t handler, flags, restorer, mask;
};

std::uint64_t bit(int signo) {
    return 1ull << (signo - 1);
}

TEST(SignalDecode, NamesUseTheKernelsRealtimeNumbering) {
    FakeMemory m;
    EXPECT_EQ(decode_to_strace(make_call("kill", {1234, 36}), m), "kill(1234, SIGRT_4) = 0");
    EXPECT_EQ(decode_to_strace(make_call("kill", {static_cast<std::uint64_t>(-1), 0}), m),
              "kill(-1, 0) = 0");
    EXPECT_EQ(decode_to_strace(make_call("tgkill", {10, 11, SIGUSR2}), m),
              "tgkill(10, 11, SIGUSR2) = 0");
}

TEST(SignalDecode, Sigaction) {
    FakeMemory m;
    m.put(0x1000, KernelSigaction{0x555555555299, 0x14000000, 0x7ffff7e0f050, bit(SIGUSR2)});
    m.put(0x2000, KernelSigaction{0, 0, 0, 0});
    EXPECT_EQ(decode_to_strace(make_call("rt_sigaction", {SIGUSR1, 0x1000, 0x2000, 8}), m),
              "rt_sigaction(SIGUSR1, {sa_handler=0x555555555299, sa_mask=[USR2], "
              "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7ffff7e0f050}, {sa_handler=SIG_DFL, "
              "sa_mask=[], sa_flags=0}, 8) = 0");
    // glibc sign-extends SA_RESETHAND into the upper half; all but 2 RT bits set.
    m.put(0x3000, KernelSigaction{1, 0xffffffffc0000004, 0, ~(bit(32) | bit(33))});
    EXPECT_EQ(decode_to_strace(make_call("rt_sigaction", {SIGPIPE, 0x3000, 0, 8}), m),
              "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=~[RTMIN RT_1], "
              "sa_flags=SA_NODEFER|SA_RESETHAND|SA_SIGINFO|0xffffffff00000000}, NULL, 8) = 0");
    // The old action of a failed call is only its address.
    EXPECT_EQ(
        decode_to_strace(make_call("rt_sigaction", {SIGKILL, 0x2000, 0x3000, 8}, -1, EINVAL), m),
        "rt_sigaction(SIGKILL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 0x3000, 8)");
    // The unfinished line ends after the new action.
    EXPECT_EQ(decode_entry_to_strace(make_call("rt_sigaction", {SIGUSR1, 0, 0x2000, 8}), m),
              "SIGUSR1, NULL");
}

TEST(SignalDecode, SigprocmaskSetsAndInversion) {
    FakeMemory m;
    m.put(0x1000, bit(SIGUSR1) | bit(SIGTERM));
    m.put(0x2000, std::uint64_t{0});
    m.put(0x3000, ~bit(SIGINT) & ~(bit(32) | bit(33)));
    m.put(0x4000, ~std::uint64_t{0});
    // 40 bits set: fewer than two thirds, so not inverted (strace's rule).
    m.put(0x5000, (1ull << 40) - 1);
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {SIG_BLOCK, 0x1000, 0x2000, 8}), m),
              "rt_sigprocmask(SIG_BLOCK, [USR1 TERM], [], 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {SIG_SETMASK, 0x3000, 0x4000, 8}), m),
              "rt_sigprocmask(SIG_SETMASK, ~[INT RTMIN RT_1], ~[], 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {7, 0, 0, 8}), m),
              "rt_sigprocmask(0x7 /* SIG_??? */, NULL, NULL, 8) = 0");
    // -X: the signal numbers (decimal), or numbers and names.
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {SIG_BLOCK, 0x1000, 0x2000, 8}), m, 32,
                               StraceStyle{.xlat = XlatStyle::Raw}),
              "rt_sigprocmask(0, [10 15], [], 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {SIG_BLOCK, 0x1000, 0x2000, 8}), m, 32,
                               StraceStyle{.xlat = XlatStyle::Verbose}),
              "rt_sigprocmask(0 /* SIG_BLOCK */, [10 /* USR1 */ 15 /* TERM */], [], 8) = 0");
    // A size the kernel does not take: addresses.
    EXPECT_EQ(decode_to_strace(make_call("rt_sigprocmask", {SIG_BLOCK, 0x1000, 0x2000, 4}), m),
              "rt_sigprocmask(SIG_BLOCK, 0x1000, 0x2000, 4) = 0");
    const std::string forty = decode_to_strace(make_call("rt_sigsuspend", {0x5000, 8}), m);
    EXPECT_TRUE(forty.starts_with("rt_sigsuspend([HUP INT")) << forty;
    EXPECT_EQ(decode_to_strace(make_call("rt_sigpending", {0x1000, 8}), m),
              "rt_sigpending([USR1 TERM], 8) = 0");
}

TEST(SignalDecode, SigqueueinfoAndSiginfoShapes) {
    FakeMemory m;
    siginfo_t si{};
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    si.si_pid = 42;
    si.si_uid = 0;
    si.si_value.sival_int = 42;
    m.put(0x1000, si);
    EXPECT_EQ(decode_to_strace(make_call("rt_sigqueueinfo", {42, SIGUSR2, 0x1000}), m),
              "rt_sigqueueinfo(42, SIGUSR2, {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=42, "
              "si_uid=0, si_int=42, si_ptr=0x2a}) = 0");

    ArgTree tree;
    auto show = [&](const SignalEvent& f) {
        tree.clear();
        const NodeId s = add_siginfo(tree, tree.root(), f);
        fmt::memory_buffer out;
        append_strace_value(out, tree, s);
        return fmt::to_string(out);
    };
    SignalEvent f;
    f.signo = SIGCHLD;
    f.code = CLD_KILLED;
    f.sender_pid = 7;
    f.status = SIGKILL;
    EXPECT_EQ(show(f),
              "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=7, si_uid=0, "
              "si_status=SIGKILL, si_utime=0, si_stime=0}");
    // A "--- SIGCHLD ---" line under -X raw and verbose.
    fmt::memory_buffer raw, verbose;
    append_strace_siginfo(raw, f, StraceStyle{.xlat = XlatStyle::Raw});
    append_strace_siginfo(verbose, f, StraceStyle{.xlat = XlatStyle::Verbose});
    EXPECT_EQ(fmt::to_string(raw),
              "{si_signo=17, si_code=0x2, si_pid=7, si_uid=0, si_status=9, "
              "si_utime=0, si_stime=0}");
    EXPECT_EQ(fmt::to_string(verbose),
              "{si_signo=17 /* SIGCHLD */, si_code=0x2 /* CLD_KILLED */, si_pid=7, si_uid=0, "
              "si_status=9 /* SIGKILL */, si_utime=0, si_stime=0}");
    f = {};
    f.signo = SIGSEGV;
    f.code = SEGV_MAPERR;
    f.addr = 0xbbadbeef;
    EXPECT_EQ(show(f), "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xbbadbeef}");
    f.code = SI_KERNEL;
    f.addr = 0;
    EXPECT_EQ(show(f), "{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}");
    f = {};
    f.signo = SIGALRM;
    f.code = SI_KERNEL;
    EXPECT_EQ(show(f), "{si_signo=SIGALRM, si_code=SI_KERNEL}");
    f = {};
    f.signo = SIGUSR1;
    f.code = SI_TIMER;
    f.value = 7;
    EXPECT_EQ(show(f),
              "{si_signo=SIGUSR1, si_code=SI_TIMER, si_timerid=0, si_overrun=0, "
              "si_int=7, si_ptr=0x7}");
    f = {};
    f.signo = SIGFPE;
    f.code = FPE_INTDIV;
    f.addr = 0x401000;
    EXPECT_EQ(show(f), "{si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401000}");
}

TEST(SignalDecode, Sigaltstack) {
    FakeMemory m;
    stack_t ss{};
    ss.ss_sp = reinterpret_cast<void*>(0x555555558100);
    ss.ss_size = 65536;
    m.put(0x1000, ss);
    stack_t old{};
    old.ss_flags = SS_DISABLE;
    m.put(0x2000, old);
    EXPECT_EQ(decode_to_strace(make_call("sigaltstack", {0x1000, 0x2000}), m),
              "sigaltstack({ss_sp=0x555555558100, ss_flags=0, ss_size=65536}, {ss_sp=NULL, "
              "ss_flags=SS_DISABLE, ss_size=0}) = 0");
}

TEST(SignalDecode, SigreturnReadsTheMaskFromTheFrameWhenTheStackPointerIsKnown) {
    FakeMemory m;
    SyscallEvent call = make_call("rt_sigreturn", {});
    if constexpr (requires { call.stack_pointer; }) {
        call.stack_pointer = 0x7ffc0000;
        m.put(0x7ffc0000 + 296, bit(SIGUSR1) | bit(SIGALRM));
        EXPECT_EQ(decode_to_strace(call, m), "rt_sigreturn({mask=[USR1 ALRM]}) = 0");
    } else {
        GTEST_SKIP() << "SyscallEvent has no stack_pointer yet (proposed change)";
    }
}

}  // namespace
}  // namespace sctrace
