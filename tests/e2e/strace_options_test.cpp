// `sctrace strace` against strace 6.1 on the same tracees, for the options
// whose output strace decides: the call summary (-c), a file per thread
// (-ff), stack traces (-k), and running the command as another user (-u).
// What differs between any two runs (times, pids, addresses) is left out of
// the comparisons; what a user reads in them is not.
//
// The comparisons need /usr/bin/strace (6.1; -k needs a build with stack
// traces) and are skipped without it; the checks of sctrace's own output
// are not.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;

constexpr Millis kTimeout = 60s;
constexpr const char* kStrace = "/usr/bin/strace";

std::string tracee(const std::string& name) {
    return std::string(TRACEE_DIR) + "/" + name;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// One row of a default -c table: calls and errors by syscall name, and the
// seconds column, in the table's order.
struct Summary {
    std::vector<std::string> header;          // the first two lines
    std::map<std::string, std::string> rows;  // name -> "calls errors"
    std::vector<double> seconds;              // in order, for the sort
    std::string total;                        // "calls errors"
};

Summary parse_summary(const std::string& text) {
    Summary s;
    const std::vector<std::string> lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i < 2) {
            s.header.push_back(lines[i]);
            continue;
        }
        if (lines[i].starts_with("------")) continue;
        std::istringstream in(lines[i]);
        std::vector<std::string> f;
        for (std::string w; in >> w;) f.push_back(w);
        if (f.size() < 5) continue;
        const std::string errors = f.size() == 6 ? f[4] : "0";
        const std::string key = f[3] + " " + errors;
        if (f.back() == "total") {
            s.total = key;
        } else {
            s.rows[f.back()] = key;
            s.seconds.push_back(std::stod(f[1]));
        }
    }
    return s;
}

class StraceOptions : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace strace's own output";
        dir_ = make_test_dir("sctrace-strace");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }

    RunResult sctrace(std::vector<std::string> args) const {
        args.insert(args.begin(), {Tracer::get().path, "strace"});
        return run(args, {"sctrace strace", "", false}, kTimeout);
    }
    static RunResult strace(std::vector<std::string> args) {
        args.insert(args.begin(), kStrace);
        return run(args, {"strace", "", false}, kTimeout);
    }
    static bool have_strace() { return ::access(kStrace, X_OK) == 0; }

    fs::path dir_;
};

TEST_F(StraceOptions, SummaryCountsWhatStraceCounts) {
    const std::string log = dir_ / "sctrace.c";
    const RunResult r = sctrace({"-f", "-c", "-o", log, tracee("threads"), "3", "20"});
    ASSERT_EQ(r.status, 0) << r.err;
    Summary ours = parse_summary(slurp(log));
    EXPECT_EQ(ours.header, (std::vector<std::string>{
                               "% time     seconds  usecs/call     calls    errors syscall",
                               "------ ----------- ----------- --------- --------- "
                               "----------------"}));
    EXPECT_EQ(ours.rows.at("getppid"), "60 0");  // 3 threads, 20 calls each
    EXPECT_EQ(ours.rows.at("clone3"), "3 0");
    EXPECT_EQ(ours.rows.at("execve"), "1 0");        // the command's one exec, no PATH search
    EXPECT_FALSE(ours.rows.contains("exit_group"));  // it never returns: not counted
    EXPECT_TRUE(std::is_sorted(ours.seconds.rbegin(), ours.seconds.rend()));
    if (!have_strace()) GTEST_SKIP() << "no " << kStrace << " to compare with";
    const std::string theirs_log = dir_ / "strace.c";
    ASSERT_EQ(strace({"-f", "-c", "-o", theirs_log, tracee("threads"), "3", "20"}).status, 0);
    Summary theirs = parse_summary(slurp(theirs_log));
    // How often threads wait for each other varies from run to run.
    ours.rows.erase("futex");
    theirs.rows.erase("futex");
    EXPECT_EQ(ours.rows, theirs.rows);
}

TEST_F(StraceOptions, SummaryAfterTheTraceAndTheCommandsStatus) {
    const std::string log = dir_ / "trace";
    const RunResult r =
        sctrace({"-C", "-e", "trace=exit_group,write", "-o", log, tracee("exitcode"), "7"});
    EXPECT_EQ(r.status, 7) << r.err;
    const std::vector<std::string> lines = lines_of(slurp(log));
    ASSERT_GE(lines.size(), 4u);
    // The trace, its end, then the table, as strace -C writes them.
    const auto exited = std::find(lines.begin(), lines.end(), std::string("+++ exited with 7 +++"));
    ASSERT_NE(exited, lines.end());
    EXPECT_EQ(*(exited + 1), "% time     seconds  usecs/call     calls    errors syscall");
    EXPECT_TRUE(lines.back().ends_with(" total")) << lines.back();
}

