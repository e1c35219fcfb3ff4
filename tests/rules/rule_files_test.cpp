// Rule files a user can get wrong, through the real binary (`sctrace rules
// check -r`, `sctrace -r ... -- true`, `sctrace analyze -r`):
//   - paths that are no rule file: a FIFO with no writer (must not hang),
//     devices that never end, /proc/self/mem (reads fail), a folder nobody
//     may read, a file over the size limit: exit 2 with the path and reason;
//   - YAML the loader must not accept silently: a second document, unknown
//     keys, unknown errno names, empty ids, duplicate keys: an error at
//     file:line:col; the whole int64 range is a number;
//   - macro bombs: macros nesting past the limit, and macros used twice per
//     level (exponential if expanded), end in an error naming the chain,
//     while a wide, legal file loads and its rules work.
//
// No duration is asserted (bench/macro_bench.cpp measures growth): each run
// has a generous deadline, and a run that misses it fails as a hang.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sample_paths.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kSctrace = SCTRACE_BIN;

struct RunResult {
    int status = -1;  // exit code, 128+N when killed by signal N
    bool timed_out = false;
    std::string out, err;
    std::string what;
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

::testing::AssertionResult Ran(const RunResult& r) {
    if (r.timed_out) {
        return ::testing::AssertionFailure() << r.what << ": TIMED OUT (killed): it hung";
    }
    return ::testing::AssertionSuccess();
}

class RuleFiles : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sctrace-rule-files-" + std::to_string(getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_ / "locked", fs::perms::owner_all, ec);
        fs::remove_all(dir_, ec);
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return path(name);
    }

    // argv, stdin from /dev/null, killed (its whole group) after `deadline`.
    RunResult run(const std::vector<std::string>& argv, std::chrono::seconds deadline = 30s) const {
        static int counter = 0;
        RunResult r;
        for (const auto& a : argv) r.what += (r.what.empty() ? "" : " ") + a;
        const fs::path out = dir_ / ("run" + std::to_string(counter) + ".out");
        const fs::path err = dir_ / ("run" + std::to_string(counter++) + ".err");
        std::vector<std::string> copy = argv;
        std::vector<char*> args;
        for (auto& a : copy) args.push_back(a.data());
        args.push_back(nullptr);
        const pid_t pid = fork();
        if (pid == 0) {
            setpgid(0, 0);
            const int in_fd = open("/dev/null", O_RDONLY);
            const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(in_fd, 0);
            dup2(out_fd, 1);
            dup2(err_fd, 2);
            execvp(args[0], args.data());
            _exit(127);
        }
        const auto until = std::chrono::steady_clock::now() + deadline;
        int wstatus = 0;
        while (waitpid(pid, &wstatus, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= until) {
                r.timed_out = true;
                kill(-pid, SIGKILL);
                waitpid(pid, &wstatus, 0);
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        if (WIFEXITED(wstatus)) r.status = WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus)) r.status = 128 + WTERMSIG(wstatus);
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }

    // The file alone, without the bundled pack it would otherwise be
    // loaded after.
    RunResult check(const std::string& rules) const {
        return run({kSctrace, "rules", "check", "--no-default-rules", "-r", rules});
    }

    // `rules check` and a traced run both refuse `rules` with exit 2 and
    // `message` on stderr.
    void expect_unusable(const std::string& rules, const std::string& message) const {
        for (const auto& argv : {std::vector<std::string>{kSctrace, "rules", "check", "-r", rules},
                                 std::vector<std::string>{kSctrace, "-r", rules, "--", "true"}}) {
            const RunResult r = run(argv);
            ASSERT_TRUE(Ran(r));
            EXPECT_EQ(r.status, 2) << r.what << "\n" << r.err;
            EXPECT_NE(r.err.find(message), std::string::npos) << r.what << "\n" << r.err;
            EXPECT_EQ(r.out.find("rule(s) OK"), std::string::npos) << r.what << "\n" << r.out;
        }
    }

    // `rules check` fails (exit 1) with `message` on stderr.
    void expect_error(const std::string& file, const std::string& message) const {
        const RunResult r = check(file);
        ASSERT_TRUE(Ran(r));
        EXPECT_EQ(r.status, 1) << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    }

    fs::path dir_;
};

