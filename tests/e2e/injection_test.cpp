// Fault injection (--inject in sctrace's command line, -e inject= in
// `sctrace strace`): what the program experiences is what was asked for, on
// the invocations asked for, and the trace marks it as strace does.
//
// These are sctrace's options: with SCTRACE_E2E_TRACER pointing at strace
// they are skipped.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 50s;

std::string probe() {
    return std::string(TRACEE_DIR) + "/inject_probe";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

class Injection : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace's own options";
    }
    RunResult sctrace(std::vector<std::string> args) {
        std::string label = "sctrace";
        for (const auto& a : args) label += " " + a;
        args.insert(args.begin(), Tracer::get().path);
        return run(args, {label, "", false}, kTimeout);
    }
};

TEST_F(Injection, RetvalReachesTheProgramOnTheChosenInvocationsOnly) {
    const RunResult r = sctrace(
        {"--no-rules", "--inject", "getppid:retval=42:when=2..3", "--", probe(), "getppid", "5"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto got = lines_of(r.out);
    ASSERT_EQ(got.size(), 5u) << r.out;
    EXPECT_NE(got[0], "42");
    EXPECT_EQ(got[1], "42");
    EXPECT_EQ(got[2], "42");
    EXPECT_NE(got[3], "42");
    EXPECT_EQ(got[0], got[3]) << "the calls not chosen ran for real";
}

TEST_F(Injection, StraceModeMarksInjectedResultsAsStraceDoes) {
    const RunResult r = sctrace({"strace", "--no-rules", "-e", "trace=getppid", "-e",
                                 "inject=getppid:retval=42:when=2", probe(), "getppid", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_of(r.err, " = 42 (INJECTED)\n"), 1u) << r.err;
    EXPECT_EQ(count_of(r.err, "getppid() "), 3u) << r.err;
    EXPECT_EQ(count_of(r.err, "(INJECTED)"), 1u) << r.err;
}

TEST_F(Injection, ErrorFailsTheCallWithThatErrno) {
    const RunResult r = sctrace({"strace", "--no-rules", "-e", "trace=open", "-e",
                                 "inject=open:error=EACCES", probe(), "open"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "EACCES\n");
    EXPECT_NE(r.err.find("= -1 EACCES (Permission denied) (INJECTED)\n"), std::string::npos)
        << r.err;
    // Untraced the same open succeeds: the injection, not the file, failed it.
    const RunResult plain = run({probe(), "open"}, {"plain", "", false}, kTimeout);
    EXPECT_EQ(plain.out, "fd\n");
}

TEST_F(Injection, FaultFailsWithEnosysByDefault) {
    const RunResult r = sctrace({"--no-rules", "--fault", "open:when=1+", "--", probe(), "open"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "ENOSYS\n") << r.err;
}

TEST_F(Injection, SignalInterruptsTheBlockingCallItWasInjectedInto) {
    const RunResult r =
        sctrace({"--no-rules", "--inject", "pause:signal=SIGUSR1", "--", probe(), "pause"});
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "EINTR, handler ran\n") << r.err;
}

TEST_F(Injection, DelayHoldsTheThreadAndIsMarked) {
    const RunResult r = sctrace({"strace", "--no-rules", "-e", "trace=getppid", "-e",
                                 "inject=getppid:delay_enter=300ms", probe(), "slow"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "slow\n") << r.err;
    EXPECT_NE(r.err.find(" (DELAYED)\n"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("(INJECTED)"), std::string::npos) << "a delay makes up no result";
}

TEST_F(Injection, JsonlSaysInjectedAndAnalyzeReadsItBack) {
    const std::string log =
        std::filesystem::temp_directory_path() / ("sctrace-inject-" + std::to_string(getpid()));
    const RunResult r =
        sctrace({"--no-rules", "-e", "trace=getppid", "-o", log, "--format", "jsonl", "--inject",
                 "getppid:retval=7:when=1", "--", probe(), "getppid", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string text = read_file(log);
    EXPECT_EQ(count_of(text, "\"injected\":true"), 1u) << text;
    const RunResult a =
        sctrace({"analyze", "--no-rules", "-o", "/dev/stdout", "--format", "strace", log});
    std::filesystem::remove(log);
    EXPECT_EQ(count_of(a.out + a.err, "= 7 (INJECTED)"), 1u) << a.out << a.err;
}

TEST_F(Injection, AMistakeIsAUsageErrorNamingTheToken) {
    const RunResult run_cli = sctrace({"--inject", "read:error=EWHAT", "--", "true"});
    EXPECT_EQ(run_cli.status, 2);
    EXPECT_NE(run_cli.err.find("error=EWHAT: not an errno name"), std::string::npos) << run_cli.err;
    const RunResult strace_cli = sctrace({"strace", "-e", "inject=read:when=0:error=EIO", "true"});
    EXPECT_EQ(strace_cli.status, 1);
    EXPECT_NE(strace_cli.err.find("when=0: FIRST must be 1..65535"), std::string::npos)
        << strace_cli.err;
    const RunResult e_in_run = sctrace({"-e", "inject=read:error=EIO", "--", "true"});
    EXPECT_EQ(e_in_run.status, 2);
    EXPECT_NE(e_in_run.err.find("--inject read:error=EIO"), std::string::npos) << e_in_run.err;
}

}  // namespace
}  // namespace e2e
