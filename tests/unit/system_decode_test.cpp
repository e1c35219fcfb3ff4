// The decoders of memory, time, resources, credentials, prctl, ioctl and
// the small families (restart_syscall, robust lists) on synthetic calls:
// strace 6.1's text for each (checked against strace 6.1 itself:
// scripts/strace-suite runs its own tests of these calls).
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <cstring>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;
using testing::split_to_strace;
using testing::verbose_options;

constexpr std::uint64_t kBuf = 0x30000;
constexpr std::uint64_t kBuf2 = 0x40000;

TEST(MemDecode, BrkShowsNullAndAHexResult) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("brk", {0}, 0x55781cec6000), mem),
              "brk(NULL) = 0x55781cec6000");
    EXPECT_EQ(decode_to_strace(make_call("brk", {0x55781cee7000}, 0x55781cee7000), mem),
              "brk(0x55781cee7000) = 0x55781cee7000");
}

TEST(MemDecode, ProtectionAdviceAndLockFlagsByName) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("mprotect", {0x7f0000, 16384, PROT_READ}), mem),
              "mprotect(0x7f0000, 16384, PROT_READ) = 0");
    EXPECT_EQ(decode_to_strace(make_call("mprotect", {0x7f0000, 4096, 0}), mem),
              "mprotect(0x7f0000, 4096, PROT_NONE) = 0");
    EXPECT_EQ(decode_to_strace(make_call("madvise", {0x7f0000, 65536, MADV_DONTNEED}), mem),
              "madvise(0x7f0000, 65536, MADV_DONTNEED) = 0");
    EXPECT_EQ(decode_to_strace(make_call("madvise", {0x7f0000, 65536, 99}, -1, EINVAL), mem),
              "madvise(0x7f0000, 65536, 0x63 /* MADV_??? */)");
    EXPECT_EQ(decode_to_strace(make_call("mlockall", {MCL_CURRENT | MCL_FUTURE}), mem),
              "mlockall(MCL_CURRENT|MCL_FUTURE) = 0");
    EXPECT_EQ(decode_to_strace(make_call("pkey_alloc", {0, 1}, -1, EINVAL), mem),
              "pkey_alloc(0, PKEY_DISABLE_ACCESS)");
    // mremap's result is an address; the new address shows only with MAYMOVE|FIXED.
    EXPECT_EQ(
        decode_to_strace(make_call("mremap", {0x7f0000, 4096, 8192, 1, 0x1234}, 0x7e0000), mem),
        "mremap(0x7f0000, 4096, 8192, MREMAP_MAYMOVE) = 0x7e0000");
    EXPECT_EQ(decode_to_strace(make_call("mremap", {0x7f0000, 4096, 8192, 3, 0x1234}, 0x1234), mem),
              "mremap(0x7f0000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x1234) = 0x1234");
}

TEST(MemDecode, MincoreShowsEachPagesResidency) {
    FakeMemory mem;
    const unsigned char vec[3] = {1, 0, 3};
    mem.put(kBuf, vec);
    EXPECT_EQ(decode_to_strace(make_call("mincore", {0x7f0000, 3 * 4096 - 1, kBuf}), mem),
              "mincore(0x7f0000, 12287, [1, 0, 1]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("mincore", {0x7f0000, 4096, 0}, -1, EFAULT), mem),
              "mincore(0x7f0000, 4096, NULL)");
}

