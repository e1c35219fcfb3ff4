// The rule pack against its samples, three ways:
//   - live: `sctrace --findings F -- SAMPLE` raises exactly the sample's rule,
//     with its documented severity, and the sample's exit status passes through;
//   - post-mortem: `sctrace analyze LOG` raises it on every saved strace log in
//     samples/logs/ (exit 1), and on a log strace records here and now the
//     rule ids equal those of the live run;
//   - silence: the correct twins (samples/RULE-ok.c), correct programs that
//     only look like a rule's pattern (samples/RULE-VARIANT-ok.c) raise
//     nothing at warning or above, live or post-mortem. Real programs are
//     tests/corpus's.
// Also: analyze of sctrace's own -o event stream (jsonl, strace) gives the
// live run's rule ids; the pack ships every id with its documented severity; and
// --fail-on for both `run` and `analyze`.
//
// Nothing here asserts a duration: every run has a generous deadline, and a
// run that misses it fails the test with the run named.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sample_paths.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;
using Seconds = std::chrono::seconds;

const std::string kSctrace = SCTRACE_BIN;
const fs::path kLogDir = SAMPLE_LOG_DIR;

// Deadlines. Samples finish in well under a second untraced.
constexpr Seconds kSampleDeadline{30};
constexpr Seconds kAnalyzeDeadline{25};

// ---------------------------------------------------------------------------
// Running commands

struct RunResult {
    std::string what;  // the command line, for messages
    int status = -1;   // exit code, or 128+N when killed by signal N
    bool timed_out = false;
    std::string spawn_error;
    std::string out, err;
};

std::string join(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) {
        if (!s.empty()) s += ' ';
        s += a;
    }
    return s;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string describe(const RunResult& r) {
    std::ostringstream s;
    s << "command: " << r.what << "\n  status " << r.status
      << (r.timed_out ? " (TIMED OUT, killed)" : "")
      << (r.spawn_error.empty() ? "" : "\n  spawn error: " + r.spawn_error)
      << "\n  stdout: " << r.out.substr(0, 2000) << "\n  stderr: " << r.err.substr(0, 4000);
    return s.str();
}

// Runs argv in its own process group with stdout/stderr to files in dir,
// stdin from /dev/null, no core dumps, default signal dispositions, and env
// overrides ("NAME=value"). Kills the whole group at the deadline.
RunResult run(const std::vector<std::string>& argv, const fs::path& dir, Seconds deadline,
              const std::vector<std::string>& env_overrides = {}) {
    static std::atomic<int> counter{0};
    RunResult r;
    r.what = join(argv);
    const int n = counter++;
    const fs::path out_path = dir / ("run" + std::to_string(n) + ".out");
    const fs::path err_path = dir / ("run" + std::to_string(n) + ".err");

    // Everything the child needs is built before fork().
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string var = *e;
        const std::string name = var.substr(0, var.find('='));
        bool overridden = false;
        for (const auto& o : env_overrides)
            if (o.substr(0, o.find('=')) == name) overridden = true;
        if (!overridden) env.push_back(var);
    }
    for (const auto& o : env_overrides) env.push_back(o);
    std::vector<char*> envp, args;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);

    const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int exec_error[2];
    if (in_fd < 0 || out_fd < 0 || err_fd < 0 || pipe2(exec_error, O_CLOEXEC) != 0) {
        r.spawn_error = std::string("cannot set up the run: ") + strerror(errno);
        return r;
    }
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_fd, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        execvpe(args[0], args.data(), envp.data());
        const int e = errno;
        (void)!write(exec_error[1], &e, sizeof e);
        _exit(127);
    }
    close(in_fd);
    close(out_fd);
    close(err_fd);
    close(exec_error[1]);
    if (pid < 0) {
        r.spawn_error = std::string("fork: ") + strerror(errno);
        close(exec_error[0]);
        return r;
    }
    setpgid(pid, pid);
    int e = 0;
    if (read(exec_error[0], &e, sizeof e) == sizeof e)
        r.spawn_error = "cannot execute " + argv[0] + ": " + strerror(e);
    close(exec_error[0]);

    const auto until = std::chrono::steady_clock::now() + deadline;
    int wstatus = 0;
    for (;;) {
        const pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= until) {
            r.timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    // Whatever the command left behind in its group goes too.
    kill(-pid, SIGKILL);
    if (WIFEXITED(wstatus)) r.status = WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) r.status = 128 + WTERMSIG(wstatus);
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
}

// A program on PATH (or an absolute path that exists), or "".
std::string which(const std::string& name) {
    if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
    const char* path = getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');) {
        const std::string candidate = (d.empty() ? "." : d) + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

// ---------------------------------------------------------------------------
// Findings

int severity_rank(const std::string& s) {
    if (s == "info") return 0;
    if (s == "warning") return 1;
    if (s == "error") return 2;
    if (s == "critical") return 3;
    return -1;
}

struct Findings {
    std::vector<json> all;
    std::vector<std::string> problems;  // lines that break the --findings contract

    std::set<std::string> rules() const {
        std::set<std::string> ids;
        for (const auto& f : all) ids.insert(f.value("rule", "?"));
        return ids;
    }
    std::vector<json> at_least(const std::string& severity) const {
        std::vector<json> out;
        for (const auto& f : all)
            if (severity_rank(f.value("severity", "")) >= severity_rank(severity)) out.push_back(f);
        return out;
    }
    std::string dump() const {
        std::string s;
        for (const auto& f : all) s += "    " + f.dump() + "\n";
        return s.empty() ? "    (none)\n" : s;
    }
};

// Reads --findings output: JSON Lines, each with at least rule, severity
// (info|warning|error|critical), pid, tid, time and message.
Findings read_findings(const fs::path& path) {
    Findings f;
    std::ifstream in(path);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (line.empty()) continue;
        json j;
        try {
            j = json::parse(line);
        } catch (const std::exception& e) {
            f.problems.push_back("line " + std::to_string(line_no) + ": not JSON: " + e.what());
            continue;
        }
        for (const char* key : {"rule", "severity", "message"})
            if (!j.contains(key) || !j[key].is_string())
                f.problems.push_back("line " + std::to_string(line_no) + ": no string '" + key +
                                     "'");
        for (const char* key : {"pid", "tid", "time"})
            if (!j.contains(key) || !j[key].is_number())
                f.problems.push_back("line " + std::to_string(line_no) + ": no number '" + key +
                                     "'");
        if (j.contains("severity") && j["severity"].is_string() &&
            severity_rank(j["severity"].get<std::string>()) < 0)
            f.problems.push_back("line " + std::to_string(line_no) + ": unknown severity " +
                                 j["severity"].dump());
        f.all.push_back(std::move(j));
    }
    return f;
}

std::string set_text(const std::set<std::string>& s) {
    std::string out = "{";
    for (const auto& x : s) out += (out.size() > 1 ? ", " : "") + x;
    return out + "}";
}

// ---------------------------------------------------------------------------
// The cases

// A sample: a rule's reproducer (rule set) or a correct twin (rule empty).
struct SampleCase {
    std::string sample;
    int exit_status;
    std::string rule;               // the one rule it must raise; empty: must stay silent
    std::string severity;           // the rule's documented severity
    std::string message_has;        // a finding's message must contain this
    std::vector<std::string> logs;  // saved logs in samples/logs (files, or -ff prefixes)
    std::string info_rule;          // a twin: an info finding it must raise (handled-fault)
};

// The rule table users rely on: id -> severity.
const std::map<std::string, std::string> kSeverity = {
    {"nonblocking-connect-immediate", "warning"},
    {"connect-result-unchecked", "warning"},
    {"socket-leak-after-failed-connect", "warning"},
    {"concurrent-socket-writes", "warning"},
    {"concurrent-socket-reads", "warning"},
    {"double-close", "error"},
    {"fd-use-after-close", "error"},
    {"close-while-blocked", "error"},
    {"fatal-signal", "error"},
    {"static-glibc-nss", "warning"},
    {"handled-fault", "info"},
    {"io-uring-completion-storm", "warning"},
    {"network-io-through-ring", "info"},
    {"io-uring-write-in-flight-at-exit", "warning"},
};

SampleCase rule_case(const std::string& sample, const std::string& rule, int exit_status,
                     const std::string& message_has, const std::string& ff_shape) {
    return {
        sample,
        exit_status,
        rule,
        kSeverity.at(rule),
        message_has,
        {sample + ".f.log", sample + ".ttT-y.log", sample + ".ttt-yy.log", sample + "." + ff_shape},
        ""};
}

const std::vector<SampleCase>& rule_cases() {
    static const std::vector<SampleCase> cases = [] {
        std::vector<SampleCase> c = {
            // The peer is named at connect's exit, from its own address.
            rule_case("nonblocking-connect-immediate", "nonblocking-connect-immediate", 0,
                      "to 127.0.0.1:8080 returned 0 at once", "ff"),
            rule_case("connect-result-unchecked", "connect-result-unchecked", 0,
                      "before its nonblocking connect() finished", "ff"),
            rule_case("socket-leak-after-failed-connect", "socket-leak-after-failed-connect", 0,
                      "still open after their connect() failed", "ff"),
            // Threaded samples: their -ff set carries -ttt -T, without which the
            // files cannot say which calls of different threads overlapped.
            rule_case("concurrent-socket-writes", "concurrent-socket-writes", 0,
                      "other thread(s) were still writing", "ff-ttt-T"),
            rule_case("concurrent-socket-reads", "concurrent-socket-reads", 0,
                      "other thread(s) were still reading", "ff-ttt-T"),
            rule_case("double-close", "double-close", 0, "closed twice", "ff"),
            rule_case("fd-use-after-close", "fd-use-after-close", 0, "after it was closed", "ff"),
            rule_case("close-while-blocked", "close-while-blocked", 0,
                      "other thread(s) were blocked", "ff-ttt-T"),
            rule_case("fatal-signal", "fatal-signal", 139, "WTFCrash", "ff"),
            rule_case("fatal-signal-null", "fatal-signal", 139, "NULL", "ff"),
            // A non-canonical pointer: SI_KERNEL, no address, not a NULL dereference.
            rule_case("fatal-signal-gp", "fatal-signal", 139, "a general-protection fault", "ff"),
            // A kill has a sender, not a fault address: abort() sends itself SIGABRT.
            rule_case("fatal-signal-abort", "fatal-signal", 134, "by pid", "ff"),
            // Live it fires on the thread's nsswitch.conf open, from a log on
            // its libnss_compat load: on the second thread both ways.
            rule_case("static-glibc-nss", "static-glibc-nss", 0, "on the second thread",
                      "ff-ttt-T"),
        };
        auto add_log = [&c](const std::string& sample, const std::string& log) {
            for (auto& x : c)
                if (x.sample == sample) x.logs.push_back(log);
        };
        add_log("fatal-signal-null", "fatal-signal-null.k.log.gz");  // -k frames, gzipped
        // The story's own WSL1 lines (docs/rules/nonblocking-connect-immediate.md): strace without
        // -f, PF_INET, connect() = 0 with no Fast Open asked for.
        add_log("nonblocking-connect-immediate", "nonblocking-connect-immediate.wsl1.log");
        // A real log in which the new thread's lines precede the parent's
        // "<... clone3 resumed> = TID" (strace prints that now and then).
        add_log("concurrent-socket-writes", "concurrent-socket-writes.thread-before-clone.log");
        return c;
    }();
    return cases;
}