constexpr const char* kGoodRule =
    "- rule: closed-twice\n"
    "  condition: evt.type = close and evt.errno = EBADF\n"
    "  output: fd %fd.num\n"
    "  severity: error\n";

// ---------------------------------------------------------------------------
// Paths that are not rule files

TEST_F(RuleFiles, AFifoWithNoWriterIsRefusedWithoutHanging) {
    ASSERT_EQ(mkfifo(path("fifo.yaml").c_str(), 0644), 0) << strerror(errno);
    expect_unusable(path("fifo.yaml"),
                    path("fifo.yaml") + ": error: is a FIFO, not a regular file");
    // Inside a folder too, next to a good file, which does not make it pass.
    fs::create_directories(dir_ / "pack");
    write("pack/a.yaml", kGoodRule);
    ASSERT_EQ(mkfifo(path("pack/b.yaml").c_str(), 0644), 0) << strerror(errno);
    expect_unusable(path("pack"), path("pack/b.yaml") + ": error: is a FIFO");
}

TEST_F(RuleFiles, DevicesThatNeverEndAreNeverRead) {
    for (const char* device : {"/dev/zero", "/dev/urandom"}) {
        expect_unusable(device, std::string(device) + ": error: is a character device");
    }
    // Through a symbolic link: the target is what is judged.
    fs::create_symlink("/dev/zero", dir_ / "zero.yaml");
    expect_unusable(path("zero.yaml"), "zero.yaml: error: is a character device");
}

TEST_F(RuleFiles, AReadErrorIsReportedNotTakenForAnEmptyFile) {
    // A regular file whose read() fails with EIO at offset 0.
    expect_unusable("/proc/self/mem", "/proc/self/mem: error: cannot read it: Input/output error");
}

