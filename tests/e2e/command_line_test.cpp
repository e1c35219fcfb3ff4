// sctrace's command line, as a user types it: strace's `sctrace [OPTIONS]
// [--] COMMAND` for the default `run`, the other commands by their first
// word, every unknown option named (exit 2) rather than taken for the
// command, -e read alike by `run` and `analyze`, and a help that lists the
// commands.
//
// sctrace's own contract, not strace's: skipped when SCTRACE_E2E_TRACER points
// at strace.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 50s;
constexpr int kUsageError = 2;

std::string tracee(const std::string& name) {
    return std::string(TRACEE_DIR) + "/" + name;
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

class CommandLine : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace's own command line";
        dir_ = make_test_dir("sctrace-cli");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
        // A one-line strace log for analyze.
        std::ofstream(log()) << "100 close(3) = 0\n";
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }

    // sctrace ARGS..., to completion.
    RunResult sctrace(std::vector<std::string> args) const {
        std::string label = "sctrace";
        for (const auto& a : args) label += " " + a;
        args.insert(args.begin(), Tracer::get().path);
        return run(args, {label, "", false}, kTimeout);
    }
    std::string log() const { return dir_ + "/close.log"; }

    std::string dir_;
};

TEST_F(CommandLine, AnUnknownOptionIsNamedNotRunAsTheCommand) {
    // strace's -c (a summary) is not sctrace's: the old parser took "-c" for
    // the program and said "cannot run the command".
    struct Case {
        std::vector<std::string> args;
        std::string option;  // as the message names it
    };
    for (const Case& c :
         {Case{{"-c", "--", "true"}, "-c"}, Case{{"-c", "true"}, "-c"},
          Case{{"--bogus=1", "true"}, "--bogus"}, Case{{"run", "-c", "--", "true"}, "-c"},
          Case{{"--no-rules", "-Z", "true"}, "-Z"}}) {
        const RunResult r = sctrace(c.args);
        EXPECT_EQ(r.status, kUsageError) << r.label << "\n" << r.err;
        EXPECT_TRUE(contains(r.err, "sctrace: unknown option '" + c.option + "'\n"))
            << r.label << "\n"
            << r.err;
        EXPECT_FALSE(contains(r.err, "cannot run")) << r.label << "\n" << r.err;
    }
}

TEST_F(CommandLine, AnalyzeNamesAnUnknownOption) {
    const RunResult r = sctrace({"analyze", "-c", log()});
    EXPECT_EQ(r.status, kUsageError) << r.err;
    EXPECT_TRUE(contains(r.err, "sctrace analyze: unknown option '-c'\n")) << r.err;
}

TEST_F(CommandLine, HelpListsTheCommandsAndRunsOptions) {
    const RunResult help = sctrace({"--help"});
    EXPECT_EQ(help.status, 0) << help.err;
    for (const char* command : {"run", "analyze", "rules", "help"}) {
        EXPECT_TRUE(contains(help.out, "\n  " + std::string(command) + " "))
            << "no " << command << " in\n"
            << help.out;
    }
    // run is the default command: its options are the ones a user needs first.
    EXPECT_TRUE(contains(help.out, "--fail-on")) << help.out;
    EXPECT_TRUE(contains(help.out, "Exit status:")) << help.out;

    const RunResult word = sctrace({"help"});
    EXPECT_EQ(word.status, 0) << word.err;
    EXPECT_EQ(word.out, help.out);
}

TEST_F(CommandLine, HelpOfACommandIsItsOwn) {
    const RunResult r = sctrace({"help", "analyze"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "sctrace analyze")) << r.out;
    EXPECT_TRUE(contains(r.out, "FILE")) << r.out;
    EXPECT_EQ(sctrace({"analyze", "--help"}).out, r.out);

    const RunResult rules = sctrace({"rules", "--help"});
    EXPECT_EQ(rules.status, 0) << rules.err;
    for (const char* sub : {"list", "check", "explain", "fields", "traced"}) {
        EXPECT_TRUE(contains(rules.out, sub)) << rules.out;
    }

    const RunResult unknown = sctrace({"help", "nosuch"});
    EXPECT_EQ(unknown.status, kUsageError);
    EXPECT_TRUE(contains(unknown.err, "nosuch")) << unknown.err;
}