const std::vector<SampleCase>& twin_cases() {
    static const std::vector<SampleCase> cases = [] {
        std::vector<SampleCase> c;
        struct Twin {
            std::string sample;
            int status;
            std::string info_rule = {};
        };
        for (const auto& [twin, status, info_rule] :
             std::vector<Twin>{{"nonblocking-connect-ok", 0},
                               {"connect-result-unchecked-ok", 0},
                               {"socket-leak-after-failed-connect-ok", 0},
                               {"concurrent-socket-writes-ok", 0},
                               {"concurrent-socket-reads-ok", 0},
                               {"double-close-ok", 0},
                               {"fd-use-after-close-ok", 0},
                               {"close-while-blocked-ok", 0},
                               {"fatal-signal-ok", 1},
                               // A SIGSEGV handled with siglongjmp: a note, not an error. A
                               // SIGSEGV ignored and kill()ed: nothing at all.
                               {"fatal-signal-handled-ok", 0, "handled-fault"},
                               {"fatal-signal-ignored-ok", 0},
                               // Correct programs that only look like a rule's pattern.
                               {"nonblocking-connect-immediate-unspec-ok", 0},
                               // TCP Fast Open: connect() = 0 by design (an info note only).
                               {"nonblocking-connect-fastopen-ok", 0},
                               // The dance split by a fork: the child's first connect is the
                               // socket's second, and returns 0.
                               {"nonblocking-connect-fork-ok", 0},
                               {"socket-leak-after-failed-connect-fork-ok", 0},
                               {"concurrent-socket-writes-dgram-ok", 0},
                               {"concurrent-socket-reads-dgram-ok", 0},
                               {"double-close-closefrom-ok", 0},
                               // A thread still inside close(N) while the number is
                               // reused and the new file closed (the Chromium shape).
                               {"close-while-blocked-reuse-ok", 0},
                               // The same NSS lookup, dynamic; static with no NSS; static
                               // with no libc reading nsswitch.conf itself (as pure Go does).
                               {"static-glibc-nss-dynamic-ok", 0},
                               {"static-glibc-nss-ok", 0},
                               {"static-glibc-nss-nolibc-ok", 0},
                               // A client connecting to port 25: no pattern of the pack.
                               {"connect-port-ok", 0}})
            c.push_back({twin, status, "", "", "", {twin + ".ttT-y.log"}, info_rule});
        return c;
    }();
    return cases;
}

std::vector<SampleCase> all_samples() {
    std::vector<SampleCase> all = rule_cases();
    for (const auto& t : twin_cases()) all.push_back(t);
    return all;
}

// gtest prints parameters in test names and failures; say what they are.
void PrintTo(const SampleCase& c, std::ostream* os) {
    *os << c.sample << (c.rule.empty() ? " (twin)" : " -> " + c.rule);
}

std::string param_name(std::string s) {
    for (auto& ch : s)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return s;
}

std::string sample_path(const std::string& sample) {
    auto it = kSamplePaths.find(sample);
    return it == kSamplePaths.end() ? "" : it->second;
}

// ---------------------------------------------------------------------------
// A temporary directory per test, kept (and named) when the test fails.

class TempDirTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = fs::temp_directory_path() /
               ("sctrace-rules-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (HasFailure()) {
            std::cerr << "kept the files of this test in " << dir_ << "\n";
        } else {
            std::error_code ec;
            fs::remove_all(dir_, ec);
        }
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // `sctrace --findings F [extra] -- argv...`
    RunResult sctrace_run(const std::vector<std::string>& argv, const std::string& findings,
                          Seconds deadline, const std::vector<std::string>& extra = {},
                          const std::vector<std::string>& env = {}) {
        std::vector<std::string> cmd = {kSctrace, "--findings", findings};
        cmd.insert(cmd.end(), extra.begin(), extra.end());
        cmd.push_back("--");
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        return run(cmd, dir_, deadline, env);
    }
    // `sctrace analyze LOG... --findings F [extra]`
    RunResult analyze(const std::vector<std::string>& logs, const std::string& findings,
                      const std::vector<std::string>& extra = {}) {
        std::vector<std::string> cmd = {kSctrace, "analyze"};
        cmd.insert(cmd.end(), logs.begin(), logs.end());
        cmd.push_back("--findings");
        cmd.push_back(findings);
        cmd.insert(cmd.end(), extra.begin(), extra.end());
        return run(cmd, dir_, kAnalyzeDeadline);
    }
    // `strace -f -o LOG argv...`: a post-mortem log recorded on the spot.
    RunResult strace_record(const std::vector<std::string>& argv, const std::string& log,
                            Seconds deadline, const std::vector<std::string>& env = {}) {
        std::vector<std::string> cmd = {"strace", "-f", "-o", log};
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        return run(cmd, dir_, deadline, env);
    }
    static bool have_strace() { return !which("strace").empty(); }

    fs::path dir_;
};

// nonblocking-connect-immediate needs TCP_REPAIR (CAP_NET_ADMIN, or a user and
// network namespace of its own), nonblocking-connect-fastopen-ok client TCP
// Fast Open; each exits 77 with the reason when this machine refuses.
bool skipped_for_environment(const SampleCase& c, const RunResult& r, std::string* reason) {
    if (r.status != 77 || (c.sample != "nonblocking-connect-immediate" &&
                           c.sample != "nonblocking-connect-fastopen-ok"))
        return false;
    *reason = c.sample + " cannot run here (exit 77), so its rule is untested: " + r.err;
    return true;
}

// A twin's info note (handled-fault on a handled SIGSEGV) is there, at info.
void expect_info_rule(const Findings& f, const std::string& rule, const std::string& where) {
    if (rule.empty()) return;
    bool seen = false;
    for (const auto& j : f.all) {
        if (j.value("rule", "") != rule) continue;
        seen = true;
        EXPECT_EQ(j.value("severity", ""), "info") << where << ": " << j.dump();
    }
    EXPECT_TRUE(seen) << where << ": no " << rule << " (info) finding\n" << f.dump();
}

void expect_contract(const Findings& f, const std::string& where) {
    EXPECT_TRUE(f.problems.empty()) << where << ": findings break the JSONL contract:\n  "
                                    << ::testing::PrintToString(f.problems) << "\n"
                                    << f.dump();
}

// What a person reads: stderr ends with one summary line per rule that fired
// (none when nothing did), and a finding about two threads names the other
// one (on stderr, and in the JSONL's "others").
void expect_readable(const std::string& rule, const Findings& f, const RunResult& r) {
    if (f.all.empty()) {
        EXPECT_EQ(r.err.find("sctrace: summary:"), std::string::npos) << describe(r);
        return;
    }
    if (rule.empty()) return;
    EXPECT_NE(r.err.find("sctrace: summary: " + rule + " "), std::string::npos) << describe(r);
    static const std::set<std::string> kTwoThreads = {
        "close-while-blocked", "concurrent-socket-writes", "concurrent-socket-reads"};
    if (!kTwoThreads.count(rule)) return;
    EXPECT_NE(r.err.find("other thread: tid "), std::string::npos) << describe(r);
    for (const auto& j : f.all) {
        if (j.value("rule", "") != rule) continue;
        bool on_same_file = false;
        for (const auto& o : j.value("others", json::array())) {
            on_same_file |= o.value("same_file", false) && o.value("tid", 0) > 0 &&
                            !o.value("call", "").empty();
        }
        EXPECT_TRUE(on_same_file) << "the other thread is not named: " << j.dump();
    }
}

// ---------------------------------------------------------------------------
// Live

class Live : public TempDirTest, public ::testing::WithParamInterface<SampleCase> {};

TEST_P(Live, RaisesExactlyItsRuleAndPassesTheExitStatusThrough) {
    const SampleCase& c = GetParam();
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;

    // The program alone, for its own exit status and stdout.
    const RunResult plain = run({bin}, dir_, kSampleDeadline);
    std::string reason;
    if (skipped_for_environment(c, plain, &reason)) GTEST_SKIP() << reason;
    ASSERT_FALSE(plain.timed_out) << describe(plain);
    ASSERT_EQ(plain.status, c.exit_status) << "the sample itself misbehaves\n" << describe(plain);

    const std::string findings = path("live.jsonl");
    const RunResult traced = sctrace_run({bin}, findings, kSampleDeadline);
    if (skipped_for_environment(c, traced, &reason)) GTEST_SKIP() << "under sctrace: " << reason;
    ASSERT_FALSE(traced.timed_out) << describe(traced);
    EXPECT_EQ(traced.status, c.exit_status) << "exit status does not pass through\n"
                                            << describe(traced);
    EXPECT_EQ(traced.out, plain.out) << "the program's stdout changed under sctrace";

    const Findings f = read_findings(findings);
    expect_contract(f, "live");
    expect_readable(c.rule, f, traced);
    if (c.rule.empty()) {
        EXPECT_TRUE(f.at_least("warning").empty())
            << c.sample << " is a correct twin: nothing at warning or above may fire\n"
            << f.dump() << describe(traced);
        expect_info_rule(f, c.info_rule, c.sample + " live");
        return;
    }
    EXPECT_EQ(f.rules(), std::set<std::string>{c.rule})
        << c.sample << " must raise exactly " << c.rule << "\n"
        << f.dump() << describe(traced);
    bool message_seen = false;
    for (const auto& j : f.all) {
        if (j.value("rule", "") != c.rule) continue;
        EXPECT_EQ(j.value("severity", ""), c.severity) << j.dump();
        message_seen |= j.value("message", "").find(c.message_has) != std::string::npos;
    }
    EXPECT_TRUE(message_seen) << "no " << c.rule << " finding says \"" << c.message_has << "\"\n"
                              << f.dump();
}