TEST(TimeDecode, SleepsShowTheRequestAndTheRestOnlyWhenInterrupted) {
    FakeMemory mem;
    const std::int64_t req[2] = {0, 20000};
    const std::int64_t rem[2] = {0, 1234};
    mem.put(kBuf, req);
    mem.put(kBuf2, rem);
    EXPECT_EQ(decode_to_strace(make_call("nanosleep", {kBuf, 0}), mem),
              "nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0");
    EXPECT_EQ(decode_to_strace(make_call("nanosleep", {kBuf, kBuf2}), mem),
              "nanosleep({tv_sec=0, tv_nsec=20000}, 0x40000) = 0");
    // ERESTART_RESTARTBLOCK (516): the kernel wrote the time left.
    EXPECT_EQ(decode_to_strace(make_call("nanosleep", {kBuf, kBuf2}, -1, 516), mem),
              "nanosleep({tv_sec=0, tv_nsec=20000}, {tv_sec=0, tv_nsec=1234})");
    EXPECT_EQ(decode_to_strace(make_call("clock_nanosleep", {0, 0, kBuf, 0}), mem),
              "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=20000}, NULL) = 0");
    // An absolute sleep never writes the rest.
    EXPECT_EQ(
        decode_to_strace(make_call("clock_nanosleep", {1, 1, kBuf, kBuf2}, -1, 516), mem),
        "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=0, tv_nsec=20000}, 0x40000)");
}

TEST(TimeDecode, ACpuClockIdIsAnUnnamedNumber) {
    FakeMemory mem;
    const std::int64_t res[2] = {0, 1};
    mem.put(kBuf, res);
    EXPECT_EQ(decode_to_strace(make_call("clock_getres", {0xfffffffffffe3e36, kBuf}), mem),
              "clock_getres(0xfffe3e36 /* CLOCK_??? */, {tv_sec=0, tv_nsec=1}) = 0");
}

TEST(TimeDecode, SetitimerShowsBothTimers) {
    FakeMemory mem;
    const std::int64_t itv[4] = {0, 0, 1, 500};
    mem.put(kBuf, itv);
    EXPECT_EQ(decode_to_strace(make_call("setitimer", {0, kBuf, 0}), mem),
              "setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, "
              "it_value={tv_sec=1, tv_usec=500}}, NULL) = 0");
}

TEST(ResourceDecode, LimitsNameInfinityAndMultiplesOf1024) {
    FakeMemory mem;
    const std::uint64_t stack[2] = {8192 * 1024, ~std::uint64_t{0}};
    mem.put(kBuf, stack);
    EXPECT_EQ(
        decode_to_strace(make_call("prlimit64", {0, 3, 0, kBuf}), mem),
        "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
    // Both are names of the number: -X raw prints it, -X verbose both.
    EXPECT_EQ(decode_to_strace(make_call("prlimit64", {0, 3, 0, kBuf}), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Raw}),
              "prlimit64(0, 0x3, NULL, {rlim_cur=8388608, rlim_max=18446744073709551615}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("prlimit64", {0, 3, 0, kBuf}), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Verbose}),
              "prlimit64(0, 0x3 /* RLIMIT_STACK */, NULL, {rlim_cur=8388608 /* 8192*1024 */, "
              "rlim_max=18446744073709551615 /* RLIM64_INFINITY */}) = 0");
    const std::uint64_t nofile[2] = {1024, 20000};
    mem.put(kBuf, nofile);
    EXPECT_EQ(decode_to_strace(make_call("getrlimit", {7, kBuf}), mem),
              "getrlimit(RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=20000}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("getrlimit", {16, kBuf}, -1, EINVAL), mem),
              "getrlimit(0x10 /* RLIMIT_??? */, 0x30000)");
}

TEST(ResourceDecode, GetrusageShowsTheTimesAndTheRestWithV) {
    FakeMemory mem;
    std::int64_t ru[18] = {0, 0, 0, 7113};
    ru[4] = 2048;  // ru_maxrss
    mem.put(kBuf, ru);
    EXPECT_EQ(decode_to_strace(make_call("getrusage", {0, kBuf}), mem),
              "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=0}, "
              "ru_stime={tv_sec=0, tv_usec=7113}, ...}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("getrusage", {static_cast<std::uint64_t>(-1), kBuf}), mem,
                               verbose_options()),
              "getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=0}, "
              "ru_stime={tv_sec=0, tv_usec=7113}, ru_maxrss=2048, ru_ixrss=0, ru_idrss=0, "
              "ru_isrss=0, ru_minflt=0, ru_majflt=0, ru_nswap=0, ru_inblock=0, ru_oublock=0, "
              "ru_msgsnd=0, ru_msgrcv=0, ru_nsignals=0, ru_nvcsw=0, ru_nivcsw=0}) = 0");
}