// `rules traced` says which calls a run stops at: what the rules need, and
// only that, so a user can see what a rule costs before tracing with it.
TEST_F(CommandLine, RulesTracedListsTheCallsARunStopsAt) {
    const auto names = [](const std::string& line) {
        std::set<std::string> out;
        std::stringstream in(line.substr(0, line.find('\n')));
        for (std::string name; std::getline(in, name, ',');) out.insert(name);
        return out;
    };
    const RunResult pack = sctrace({"rules", "traced"});
    ASSERT_EQ(pack.status, 0) << pack.err;
    const std::set<std::string> all = names(pack.out);
    for (const char* call : {"connect", "close", "write", "execve"}) {
        EXPECT_EQ(all.count(call), 1u) << call << " missing from: " << pack.out;
    }
    EXPECT_EQ(all.count("getppid"), 0u) << pack.out;

    const RunResult one = sctrace({"rules", "traced", "--rule", "double-close"});
    ASSERT_EQ(one.status, 0) << one.err;
    const std::set<std::string> alone = names(one.out);
    EXPECT_EQ(alone.count("close"), 1u) << one.out;
    EXPECT_EQ(alone.count("write"), 0u) << "double-close alone reads no write: " << one.out;
    EXPECT_LT(alone.size(), all.size());

    const RunResult unknown = sctrace({"rules", "traced", "--rule", "no-such-rule"});
    EXPECT_EQ(unknown.status, kUsageError);
    EXPECT_TRUE(contains(unknown.err, "--rule no-such-rule")) << unknown.err;
}

// -e means the same to both commands: strace's trace= (or t=, or nothing),
// and strace's other qualifiers refused by name rather than read as syscalls.
TEST_F(CommandLine, TraceExpressionsAreReadAlikeByRunAndAnalyze) {
    const std::string out = dir_ + "/events.jsonl";
    const auto run_with = [&](const std::string& expression) {
        return sctrace({"--no-rules", "-e", expression, "-o", out, "--", tracee("exitcode"), "0"});
    };
    const auto analyze_with = [&](const std::string& expression) {
        return sctrace({"analyze", "--no-rules", "-e", expression, "-o", out, log()});
    };
    for (const char* accepted : {"trace=close,%net", "t=close", "close", "!%memory"}) {
        const RunResult run = run_with(accepted);
        EXPECT_EQ(run.status, 0) << run.label << "\n" << run.err;
        const RunResult analyze = analyze_with(accepted);
        EXPECT_EQ(analyze.status, 0) << analyze.label << "\n" << analyze.err;
    }
    for (const std::string refused : {"signal=none", "abbrev=none", "read=3", "s=all"}) {
        const std::string qualifier = refused.substr(0, refused.find('='));
        for (const RunResult& r : {run_with(refused), analyze_with(refused)}) {
            EXPECT_EQ(r.status, kUsageError) << r.label << "\n" << r.err;
            EXPECT_TRUE(contains(r.err, "-e " + refused + ": strace's " + qualifier +
                                            "= qualifier is not supported"))
                << r.label << "\n"
                << r.err;
        }
    }
    // Not a qualifier: the whole text is a syscall set, as strace reads it.
    for (const RunResult& r : {run_with("foo=bar"), analyze_with("foo=bar")}) {
        EXPECT_EQ(r.status, kUsageError) << r.label << "\n" << r.err;
        EXPECT_TRUE(contains(r.err, "-e foo=bar: invalid system call 'foo=bar'")) << r.label << "\n"
                                                                                  << r.err;
    }
}