// The issue's requirement: the findings of analyze on a saved log of a sample
// equal the findings of the live run. strace and sctrace cannot both trace one
// run (one ptrace tracer per task), so the sample runs twice; the samples are
// deterministic, so both runs show the same pattern.
TEST_P(Live, AnalyzeOfAnStraceLogRecordedNowGivesTheLiveRuleIds) {
    const SampleCase& c = GetParam();
    if (!have_strace())
        GTEST_SKIP() << "strace is not installed: cannot record a log to compare with";
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;

    const RunResult live = sctrace_run({bin}, path("live.jsonl"), kSampleDeadline);
    std::string reason;
    if (skipped_for_environment(c, live, &reason)) GTEST_SKIP() << reason;
    ASSERT_FALSE(live.timed_out) << describe(live);
    ASSERT_EQ(live.status, c.exit_status) << describe(live);

    const std::string log = path("recorded.strace");
    const RunResult recorded = strace_record({bin}, log, kSampleDeadline);
    ASSERT_FALSE(recorded.timed_out) << describe(recorded);
    ASSERT_EQ(recorded.status, c.exit_status) << describe(recorded);

    const RunResult post = analyze({log}, path("post.jsonl"));
    ASSERT_FALSE(post.timed_out) << describe(post);
    const Findings live_f = read_findings(path("live.jsonl"));
    const Findings post_f = read_findings(path("post.jsonl"));
    expect_contract(post_f, "analyze");
    EXPECT_EQ(live_f.rules(), post_f.rules())
        << "live: " << set_text(live_f.rules()) << "\n"
        << live_f.dump() << "analyze of strace -f -o: " << set_text(post_f.rules()) << "\n"
        << post_f.dump() << "the log is " << log;
    EXPECT_EQ(post.status, post_f.at_least("warning").empty() ? 0 : 1) << describe(post);
    if (!c.rule.empty()) {
        EXPECT_EQ(post_f.rules().count(c.rule), 1u) << post_f.dump();
    }
}

// sctrace's own event stream (-o FILE --format jsonl|strace|text), written
// during the live run, analyzed afterwards: "one pipeline, two kinds of
// source" means the same findings from the same run, whichever format the
// run was recorded in.
TEST_P(Live, AnalyzeOfItsOwnEventLogGivesTheLiveRuleIds) {
    const SampleCase& c = GetParam();
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;
    for (const std::string format : {"jsonl", "strace", "text"}) {
        SCOPED_TRACE("--format " + format);
        const std::string events = path("events." + format),
                          live = path("live-" + format + ".jsonl");
        const RunResult r =
            sctrace_run({bin}, live, kSampleDeadline, {"-o", events, "--format", format});
        std::string reason;
        if (skipped_for_environment(c, r, &reason)) GTEST_SKIP() << reason;
        ASSERT_FALSE(r.timed_out) << describe(r);
        ASSERT_EQ(r.status, c.exit_status) << describe(r);
        const std::string post = path("post-" + format + ".jsonl");
        const RunResult a = analyze({events}, post);
        ASSERT_FALSE(a.timed_out) << describe(a);
        EXPECT_EQ(a.err.find("could not be parsed"), std::string::npos) << describe(a);
        const Findings live_f = read_findings(live), post_f = read_findings(post);
        EXPECT_EQ(live_f.rules(), post_f.rules()) << "live: " << set_text(live_f.rules()) << "\n"
                                                  << live_f.dump() << "analyze of its -o " << format
                                                  << " log: " << set_text(post_f.rules()) << "\n"
                                                  << post_f.dump() << describe(a);
    }
}

// The tracer stops only at what the loaded rules need (the seccomp filter is
// built from them): loaded alone with --rule, a rule must still see every
// call its verdict rests on, not only what other rules happened to trace.
class RuleAlone : public TempDirTest, public ::testing::WithParamInterface<SampleCase> {};

TEST_P(RuleAlone, StillFiresOnItsSample) {
    const SampleCase& c = GetParam();
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;
    const std::string findings = path("alone.jsonl");
    const RunResult r = sctrace_run({bin}, findings, kSampleDeadline, {"--rule", c.rule});
    std::string reason;
    if (skipped_for_environment(c, r, &reason)) GTEST_SKIP() << reason;
    ASSERT_FALSE(r.timed_out) << describe(r);
    EXPECT_EQ(r.status, c.exit_status) << describe(r);
    const Findings f = read_findings(findings);
    EXPECT_EQ(f.rules(), std::set<std::string>{c.rule})
        << "--rule " << c.rule << " on " << c.sample << "\n"
        << f.dump() << describe(r);
}

std::vector<SampleCase> samples_with_a_rule() {
    std::vector<SampleCase> cases;
    for (const SampleCase& c : all_samples()) {
        if (!c.rule.empty()) cases.push_back(c);
    }
    return cases;
}

INSTANTIATE_TEST_SUITE_P(Samples, RuleAlone, ::testing::ValuesIn(samples_with_a_rule()),
                         [](const auto& info) { return param_name(info.param.sample); });

// Naming a rule no file defines is a usage error, not a silent run with none.
class RuleOption : public TempDirTest {};

TEST_F(RuleOption, AnUnknownRuleIdIsAnErrorNamingIt) {
    const RunResult r =
        run({kSctrace, "--rule", "no-such-rule", "--", "/bin/true"}, dir_, kSampleDeadline);
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_NE(r.err.find("--rule no-such-rule: no loaded rule has this id"), std::string::npos)
        << describe(r);
}

INSTANTIATE_TEST_SUITE_P(Samples, Live, ::testing::ValuesIn(all_samples()),
                         [](const auto& info) { return param_name(info.param.sample); });

// ---------------------------------------------------------------------------
// Through an io_uring: a descriptor closed by IORING_OP_CLOSE is closed for
// the fd rules too (engine/ring_ops.h). An strace log has no ring traffic,
// so these samples are not in the Samples lists (whose every case is also
// recorded and analyzed with strace): they run live here, and the finding
// must come back from analyze of sctrace's own JSONL event log, which keeps
// the ring's submissions and completions.

class Ring : public TempDirTest {
protected:
    // The sample under sctrace, recording its JSONL event log; skips the
    // test when the kernel refuses io_uring (exit 77).
    Findings traced_run(const std::vector<std::string>& argv, RunResult* traced) {
        const RunResult plain = run(argv, dir_, kSampleDeadline);
        if (plain.status == 77) {
            skipped_ = "the kernel refuses io_uring here: " + plain.err;
            return {};
        }
        EXPECT_FALSE(plain.timed_out) << describe(plain);
        EXPECT_EQ(plain.status, 0) << "the sample itself misbehaves\n" << describe(plain);
        *traced = sctrace_run(argv, path("live.jsonl"), kSampleDeadline,
                              {"-o", path("events.jsonl"), "--format", "jsonl"});
        EXPECT_FALSE(traced->timed_out) << describe(*traced);
        EXPECT_EQ(traced->status, 0) << describe(*traced);
        EXPECT_EQ(traced->out, plain.out) << "the program's stdout changed under sctrace";
        const Findings f = read_findings(path("live.jsonl"));
        expect_contract(f, "live");
        return f;
    }
    Findings analyzed_event_log() {
        const RunResult a = analyze({path("events.jsonl")}, path("post.jsonl"));
        EXPECT_FALSE(a.timed_out) << describe(a);
        EXPECT_EQ(a.err.find("could not be parsed"), std::string::npos) << describe(a);
        const Findings f = read_findings(path("post.jsonl"));
        expect_contract(f, "analyze");
        return f;
    }
    // Some finding of `rule` has evidence that says which ring and which
    // submission did its part: the samples tag theirs with `user_data`.
    static void expect_ring_named(const Findings& f, const std::string& rule,
                                  const std::string& user_data, const std::string& where) {
        bool found = false, named = false;
        for (const auto& j : f.all) {
            if (j.value("rule", "") != rule) continue;
            found = true;
            for (const json& line : j.value("evidence", json::array())) {
                const std::string text = line.is_string() ? line.get<std::string>() : "";
                named |= text.find("io_uring (ring fd ") != std::string::npos &&
                         text.find("user_data " + user_data) != std::string::npos;
            }
        }
        EXPECT_TRUE(found) << where << ": no " << rule << " finding\n" << f.dump();
        EXPECT_TRUE(named) << where << ": no " << rule << " evidence names the ring and "
                           << user_data << "\n"
                           << f.dump();
    }
    // `argv` under sctrace raises exactly `rule`, and so does analyze of the
    // run's JSONL event log; `check` looks at each set of findings. Returns
    // early when the kernel refuses the sample (skipped_ says why).
    void expect_only(const std::vector<std::string>& argv, const std::string& rule,
                     const std::function<void(const Findings&, const std::string&)>& check) {
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) return;
        EXPECT_EQ(live.rules(), std::set<std::string>{rule}) << live.dump() << describe(traced);
        check(live, "live");
        const Findings post = analyzed_event_log();
        EXPECT_EQ(post.rules(), live.rules()) << "analyze of the run's JSONL event log\n"
                                              << post.dump();
        check(post, "analyze");
    }
    // A correct twin: nothing at warning or above, live or over its event log.
    void expect_silent(const std::vector<std::string>& argv) {
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) return;
        EXPECT_TRUE(live.at_least("warning").empty())
            << "a correct twin: nothing at warning or above may fire\n"
            << live.dump() << describe(traced);
        const Findings post = analyzed_event_log();
        EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                      << post.dump();
    }
    // Some evidence line of a `rule` finding contains `text`.
    static bool evidence_has(const Findings& f, const std::string& rule, const std::string& text) {
        for (const auto& j : f.all) {
            if (j.value("rule", "") != rule) continue;
            for (const json& line : j.value("evidence", json::array()))
                if (line.is_string() && line.get<std::string>().find(text) != std::string::npos)
                    return true;
        }
        return false;
    }
    // fd-use-after-close-uring both ways, with `extra` argv words: closed
    // with close(2) then read through the ring (IORING_OP_READ completes with
    // -EBADF), and closed through the ring (IORING_OP_CLOSE) then read with
    // read(2). Each finding is an error about the read; the ring and the
    // sample's user_data are named in the read's own line, or in the fd's
    // history for the close.
    void fd_use_after_close_both_ways(const std::vector<std::string>& extra) {
        const std::string bin = sample_path("fd-use-after-close-uring");
        ASSERT_FALSE(bin.empty()) << "no built sample fd-use-after-close-uring";
        for (const bool ring_close : {false, true}) {
            SCOPED_TRACE(ring_close ? "closed through the ring, then read(2)"
                                    : "closed with close(2), then read through the ring");
            std::vector<std::string> argv{bin};
            if (ring_close) argv.push_back("ring-close");
            argv.insert(argv.end(), extra.begin(), extra.end());
            const std::string via = ring_close ? "close = 0 through io_uring" : "IORING_OP_READ)";
            expect_only(
                argv, "fd-use-after-close", [&](const Findings& f, const std::string& where) {
                    for (const auto& j : f.all) {
                        EXPECT_EQ(j.value("severity", ""), "error") << j.dump();
                        EXPECT_NE(j.value("message", "").find("read on fd "), std::string::npos)
                            << j.dump();
                    }
                    expect_ring_named(f, "fd-use-after-close", "0x5ca1ab1e", where);
                    EXPECT_TRUE(evidence_has(f, "fd-use-after-close", via))
                        << where << ": no evidence line says " << via << "\n"
                        << f.dump();
                });
            if (!skipped_.empty()) return;
        }
    }
    // socket-leak-after-failed-connect-uring with `extra` argv words: the
    // socket made by IORING_OP_SOCKET, its IORING_OP_CONNECT refused, never
    // closed. The rule fires on the process's exit event and counts the
    // failed sockets still open (proc.failed_sockets): a finding with no
    // descriptor, so no fd history is attached and its evidence cannot name
    // the ring. It says the exit, and the message counts the one socket.
    void socket_leak(const std::vector<std::string>& extra) {
        const std::string bin = sample_path("socket-leak-after-failed-connect-uring");
        ASSERT_FALSE(bin.empty()) << "no built sample socket-leak-after-failed-connect-uring";
        std::vector<std::string> argv{bin};
        argv.insert(argv.end(), extra.begin(), extra.end());
        const std::string rule = "socket-leak-after-failed-connect";
        expect_only(argv, rule, [&](const Findings& f, const std::string& where) {
            for (const auto& j : f.all) {
                EXPECT_EQ(j.value("severity", ""), "warning") << j.dump();
                EXPECT_NE(
                    j.value("message", "")
                        .find("exited with 1 socket(s) still open after their connect() failed"),
                    std::string::npos)
                    << where << "\n"
                    << j.dump();
            }
            EXPECT_TRUE(evidence_has(f, rule, "+++ exited with 0 +++")) << where << "\n"
                                                                        << f.dump();
        });
    }
    std::string skipped_;
};