TEST(ResourceDecode, AffinityListsTheCpusOfTheMaskTheKernelWrote) {
    FakeMemory mem;
    std::uint64_t mask[4] = {0x5, 0, 0, 0};
    mem.put(kBuf, mask);
    EXPECT_EQ(decode_to_strace(make_call("sched_getaffinity", {0, 8192, kBuf}, 8), mem),
              "sched_getaffinity(0, 8192, [0 2]) = 8");
    EXPECT_EQ(decode_to_strace(make_call("sched_getaffinity", {0, 1, kBuf}, -1, EINVAL), mem),
              "sched_getaffinity(0, 1, 0x30000)");
}

TEST(ResourceDecode, UnameAndGetrandom) {
    FakeMemory mem;
    char u[6][65] = {"Linux", "vm", "6.1.0", "#1 SMP", "x86_64", "(none)"};
    mem.put(kBuf, u);
    EXPECT_EQ(decode_to_strace(make_call("uname", {kBuf}), mem),
              R"(uname({sysname="Linux", nodename="vm", ...}) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("uname", {kBuf}), mem, verbose_options()),
              R"(uname({sysname="Linux", nodename="vm", release="6.1.0", version="#1 SMP", )"
              R"x(machine="x86_64", domainname="(none)"}) = 0)x");
    const unsigned char random[4] = {0x49, 0xcf, 0x0, 0x1b};
    mem.put(kBuf2, random);
    EXPECT_EQ(decode_to_strace(make_call("getrandom", {kBuf2, 4, 1}, 4), mem),
              R"(getrandom("\x49\xcf\x00\x1b", 4, GRND_NONBLOCK) = 4)");
    EXPECT_EQ(decode_to_strace(make_call("getrandom", {kBuf2, 4, 0}, -1, EAGAIN), mem),
              "getrandom(0x40000, 4, 0)");
}

TEST(CredsDecode, IdsAreUnsignedButMinusOne) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("setresuid", {0xffffffff, 0, 0xffffffff}), mem),
              "setresuid(-1, 0, -1) = 0");
    EXPECT_EQ(decode_to_strace(make_call("setgid", {65534}), mem), "setgid(65534) = 0");
    const std::uint32_t groups[2] = {65534, 4};
    mem.put(kBuf, groups);
    EXPECT_EQ(decode_to_strace(make_call("setgroups", {2, kBuf}), mem),
              "setgroups(2, [65534, 4]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("getgroups", {2, kBuf}, 2), mem),
              "getgroups(2, [65534, 4]) = 2");
    const std::uint32_t ids[3] = {1000, 0, 0xffffffff};
    mem.put(kBuf2, ids);
    EXPECT_EQ(decode_to_strace(make_call("getresuid", {kBuf2, kBuf2 + 4, kBuf2 + 8}), mem),
              "getresuid([1000], [0], [-1]) = 0");
}

TEST(CredsDecode, CapgetNamesTheVersionAndEveryCapability) {
    FakeMemory mem;
    const std::uint32_t header[2] = {_LINUX_CAPABILITY_VERSION_3, 0};
    mem.put(kBuf, header);
    // Low word CAP_CHOWN|CAP_KILL, high word CAP_MAC_OVERRIDE (32); nothing
    // permitted; an unknown bit inheritable.
    const std::uint32_t data[2][3] = {{1u | (1u << 5), 0, 0}, {1u, 0, 0x8000}};
    mem.put(kBuf2, data);
    EXPECT_EQ(decode_to_strace(make_call("capget", {kBuf, kBuf2}), mem),
              "capget({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, "
              "{effective=1<<CAP_CHOWN|1<<CAP_KILL|1<<CAP_MAC_OVERRIDE, permitted=0, "
              "inheritable=0x8000 /* CAP_??? */}) = 0");
    EXPECT_EQ(decode_to_strace(make_call("capget", {kBuf, kBuf2}, -1, EINVAL), mem),
              "capget({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, 0x40000)");
}

