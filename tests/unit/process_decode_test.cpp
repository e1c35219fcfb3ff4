// The process decoders on synthetic calls, and ExeFacts on real binaries.
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "decode_test_util.h"
#include "decoders/exe_facts.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

TEST(ProcessDecode, CloneFlagsExitSignalAndTids) {
    FakeMemory m;
    const std::uint64_t fork_flags = CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD;
    EXPECT_EQ(decode_to_strace(make_call("clone", {fork_flags, 0, 0, 0x7ffff7dd0a10, 0}, 99), m),
              "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
              "child_tidptr=0x7ffff7dd0a10) = 99");
    EXPECT_EQ(decode_to_strace(make_call("clone", {SIGCHLD, 0, 0, 0, 0}, 5), m),
              "clone(child_stack=NULL, flags=SIGCHLD) = 5");
    m.put(0x1000, std::int32_t{1235});
    const std::uint64_t thread_flags = CLONE_VM | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID;
    EXPECT_EQ(
        decode_to_strace(make_call("clone", {thread_flags, 0x7000, 0x1000, 0, 0x8000}, 1235), m),
        "clone(child_stack=0x7000, flags=CLONE_VM|CLONE_THREAD|CLONE_SETTLS|"
        "CLONE_PARENT_SETTID, parent_tid=[1235], tls=0x8000) = 1235");
    EXPECT_EQ(decode_to_strace(make_call("clone", {0x4000000000ull | SIGCHLD, 0, 0, 0, 0}), m),
              "clone(child_stack=NULL, flags=0x4000000000 /* CLONE_??? */|SIGCHLD) = 0");
}

TEST(ProcessDecode, Clone3) {
    FakeMemory m;
    clone_args args{};
    args.exit_signal = SIGCHLD;
    m.put(0x1000, args);
    EXPECT_EQ(decode_to_strace(make_call("clone3", {0x1000, sizeof args}, 7), m),
              "clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88) = 7");
    clone_args thread{};
    thread.flags =
        CLONE_VM | CLONE_THREAD | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    thread.child_tid = thread.parent_tid = 0x2000;
    thread.stack = 0x7ffff75cf000;
    thread.stack_size = 0x7fff80;
    thread.tls = 0x7ffff7dcf6c0;
    m.put(0x1100, thread);
    m.put(0x2000, std::int32_t{4321});
    EXPECT_EQ(decode_to_strace(make_call("clone3", {0x1100, sizeof thread}, 4321), m),
              "clone3({flags=CLONE_VM|CLONE_THREAD|CLONE_SETTLS|CLONE_PARENT_SETTID|"
              "CLONE_CHILD_CLEARTID, child_tid=0x2000, parent_tid=0x2000, exit_signal=0, "
              "stack=0x7ffff75cf000, stack_size=0x7fff80, tls=0x7ffff7dcf6c0} => "
              "{parent_tid=[4321]}, 88) = 4321");
    EXPECT_EQ(decode_to_strace(make_call("clone3", {0x1000, 16}, -1, EINVAL), m),
              "clone3(0x1000, 16)");
}

TEST(ProcessDecode, ExecveArgvEnvpAndPaths) {
    FakeMemory m;
    const std::uint64_t argv[] = {m.put_string(0x100, "/bin/true"), m.put_string(0x200, "b c"), 0};
    m.put(0x1000, argv);
    m.put_string(0x300, "A=1");
    const std::uint64_t envp[] = {0x300, 0x300, 0};
    m.put(0x2000, envp);
    const std::uint64_t one[] = {0x300, 0};
    m.put(0x3000, one);
    m.put_string(0x4000, std::string(100, 'p'));
    EXPECT_EQ(decode_to_strace(make_call("execve", {0x100, 0x1000, 0x2000}), m),
              R"(execve("/bin/true", ["/bin/true", "b c"], 0x2000 /* 2 vars */) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("execve", {0x100, 0, 0x3000}), m),
              R"(execve("/bin/true", NULL, 0x3000 /* 1 var */) = 0)");
    // Paths are not cut at -s; the argv strings are, and so is their number.
    const std::string path = decode_to_strace(make_call("execve", {0x4000, 0x1000, 0}), m, 4);
    EXPECT_EQ(path, "execve(\"" + std::string(100, 'p') + R"(", ["/bin"..., "b c"], NULL) = 0)");
    EXPECT_EQ(decode_to_strace(make_call("execve", {0x100, 0x1000, 0}), m, 1),
              R"(execve("/bin/true", ["/"..., ...], NULL) = 0)");
    EXPECT_EQ(
        decode_to_strace(make_call("execveat", {static_cast<std::uint64_t>(-100), 0x100, 0x3000,
                                                0x2000, AT_SYMLINK_NOFOLLOW}),
                         m),
        R"(execveat(AT_FDCWD, "/bin/true", ["A=1"], 0x2000 /* 2 vars */, AT_SYMLINK_NOFOLLOW) = 0)");
}

TEST(ProcessDecode, ExitNeverReturns) {
    FakeMemory m;
    EXPECT_EQ(decode_to_strace(make_call("exit_group", {3}), m), "exit_group(3) = ?");
    EXPECT_EQ(decode_to_strace(make_call("exit", {static_cast<std::uint64_t>(-1)}), m),
              "exit(-1) = ?");
}

