// strace's line grammar, on the shapes real logs contain .
#include "sources/strace/strace_line.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <limits>
#include <string>
#include <vector>

#include "report/strace_format.h"

namespace sctrace::strace_text {
namespace {

struct Parsed {
    bool ok;
    ParsedLine line;
    std::string args;  // the arguments printed back in strace's notation
    std::string error;
};

Parsed parse(std::string_view text) {
    static ArgTree tree;  // large; one per test binary is plenty
    Parsed p;
    p.ok = parse_line(text, p.line, tree, &p.error);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    p.args = fmt::to_string(out);
    return p;
}

TEST(StraceLine, ACompleteCallWithPaddedResult) {
    const auto p = parse(
        "5869  connect(4, {sa_family=AF_INET, sin_port=htons(43421), "
        "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation "
        "now in progress)");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Call);
    EXPECT_EQ(p.line.pid, 5869);
    EXPECT_EQ(p.line.name, "connect");
    EXPECT_TRUE(p.line.has_result);
    EXPECT_EQ(p.line.ret, -1);
    EXPECT_EQ(p.line.err, 115);
    EXPECT_EQ(
        p.args,
        "4, {sa_family=AF_INET, sin_port=htons(43421), sin_addr=inet_addr(\"127.0.0.1\")}, 16");
    const auto padded = parse("5869  close(3)                          = 0");
    ASSERT_TRUE(padded.ok);
    EXPECT_EQ(padded.line.ret, 0);
    EXPECT_EQ(padded.line.err, 0);
}

TEST(StraceLine, PidPrefixesOfEveryKind) {
    EXPECT_EQ(parse("[pid  4711] getpid() = 4711").line.pid, 4711);
    EXPECT_EQ(parse("[pid 10995<futex>] getpid() = 1").line.pid, 10995);
    EXPECT_EQ(parse("4711  getpid() = 4711").line.pid, 4711);
    EXPECT_EQ(parse("getpid() = 4711").line.pid, 0);
}

TEST(StraceLine, Timestamps) {
    auto p = parse("11807 15:23:55.989701 brk(NULL)         = 0x55c950509000 <0.000008>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.time_kind, TimeKind::TimeOfDay);
    EXPECT_EQ(p.line.time, ((15 * 3600 + 23 * 60 + 55) * 1'000'000'000LL) + 989'701'000);
    EXPECT_EQ(p.line.ret, 0x55c950509000);
    ASSERT_TRUE(p.line.duration);
    EXPECT_EQ(*p.line.duration, 8000);
    p = parse("11821 1795447436.114670 close(3)        = 0");
    EXPECT_EQ(p.line.time_kind, TimeKind::Absolute);
    EXPECT_EQ(p.line.time, 1795447436'114670000LL);
    p = parse("     0.000123 close(3) = 0");
    EXPECT_EQ(p.line.time_kind, TimeKind::Relative);
    EXPECT_EQ(p.line.time, 123000);
    EXPECT_EQ(parse("15:23:55 close(3) = 0").line.time,
              (15 * 3600 + 23 * 60 + 55) * 1'000'000'000LL);
}

TEST(StraceLine, ParenthesesInsideArgumentsDoNotEndThem) {
    const auto p =
        parse("4711  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4712");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.ret, 4712);
    EXPECT_EQ(p.args, "-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL");
    const auto s = parse(R"(1 write(1, "a) = 5, b\"(", 9) = 9)");
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.line.ret, 9);
}

TEST(StraceLine, FdDecorationsKeepTheNumberAndTheirText) {
    const auto p = parse("1 close(3</etc/ld.so.cache>) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "3");
    const auto s = parse("1 write(3<TCP:[127.0.0.1:40000->127.0.0.1:8080]>, \"x\", 1) = 1");
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(s.args, "3, \"x\", 1");
    const auto r = parse(
        "1 openat(AT_FDCWD</tmp>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> "
        "<0.000011>");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.line.ret, 3);
    EXPECT_TRUE(r.line.duration);
}

// strace 6.1 -y, sqlite's unlinked temporary files and memfd_create's fds;
// some strace versions print a space before the marker.
TEST(StraceLine, DeletedFilesKeepTheirNumberAndPath) {
    static ArgTree tree;
    ParsedLine line;
    std::string error;
    const std::string sqlite =
        "17645 16:17:39.135643 pwrite64(4</var/tmp/etilqs_5c1d7e5e7d8ee238>(deleted), "
        "\"\\354\\252\"..., 4096, 0) = 4096 <0.000098>";
    ASSERT_TRUE(parse_line(sqlite, line, tree, &error)) << error;
    EXPECT_EQ(line.ret, 4096);
    ASSERT_TRUE(line.duration);
    const NodeId fd = tree.node(tree.root()).first_child;
    ASSERT_NE(fd, kNoNode);
    EXPECT_EQ(tree.node(fd).value, 4u);
    EXPECT_EQ(tree.node(fd).text, "/var/tmp/etilqs_5c1d7e5e7d8ee238");
    const std::string spaced = "7 write(5</memfd:x> (deleted), \"hi\", 2) = 2";
    ASSERT_TRUE(parse_line(spaced, line, tree, &error)) << error;
    EXPECT_EQ(line.ret, 2);
    EXPECT_EQ(tree.node(tree.node(tree.root()).first_child).text, "/memfd:x");

    auto p = parse("17154 memfd_create(\"x\", 0)              = 3</memfd:x>(deleted)");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.ret, 3);
    p = parse("17154 close(3</memfd:x>(deleted))       = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "3");
    p = parse(
        "17154 dup2(3</memfd:x> (deleted), 7</tmp/y>(deleted)) = 7</tmp/y>(deleted) <0.000003>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "3, 7");
    EXPECT_EQ(p.line.ret, 7);
    EXPECT_TRUE(p.line.duration);
}

// strace 6.1 -f -n -i -Y: comm after the pid, the syscall number, then the
// instruction pointer.
TEST(StraceLine, SyscallNumberColumnsAndCommSuffixes) {
    auto p = parse("25728<true> [  12] [00007f7a5546dc47] brk(NULL) = 0x563022e3d000");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.pid, 25728);
    EXPECT_EQ(p.line.name, "brk");
    EXPECT_EQ(p.line.ret, 0x563022e3d000);
    p = parse(
        "25728<strace> [  59] [00007f718fdadad7] execve(\"/usr/bin/true\", "
        "[\"true\"], 0x7fff5d54f830 /* 41 vars */) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.name, "execve");
    p = parse("[pid 10995<futex>] 15:23:55.989701 [ 202] futex(0x7f, FUTEX_WAKE, 1) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.name, "futex");
    EXPECT_EQ(p.line.time_kind, TimeKind::TimeOfDay);
}

// strace ends a line whose call has not returned with a mark other than
// "<unfinished ...>" when it lets go of the thread (-p, then ^C) or the
// thread's pid is taken over by an exec.
TEST(StraceLine, DetachedAndPidChangedLinesAreUnfinished) {
    auto p = parse("wait4(-1,  <detached ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.args, "-1");
    p = parse("100 futex(0x7f, FUTEX_WAIT_PRIVATE, 2, NULL <pid changed to 101 ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.line.name, "futex");
    p = parse("10124 +++ superseded by execve in pid 10123 +++");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Superseded);
    EXPECT_EQ(p.line.superseded_by, 10123);
}

// strace 6.1 -f -y on headless Chromium: a call left unfinished inside a
// struct, and its resumed half closing that struct.
TEST(StraceLine, AnUnfinishedHalfCanEndInsideAStruct) {
    auto p = parse(
        "14999 16:51:53.927565 ioctl(33<socket:[256901]>, SIOCGIFNAME, "
        "{ifr_ifindex=4 <unfinished ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.line.name, "ioctl");
    EXPECT_EQ(p.args.substr(0, 16), "33, SIOCGIFNAME,");
    p = parse("14999 16:51:53.927925 <... ioctl resumed>, ifr_name=\"eth0\"}) = 0 <0.000327>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Resumed);
    EXPECT_EQ(p.line.ret, 0);
    EXPECT_TRUE(p.line.duration);
}

// strace 6.1 -ff on headless Chromium: a thread's last call, unidentified.
TEST(StraceLine, AnUnidentifiedCallIsNamedByQuestionMarks) {
    auto p = parse("?\?\?()                                   = ?");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Call);
    EXPECT_EQ(p.line.name, "???");
    EXPECT_FALSE(p.line.has_result);
    p = parse("100 ?\?\?( <unfinished ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    p = parse("100 <... ??? resumed>) = ?");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.name, "???");
}

// A thread that dies inside a call: strace prints what it had at entry.
TEST(StraceLine, ACallCutByDeathWithAnEmptyLastArgument) {
    auto p = parse("read(12, ) = ? <unavailable>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Call);
    EXPECT_EQ(p.line.name, "read");
    EXPECT_FALSE(p.line.has_result);
    EXPECT_EQ(p.args, "12");
    // -ff (strace 6.1): the entry half and "= ?" on one line.
    p = parse("read(3<pipe:[50589]>,  <unfinished ...>) = ?");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.args, "3");
    // -f: the resumed half of a call whose thread died.
    p = parse("17608 <... read resumed> <unfinished ...>) = ?");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_TRUE(p.line.resumed);
}

TEST(StraceLine, UnfinishedResumedAndBoth) {
    auto p = parse("6883  getppid( <unfinished ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.line.name, "getppid");
    p = parse("100 wait4(-1,  <unfinished ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_EQ(p.args, "-1");
    p = parse("6883  <... getppid resumed>)            = 6876");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Resumed);
    EXPECT_EQ(p.line.ret, 6876);
    p = parse("7 <... epoll_wait resumed> {}, 64, 100 <unfinished ...>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Unfinished);
    EXPECT_TRUE(p.line.resumed);
}

TEST(StraceLine, ResultsCutByExitAndInjected) {
    auto p = parse("1 exit_group(0)                           = ?");
    ASSERT_TRUE(p.ok);
    EXPECT_FALSE(p.line.has_result);
    p = parse("1 futex(0x7f, FUTEX_WAIT, 0, NULL) = ? <unavailable>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_FALSE(p.line.has_result);
    p = parse("1 read(0, 0x7ffd, 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.line.err, 512);
    p = parse(
        "1 connect(3, {sa_family=AF_INET}, 16) = -1 ECONNREFUSED (Connection refused) (INJECTED)");
    ASSERT_TRUE(p.ok);
    EXPECT_TRUE(p.line.injected);
    EXPECT_EQ(p.line.err, 111);
    p = parse("1 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)");
    ASSERT_TRUE(p.ok);
    EXPECT_EQ(p.line.ret, 0x802);
}

TEST(StraceLine, SignalsExitsAndOthers) {
    auto p =
        parse("8794  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xbbadbeef} ---");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Signal);
    EXPECT_EQ(p.line.signal.signo, 11);
    EXPECT_EQ(p.line.signal.code, 1);
    EXPECT_EQ(p.line.signal.addr, 0xbbadbeefu);
    p = parse(
        "12 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=13, si_uid=0, "
        "si_status=3, si_utime=0, si_stime=0} ---");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.signal.sender_pid, 13);
    EXPECT_EQ(p.line.signal.status, 3);
    EXPECT_EQ(parse("1 --- stopped by SIGSTOP ---").line.kind, LineKind::Stopped);
    p = parse("1 +++ killed by SIGSEGV (core dumped) +++");
    EXPECT_EQ(p.line.kind, LineKind::Killed);
    EXPECT_EQ(p.line.code, 11);
    EXPECT_TRUE(p.line.core_dumped);
    p = parse("1 +++ exited with 7 +++");
    EXPECT_EQ(p.line.kind, LineKind::Exited);
    EXPECT_EQ(p.line.code, 7);
    p = parse("1 +++ superseded by execve in pid 3 +++");
    EXPECT_EQ(p.line.superseded_by, 3);
    EXPECT_EQ(parse(" > /lib/libc.so.6(__connect+0x14) [0x10e53e]").line.kind, LineKind::Frame);
    EXPECT_EQ(parse("strace: Process 10123 attached").line.kind, LineKind::Diagnostic);
    EXPECT_EQ(parse("").line.kind, LineKind::Blank);
    p = parse("1 restart_syscall(<... resuming interrupted read ...>) = 0");
    ASSERT_TRUE(p.ok) << p.error;
}

// strace spells signal 29 SIGIO (glibc's SIGPOLL is the same number) and
// names si_code by the signal: POLL_IN is SIGIO's 1, as SEGV_MAPERR is SIGSEGV's.
TEST(StraceLine, SigioLinesParseWithTheirBandAndFd) {
    auto p = parse("4242  --- SIGIO {si_signo=SIGIO, si_code=POLL_IN, si_band=65, si_fd=5} ---");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.kind, LineKind::Signal);
    EXPECT_EQ(p.line.signal.signo, SIGIO);
    EXPECT_EQ(p.line.signal.code, POLL_IN);
    EXPECT_EQ(p.line.signal.band, 65);
    EXPECT_EQ(p.line.signal.fd, 5);
    p = parse("4242  --- SIGIO {si_signo=SIGIO, si_code=SI_SIGIO, si_band=1, si_fd=3} ---");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.signal.code, SI_SIGIO);
    EXPECT_EQ(p.line.signal.fd, 3);
    p = parse("1 --- SIGPOLL {si_signo=SIGPOLL, si_code=POLL_HUP, si_band=16, si_fd=4} ---");
    ASSERT_TRUE(p.ok) << p.error << ": glibc's name for the same signal is accepted too";
    EXPECT_EQ(p.line.signal.signo, SIGIO);
    EXPECT_EQ(p.line.signal.code, POLL_HUP);
    // A real-time signal as strace 6.1 numbers them (from the kernel's 32).
    p = parse(
        "7 --- SIGRT_1 {si_signo=SIGRT_1, si_code=SI_QUEUE, si_pid=7, si_uid=0, "
        "si_int=3, si_ptr=0x3} ---");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.signal.signo, 33);
    EXPECT_EQ(p.line.signal.code, SI_QUEUE);
    EXPECT_EQ(p.line.signal.value, 3u);
}

TEST(StraceLine, StringsAreUnescapedAndTruncationKept) {
    const auto p = parse(R"(1 read(3, "\177ELF\2\1\1\3\0\0\0"..., 832) = 832)");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, R"(3, "\177ELF\2\1\1\3\0\0\0"..., 832)");
}

TEST(StraceLine, QuotesAfterRunsOfBackslashes) {
    // An even run of backslashes before a quote is escaped backslashes: the
    // quote ends the string; an odd run escapes the quote itself.
    auto p = parse(R"(1 write(1, "a\\", 2) = 2)");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, R"(1, "a\\", 2)");
    p = parse(R"(1 write(1, "\"q\\\", x\"", 7) = 7)");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, R"(1, "\"q\\\", x\"", 7)");
}

TEST(StraceLine, NumbersAtTheEdgesOfTheirTypes) {
    ArgTree tree;
    ParsedLine line;
    std::string error;
    ASSERT_TRUE(
        parse_line("1 f(9223372036854775807, -9223372036854775808, 18446744073709551615, "
                   "18446744073709551616, 0xffffffffffffffff, 0x10000000000000000, 0777, 12a) = "
                   "-9223372036854775808",
                   line, tree, &error))
        << error;
    EXPECT_EQ(line.ret, std::numeric_limits<std::int64_t>::min());
    std::vector<const ArgNode*> args;
    for (NodeId c = tree.node(tree.root()).first_child; c != kNoNode; c = tree.node(c).next) {
        args.push_back(&tree.node(c));
    }
    ASSERT_EQ(args.size(), 8u);
    EXPECT_EQ(args[0]->kind, ArgKind::Int);
    EXPECT_EQ(args[0]->value, 9223372036854775807ull);
    EXPECT_EQ(args[1]->kind, ArgKind::Int);
    EXPECT_EQ(args[1]->value, 9223372036854775808ull);  // INT64_MIN's bits
    EXPECT_EQ(args[2]->kind, ArgKind::UInt);
    EXPECT_EQ(args[2]->value, 18446744073709551615ull);
    EXPECT_EQ(args[3]->kind, ArgKind::Text);  // too big for any number: kept as written
    EXPECT_EQ(args[4]->kind, ArgKind::Hex);
    EXPECT_EQ(args[4]->value, 0xffffffffffffffffull);
    EXPECT_EQ(args[5]->kind, ArgKind::Text);
    EXPECT_EQ(args[6]->kind, ArgKind::Oct);
    EXPECT_EQ(args[6]->value, 0777u);
    EXPECT_EQ(args[7]->kind, ArgKind::Text);
    // strace prints rt_sigreturn's result unsigned: whatever the interrupted
    // code had in rax, which may be any 64-bit value.
    const Parsed above_int64 = parse("1 rt_sigreturn({mask=[]}) = 14184149890077264647");
    ASSERT_TRUE(above_int64.ok) << above_int64.error;
    EXPECT_EQ(static_cast<std::uint64_t>(above_int64.line.ret), 14184149890077264647ull);
    EXPECT_FALSE(parse("1 close(3) = 18446744073709551616").ok);  // beyond any register
    EXPECT_FALSE(parse("1 close(3) = -9223372036854775809").ok);
    EXPECT_EQ(parse("[pid 2147483647] close(3) = 0").line.pid, 2147483647);
}

TEST(StraceLine, TimesAndDurationsAtTheEdgesOfInt64) {
    constexpr Nanos kMax = std::numeric_limits<Nanos>::max();
    // The largest -ttt time and -T duration that fit are read exactly.
    auto p = parse("1 9223372036.854775807 close(3) = 0 <9223372036.854775807>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.time, kMax);
    EXPECT_EQ(p.line.duration, kMax);
    // One nanosecond more, or INT64_MAX seconds, is a bad line, not a time
    // that wrapped around to a negative one.
    p = parse("1 9223372036.854775808 close(3) = 0");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("does not fit"), std::string::npos) << p.error;
    EXPECT_FALSE(parse("1 9223372036854775807.000000 close(3) = 0").ok);
    EXPECT_FALSE(parse("1 99999999999999999999.000000 close(3) = 0").ok);
    p = parse("1 close(3) = 0 <9223372036.854775808>");
    EXPECT_FALSE(p.ok);
    EXPECT_NE(p.error.find("-T duration"), std::string::npos) << p.error;
    EXPECT_FALSE(parse("1 close(3) = 0 <9223372036854775807.000000>").ok);
    // -t/-tt with hours no clock shows: checked all the same.
    EXPECT_FALSE(parse("1 2147483647:59:59.000000 close(3) = 0").ok);
    p = parse("1 2562047:47:16.854775807 close(3) = 0");  // INT64_MAX nanoseconds
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.time, kMax);
    // Digits below a nanosecond are dropped, not overflowed.
    p = parse("1 1795447436.12345678901234567890 close(3) = 0 <0.00000000199999999999>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.time, 1795447436'123456789LL);
    EXPECT_EQ(p.line.duration, 1);
    p = parse("1 15:23:55.98970112345678901234 close(3) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.time, (15 * 3600 + 23 * 60 + 55) * 1'000'000'000LL + 989'701'123);
    // strace never prints a negative duration; such text is not read as one.
    p = parse("1 close(3) = 0 <-1.500000>");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_FALSE(p.line.duration.has_value());
    // peek_time (the -ff merge) sees no time where parse_line sees a bad one.
    TimeKind kind{};
    EXPECT_FALSE(peek_time("1 9223372036854775807.000000 close(3) = 0", &kind).has_value());
}

TEST(StraceLine, TimesOfEveryPrecision) {
    constexpr Nanos kAt = (15 * 3600 + 23 * 60 + 55) * 1'000'000'000LL;
    EXPECT_EQ(parse("15:23:55.989701 close(3) = 0").line.time, kAt + 989'701'000);
    EXPECT_EQ(parse("15:23:55.9897 close(3) = 0").line.time, kAt + 989'700'000);
    EXPECT_EQ(parse("1 15:23:55.000001   close(3) = 0").line.time, kAt + 1'000);
    EXPECT_EQ(parse("1 23:59:59.999999 close(3) = 0").line.time, 86'399'999'999'000LL);
    EXPECT_EQ(parse("9:05:01.5 close(3) = 0").line.time,
              (9 * 3600 + 5 * 60 + 1) * 1'000'000'000LL + 500'000'000);
}

TEST(StraceLine, SpacedArraysAndValueResults) {
    auto p = parse("1 rt_sigprocmask(SIG_BLOCK, [INT TERM], ~[RTMIN RT_1], 8) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "SIG_BLOCK, [INT TERM], ~[RTMIN RT_1], 8");
    p = parse("1 accept4(3, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 4");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "3, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC");
    p = parse("1 execve(\"/bin/sh\", [\"sh\"], 0x7ffd927e8640 /* 37 vars */) = 0");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.args, "\"/bin/sh\", [\"sh\"], 0x7ffd927e8640 /* 37 vars */");
}

TEST(StraceLine, BadLinesAreErrorsNotCrashes) {
    std::string error;
    for (const char* bad :
         {"1 connect(3, {sa_family=AF_INET", "hello world", "1 close(3) =", "1 close(3) = x",
          "1 <... resumed>", "1 +++ what +++", "1 --- SIGNOPE {} ---"}) {
        EXPECT_FALSE(parse(bad).ok) << bad;
    }
}

TEST(StraceLine, DeepNestingIsBoundedAndKeptAsText) {
    std::string deep = "1 f(";
    for (int i = 0; i < 10000; ++i) deep += "[";
    for (int i = 0; i < 10000; ++i) deep += "]";
    deep += ") = 0";
    const auto p = parse(deep);
    EXPECT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.line.ret, 0);
}

}  // namespace
}  // namespace sctrace::strace_text
