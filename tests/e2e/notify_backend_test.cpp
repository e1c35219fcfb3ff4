// --backend seccomp-notify: the command runs under a user-notify filter
// instead of ptrace. What a user relies on, even before any rule runs on it:
//
//   - the command behaves as untraced (output, status, signals);
//   - every traced call shows, at its entry, from the process that made it,
//     with its result unknown ("= ?"), and the command's own end;
//   - a program that already has a tracer (sctrace's ptrace backend here,
//     gdb or rr in life) can still be traced;
//   - what the backend cannot do is refused up front, never half done.
//
// sctrace's backend, not strace's: skipped with SCTRACE_E2E_TRACER=strace.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 50s;
constexpr int kStartFailure = 2;  // docs/cli.md

std::string tracee(const std::string& name) {
    return std::string(TRACEE_DIR) + "/" + name;
}

class NotifyBackend : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        if (t.is_strace) GTEST_SKIP() << "sctrace's own backend";
        ASSERT_EQ(access(t.path.c_str(), X_OK), 0) << "no sctrace at " << t.path;
        // A kernel older than 5.5, or a container profile, may refuse the
        // filter: then there is nothing of this backend to test here.
        const RunResult probe =
            run({t.path, "--backend", "seccomp-notify", "--no-rules", "--", "/bin/true"},
                {"probe", "", false}, kTimeout);
        if (probe.status == kStartFailure &&
            probe.err.find("refused a seccomp user-notify filter") != std::string::npos) {
            GTEST_SKIP() << "SKIPPED: this kernel or its policy refuses seccomp user "
                            "notification, so --backend seccomp-notify is NOT tested: "
                         << probe.err;
        }
        dir_ = make_test_dir("sctrace-notify");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }
    std::string temp(const std::string& name) const { return dir_ + "/" + name; }
    const std::string& sctrace() const { return Tracer::get().path; }

    // sctrace --backend seccomp-notify OPTIONS -- COMMAND, strace format to `log`.
    RunResult traced(const std::vector<std::string>& options, const std::string& log,
                     const std::vector<std::string>& command) {
        std::vector<std::string> argv{sctrace(),    "--backend", "seccomp-notify",
                                      "--no-rules", "--format",  "strace",
                                      "-o",         log};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back("--");
        argv.insert(argv.end(), command.begin(), command.end());
        return run(argv, {"under seccomp-notify", "", false}, kTimeout);
    }

    std::string dir_;
};

TEST_F(NotifyBackend, TheCommandBehavesAsUntracedAndItsCallsShowAtTheirEntry) {
    const std::vector<std::string> command = {
        "/bin/sh", "-c", "echo out; echo err >&2; /bin/echo child-out; exit 7"};
    const RunResult untraced = run(command, {"untraced", "", false}, kTimeout);
    const std::string log = temp("calls.log");
    const RunResult under = traced({"-e", "trace=write,execve"}, log, command);
    ASSERT_FALSE(under.timed_out) << under.hang_report;
    EXPECT_EQ(under.status, 7);
    EXPECT_EQ(under.status, untraced.status);
    EXPECT_EQ(under.out, untraced.out);
    EXPECT_EQ(under.err, untraced.err);
    const std::string calls = read_file(log);
    // The shell's writes and the child's, each with its result unknown.
    // (The shell writes "err" to fd 1 after moving fd 2 there.)
    EXPECT_NE(calls.find("write(1, \"out\\n\", 4) = ?"), std::string::npos) << calls;
    EXPECT_NE(calls.find(", \"err\\n\", 4) = ?"), std::string::npos) << calls;
    EXPECT_NE(calls.find("write(1, \"child-out\\n\", 10) = ?"), std::string::npos) << calls;
    EXPECT_NE(calls.find("execve(\"/bin/echo\", [\"/bin/echo\", \"child-out\"]"), std::string::npos)
        << calls;
    EXPECT_EQ(count_of(calls, "write("), 3u) << calls;
    EXPECT_NE(calls.find("+++ exited with 7 +++"), std::string::npos) << calls;
}