TEST_F(StraceOptions, AKilledCommandKillsTheTracerWithItsSignal) {
    // strace dies of the signal that killed the command, so a parent that
    // waits for it sees a signal, not an exit code of 128+N; an exit code
    // of 143 stays an exit code.
    const std::string log = dir_ / "trace";
    const RunResult killed = sctrace({"-o", log, "/bin/sh", "-c", "kill -TERM $$"});
    EXPECT_EQ(killed.killed_by, SIGTERM) << killed.status << killed.err;
    EXPECT_NE(slurp(log).find("+++ killed by SIGTERM +++"), std::string::npos) << slurp(log);
    const RunResult exited = sctrace({"-o", log, "/bin/sh", "-c", "exit 143"});
    EXPECT_EQ(exited.killed_by, 0);
    EXPECT_EQ(exited.status, 143) << exited.err;
    if (!have_strace()) GTEST_SKIP() << "no " << kStrace << " to compare with";
    EXPECT_EQ(strace({"-o", log, "/bin/sh", "-c", "kill -TERM $$"}).killed_by, SIGTERM);
}

TEST_F(StraceOptions, OneFilePerThreadAsStraceWritesThem) {
    // Each thread's file, its numbers (pids, results) made X.
    const auto files = [](const fs::path& dir) {
        std::vector<std::string> contents;
        for (const auto& e : fs::directory_iterator(dir)) {
            contents.push_back(std::regex_replace(slurp(e.path()), std::regex("[0-9]{2,}"), "X"));
        }
        std::sort(contents.begin(), contents.end());
        return contents;
    };
    fs::create_directory(dir_ / "ours");
    const RunResult r = sctrace({"-ff", "-o", dir_ / "ours" / "t", "-e", "trace=getppid,exit",
                                 tracee("threads"), "3", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::vector<std::string> ours = files(dir_ / "ours");
    ASSERT_EQ(ours.size(), 4u);  // the main thread and three workers
    // No thread id before the lines: each file is one thread's.
    EXPECT_NE(std::find(ours.begin(), ours.end(),
                        "getppid()                               = X\n"
                        "getppid()                               = X\n"
                        "exit(0)                                 = ?\n"
                        "+++ exited with 0 +++\n"),
              ours.end());
    if (!have_strace()) GTEST_SKIP() << "no " << kStrace << " to compare with";
    fs::create_directory(dir_ / "theirs");
    ASSERT_EQ(strace({"-ff", "-o", dir_ / "theirs" / "t", "-e", "trace=getppid,exit",
                      tracee("threads"), "3", "2"})
                  .status,
              0);
    EXPECT_EQ(ours, files(dir_ / "theirs"));
}

TEST_F(StraceOptions, StackTracesAsStracePrintsThem) {
    const auto trace = [&](bool ours) {
        const std::string log = dir_ / (ours ? "ours.k" : "theirs.k");
        const std::vector<std::string> args = {
            "-f", "-k", "-e", "trace=getppid", "-o", log, tracee("threads"), "1", "1"};
        const RunResult r = ours ? sctrace(args) : strace(args);
        EXPECT_EQ(r.status, 0) << r.err;
        // pids and results vary between runs; file offsets do not.
        std::string text;
        for (const std::string& line : lines_of(slurp(log))) {
            text += std::regex_replace(line, std::regex("^[0-9]+ +| = [0-9]+"), "") + "\n";
        }
        return text;
    };
    const std::string ours = trace(true);
    // Below the call's line, the thread's stack: libc's syscall wrapper
    // first, the tracee's worker further down.
    EXPECT_NE(ours.find("getppid()"), std::string::npos) << ours;
    EXPECT_NE(ours.find("\n > "), std::string::npos) << ours;
    EXPECT_NE(ours.find("threads(worker+0x"), std::string::npos) << ours;
    if (!have_strace()) GTEST_SKIP() << "no " << kStrace << " to compare with";
    if (strace({"-k", "-e", "trace=none", "true"}).status != 0) {
        GTEST_SKIP() << kStrace << " was built without stack traces";
    }
    EXPECT_EQ(ours, trace(false));
}

TEST_F(StraceOptions, TheCommandRunsAsTheUserWithItsGroups) {
    if (::geteuid() != 0) GTEST_SKIP() << "-u needs root";
    const passwd* nobody = ::getpwnam("nobody");
    if (!nobody) GTEST_SKIP() << "no user nobody";
    const RunResult r = sctrace({"-u", "nobody", "-e", "trace=none", "id", "-u"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, std::to_string(nobody->pw_uid) + "\n");
    const RunResult groups = sctrace({"-u", "nobody", "-e", "trace=none", "id", "-g"});
    EXPECT_EQ(groups.out, std::to_string(nobody->pw_gid) + "\n");
    const RunResult unknown = sctrace({"-u", "no-such-user-here", "true"});
    EXPECT_EQ(unknown.status, 1);
    EXPECT_NE(unknown.err.find("Cannot find user 'no-such-user-here'"), std::string::npos)
        << unknown.err;
}

}  // namespace
}  // namespace e2e