// Every double-close finding is an error that says the fd was closed twice.
void expect_closed_twice(const Findings& f) {
    for (const auto& j : f.all) {
        if (j.value("rule", "") != "double-close") continue;
        EXPECT_EQ(j.value("severity", ""), "error") << j.dump();
        EXPECT_NE(j.value("message", "").find("closed twice"), std::string::npos) << j.dump();
    }
}

TEST_F(Ring, DoubleCloseFiresWhenTheFirstCloseWentThroughTheRing) {
    const std::string bin = sample_path("double-close-uring");
    ASSERT_FALSE(bin.empty()) << "no built sample double-close-uring";
    // The second close with close(2), then through the ring as well.
    for (const std::vector<std::string>& argv :
         {std::vector<std::string>{bin}, std::vector<std::string>{bin, "ring"}}) {
        SCOPED_TRACE(argv.size() == 1 ? "second close with close(2)"
                                      : "second close through the ring");
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
        EXPECT_EQ(live.rules(), std::set<std::string>{"double-close"})
            << live.dump() << describe(traced);
        expect_closed_twice(live);
        expect_ring_named(live, "double-close", "0x5ca1ab1e", "live");
        const Findings post = analyzed_event_log();
        EXPECT_EQ(post.rules(), live.rules()) << "analyze of the run's JSONL event log\n"
                                              << post.dump();
        expect_closed_twice(post);
        expect_ring_named(post, "double-close", "0x5ca1ab1e", "analyze");
    }
}