TEST(PrctlDecode, OptionsShowTheirOwnArguments) {
    FakeMemory mem;
    mem.put_string(kBuf, "GC Thread#0");
    EXPECT_EQ(decode_to_strace(make_call("prctl", {PR_SET_NAME, kBuf, 0, 1, 0}), mem),
              R"(prctl(PR_SET_NAME, "GC Thread#0") = 0)");
    EXPECT_EQ(decode_to_strace(make_call("prctl", {PR_CAPBSET_READ, 32}, 1), mem),
              "prctl(PR_CAPBSET_READ, CAP_MAC_OVERRIDE) = 1");
    EXPECT_EQ(decode_to_strace(make_call("prctl", {PR_GET_DUMPABLE}, 1), mem),
              "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
    EXPECT_EQ(decode_to_strace(make_call("prctl", {PR_SET_PDEATHSIG, 9}), mem),
              "prctl(PR_SET_PDEATHSIG, SIGKILL) = 0");
    EXPECT_EQ(decode_to_strace(make_call("prctl", {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0}), mem),
              "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
    // An option without its own decoding: every further argument in hex.
    EXPECT_EQ(decode_to_strace(make_call("prctl", {0x12345, 1, 2, 0x30, 0}, -1, EINVAL), mem),
              "prctl(0x12345 /* PR_??? */, 0x1, 0x2, 0x30, 0)");
    // A read-back value comes at exit; the name alone when unfinished.
    const std::uint32_t sig = 15;
    mem.put(kBuf2, sig);
    EXPECT_EQ(split_to_strace(make_call("prctl", {PR_GET_PDEATHSIG, kBuf2}), mem),
              "prctl(PR_GET_PDEATHSIG,  <unfinished ...> | <... prctl resumed>[SIGTERM])");
    EXPECT_EQ(split_to_strace(make_call("prctl", {PR_SET_NAME, kBuf}), mem),
              R"(prctl(PR_SET_NAME, "GC Thread#0" <unfinished ...> | <... prctl resumed>))");
}

TEST(PrctlDecode, ArchPrctlShowsTheFsBaseItSetOrRead) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1002, 0x7f9541f37740}), mem),
              "arch_prctl(ARCH_SET_FS, 0x7f9541f37740) = 0");
    const std::uint64_t zero = 0;
    mem.put(kBuf, zero);
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1004, kBuf}), mem),
              "arch_prctl(ARCH_GET_GS, [NULL]) = 0");
    const std::uint64_t features = 0xe7;
    mem.put(kBuf, features);
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1021, kBuf}), mem),
              "arch_prctl(ARCH_GET_XCOMP_SUPP, [0xe7 /* XFEATURE_MASK_FPSSE|XFEATURE_MASK_YMM|"
              "XFEATURE_MASK_AVX512 */]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1023, 18}), mem),
              "arch_prctl(ARCH_REQ_XCOMP_PERM, 0x12 /* XFEATURE_XTILE_DATA */) = 0");
    // The features are verbose in every style but -X raw, which has the number alone.
    const StraceStyle raw{.xlat = XlatStyle::Raw};
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1021, kBuf}), mem, 32, raw),
              "arch_prctl(0x1021, [0xe7]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1023, 18}), mem, 32, raw),
              "arch_prctl(0x1023, 0x12) = 0");
    EXPECT_EQ(decode_to_strace(make_call("arch_prctl", {0x1023, 18}), mem, 32,
                               StraceStyle{.xlat = XlatStyle::Verbose}),
              "arch_prctl(0x1023 /* ARCH_REQ_XCOMP_PERM */, 0x12 /* XFEATURE_XTILE_DATA */) = 0");
}