TEST(ProcessDecode, Wait4Statuses) {
    FakeMemory m;
    auto wait4 = [&](int status, std::uint64_t options, std::int64_t ret = 9) {
        m.put(0x1000, status);
        return decode_to_strace(make_call("wait4", {9, 0x1000, options, 0}, ret), m);
    };
    EXPECT_EQ(wait4(3 << 8, 0), "wait4(9, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 9");
    EXPECT_EQ(wait4(SIGKILL, __WALL),
              "wait4(9, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL) = 9");
    EXPECT_EQ(
        wait4(SIGSEGV | 0x80, 0),
        "wait4(9, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL) = 9");
    EXPECT_EQ(wait4((SIGSTOP << 8) | 0x7f, WUNTRACED),
              "wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 9");
    EXPECT_EQ(wait4(0xffff, WCONTINUED), "wait4(9, [{WIFCONTINUED(s)}], WCONTINUED, NULL) = 9");
    EXPECT_EQ(wait4((PTRACE_EVENT_CLONE << 16) | (SIGTRAP << 8) | 0x7f, __WALL),
              "wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP} | PTRACE_EVENT_CLONE << 16], "
              "__WALL, NULL) = 9");
    // WNOHANG with nothing to report: the pointer, not a status.
    EXPECT_EQ(wait4(0, WNOHANG, 0), "wait4(9, 0x1000, WNOHANG, NULL) = 0");
    EXPECT_EQ(
        decode_entry_to_strace(make_call("wait4", {static_cast<std::uint64_t>(-1), 0x1000}), m),
        "-1");
}

TEST(ProcessDecode, Wait4Rusage) {
    FakeMemory m;
    m.put(0x1000, 0);
    struct rusage ru {};
    ru.ru_utime.tv_usec = 1734;
    m.put(0x2000, ru);
    EXPECT_EQ(decode_to_strace(
                  make_call("wait4", {static_cast<std::uint64_t>(-1), 0x1000, 0, 0x2000}, 9), m),
              "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, {ru_utime={tv_sec=0, "
              "tv_usec=1734}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 9");
}

TEST(ProcessDecode, Waitid) {
    FakeMemory m;
    siginfo_t si{};
    si.si_signo = SIGCHLD;
    si.si_code = CLD_EXITED;
    si.si_pid = 77;
    si.si_status = 5;
    m.put(0x1000, si);
    EXPECT_EQ(decode_to_strace(make_call("waitid", {P_PID, 77, 0x1000, WEXITED, 0}), m),
              "waitid(P_PID, 77, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=77, si_uid=0, "
              "si_status=5, si_utime=0, si_stime=0}, WEXITED, NULL) = 0");
}

// --- ExeFacts on real binaries ---

TEST(ExeFacts, TrueIsADynamicGlibcProgram) {
    const ExeFacts facts = read_exe_facts("/bin/true");
    ASSERT_TRUE(facts.readable) << facts.error;
    EXPECT_FALSE(facts.is_static);
    EXPECT_NE(facts.interpreter.find("ld-linux"), std::string::npos) << facts.interpreter;
    EXPECT_TRUE(facts.glibc);
    EXPECT_EQ(facts.glibc_evidence, "libc.so.6");
}

TEST(ExeFacts, NotElf) {
    const std::string path = ::testing::TempDir() + "/exe_facts_not_elf";
    std::ofstream(path) << "#!/bin/sh\necho hi\n";
    const ExeFacts facts = read_exe_facts(path.c_str());
    EXPECT_FALSE(facts.readable);
    EXPECT_FALSE(facts.error.empty());
    EXPECT_FALSE(read_exe_facts("/nonexistent/program").readable);
}

// Builds a program with gcc; "" when gcc (or static glibc) is missing.
std::string build(const std::string& name, const std::string& flags) {
    const std::string dir = ::testing::TempDir();
    const std::string source = dir + "/exe_facts_" + name + ".c";
    const std::string binary = dir + "/exe_facts_" + name;
    std::ofstream(source) << "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";
    const std::string command =
        "gcc " + flags + " -o " + binary + " " + source + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0 ? binary : "";
}

TEST(ExeFacts, StaticGlibcProgram) {
    if (!std::filesystem::exists("/usr/lib/x86_64-linux-gnu/libc.a")) {
        GTEST_SKIP() << "glibc's static libc.a is not installed (libc6-dev): cannot build a "
                        "static glibc program to test with";
    }
    const std::string binary = build("static", "-static");
    if (binary.empty()) GTEST_SKIP() << "gcc -static failed: no static test program";
    const ExeFacts facts = read_exe_facts(binary.c_str());
    ASSERT_TRUE(facts.readable) << facts.error;
    EXPECT_TRUE(facts.is_static);
    EXPECT_TRUE(facts.interpreter.empty());
    EXPECT_TRUE(facts.glibc);
    EXPECT_EQ(facts.glibc_evidence, "__libc_freeres_fn");
}

TEST(ExeFacts, StaticNonGlibcProgramIsNotGlibc) {
    // No libc at all: a static program that makes its exit call itself.
    const std::string dir = ::testing::TempDir();
    const std::string source = dir + "/exe_facts_nolibc.c";
    const std::string binary = dir + "/exe_facts_nolibc";
    std::ofstream(source) << "void _start(void) { __asm__ volatile(\"mov $60, %eax; xor %edi, "
                             "%edi; syscall\"); }\n";
    const std::string command =
        "gcc -static -nostdlib -o " + binary + " " + source + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) GTEST_SKIP() << "gcc -nostdlib failed";
    const ExeFacts facts = read_exe_facts(binary.c_str());
    ASSERT_TRUE(facts.readable) << facts.error;
    EXPECT_TRUE(facts.is_static);
    EXPECT_FALSE(facts.glibc) << facts.glibc_evidence;
}

}  // namespace
}  // namespace sctrace