TEST_F(Ring, TheTwinThatClosesOnceRaisesNothing) {
    const std::string bin = sample_path("double-close-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample double-close-uring-ok";
    RunResult traced;
    const Findings live = traced_run({bin}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    EXPECT_TRUE(live.at_least("warning").empty())
        << "a correct twin: nothing at warning or above may fire\n"
        << live.dump() << describe(traced);
    const Findings post = analyzed_event_log();
    EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                  << post.dump();
}

// A submission is its twin's entry: the rules about what other threads are
// doing at a call's start see a ring operation start. Each sample's bad
// pattern goes through the ring, tagged with its user_data; its -ok twin
// does the same work in the right order.
struct RingEntryCase {
    std::string sample;
    std::string rule;
    std::string severity;
    std::string user_data;
};

void PrintTo(const RingEntryCase& c, std::ostream* os) {
    *os << c.sample;
}

class RingEntry : public Ring, public ::testing::WithParamInterface<RingEntryCase> {};

TEST_P(RingEntry, FiresOnTheSubmissionLiveAndOverTheEventLog) {
    const RingEntryCase& c = GetParam();
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;
    RunResult traced;
    const Findings live = traced_run({bin}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    // Beside it, at most the note that the process does network I/O
    // through the ring (the writes sample's send is on TCP).
    std::set<std::string> rules = live.rules();
    rules.erase("network-io-through-ring");
    EXPECT_EQ(rules, std::set<std::string>{c.rule}) << live.dump() << describe(traced);
    for (const auto& j : live.all) {
        if (j.value("rule", "") == c.rule) {
            EXPECT_EQ(j.value("severity", ""), c.severity) << j.dump();
        }
    }
    expect_ring_named(live, c.rule, c.user_data, "live");
    const Findings post = analyzed_event_log();
    EXPECT_EQ(post.rules(), live.rules()) << "analyze of the run's JSONL event log\n"
                                          << post.dump();
    expect_ring_named(post, c.rule, c.user_data, "analyze");
}

TEST_P(RingEntry, ItsTwinInTheRightOrderRaisesNothing) {
    const std::string ok = GetParam().sample + "-ok";
    const std::string bin = sample_path(ok);
    ASSERT_FALSE(bin.empty()) << "no built sample " << ok;
    RunResult traced;
    const Findings live = traced_run({bin}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    EXPECT_TRUE(live.at_least("warning").empty())
        << "a correct twin: nothing at warning or above may fire\n"
        << live.dump() << describe(traced);
    const Findings post = analyzed_event_log();
    EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                  << post.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Samples, RingEntry,
    ::testing::Values(
        // A close submitted while a thread is blocked in read() on the pipe.
        RingEntryCase{"close-while-blocked-uring", "close-while-blocked", "error", "0xc105ed"},
        // A send submitted while a thread is inside write() on the socket.
        RingEntryCase{"concurrent-socket-writes-uring", "concurrent-socket-writes", "warning",
                      "0x5e4d"},
        // A receive submitted while a thread is asleep in read() on the stream.
        RingEntryCase{"concurrent-socket-reads-uring", "concurrent-socket-reads", "warning",
                      "0x4ecf"}),
    [](const ::testing::TestParamInfo<RingEntryCase>& info) {
        std::string name = info.param.sample;
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

// A send submitted to a ring right after connect()'s EINPROGRESS waits for
// the handshake (the kernel retries it when the socket is writable): a
// correct program, where the same write(2) would race.
TEST_F(Ring, ASendThroughTheRingBeforeTheHandshakeRaisesNothing) {
    const std::string bin = sample_path("connect-result-unchecked-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample connect-result-unchecked-uring-ok";
    RunResult traced;
    const Findings live = traced_run({bin}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    EXPECT_TRUE(live.at_least("warning").empty()) << live.dump() << describe(traced);
    const Findings post = analyzed_event_log();
    EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                  << post.dump();
}

TEST_F(Ring, FdUseAfterCloseFiresWhenTheReadOrTheCloseWentThroughTheRing) {
    fd_use_after_close_both_ways({});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, TheTwinThatReadsWhileOpenRaisesNothing) {
    const std::string bin = sample_path("fd-use-after-close-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample fd-use-after-close-uring-ok";
    expect_silent({bin});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, SocketLeakFiresWhenTheSocketAndItsRefusedConnectWentThroughTheRing) {
    socket_leak({});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, TheTwinThatClosesTheRefusedSocketThroughTheRingRaisesNothing) {
    const std::string bin = sample_path("socket-leak-after-failed-connect-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample socket-leak-after-failed-connect-uring-ok";
    expect_silent({bin});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

// SQPOLL: the ring's kernel thread takes the submissions and the samples poll
// for completions in user space, so no io_uring_enter need tell sctrace of
// them (only the first submission may enter, to wake the thread). It reads
// such a ring whenever the process stops for another syscall
// (docs/decoders.md), so a ring operation reaches the rules at the next
// traced call: in the samples, before the read(2) that follows a ring
// close, and before the ring's fd is closed.
TEST_F(Ring, FdUseAfterCloseFiresWithAnSqpollRing) {
    fd_use_after_close_both_ways({"sqpoll"});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, SocketLeakFiresWithAnSqpollRing) {
    socket_leak({"sqpoll"});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, TheTwinsRaiseNothingWithAnSqpollRing) {
    for (const std::string sample :
         {"fd-use-after-close-uring-ok", "socket-leak-after-failed-connect-uring-ok"}) {
        SCOPED_TRACE(sample);
        const std::string bin = sample_path(sample);
        ASSERT_FALSE(bin.empty()) << "no built sample " << sample;
        expect_silent({bin, "sqpoll"});
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    }
}

// A socket closed while a receive submitted through the ring still waits on
// it: close() does not cancel the RECV (the ring holds the socket open), with
// close(2) or through the ring. The evidence names the waiting operation.
TEST_F(Ring, CloseWhileARingReceiveWaitsFiresLiveAndOverTheEventLog) {
    const std::string bin = sample_path("close-while-blocked-uring-pending");
    ASSERT_FALSE(bin.empty()) << "no built sample close-while-blocked-uring-pending";
    for (const bool ring_close : {false, true}) {
        SCOPED_TRACE(ring_close ? "closed through the ring" : "closed with close(2)");
        std::vector<std::string> argv{bin};
        if (ring_close) argv.push_back("ring-close");
        expect_only(argv, "close-while-blocked", [&](const Findings& f, const std::string& where) {
            ASSERT_EQ(f.all.size(), 1u) << where << f.dump();
            EXPECT_EQ(f.all[0].value("severity", ""), "error") << where;
            EXPECT_NE(f.all[0]
                          .value("message", "")
                          .find("0 other thread(s) were blocked in a call on it and 1 io_uring "
                                "operation(s) still waited on it"),
                      std::string::npos)
                << where << f.dump();
            EXPECT_TRUE(evidence_has(f, "close-while-blocked", "io_uring: recvfrom(") &&
                        evidence_has(f, "close-while-blocked",
                                     "(user_data 0x4ec7, IORING_OP_RECV) by tid ") &&
                        evidence_has(f, "close-while-blocked", ", not completed, on this file"))
                << where << ": no evidence line names the waiting receive\n"
                << f.dump();
        });
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    }
}

TEST_F(Ring, CancellingTheRingReceiveBeforeTheCloseRaisesNothing) {
    const std::string bin = sample_path("close-while-blocked-uring-pending-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample close-while-blocked-uring-pending-ok";
    for (const bool ring_close : {false, true}) {
        SCOPED_TRACE(ring_close ? "closed through the ring" : "closed with close(2)");
        std::vector<std::string> argv{bin};
        if (ring_close) argv.push_back("ring-close");
        expect_silent(argv);
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    }
}

// One look at an SQPOLL ring finds several operations done at once (the
// sample polls for completions in user space: no syscall tells sctrace of
// them), with user_data reused once the earlier operation completed. Each
// completion is matched to its own submission, so the run has nothing to
// say about operations it could not follow.
TEST_F(Ring, AnSqpollRingsOperationsAreEachFollowedToTheirCompletion) {
    const std::string bin = sample_path("socket-leak-after-failed-connect-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample socket-leak-after-failed-connect-uring-ok";
    RunResult traced;
    const Findings live = traced_run({bin, "sqpoll"}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    EXPECT_TRUE(live.at_least("warning").empty()) << live.dump();
    EXPECT_EQ(traced.err.find(": io_uring:"), std::string::npos) << traced.err;
}

// A close through the ring that asks for no completion when it succeeds
// (IOSQE_CQE_SKIP_SUCCESS, with a NOP linked after it to know when it is
// done): nothing says the socket was closed, nor that it was not. The
// state forgets the number rather than call the socket leaked, and the end
// of the run says what it could not follow.
TEST_F(Ring, ACloseThatPostsNoCompletionOnSuccessIsNoLeak) {
    const std::string bin = sample_path("socket-leak-after-failed-connect-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample socket-leak-after-failed-connect-uring-ok";
    for (const bool sqpoll : {false, true}) {
        SCOPED_TRACE(sqpoll ? "SQPOLL ring" : "ring entered");
        std::vector<std::string> argv{bin, "skip-success"};
        if (sqpoll) argv.push_back("sqpoll");
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
        EXPECT_TRUE(live.at_least("warning").empty()) << live.dump() << describe(traced);
        EXPECT_NE(traced.err.find("io_uring: 2 submissions asked for no completion when they "
                                  "succeeded (IOSQE_CQE_SKIP_SUCCESS)"),
                  std::string::npos)
            << traced.err;
        const Findings post = analyzed_event_log();
        EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                      << post.dump();
    }
}

// The ring's own descriptor table (docs/decoders.md, "Fixed files and direct
// descriptors"): samples/fixed-files-uring's modes, each a bad pattern on a
// registered file or a direct descriptor, and the same mode of its -ok twin
// doing the work in the right order. A direct descriptor has no process fd:
// the findings name it as the ring's slot, never as an fd number.
struct FixedFilesCase {
    std::string mode;
    std::string rule;
    std::string severity;
    // What the message says, and what some evidence line says.
    std::string message;
    std::vector<std::string> evidence;
};

void PrintTo(const FixedFilesCase& c, std::ostream* os) {
    *os << c.mode;
}

class RingFixedFiles : public Ring, public ::testing::WithParamInterface<FixedFilesCase> {};

TEST_P(RingFixedFiles, FiresLiveAndOverTheEventLog) {
    const FixedFilesCase& c = GetParam();
    const std::string bin = sample_path("fixed-files-uring");
    ASSERT_FALSE(bin.empty()) << "no built sample fixed-files-uring";
    const auto check = [&c](const Findings& f, const std::string& where) {
        for (const auto& j : f.all) {
            if (j.value("rule", "") != c.rule) continue;
            EXPECT_EQ(j.value("severity", ""), c.severity) << where << "\n" << j.dump();
            EXPECT_NE(j.value("message", "").find(c.message), std::string::npos) << where << "\n"
                                                                                 << j.dump();
        }
        for (const std::string& text : c.evidence) {
            EXPECT_TRUE(evidence_has(f, c.rule, text))
                << where << ": no evidence line says " << text << "\n"
                << f.dump();
        }
    };
    RunResult traced;
    const Findings live = traced_run({bin, c.mode}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    // Beside it, at most the note that the process does network I/O
    // through the ring (the direct sockets are TCP).
    std::set<std::string> rules = live.rules();
    rules.erase("network-io-through-ring");
    EXPECT_EQ(rules, std::set<std::string>{c.rule}) << live.dump() << describe(traced);
    check(live, "live");
    const Findings post = analyzed_event_log();
    EXPECT_EQ(post.rules(), live.rules()) << "analyze of the run's JSONL event log\n"
                                          << post.dump();
    check(post, "analyze");
}

TEST_P(RingFixedFiles, ItsTwinRaisesNothing) {
    const std::string bin = sample_path("fixed-files-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample fixed-files-uring-ok";
    expect_silent({bin, GetParam().mode});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

INSTANTIATE_TEST_SUITE_P(
    Samples, RingFixedFiles,
    ::testing::Values(
        // Registered, its fd closed (fine), the slot closed, then read
        // through the slot: the read names the slot, the history its close.
        FixedFilesCase{
            "use-after-close",
            "fd-use-after-close",
            "error",
            "read on fd <NA> after it was closed",
            {"read(direct descriptor 0, ", "fixed file 0)", "direct descriptor 0 of ring fd ",
             "close = 0 through io_uring (ring fd ", "user_data 0xf1eed"}},
        // A direct socket's slot closed twice.
        FixedFilesCase{
            "double-close",
            "double-close",
            "error",
            "(direct descriptor 0 of ring fd ",
            {"close(direct descriptor 0) = -1 EBADF through io_uring (ring fd ",
             "IORING_OP_CLOSE, direct descriptor 0)", "direct descriptor 0 of ring fd "}},
        // A direct socket refused by a fixed-file connect, left in its slot;
        // and a registered socket(2) refused through its slot, never closed.
        // Findings about the exit: they count the socket.
        FixedFilesCase{"leak",
                       "socket-leak-after-failed-connect",
                       "warning",
                       "exited with 1 socket(s) still open after their connect() failed",
                       {"+++ exited with 0 +++"}},
        FixedFilesCase{"leak-registered",
                       "socket-leak-after-failed-connect",
                       "warning",
                       "exited with 1 socket(s) still open after their connect() failed",
                       {"+++ exited with 0 +++"}}),
    [](const ::testing::TestParamInfo<FixedFilesCase>& info) {
        std::string name = info.param.mode;
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

// A send through the ring on a TCP connection is network I/O no syscall
// shows: one note for the process, however many sends. A ring that only
// closes a Unix socket does no network I/O, nor does one that makes a TCP
// socket, has its connect refused and closes it: no data moved.
TEST_F(Ring, NetworkIoThroughTheRingIsNotedOncePerProcess) {
    const std::string bin = sample_path("concurrent-socket-writes-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample concurrent-socket-writes-uring-ok";
    expect_only({bin}, "network-io-through-ring", [](const Findings& f, const std::string& where) {
        ASSERT_EQ(f.all.size(), 1u) << where << f.dump();
        EXPECT_EQ(f.all[0].value("severity", ""), "info") << where;
        const std::string message = f.all[0].value("message", "");
        EXPECT_NE(message.find("does network I/O through an io_uring (sendto on fd "),
                  std::string::npos)
            << where << ": " << message;
        EXPECT_NE(message.find("127.0.0.1:"), std::string::npos) << where << ": " << message;
    });
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    const std::string unix_only = sample_path("double-close-uring-ok");
    ASSERT_FALSE(unix_only.empty());
    RunResult traced;
    const Findings none = traced_run({unix_only}, &traced);
    EXPECT_TRUE(none.all.empty()) << none.dump();
    const std::string refused = sample_path("socket-leak-after-failed-connect-uring-ok");
    ASSERT_FALSE(refused.empty());
    const Findings no_data = traced_run({refused}, &traced);
    EXPECT_TRUE(no_data.all.empty()) << no_data.dump();
}

// What the rules could not follow is said once at the end: a submission
// whose completion the log does not have (here taken out of a real run's
// event log) is counted, not guessed at.
TEST_F(Ring, AnalyzeSaysHowManySubmissionsHadNoCompletion) {
    const std::string bin = sample_path("double-close-uring-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample double-close-uring-ok";
    RunResult traced;
    traced_run({bin}, &traced);
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
    EXPECT_EQ(traced.err.find(": io_uring:"), std::string::npos)
        << "every submission of the live run completed\n"
        << describe(traced);
    const RunResult whole = analyze({path("events.jsonl")}, path("whole.jsonl"));
    EXPECT_EQ(whole.err.find(": io_uring:"), std::string::npos) << describe(whole);
    // The same log without its first completion.
    std::ifstream in(path("events.jsonl"));
    std::ofstream out(path("dropped.jsonl"));
    bool dropped = false;
    for (std::string line; std::getline(in, line);) {
        if (!dropped && line.find(R"("type":"io_uring_complete")") != std::string::npos) {
            dropped = true;
            continue;
        }
        out << line << '\n';
    }
    out.close();
    ASSERT_TRUE(dropped) << "the event log has no io_uring_complete";
    const RunResult partial = analyze({path("dropped.jsonl")}, path("partial.jsonl"));
    EXPECT_EQ(partial.status, 0) << describe(partial);
    EXPECT_NE(partial.err.find("sctrace analyze: io_uring: 1 submission had no completion the "
                               "trace saw"),
              std::string::npos)
        << describe(partial);
}

// RWF_NOWAIT reads of an empty pipe resubmitted as fast as they fail: a
// storm of -EAGAIN completions, 64 per io_uring_enter. Its twin reads the
// same number of times, each read waiting for its byte.
TEST_F(Ring, ACompletionStormFiresOnceLiveAndOverTheEventLog) {
    const std::string bin = sample_path("io-uring-completion-storm");
    ASSERT_FALSE(bin.empty()) << "no built sample io-uring-completion-storm";
    expect_only(
        {bin}, "io-uring-completion-storm", [](const Findings& f, const std::string& where) {
            for (const auto& j : f.all) {
                EXPECT_EQ(j.value("severity", ""), "warning") << where << j.dump();
                const std::string message = j.value("message", "");
                EXPECT_NE(message.find("1000 io_uring completions failed with EAGAIN or ECANCELED"),
                          std::string::npos)
                    << where << ": " << message;
                EXPECT_NE(message.find("(EAGAIN)"), std::string::npos) << where << ": " << message;
            }
            // One finding per process, not one per 1000 completions.
            EXPECT_EQ(f.all.size(), 1u) << where << f.dump();
            expect_ring_named(f, "io-uring-completion-storm", "0x57012", where);
        });
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

TEST_F(Ring, ReadsThatWaitForTheirDataRaiseNoStorm) {
    const std::string bin = sample_path("io-uring-completion-storm-ok");
    ASSERT_FALSE(bin.empty()) << "no built sample io-uring-completion-storm-ok";
    expect_silent({bin});
    if (!skipped_.empty()) GTEST_SKIP() << skipped_;
}

// A write handed to a ring that cannot finish (a full pipe nobody reads),
// and the process returns from main: the kernel cancels it with the ring.
// sctrace reads the rings as the process exits, so the finding rests on
// what the ring held then, live and in the JSONL log (the exit event says
// the rings were read). With `sqpoll` the ring's kernel thread takes the
// submission; with `threads` the process ends with its last thread's
// exit(2), not exit_group. The write, its pipe, the ring and the sample's
// user_data are named; the end note stays quiet, since the trace saw the
// write's fate.
TEST_F(Ring, AWriteStillInFlightAtExitFiresLiveAndOverTheEventLog) {
    const std::string bin = sample_path("io-uring-write-in-flight-at-exit");
    ASSERT_FALSE(bin.empty()) << "no built sample io-uring-write-in-flight-at-exit";
    const std::string rule = "io-uring-write-in-flight-at-exit";
    for (const std::vector<std::string>& argv :
         {std::vector<std::string>{bin}, std::vector<std::string>{bin, "sqpoll"},
          std::vector<std::string>{bin, "threads"}}) {
        SCOPED_TRACE(join(argv));
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
        EXPECT_EQ(live.rules(), std::set<std::string>{rule}) << live.dump() << describe(traced);
        EXPECT_EQ(traced.err.find(": io_uring:"), std::string::npos)
            << "the write's fate is known: no note about what the trace did not see\n"
            << describe(traced);
        EXPECT_NE(slurp(path("events.jsonl")).find(R"("rings_read":true)"), std::string::npos)
            << "the event log says the rings were read at the exit";
        const Findings post = analyzed_event_log();
        EXPECT_EQ(post.rules(), live.rules()) << "analyze of the run's JSONL event log\n"
                                              << post.dump();
        for (const auto& [f, where] : {std::pair{live, "live"}, std::pair{post, "analyze"}}) {
            for (const auto& j : f.all) {
                EXPECT_EQ(j.value("severity", ""), "warning") << where << j.dump();
                EXPECT_NE(
                    j.value("message", "")
                        .find("exited with 1 io_uring write(s) submitted and never completed"),
                    std::string::npos)
                    << where << j.dump();
            }
            EXPECT_TRUE(evidence_has(f, rule, "io_uring: write("))
                << where << ": the evidence names the write\n"
                << f.dump();
            EXPECT_TRUE(evidence_has(f, rule, "(user_data 0xbadc0de, IORING_OP_WRITE) by tid "))
                << where << ": the evidence names the write's ring entry and thread\n"
                << f.dump();
            EXPECT_TRUE(evidence_has(f, rule, ", never completed, on pipe"))
                << where << ": the evidence names the write's file\n"
                << f.dump();
        }
    }
}

// Silent: the write completed and its completion sits unreaped in the ring
// (posted after the last io_uring_enter: only the read at the exit sees
// it); the submitting process was killed by SIGKILL, not exiting, so its
// rings were never read; the ring refused the submission (its
// io_uring_enter failed with EBADFD), so nothing was ever in flight; the twin
// waits for its write.
TEST_F(Ring, NoWriteInFlightAtExitOrAKilledProcessRaisesNothing) {
    const std::string bin = sample_path("io-uring-write-in-flight-at-exit");
    const std::string ok = sample_path("io-uring-write-in-flight-at-exit-ok");
    ASSERT_FALSE(bin.empty() || ok.empty()) << "no built io-uring-write-in-flight-at-exit samples";
    for (const std::vector<std::string>& argv :
         {std::vector<std::string>{bin, "posted"}, std::vector<std::string>{bin, "killed"},
          std::vector<std::string>{bin, "refused"}, std::vector<std::string>{ok}}) {
        SCOPED_TRACE(join(argv));
        RunResult traced;
        const Findings live = traced_run(argv, &traced);
        if (!skipped_.empty()) GTEST_SKIP() << skipped_;
        EXPECT_TRUE(live.at_least("warning").empty()) << "nothing at warning or above may fire\n"
                                                      << live.dump() << describe(traced);
        const Findings post = analyzed_event_log();
        EXPECT_TRUE(post.at_least("warning").empty()) << "analyze of the run's JSONL event log\n"
                                                      << post.dump();
        if (argv.size() > 1 && argv[1] == "posted") {
            // The completion the program never reaped is in the log.
            std::ifstream log(path("events.jsonl"));
            bool completed = false;
            for (std::string line; std::getline(log, line);) {
                completed |= line.find(R"("type":"io_uring_complete")") != std::string::npos &&
                             line.find(R"("user_data":195936478,)") != std::string::npos;
            }
            EXPECT_TRUE(completed)
                << "no io_uring_complete of the write (user_data 0xbadc0de) in the event log";
            EXPECT_EQ(traced.err.find(": io_uring:"), std::string::npos) << describe(traced);
        }
        if (argv.size() > 1 && argv[1] == "refused") {
            EXPECT_EQ(traced.out, "the disabled ring refused the write\n") << describe(traced);
            EXPECT_EQ(traced.err.find(": io_uring:"), std::string::npos)
                << "a submission the kernel refused is no gap in what the rules saw\n"
                << describe(traced);
        }
    }
}

// ---------------------------------------------------------------------------
// Fault injection: a seed's failure made to happen on purpose on a program
// that is fine in its normal path (samples/inject-*.c). Without the
// injection it raises nothing; with it, exactly the seed's rule, saying it
// rests on an injected result; and analyze of the run's own JSONL log finds
// the same, since the log keeps "injected": true.

struct InjectionCase {
    std::string sample;
    std::string inject;  // --inject SPEC
    int status;          // the exit status without the injection
    int injected_status;
    std::string rule;
};

const std::vector<InjectionCase>& injection_cases() {
    static const std::vector<InjectionCase> cases = {
        // Seed 000: WSL1's nonblocking connect() returning 0.
        {"inject-nonblocking-connect", "connect:retval=0:when=1", 0, 3,
         "nonblocking-connect-immediate"},
        // Seed 002: the peer's FIN first; the error path frees the socket twice.
        {"inject-epipe-double-close", "sendto:error=EPIPE:when=1", 0, 0, "double-close"},
        // Seed 004: a refused outbound connect leaks its socket.
        {"inject-connect-refused-leak", "connect:error=ECONNREFUSED:when=1", 0, 0,
         "socket-leak-after-failed-connect"},
    };
    return cases;
}

void PrintTo(const InjectionCase& c, std::ostream* os) {
    *os << c.sample << " --inject " << c.inject;
}

class Injected : public TempDirTest, public ::testing::WithParamInterface<InjectionCase> {};

TEST_P(Injected, NothingWithoutTheInjectionAndTheSeedsRuleWithIt) {
    const InjectionCase& c = GetParam();
    const std::string bin = sample_path(c.sample);
    ASSERT_FALSE(bin.empty()) << "no built sample " << c.sample;

    const std::string clean = path("clean.jsonl");
    const RunResult normal = sctrace_run({bin}, clean, kSampleDeadline);
    ASSERT_FALSE(normal.timed_out) << describe(normal);
    EXPECT_EQ(normal.status, c.status) << describe(normal);
    EXPECT_TRUE(read_findings(clean).at_least("warning").empty())
        << c.sample << " is correct in its normal path\n"
        << read_findings(clean).dump() << describe(normal);

    const std::string live = path("injected.jsonl"), events = path("events.jsonl");
    const RunResult injected = sctrace_run(
        {bin}, live, kSampleDeadline, {"--inject", c.inject, "-o", events, "--format", "jsonl"});
    ASSERT_FALSE(injected.timed_out) << describe(injected);
    EXPECT_EQ(injected.status, c.injected_status) << describe(injected);
    const Findings f = read_findings(live);
    expect_contract(f, "injected");
    EXPECT_EQ(f.rules(), std::set<std::string>{c.rule}) << f.dump() << describe(injected);
    for (const json& j : f.all) {
        EXPECT_TRUE(j.value("injected", false)) << "the finding does not say its evidence was "
                                                   "injected: "
                                                << j.dump();
        // A finding on a call shows it marked; one on a process's state
        // (a leak at exit) counts the made-up results it may rest on.
        bool marked = j.value("injected_before", 0) > 0;
        for (const json& line : j.value("evidence", json::array())) {
            marked |= line.get<std::string>().find("(INJECTED)") != std::string::npos;
        }
        EXPECT_TRUE(marked) << "nothing shows the injected call: " << j.dump();
    }
    EXPECT_NE(injected.err.find("  injected: the "), std::string::npos)
        << "stderr's finding does not say it rests on an injected result\n"
        << describe(injected);

    const std::string post = path("post.jsonl");
    const RunResult a = analyze({events}, post);
    ASSERT_FALSE(a.timed_out) << describe(a);
    const Findings post_f = read_findings(post);
    EXPECT_EQ(post_f.rules(), std::set<std::string>{c.rule}) << post_f.dump() << describe(a);
    for (const json& j : post_f.all) EXPECT_TRUE(j.value("injected", false)) << j.dump();
}

INSTANTIATE_TEST_SUITE_P(Seeds, Injected, ::testing::ValuesIn(injection_cases()),
                         [](const auto& info) { return param_name(info.param.sample); });

// The executable's ELF facts travel in the JSONL exec event, and analyze uses
// them: with them static-glibc-nss fires on the nsswitch.conf open, as live;
// without them (a strace log) it could only fire on the libnss_* load.
class ExeFactsInJsonl : public TempDirTest {};

TEST_F(ExeFactsInJsonl, ExecEventsSayStaticAndGlibcAndAnalyzeUsesThem) {
    struct Expected {
        std::string sample;
        bool is_static, glibc;
    };
    for (const Expected& x : {Expected{"static-glibc-nss", true, true},
                              Expected{"static-glibc-nss-dynamic-ok", false, true},
                              Expected{"static-glibc-nss-nolibc-ok", true, false}}) {
        SCOPED_TRACE(x.sample);
        const std::string events = path(x.sample + ".jsonl");
        const RunResult r = sctrace_run({sample_path(x.sample)}, path(x.sample + "-live.jsonl"),
                                        kSampleDeadline, {"-o", events, "--format", "jsonl"});
        ASSERT_FALSE(r.timed_out) << describe(r);
        ASSERT_EQ(r.status, 0) << describe(r);
        std::vector<json> execs;
        std::istringstream lines(slurp(events));
        for (std::string line; std::getline(lines, line);) {
            const json j = json::parse(line, nullptr, false);
            if (j.is_object() && j.value("type", "") == "exec") execs.push_back(j);
        }
        ASSERT_EQ(execs.size(), 1u) << slurp(events).substr(0, 4000);
        EXPECT_EQ(execs[0].value("static", !x.is_static), x.is_static) << execs[0].dump();
        EXPECT_EQ(execs[0].value("glibc", !x.glibc), x.glibc) << execs[0].dump();
    }
    const RunResult a = analyze({path("static-glibc-nss.jsonl")}, path("post.jsonl"));
    ASSERT_FALSE(a.timed_out) << describe(a);
    const Findings f = read_findings(path("post.jsonl"));
    ASSERT_EQ(f.rules(), std::set<std::string>{"static-glibc-nss"}) << f.dump() << describe(a);
    EXPECT_NE(f.all[0].value("message", "").find("/etc/nsswitch.conf"), std::string::npos)
        << f.dump();
}

// static-glibc-nss from a log: glibc's rseq() registration (signature
// 0x53053053) with no loader open before it says "static glibc", so a log
// fires on the nsswitch.conf open as the live run does - a log strace records
// now, sctrace's own --format strace log, and the saved ones.
class StaticGlibcFromLogs : public TempDirTest {
protected:
    void expect_nsswitch_finding(const std::string& log, const std::string& where) {
        const std::string findings = path("post-" + std::to_string(n_++) + ".jsonl");
        const RunResult a = analyze({log}, findings);
        ASSERT_FALSE(a.timed_out) << describe(a);
        EXPECT_EQ(a.status, 1) << where << "\n" << describe(a);
        const Findings f = read_findings(findings);
        ASSERT_EQ(f.rules(), std::set<std::string>{"static-glibc-nss"}) << where << "\n"
                                                                        << f.dump();
        EXPECT_NE(
            f.all[0].value("message", "").find("opened /etc/nsswitch.conf) on the second thread"),
            std::string::npos)
            << where << "\n"
            << f.dump();
    }
    int n_ = 0;
};

TEST_F(StaticGlibcFromLogs, FiresOnTheNsswitchOpenAsLive) {
    const std::string bin = sample_path("static-glibc-nss");
    const RunResult live = sctrace_run({bin}, path("live.jsonl"), kSampleDeadline,
                                       {"-o", path("own.strace"), "--format", "strace"});
    ASSERT_EQ(live.status, 0) << describe(live);
    const Findings live_f = read_findings(path("live.jsonl"));
    ASSERT_EQ(live_f.rules(), std::set<std::string>{"static-glibc-nss"}) << live_f.dump();
    EXPECT_NE(live_f.all[0].value("message", "").find("/etc/nsswitch.conf"), std::string::npos)
        << live_f.dump();
    expect_nsswitch_finding(path("own.strace"), "sctrace's own --format strace -o log");
    for (const char* saved :
         {"static-glibc-nss.f.log", "static-glibc-nss.ttT-y.log", "static-glibc-nss.ttt-yy.log"}) {
        expect_nsswitch_finding((kLogDir / saved).string(), saved);
    }
    if (!have_strace()) GTEST_SKIP() << "strace is not installed: no log recorded now";
    const RunResult recorded = strace_record({bin}, path("now.strace"), kSampleDeadline);
    ASSERT_EQ(recorded.status, 0) << describe(recorded);
    expect_nsswitch_finding(path("now.strace"), "strace -f -o recorded now");
}

// TCP Fast Open: connect() = 0 is its documented result. The warning stays
// silent (the twin cases check that); an info note says what happened and
// names the peer, live and from the saved log.
class FastOpen : public TempDirTest {};

TEST_F(FastOpen, ConnectReturningZeroIsAnInfoNoteNamingThePeer) {
    const RunResult live = sctrace_run({sample_path("nonblocking-connect-fastopen-ok")},
                                       path("live.jsonl"), kSampleDeadline);
    if (live.status == 77) GTEST_SKIP() << "client TCP Fast Open is off here: " << live.err;
    ASSERT_EQ(live.status, 0) << describe(live);
    const RunResult a = analyze({(kLogDir / "nonblocking-connect-fastopen-ok.ttT-y.log").string()},
                                path("post.jsonl"));
    EXPECT_EQ(a.status, 0) << "an info note is below --fail-on's default\n" << describe(a);
    for (const char* where : {"live.jsonl", "post.jsonl"}) {
        const Findings f = read_findings(path(where));
        EXPECT_EQ(f.rules(), std::set<std::string>{"nonblocking-connect-fastopen"}) << where << "\n"
                                                                                    << f.dump();
        for (const auto& j : f.all) {
            EXPECT_EQ(j.value("severity", ""), "info") << j.dump();
            EXPECT_NE(j.value("message", "").find("to 127.0.0.1:"), std::string::npos) << j.dump();
        }
    }
}

// ---------------------------------------------------------------------------
// Saved logs

struct LogCase {
    std::string log;   // file in samples/logs, or an -ff prefix
    std::string rule;  // empty: a twin's log, must stay silent
    std::string severity;
    std::string message_has;
    std::string info_rule;  // a twin's log: an info finding it must raise
};

std::vector<LogCase> log_cases() {
    std::vector<LogCase> out;
    for (const auto& c : all_samples())
        for (const auto& l : c.logs)
            out.push_back({l, c.rule, c.severity, c.message_has, c.info_rule});
    return out;
}

void PrintTo(const LogCase& c, std::ostream* os) {
    *os << c.log << (c.rule.empty() ? " (twin)" : " -> " + c.rule);
}

class SavedLog : public TempDirTest, public ::testing::WithParamInterface<LogCase> {};

TEST_P(SavedLog, AnalyzeRaisesTheSampleRuleOrNothing) {
    const LogCase& c = GetParam();
    const fs::path log = kLogDir / c.log;
    bool exists = fs::exists(log);
    if (!exists)  // an -ff set: PREFIX.PID files
        for (const auto& e : fs::directory_iterator(kLogDir))
            exists |= e.path().filename().string().rfind(c.log + ".", 0) == 0;
    ASSERT_TRUE(exists) << "missing saved log " << log << " (samples/logs/record.sh makes them)";

    const std::string findings = path("findings.jsonl");
    const RunResult r = analyze({log.string()}, findings);
    ASSERT_FALSE(r.timed_out) << describe(r);
    const Findings f = read_findings(findings);
    expect_contract(f, c.log);
    expect_readable(c.rule, f, r);
    if (c.rule.empty()) {
        EXPECT_EQ(r.status, 0) << describe(r);
        EXPECT_TRUE(f.at_least("warning").empty())
            << c.log << " is a correct twin's log: nothing at warning or above may fire\n"
            << f.dump();
        expect_info_rule(f, c.info_rule, c.log);
        return;
    }
    EXPECT_EQ(r.status, 1) << "findings at or above warning mean exit 1\n" << describe(r);
    EXPECT_EQ(f.rules(), std::set<std::string>{c.rule})
        << c.log << " must raise exactly " << c.rule << "\n"
        << f.dump() << describe(r);
    bool message_seen = false;
    for (const auto& j : f.all) {
        if (j.value("rule", "") != c.rule) continue;
        EXPECT_EQ(j.value("severity", ""), c.severity) << j.dump();
        message_seen |= j.value("message", "").find(c.message_has) != std::string::npos;
    }
    EXPECT_TRUE(message_seen) << "no " << c.rule << " finding says \"" << c.message_has << "\"\n"
                              << f.dump();
}

INSTANTIATE_TEST_SUITE_P(Logs, SavedLog, ::testing::ValuesIn(log_cases()),
                         [](const auto& info) { return param_name(info.param.log); });

// Every file in samples/logs belongs to a case above, so none rots unread.
TEST(SavedLogs, EveryFileIsChecked) {
    std::vector<std::string> listed;
    for (const auto& c : log_cases()) listed.push_back(c.log);
    for (const auto& e : fs::directory_iterator(kLogDir)) {
        const std::string name = e.path().filename().string();
        if (name == "record.sh") continue;
        // The hang rules' logs are checked by tests/hangs.
        if (name.rfind("futex-deadlock-suspected", 0) == 0) continue;
        bool covered = false;
        for (const auto& l : listed) {
            if (name == l) covered = true;
            // PREFIX.PID of an -ff set
            if (name.rfind(l + ".", 0) == 0 &&
                name.find_first_not_of("0123456789", l.size() + 1) == std::string::npos)
                covered = true;
        }
        EXPECT_TRUE(covered) << name << " in samples/logs is not checked by any test";
    }
}

// ---------------------------------------------------------------------------
// The pack itself: every id this file tests is shipped, with its documented severity.

TEST(RulePack, ShipsEveryTestedRuleWithItsDocumentedSeverity) {
    const fs::path dir =
        fs::temp_directory_path() / ("sctrace-rules-list-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const RunResult r = run({kSctrace, "rules", "list"}, dir, kAnalyzeDeadline);
    fs::remove_all(dir);
    ASSERT_EQ(r.status, 0) << describe(r);
    std::map<std::string, std::string> listed;  // id -> severity, from "id severity enabled calls"
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string id, severity;
        if (words >> id >> severity) listed[id] = severity;
    }
    for (const auto& [id, severity] : kSeverity) {
        ASSERT_EQ(listed.count(id), 1u) << id << " is not in `sctrace rules list`:\n" << r.out;
        EXPECT_EQ(listed[id], severity) << id;
    }
}

// ---------------------------------------------------------------------------
// --fail-on

class FailOn : public TempDirTest {};

TEST_F(FailOn, RunExits121WhenTheCommandSucceededButAFindingReachedTheLevel) {
    // double-close exits 0 and raises an error.
    RunResult r = sctrace_run({sample_path("double-close")}, path("a.jsonl"), kSampleDeadline,
                              {"--fail-on", "error"});
    EXPECT_EQ(r.status, 121) << describe(r);
    // connect-result-unchecked exits 0 and raises only a warning: below error.
    r = sctrace_run({sample_path("connect-result-unchecked")}, path("b.jsonl"), kSampleDeadline,
                    {"--fail-on", "error"});
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_EQ(read_findings(path("b.jsonl")).rules(),
              std::set<std::string>{"connect-result-unchecked"});
    // ... and at warning it is met.
    r = sctrace_run({sample_path("connect-result-unchecked")}, path("c.jsonl"), kSampleDeadline,
                    {"--fail-on", "warning"});
    EXPECT_EQ(r.status, 121) << describe(r);
    // A twin raises nothing: the command's 0 stands.
    r = sctrace_run({sample_path("double-close-ok")}, path("d.jsonl"), kSampleDeadline,
                    {"--fail-on", "info"});
    EXPECT_EQ(r.status, 0) << describe(r);
}

TEST_F(FailOn, RunKeepsTheCommandsOwnFailureStatus) {
    // The command failed (SIGSEGV): its 139 wins over --fail-on's 121.
    RunResult r = sctrace_run({sample_path("fatal-signal")}, path("a.jsonl"), kSampleDeadline,
                              {"--fail-on", "error"});
    EXPECT_EQ(r.status, 139) << describe(r);
    // A twin that exits 1 on its own keeps its 1.
    r = sctrace_run({sample_path("fatal-signal-ok")}, path("b.jsonl"), kSampleDeadline,
                    {"--fail-on", "info"});
    EXPECT_EQ(r.status, 1) << describe(r);
}

TEST_F(FailOn, AnalyzeExitsOneOnlyAtOrAboveTheLevel) {
    const std::string warning_log = (kLogDir / "connect-result-unchecked.f.log").string();
    const std::string error_log = (kLogDir / "double-close.f.log").string();
    RunResult r = analyze({warning_log}, path("a.jsonl"), {"--fail-on", "critical"});
    EXPECT_EQ(r.status, 0) << "a warning-only log with --fail-on critical\n" << describe(r);
    EXPECT_EQ(read_findings(path("a.jsonl")).rules(),
              std::set<std::string>{"connect-result-unchecked"})
        << "the finding is still reported, only the exit status changes";
    r = analyze({warning_log}, path("b.jsonl"));
    EXPECT_EQ(r.status, 1) << "default --fail-on is warning\n" << describe(r);
    r = analyze({warning_log}, path("c.jsonl"), {"--fail-on", "error"});
    EXPECT_EQ(r.status, 0) << describe(r);
    r = analyze({error_log}, path("d.jsonl"), {"--fail-on", "error"});
    EXPECT_EQ(r.status, 1) << describe(r);
    r = analyze({error_log}, path("e.jsonl"), {"--fail-on", "critical"});
    EXPECT_EQ(r.status, 0) << describe(r);
}

// ---------------------------------------------------------------------------
// A rule in Falco's words: "a connect to port 25" is one line, and the
// fields it names (fd.sport, fd.sip, fd.name, proc.cmdline, proc.ppid,
// user.uid) read the same live and from a saved strace log.

class PortRule : public TempDirTest {
protected:
    std::string write_rule() {
        const std::string file = path("port25.yaml");
        std::ofstream(file) << R"yaml(- rule: connects-to-port-25
  desc: a connect to port 25 (SMTP)
  condition: evt.type = connect and evt.dir = < and fd.sport = 25
  output: "%proc.cmdline (ppid %proc.ppid, uid %user.uid) connects to %fd.sip port %fd.sport (%fd.name)"
  severity: info
  also_trace: [getuid]
)yaml";
        return file;
    }
};

TEST_F(PortRule, FiresLiveOnAConnectToPort25AndNotToAnotherPort) {
    const std::string rule = write_rule();
    const RunResult live =
        sctrace_run({sample_path("connect-port-ok"), "25"}, path("live.jsonl"), kSampleDeadline,
                    {"-r", rule, "-o", path("events.jsonl"), "--format", "jsonl"});
    ASSERT_EQ(live.status, 0) << describe(live);
    const Findings f = read_findings(path("live.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << f.dump();
    const std::string message = f.all[0].value("message", "");
    const std::string uid = std::to_string(getuid());
    EXPECT_EQ(message.rfind("connect-port-ok 25 (ppid ", 0), 0u) << message;
    EXPECT_NE(message.find(", uid " + uid + ") connects to 127.0.0.1 port 25 (127.0.0.1:25)"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("<NA>"), std::string::npos) << "the fork and getuid were seen\n"
                                                       << message;
    // The parent is the sample's first process, not the child itself.
    const std::string ppid = message.substr(25, message.find(',') - 25);
    EXPECT_NE(ppid, std::to_string(f.all[0].value("pid", 0))) << message;
    // sctrace's own event log of the run says the same.
    const RunResult a = analyze({path("events.jsonl")}, path("post.jsonl"), {"-r", rule});
    ASSERT_EQ(a.status, 0) << describe(a);
    const Findings post = read_findings(path("post.jsonl"));
    ASSERT_EQ(post.all.size(), 1u) << post.dump();
    EXPECT_EQ(post.all[0].value("message", ""), message);

    const RunResult other = sctrace_run({sample_path("connect-port-ok"), "2525"},
                                        path("other.jsonl"), kSampleDeadline, {"-r", rule});
    ASSERT_EQ(other.status, 0) << describe(other);
    EXPECT_TRUE(read_findings(path("other.jsonl")).all.empty())
        << read_findings(path("other.jsonl")).dump();
}

// The first process's parent is sctrace, whose fork of it no trace shows,
// and its uid was never asked: live, both come from /proc at its exec,
// and sctrace's event log keeps them for analyze.
TEST_F(PortRule, TheFirstProcessHasItsParentAndUidLiveWithNoCallTraced) {
    const std::string file = path("first.yaml");
    std::ofstream(file) << R"yaml(- rule: first-process-waits
  condition: evt.type = wait4 and evt.dir = < and evt.res > 0
  output: "ppid %proc.ppid, uid %user.uid"
  severity: info
)yaml";
    const RunResult live = sctrace_run(
        {sample_path("connect-port-ok"), "2525", "ppid"}, path("live.jsonl"), kSampleDeadline,
        {"--no-default-rules", "-r", file, "-o", path("events.jsonl"), "--format", "jsonl"});
    ASSERT_EQ(live.status, 0) << describe(live);
    const auto said = live.out.find("ppid ");
    ASSERT_NE(said, std::string::npos) << describe(live);
    const std::string parent = live.out.substr(said + 5, live.out.find('\n', said) - said - 5);
    const Findings f = read_findings(path("live.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << f.dump();
    EXPECT_EQ(f.all[0].value("message", ""),
              "ppid " + parent + ", uid " + std::to_string(getuid()));
    const RunResult a =
        analyze({path("events.jsonl")}, path("post.jsonl"), {"--no-default-rules", "-r", file});
    ASSERT_EQ(a.status, 0) << describe(a);
    const Findings post = read_findings(path("post.jsonl"));
    ASSERT_EQ(post.all.size(), 1u) << post.dump();
    EXPECT_EQ(post.all[0].value("message", ""), f.all[0].value("message", ""));
}

TEST_F(PortRule, FiresOnTheSavedStraceLogWithTheSameFields) {
    const std::string rule = write_rule();
    const RunResult a = analyze({(kLogDir / "connect-port-ok.ttT-y.log").string()},
                                path("post.jsonl"), {"-r", rule});
    ASSERT_EQ(a.status, 0) << describe(a);
    const Findings f = read_findings(path("post.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << f.dump();
    // The log's own pids and uid: the child 32571 of 32570, run as root.
    EXPECT_EQ(f.all[0].value("message", ""),
              "connect-port-ok (ppid 32570, uid 0) connects to 127.0.0.1 port 25 (127.0.0.1:25)");
}

}  // namespace