TEST(IoctlDecode, RequestsByEveryNameOrByTheirParts) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {0, 0x5401, kBuf}, -1, ENOTTY), mem),
              "ioctl(0, TCGETS, 0x30000)");
    // Two headers give 0x5402 a name: strace shows both.
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {3, 0x5402, 0}, -1, EFAULT), mem),
              "ioctl(3, SNDCTL_TMR_START or TCSETS, NULL)");
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {3, 0x5451, 0}), mem), "ioctl(3, FIOCLEX) = 0");
    // No table names it: _IOC(direction, type, number, size).
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {3, 0xc0107aff, 0x1000}, -1, ENOTTY), mem),
              "ioctl(3, _IOC(_IOC_READ|_IOC_WRITE, 0x7a, 0xff, 0x10), 0x1000)");
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {3, 0x7a00, 0}, -1, ENOTTY), mem),
              "ioctl(3, _IOC(_IOC_NONE, 0x7a, 0, 0), 0)");
}

TEST(IoctlDecode, TerminalRequestsDecodeTheirArgument) {
    FakeMemory mem;
    const std::uint16_t ws[4] = {24, 80, 0, 0};
    mem.put(kBuf, ws);
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {1, 0x5413, kBuf}), mem),
              "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0");
    // A terminal's usual settings (stty sane): struct termios is 36 bytes.
    char t[36] = {};
    const std::uint32_t flags[4] = {0x500, 0x5, 0xbf, 0x8a3b};
    std::memcpy(t, flags, sizeof flags);
    t[17] = 3;  // VINTR: ^C
    mem.put(kBuf2, t, sizeof t);
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {0, 0x5401, kBuf2}), mem),
              "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, "
              "c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|"
              "ECHOKE, ...}) = 0");
    // -v: the line discipline and every control character, by index name.
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {0, 0x5401, kBuf2}), mem, verbose_options()),
              "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, "
              "c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|"
              "ECHOKE, c_line=N_TTY, c_cc=[[VINTR]=0x3, [VQUIT]=0, [VERASE]=0, [VKILL]=0, "
              "[VEOF]=0, [VTIME]=0, [VMIN]=0, [VSWTC]=0, [VSTART]=0, [VSTOP]=0, [VSUSP]=0, "
              "[VEOL]=0, [VREPRINT]=0, [VDISCARD]=0, [VWERASE]=0, [VLNEXT]=0, [VEOL2]=0, [17]=0, "
              "[18]=0]}) = 0");
    const std::int32_t pgrp = 4711;
    mem.put(kBuf, pgrp);
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {2, 0x540f, kBuf}), mem),
              "ioctl(2, TIOCGPGRP, [4711]) = 0");
    EXPECT_EQ(decode_to_strace(make_call("ioctl", {2, 0x540f, kBuf}, -1, ENOTTY), mem),
              "ioctl(2, TIOCGPGRP, 0x30000)");
    // A "get" shows its argument only at exit.
    EXPECT_EQ(decode_entry_to_strace(make_call("ioctl", {1, 0x5413, kBuf}), mem), "1, TIOCGWINSZ");
}

TEST(MiscDecode, RestartSyscallNamesTheCallItResumes) {
    FakeMemory mem;
    mem.previous = "poll";
    EXPECT_EQ(decode_to_strace(make_call("restart_syscall", {}), mem),
              "restart_syscall(<... resuming interrupted poll ...>) = 0");
    mem.previous.clear();
    EXPECT_EQ(decode_to_strace(make_call("restart_syscall", {}), mem),
              "restart_syscall(<... resuming interrupted system call ...>) = 0");
}

TEST(MiscDecode, RobustListsAndProcessGroups) {
    FakeMemory mem;
    EXPECT_EQ(decode_to_strace(make_call("set_robust_list", {0x7f9541f37a20, 24}), mem),
              "set_robust_list(0x7f9541f37a20, 24) = 0");
    EXPECT_EQ(decode_to_strace(make_call("setpgid", {0, 4711}), mem), "setpgid(0, 4711) = 0");
}

}  // namespace
}  // namespace sctrace