// The first word names a command only in the first place: after an option,
// or after "--", it is the program to run, as strace would run it.
TEST_F(CommandLine, AProgramNamedLikeACommandIsRun) {
    for (const char* name : {"analyze", "help", "rules", "run"}) {
        const std::string program = dir_ + "/" + name;
        std::ofstream(program) << "#!/bin/sh\necho \"ran $0 $*\"\nexit 7\n";
        ASSERT_EQ(chmod(program.c_str(), 0755), 0);
    }
    const std::string path = "PATH=" + dir_ + ":" + (getenv("PATH") ? getenv("PATH") : "");
    const auto in_path = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"/usr/bin/env", path, Tracer::get().path});
        return run(args, {"sctrace in PATH", "", false}, kTimeout);
    };
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--", "analyze", "x"},
                                                 {"--no-rules", "help", "x"},
                                                 {"run", "rules", "x"},
                                                 {"run", "--", "run", "x"}}) {
        const RunResult r = in_path(args);
        const std::string& name = args[args.size() - 2];
        EXPECT_EQ(r.status, 7) << name << "\n" << r.err;
        EXPECT_EQ(r.out, "ran " + dir_ + "/" + name + " x\n") << r.err;
    }
}

TEST_F(CommandLine, ACommandNeedsNoDashDash) {
    const RunResult r = sctrace({"--no-rules", tracee("exitcode"), "5"});
    EXPECT_EQ(r.status, 5) << r.err;
    EXPECT_EQ(r.out, "exiting with 5\n");
    // The command's own options are its, even when they are sctrace's too.
    const RunResult options = sctrace({"--no-rules", "/bin/sh", "-c", "echo $0", "-o"});
    EXPECT_EQ(options.status, 0) << options.err;
    EXPECT_EQ(options.out, "-o\n");
}

// sctrace's own --format strace is a log for analyze: strace -f -tt -T's
// lines, every one with its time and every call with its duration; with
// --no-times, strace -f -o's. --no-times means nothing to the other
// formats, which always have times, and is refused there by name.
TEST_F(CommandLine, TheStraceFormatHasTimesAndDurationsUnlessNoTimes) {
    const std::string timed = dir_ + "/timed.log", bare = dir_ + "/bare.log";
    RunResult r = sctrace({"--no-rules", "--format", "strace", "-e", "trace=openat,close", "-o",
                           timed, "--", tracee("exitcode"), "0"});
    ASSERT_EQ(r.status, 0) << r.err;
    r = sctrace({"--no-rules", "--format", "strace", "--no-times", "-e", "trace=openat,close", "-o",
                 bare, "--", tracee("exitcode"), "0"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::regex timed_call(
        R"(\d+ +\d\d:\d\d:\d\d\.\d{6} (openat|close)\(.*\) += \S+.* <\d+\.\d{6}>)");
    const std::regex bare_call(R"(\d+ +(openat|close)\(.*\) += \S+.*)");
    std::size_t timed_calls = 0, bare_calls = 0;
    std::ifstream t(timed), b(bare);
    for (std::string line; std::getline(t, line);) {
        if (line.find("+++") != std::string::npos) continue;
        EXPECT_TRUE(std::regex_match(line, timed_call)) << line;
        ++timed_calls;
    }
    for (std::string line; std::getline(b, line);) {
        if (line.find("+++") != std::string::npos) continue;
        EXPECT_TRUE(std::regex_match(line, bare_call)) << line;
        EXPECT_EQ(line.find(" <0."), std::string::npos) << line;
        ++bare_calls;
    }
    EXPECT_GT(timed_calls, 0u);
    EXPECT_EQ(timed_calls, bare_calls);

    const RunResult refused = sctrace({"--no-times", "--", tracee("exitcode"), "0"});
    EXPECT_EQ(refused.status, kUsageError);
    EXPECT_TRUE(contains(refused.err, "--no-times: only --format strace")) << refused.err;
    EXPECT_EQ(refused.out, "");  // the command never ran
}

}  // namespace
}  // namespace e2e