// A command that cannot be run is said, with the shell's status, as the
// ptrace backend says it.
TEST_F(NotifyBackend, ACommandThatCannotRunIsSaid) {
    const RunResult r =
        run({sctrace(), "--backend", "seccomp-notify", "--no-rules", "--", temp("no-such-program")},
            {"no such program", "", false}, kTimeout);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 127);
    EXPECT_EQ(r.err, "sctrace: cannot run the command: No such file or directory\n");
}

TEST_F(NotifyBackend, AKillingSignalPassesThrough) {
    const std::string log = temp("killed.log");
    const RunResult under = traced({"-e", "trace=write"}, log, {"/bin/sh", "-c", "kill -TERM $$"});
    ASSERT_FALSE(under.timed_out) << under.hang_report;
    EXPECT_EQ(under.status, 128 + SIGTERM) << under.err;
    EXPECT_NE(read_file(log).find("+++ killed by SIGTERM +++"), std::string::npos)
        << read_file(log);
}

// A process has one ptrace tracer at most; this backend needs none, so a
// program a debugger (here sctrace's own ptrace backend) already traces can
// be traced too. The outer run sees the inner command's calls. The inner
// tracer stops at every call (--no-seccomp), as gdb and rr do: a call both
// filters select goes to the user-notify one, which the kernel ranks above
// SECCOMP_RET_TRACE, so a tracer relying on seccomp stops (strace
// --seccomp-bpf, sctrace's default) would not see it.
TEST_F(NotifyBackend, TracesAProgramThatAlreadyHasAPtraceTracer) {
    const std::string outer = temp("outer.log"), inner = temp("inner.log");
    const std::vector<std::string> command = {
        sctrace(), "--no-rules", "--no-seccomp", "-e", "trace=write",        "-o",
        inner,     "--",         "/bin/sh",      "-c", "echo inside; exit 5"};
    const RunResult under = traced({"-e", "trace=write"}, outer, command);
    ASSERT_FALSE(under.timed_out) << under.hang_report;
    EXPECT_EQ(under.status, 5) << under.err;
    EXPECT_EQ(under.out, "inside\n");
    EXPECT_NE(read_file(outer).find("write(1, \"inside\\n\", 7) = ?"), std::string::npos)
        << read_file(outer);
    EXPECT_NE(read_file(inner).find("write(1,"), std::string::npos)
        << "the inner tracer saw nothing";
}

TEST_F(NotifyBackend, WhatItCannotDoIsRefusedUpFront) {
    const std::string log = temp("refused.log");
    for (const auto& [options, says] :
         std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"-p", "1"}, "-p cannot install a filter into a running process"},
             {{"--inject", "write:error=EIO", "--", "/bin/true"}, "--inject and --fault"},
             {{"--timeout", "5s", "--", "/bin/true"}, "--timeout"},
         }) {
        std::vector<std::string> argv{sctrace(), "--backend", "seccomp-notify"};
        argv.insert(argv.end(), options.begin(), options.end());
        const RunResult r = run(argv, {"refused", "", false}, kTimeout);
        EXPECT_EQ(r.status, kStartFailure) << options.front() << ": " << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("--backend ptrace"), std::string::npos) << r.err;
    }
}

// Where the kernel refuses seccomp filters, this backend cannot start: it
// says why and names the other backend, and the command does not run.
TEST_F(NotifyBackend, AKernelThatRefusesTheFilterIsAClearError) {
    const RunResult r = run({tracee("deny_seccomp"), sctrace(), "--backend", "seccomp-notify",
                             "--no-rules", "--", "/bin/echo", "ran"},
                            {"seccomp refused", "", false}, kTimeout);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, kStartFailure) << r.err;
    EXPECT_EQ(r.out, "") << "the command must not run untraced";
    EXPECT_NE(r.err.find("the kernel refused a seccomp user-notify filter: Operation not "
                         "permitted; --backend ptrace"),
              std::string::npos)
        << r.err;
}

// sctrace must outlive a signal aimed at it: were it to die, every traced
// call of the command would fail with ENOSYS. It passes the signal on.
TEST_F(NotifyBackend, ASignalToSctraceIsPassedOnAndSctraceLives) {
    const std::string log = temp("signalled.log");
    Process p({sctrace(), "--backend", "seccomp-notify", "--no-rules", "-o", log, "-e",
               "trace=write", "--", tracee("wait_signal"), "handle"},
              {"SIGTERM to sctrace", "", false});
    ASSERT_EQ(p.spawn_error(), "");
    ASSERT_TRUE(p.wait_for_stdout("ready\n", 30s)) << p.stderr_so_far();
    ASSERT_EQ(::kill(p.pid(), SIGTERM), 0);
    const RunResult r = p.finish(kTimeout);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 6) << "the command's handler ran and it exited 6: " << r.err;
    EXPECT_NE(r.out.find("SIGTERM"), std::string::npos) << r.out;
}