TEST_F(RuleFiles, MissingFilesAndDanglingLinksNameTheReason) {
    expect_unusable(path("nope.yaml"),
                    "nope.yaml: error: cannot open it: No such file or directory");
    fs::create_symlink(dir_ / "gone.yaml", dir_ / "dangling.yaml");
    expect_unusable(path("dangling.yaml"), "dangling.yaml: error: cannot open it: No such file");
    // A link to a good file is that file.
    write("real.yaml", kGoodRule);
    fs::create_symlink(dir_ / "real.yaml", dir_ / "link.yaml");
    const RunResult r = check(path("link.yaml"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "1 rule(s) OK\n");
}

TEST_F(RuleFiles, AFileOverTheSizeLimitIsRefusedOneAtTheLimitLoads) {
    constexpr std::size_t kLimit = 1 << 20;
    // Comment lines make up the size: the limit is on bytes, not rules.
    std::string text = kGoodRule;
    const std::string filler = "# " + std::string(97, 'x') + "\n";
    while (text.size() + filler.size() <= kLimit) text += filler;
    text += std::string(kLimit - text.size() - 1, '#') + "\n";
    ASSERT_EQ(text.size(), kLimit);
    write("limit.yaml", text);
    RunResult r = check(path("limit.yaml"));
    EXPECT_EQ(r.status, 0) << r.err.substr(0, 2000);
    EXPECT_EQ(r.out, "1 rule(s) OK\n");
    write("over.yaml", text + "#");
    expect_unusable(path("over.yaml"),
                    "over.yaml: error: is 1048577 bytes; a rule file is at most 1048576 bytes");
}

TEST_F(RuleFiles, AnEmptyFolderOrOneWithNoRuleFilesIsAnError) {
    fs::create_directories(dir_ / "empty");
    write("empty/README", "not a rule file");
    expect_unusable(path("empty"), "empty: error: the folder holds no rule file");
}

// Root reads any folder whatever its mode (CAP_DAC_READ_SEARCH), and tests
// run as root here and in CI: sctrace runs with those capabilities taken
// out of its bounding set by setpriv, so root's exec of it gets none.
TEST_F(RuleFiles, AFolderNobodyMayReadIsAnError) {
    fs::create_directories(dir_ / "locked");
    write("locked/a.yaml", kGoodRule);
    fs::permissions(dir_ / "locked", fs::perms::none);
    std::vector<std::string> prefix;
    if (geteuid() == 0) {
        const RunResult probe = run(
            {"setpriv", "--bounding-set", "-dac_override,-dac_read_search", "ls", path("locked")});
        if (probe.status == 0 || probe.err.find("Permission denied") == std::string::npos) {
            GTEST_SKIP() << "SKIPPED LOUDLY: running as root, and setpriv could not drop "
                            "CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH (status "
                         << probe.status << ": " << probe.err
                         << "), so a mode-000 folder stays readable and this cannot be tested";
        }
        prefix = {"setpriv", "--bounding-set", "-dac_override,-dac_read_search"};
    }
    for (auto argv : {std::vector<std::string>{kSctrace, "rules", "check", "-r", path("locked")},
                      std::vector<std::string>{kSctrace, "-r", path("locked"), "--", "true"}}) {
        argv.insert(argv.begin(), prefix.begin(), prefix.end());
        const RunResult r = run(argv);
        ASSERT_TRUE(Ran(r));
        EXPECT_EQ(r.status, 2) << r.what << "\n" << r.err;
        EXPECT_NE(r.err.find(path("locked") + ": error: cannot open the folder: Permission denied"),
                  std::string::npos)
            << r.what << "\n"
            << r.err;
        EXPECT_EQ(r.out.find("rule(s) OK"), std::string::npos) << r.out;
    }
}

// ---------------------------------------------------------------------------
// YAML that must not be accepted silently

TEST_F(RuleFiles, ASecondDocumentIsAnErrorAtItsMarker) {
    const std::string f = write("docs.yaml", std::string("---\n") + kGoodRule +
                                                 "---\n"
                                                 "- rule: lost\n"
                                                 "  condition: evt.type = open\n");
    expect_error(f, f + ":6:1: error: a rule file is one YAML document, and a second one starts");
    // A broken third document is reported, not skipped.
    const std::string g = write("third.yaml", std::string(kGoodRule) +
                                                  "---\n"
                                                  "- rule: b\n"
                                                  "  condition: evt.type = open\n"
                                                  "---\n"
                                                  "- rule: [unclosed\n");
    expect_error(g, g + ":10:");
}

// yaml-cpp's multi-document loader never returns on this text; the check
// must answer within its deadline all the same.
TEST_F(RuleFiles, AQuotedScalarFollowedByACommaIsAnErrorNotAHang) {
    for (const char* text :
         {"'a', b 'c\n", "    'a', b 'c\n", "- rule: x\n  output: 'a', b 'c\n"}) {
        const std::string f = write("quoted.yaml", text);
        const RunResult r = check(f);
        ASSERT_TRUE(Ran(r)) << text;
        EXPECT_EQ(r.status, 1) << text << r.err;
        EXPECT_NE(r.err.find(f + ":"), std::string::npos) << text << r.err;
        EXPECT_NE(r.err.find("error: "), std::string::npos) << text << r.err;
    }
}

TEST_F(RuleFiles, UnknownKeysAreErrorsWithAHint) {
    const std::string f = write("keys.yaml",
                                "- rule: a\n"
                                "  condition: evt.type = close\n"
                                "  colour: red\n"
                                "- rule: b\n"
                                "  conditon: evt.type = close\n"
                                "- macro: m\n"
                                "  condition: evt.type = close\n"
                                "  output: no\n"
                                "- list: l\n"
                                "  itmes: [a]\n");
    const RunResult r = check(f);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(f + ":3:3: error: unknown key 'colour' in a rule"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(f + ":5:3: error: unknown key 'conditon' in a rule"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("did you mean 'condition'?"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(f + ":8:3: error: unknown key 'output' in a macro"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(f + ":10:3: error: unknown key 'itmes' in a list"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("did you mean 'items'?"), std::string::npos) << r.err;
}

TEST_F(RuleFiles, UnknownErrnoNamesAreErrors) {
    const std::string f = write("errno.yaml",
                                "- rule: a\n"
                                "  condition: evt.type = close and evt.errno = ENOTANERRNO\n"
                                "- list: errs\n"
                                "  items: [EBADF, EBDAF]\n"
                                "- rule: b\n"
                                "  condition: evt.type = close and evt.errno in (errs)\n"
                                "- rule: c\n"
                                "  condition: evt.type = close and evt.errno startswith EB\n");
    const RunResult r = check(f);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(f + ":2:47: error: rule 'a': unknown errno 'ENOTANERRNO'"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("rule 'b': unknown errno 'EBDAF'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("did you mean 'EBADF'?"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("rule 'c'"), std::string::npos) << "a prefix is not a name\n" << r.err;
}

TEST_F(RuleFiles, EmptyOrNullIdsAreErrors) {
    const std::string f = write("ids.yaml",
                                "- rule: ''\n"
                                "  condition: evt.type = close\n"
                                "- rule: ~\n"
                                "  condition: evt.type = close\n"
                                "- macro:\n"
                                "  condition: evt.type = close\n");
    const RunResult r = check(f);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(f + ":1:9: error: an empty rule name"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(f + ":3:3: error: an empty rule name"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(f + ":5:3: error: an empty macro name"), std::string::npos) << r.err;
}

TEST_F(RuleFiles, DuplicateKeysAreErrors) {
    const std::string f = write("dup.yaml",
                                "- rule: a\n"
                                "  condition: evt.type = close\n"
                                "  severity: error\n"
                                "  condition: evt.type = open\n"
                                "- rule: b\n"
                                "  sequence:\n"
                                "    steps: [evt.type = open, evt.type = close]\n"
                                "    steps: [evt.type = close, evt.type = open]\n");
    const RunResult r = check(f);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(f + ":4:3: error: duplicate key 'condition' (first at line 2)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(f + ":8:5: error: duplicate key 'steps' (first at line 7)"),
              std::string::npos)
        << r.err;
}

TEST_F(RuleFiles, TheWholeInt64RangeIsANumber) {
    RunResult r = check(write("min.yaml",
                              "- rule: a\n"
                              "  condition: evt.type = write and (evt.res = -9223372036854775808 "
                              "or evt.res = 9223372036854775807)\n"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "1 rule(s) OK\n");
    const std::string f = write("over.yaml",
                                "- rule: a\n"
                                "  condition: evt.res = 9223372036854775808\n"
                                "- rule: b\n"
                                "  condition: evt.res = -9223372036854775809\n");
    r = check(f);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(f + ":2:24: error: rule 'a': '9223372036854775808' is out of range"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(f + ":4:24: error: rule 'b': '-9223372036854775809' is out of range"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("not a number"), std::string::npos) << r.err;
}

TEST_F(RuleFiles, CheckingStopsAfterAHundredErrors) {
    // Each error's hint searches every macro name: thousands of broken rules
    // over thousands of macros would take minutes to report in full.
    std::string text;
    for (int i = 0; i < 3000; ++i) {
        text += "- macro: mac" + std::to_string(i) + "\n  condition: fd.num = 1\n";
    }
    for (int i = 0; i < 3000; ++i) {
        text += "- rule: r" + std::to_string(i) + "\n  condition: fd.nmu = 3\n";
    }
    const std::string f = write("errors.yaml", text);
    const RunResult r = check(f);
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 1);
    std::size_t errors = 0;
    for (std::size_t at = r.err.find(": error: "); at != std::string::npos;
         at = r.err.find(": error: ", at + 1)) {
        ++errors;
    }
    EXPECT_EQ(errors, 101u) << r.err.substr(r.err.size() > 500 ? r.err.size() - 500 : 0);
    EXPECT_NE(r.err.find(f + ": error: too many errors (100): what follows was not checked"),
              std::string::npos);
    EXPECT_NE(r.err.find("rule 'r99': unknown field or macro 'fd.nmu'"), std::string::npos);
    EXPECT_EQ(r.err.find("rule 'r100'"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Macro bombs

// m0 is `base`; m<k> uses m<k-1> `uses` times, joined by `or`.
std::string macro_levels(int levels, int uses, const std::string& base) {
    std::string text = "- macro: m0\n  condition: " + base + "\n";
    for (int k = 1; k <= levels; ++k) {
        text += "- macro: m" + std::to_string(k) + "\n  condition: ";
        for (int u = 0; u < uses; ++u) {
            text += (u ? " or " : "") + std::string("m") + std::to_string(k - 1);
        }
        text += "\n";
    }
    return text;
}

TEST_F(RuleFiles, MacrosNestingPastTheLimitAreAnErrorNamingTheChain) {
    const std::string f = write("deep.yaml", macro_levels(100, 1, "evt.type = close") +
                                                 "- rule: deep\n"
                                                 "  condition: evt.dir = < and m100\n");
    const RunResult r = check(f);
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 1) << r.err;
    // At the use in the rule (line 204), naming where the chain goes.
    EXPECT_NE(r.err.find(f + ":204:30: error: rule 'deep': nesting deeper than 64 levels"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("m100 -> m99 -> m98 -> m97 -> ..."), std::string::npos) << r.err;
}

TEST_F(RuleFiles, MacrosUsedTwicePerLevelEndInAnErrorNotAnExponentialBlowUp) {
    const std::string f = write("bomb.yaml", macro_levels(40, 2, "evt.type = close") +
                                                 "- rule: bomb\n"
                                                 "  condition: m40\n");
    const RunResult r = check(f);
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(
        r.err.find(f + ":84:14: error: rule 'bomb': macro m40 -> m39 -> m38 -> m37 -> ... -> "),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("more than 65536 comparisons per event"), std::string::npos) << r.err;
}

TEST_F(RuleFiles, AWideLegalFileLoadsAndItsRulesWork) {
    // Twelve levels used twice each (4096 copies of m0 if expanded) under a
    // 40-deep chain (53 levels in all), and 2000 macros each used by one of
    // 200 rules.
    std::string text = macro_levels(12, 2, "evt.type = close and evt.errno = EBADF");
    for (int k = 1; k <= 40; ++k) {
        text += "- macro: c" + std::to_string(k) +
                "\n  condition: " + (k == 1 ? std::string("m12") : "c" + std::to_string(k - 1)) +
                "\n";
    }
    for (int k = 0; k < 2000; ++k) {
        text += "- macro: w" + std::to_string(k) +
                "\n  condition: fd.num = " + std::to_string(1000 + k) + "\n";
    }
    for (int r = 0; r < 200; ++r) {
        text += "- rule: wide-" + std::to_string(r) + "\n  condition: evt.type = close and (";
        for (int k = r * 10; k < r * 10 + 10; ++k) {
            text += (k > r * 10 ? " or " : "") + std::string("w") + std::to_string(k);
        }
        text += ")\n  severity: info\n";
    }
    text +=
        "- rule: deep-and-shared\n  condition: c40\n  severity: error\n"
        "  output: fd %fd.num closed twice\n";
    const std::string f = write("wide.yaml", text);
    RunResult r = check(f);
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 0) << r.err.substr(0, 3000);
    EXPECT_EQ(r.out, "201 rule(s) OK\n");
    // The shared macros evaluate as their expansion would.
    write("t.log",
          "100 socket(AF_UNIX, SOCK_STREAM, 0) = 5\n"
          "100 close(5) = 0\n"
          "100 close(5) = -1 EBADF (Bad file descriptor)\n"
          "100 close(1005) = 0\n"
          "100 exit_group(0) = ?\n"
          "100 +++ exited with 0 +++\n");
    r = run({kSctrace, "analyze", "-r", f, "--findings", path("f.jsonl"), path("t.log")});
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 1) << r.err;
    const std::string findings = slurp(path("f.jsonl"));
    EXPECT_NE(findings.find("\"rule\":\"deep-and-shared\""), std::string::npos) << findings;
    EXPECT_NE(findings.find("\"rule\":\"wide-0\""), std::string::npos) << findings;
    EXPECT_EQ(findings.find("\"rule\":\"wide-1\""), std::string::npos) << findings;
}

// A user's file loads after the bundled pack, as Falco's local rules load
// after its default file: it uses the pack's macros and lists, changes a
// pack rule, and both fire; --no-default-rules leaves the pack out.
TEST_F(RuleFiles, AUsersFileLoadsAfterThePackAndUsesItsMacros) {
    const std::string f = write("mine.yaml",
                                "- rule: my-ebadf-close\n"
                                "  condition: evt.type = close and at_exit and evt.errno = EBADF\n"
                                "  output: fd %fd.num closed while not open\n"
                                "  priority: NOTICE\n"
                                "- rule: concurrent-socket-reads\n"
                                "  enabled: false\n");
    RunResult r = run({kSctrace, "rules", "check", "-r", f});
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    r = run({kSctrace, "rules", "check", "--no-default-rules", "-r", f});
    ASSERT_TRUE(Ran(r));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(f + ":2:35: error: rule 'my-ebadf-close': unknown field or macro "
                             "'at_exit'"),
              std::string::npos)
        << r.err;

    // rules list says where each rule came from, and what changed it.
    r = run({kSctrace, "rules", "list", "-r", f});
    ASSERT_TRUE(Ran(r));
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream lines(r.out);
    std::string mine, changed, pack;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("my-ebadf-close ")) mine = line;
        if (line.starts_with("concurrent-socket-reads ")) changed = line;
        if (line.starts_with("double-close ")) pack = line;
    }
    EXPECT_NE(mine.find("info "), std::string::npos) << mine;
    EXPECT_TRUE(mine.ends_with("(" + f + ":2)")) << mine;
    EXPECT_NE(changed.find("disabled"), std::string::npos) << changed;
    EXPECT_TRUE(changed.ends_with(", changed at " + f + ":5)")) << changed;
    EXPECT_NE(pack.find("descriptors.yaml:"), std::string::npos) << pack;

    // Live and over a saved log, the pack's rule and the user's both fire.
    for (const auto& argv :
         {std::vector<std::string>{kSctrace, "-r", f, "--findings", path("live.jsonl"), "--",
                                   kSamplePaths.at("double-close")},
          std::vector<std::string>{kSctrace, "analyze", "-r", f, "--findings", path("log.jsonl"),
                                   std::string(SAMPLE_LOG_DIR) + "/double-close.ttT-y.log"}}) {
        r = run(argv);
        ASSERT_TRUE(Ran(r));
        const std::string findings = slurp(path(argv[1] == "analyze" ? "log.jsonl" : "live.jsonl"));
        EXPECT_NE(findings.find("\"rule\":\"double-close\""), std::string::npos)
            << r.what << "\n"
            << findings << r.err;
        EXPECT_NE(findings.find("\"rule\":\"my-ebadf-close\""), std::string::npos)
            << r.what << "\n"
            << findings << r.err;
    }
}

// A mistake in a user's append to a pack rule is the user's line, and a run
// with it refuses to start.
TEST_F(RuleFiles, ABrokenAppendToAPackRuleIsTheUsersLine) {
    const std::string f = write("append.yaml",
                                "- rule: double-close\n"
                                "  condition: and not proc.nme = mydaemon\n"
                                "  override:\n"
                                "    condition: append\n");
    for (const auto& argv : {std::vector<std::string>{kSctrace, "rules", "check", "-r", f},
                             std::vector<std::string>{kSctrace, "-r", f, "--", "true"}}) {
        const RunResult r = run(argv);
        ASSERT_TRUE(Ran(r));
        EXPECT_NE(r.status, 0) << r.what;
        EXPECT_NE(r.err.find(f + ":2:22: error: rule 'double-close' (appended to the rule of "),
                  std::string::npos)
            << r.what << "\n"
            << r.err;
        EXPECT_NE(r.err.find("did you mean 'proc.name'?"), std::string::npos) << r.err;
    }
}

// A rule with no evt.type loads, with a warning on stderr, in check and in
// a run alike.
TEST_F(RuleFiles, ARuleWithNoEvtTypeWarnsThatItStopsEverySyscall) {
    const std::string f = write("wide.yaml", "- rule: any\n  condition: proc.pid = 1\n");
    for (const auto& argv : {std::vector<std::string>{kSctrace, "rules", "check", "-r", f},
                             std::vector<std::string>{kSctrace, "-r", f, "--", "true"}}) {
        const RunResult r = run(argv);
        ASSERT_TRUE(Ran(r));
        EXPECT_EQ(r.status, 0) << r.what << "\n" << r.err;
        EXPECT_NE(r.err.find(f + ":2:14: warning: rule 'any' names no evt.type"), std::string::npos)
            << r.what << "\n"
            << r.err;
    }
}

}  // namespace