// Where ptrace is refused, --backend auto goes on without it, saying so in
// one line; the default backend fails and says how to go on.
TEST_F(NotifyBackend, AutoFallsBackWhenPtraceIsRefused) {
    const std::string log = temp("auto.log");
    const std::vector<std::string> command = {"/bin/sh", "-c", "echo hi; exit 6"};
    // LeakSanitizer (in a sanitizer build) stops the world with ptrace when
    // sctrace exits; refused here, it would fail the run for its own sake.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string no_leak_check = std::string("ASAN_OPTIONS=") +
                                      (asan && *asan ? std::string(asan) + ":" : "") +
                                      "detect_leaks=0";
    std::vector<std::string> argv{"/usr/bin/env", no_leak_check, tracee("deny_ptrace"),
                                  sctrace(),      "--backend",   "auto",
                                  "--no-rules",   "--format",    "strace",
                                  "-o",           log,           "-e",
                                  "trace=write",  "--"};
    argv.insert(argv.end(), command.begin(), command.end());
    const RunResult fell_back = run(argv, {"auto, ptrace refused", "", false}, kTimeout);
    ASSERT_FALSE(fell_back.timed_out) << fell_back.hang_report;
    EXPECT_EQ(fell_back.status, 6) << fell_back.err;
    EXPECT_EQ(fell_back.out, "hi\n");
    EXPECT_EQ(count_of(fell_back.err, "\n"), 1u) << fell_back.err;
    EXPECT_NE(fell_back.err.find("tracing with --backend seccomp-notify instead"),
              std::string::npos)
        << fell_back.err;
    EXPECT_NE(read_file(log).find("write(1, \"hi\\n\", 3) = ?"), std::string::npos)
        << read_file(log);

    std::vector<std::string> plain{"/usr/bin/env", no_leak_check, tracee("deny_ptrace"),
                                   sctrace(),      "--no-rules",  "--"};
    plain.insert(plain.end(), command.begin(), command.end());
    const RunResult refused = run(plain, {"ptrace refused", "", false}, kTimeout);
    EXPECT_EQ(refused.status, kStartFailure);
    EXPECT_EQ(refused.out, "") << "the command must not run when it cannot be traced";
    EXPECT_NE(refused.err.find("--backend seccomp-notify (or auto)"), std::string::npos)
        << refused.err;

    // Where ptrace works, auto is ptrace: results are seen.
    const std::string ptrace_log = temp("auto-ptrace.log");
    std::vector<std::string> allowed{sctrace(),  "--backend",   "auto", "--no-rules",
                                     "--format", "strace",      "-o",   ptrace_log,
                                     "-e",       "trace=write", "--"};
    allowed.insert(allowed.end(), command.begin(), command.end());
    const RunResult ptraced = run(allowed, {"auto, ptrace allowed", "", false}, kTimeout);
    EXPECT_EQ(ptraced.status, 6) << ptraced.err;
    EXPECT_EQ(ptraced.err, "");
    EXPECT_NE(read_file(ptrace_log).find("write(1, \"hi\\n\", 3) = 3"), std::string::npos)
        << read_file(ptrace_log);
}

// The rules that need results or signals are off, and said to be, rather
// than silently missing what they would have found: double_close's
// double-close goes unreported here, and stderr says why.
TEST_F(NotifyBackend, SaysWhichRulesAreOffRatherThanStayingSilent) {
    std::vector<std::string> argv{
        sctrace(), "--backend", "seccomp-notify", "--", tracee("double_close"), "0"};
    const RunResult r = run(argv, {"rules asked", "", false}, kTimeout);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("rule(s) that need results or signals are off ("), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("double-close"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("[double-close]"), std::string::npos) << "no finding from an off rule";
}

}  // namespace
}  // namespace e2e
