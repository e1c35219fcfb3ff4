// The hang rules and --timeout, against real hangs (samples/*.c):
//   - live, with --hang-after 1s: each reproducer raises exactly its rule
//     (with what the finding must name: the vfork call, the iou-sqp thread,
//     the futex words of every thread, the survivor of SIGKILL, and the
//     ring's stuck thread when its SQPOLL ring keeps it alive), the exit
//     status passes through, and the twins raise nothing at warning or above;
//   - replayed: `analyze` of the run's own JSONL (which keeps the watchdog's
//     samples) raises the same rule ids;
//   - post-mortem from strace: a log that ends while every thread of the
//     deadlocked sample sits in an unfinished futex wait raises
//     futex-deadlock-suspected (a saved one, and one recorded now);
//   - --timeout: a sleeping command is reported (its call named) and killed,
//     and sctrace exits 124 within a second of the deadline.
// Runs have generous deadlines against hangs; only --timeout's own contract
// (a second) is timed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kSctrace = SCTRACE_BIN;
const fs::path kSamples = SAMPLE_DIR;
const fs::path kLogs = SAMPLE_LOG_DIR;
constexpr auto kDeadline = 60s;

struct RunResult {
    std::string what;
    int status = -1;  // exit code, 128+N for signal N
    bool timed_out = false;
    double seconds = 0;
    std::string err;
};

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs argv with stdout to /dev/null and stderr to a file, killing its
// process group at the deadline.
RunResult run(const std::vector<std::string>& argv, const fs::path& dir) {
    RunResult r;
    for (const auto& a : argv) r.what += (r.what.empty() ? "" : " ") + a;
    const fs::path err_path = dir / "stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::vector<char*> args;
    std::vector<std::string> copy = argv;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        r.err = "cannot spawn: " + std::string(strerror(rc));
        return r;
    }
    int wstatus = 0;
    for (;;) {
        const pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid) break;
        if (std::chrono::steady_clock::now() - start > kDeadline) {
            r.timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    kill(-pid, SIGKILL);
    if (WIFEXITED(wstatus)) r.status = WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) r.status = 128 + WTERMSIG(wstatus);
    r.err = slurp(err_path);
    return r;
}

std::string describe(const RunResult& r) {
    return "command: " + r.what + "\n  status " + std::to_string(r.status) +
           (r.timed_out ? " (TIMED OUT)" : "") + "\n  stderr: " + r.err.substr(0, 4000);
}

struct Findings {
    std::vector<json> all;
    std::set<std::string> rules(const std::string& at_least = "info") const {
        static const std::vector<std::string> order = {"info", "warning", "error", "critical"};
        const auto rank = [&](const std::string& s) {
            return std::find(order.begin(), order.end(), s) - order.begin();
        };
        std::set<std::string> ids;
        for (const auto& f : all) {
            if (rank(f.value("severity", "")) >= rank(at_least)) ids.insert(f.value("rule", "?"));
        }
        return ids;
    }
    std::string messages() const {
        std::string s;
        for (const auto& f : all) s += f.value("message", "") + "\n";
        return s;
    }
};

Findings read_findings(const fs::path& path) {
    Findings f;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) f.all.push_back(json::parse(line));
    }
    return f;
}

class Hangs : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("sctrace-hangs-" + std::string(info->name()) + "-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }
    fs::path path(const std::string& name) const { return dir_ / name; }
    static std::string sample(const std::string& name) { return (kSamples / name).string(); }

    // sctrace --hang-after 1s --findings F [-o J --format jsonl] -- SAMPLE
    RunResult live(const std::string& name, bool with_events = false) {
        std::vector<std::string> argv = {kSctrace, "--hang-after", "1s", "--findings",
                                         path("live.jsonl").string()};
        if (with_events) {
            for (const char* a : {"-o", "", "--format", "jsonl"}) argv.push_back(a);
            argv[argv.size() - 3] = path("events.jsonl").string();
        }
        argv.push_back("--");
        argv.push_back(sample(name));
        return run(argv, dir_);
    }

    fs::path dir_;
};

struct HangCase {
    std::string sample;
    std::set<std::string> rules;  // empty: a twin, must raise nothing at warning or above
    int exit_status;
    std::vector<std::string> message_has;
};

void PrintTo(const HangCase& c, std::ostream* os) {
    *os << c.sample;
}

// Exactly the case's rules, with the words its findings must say; a twin's
// nothing at warning or above.
void expect_findings_of(const HangCase& c, const fs::path& findings, const RunResult& r) {
    const Findings f = read_findings(findings);
    if (c.rules.empty()) {
        EXPECT_EQ(f.rules("warning"), std::set<std::string>{}) << describe(r);
        return;
    }
    EXPECT_EQ(f.rules(), c.rules) << describe(r);
    for (const auto& text : c.message_has) {
        EXPECT_NE(f.messages().find(text), std::string::npos)
            << "the finding should name '" << text << "'\n"
            << f.messages();
    }
}

class LiveHang : public Hangs, public ::testing::WithParamInterface<HangCase> {};

TEST_P(LiveHang, RaisesExactlyItsRuleAndPassesTheExitStatusThrough) {
    const HangCase& c = GetParam();
    const RunResult r = live(c.sample, true);
    if (r.status == 77)
        GTEST_SKIP() << "the system refused what " << c.sample << " needs: " << r.err;
    ASSERT_FALSE(r.timed_out) << describe(r);
    EXPECT_EQ(r.status, c.exit_status) << describe(r);
    expect_findings_of(c, path("live.jsonl"), r);
    if (c.rules.empty()) return;
    // Replayed from its own event log, the samples give the same findings.
    const RunResult a = run({kSctrace, "analyze", "--hang-after", "1s", "--findings",
                             path("replayed.jsonl").string(), path("events.jsonl").string()},
                            dir_);
    EXPECT_EQ(a.status, 1) << describe(a);
    EXPECT_EQ(read_findings(path("replayed.jsonl")).rules(), c.rules) << describe(a);
}

// Every hang sample with the rules it raises, and the twins that raise
// nothing.
std::vector<HangCase> hang_cases() {
    return {
        HangCase{"hung-task", {"hung-task"}, 0, {"D state", "'vfork'", "of hung-task"}},
        HangCase{"io-uring-hung-task", {"io-uring-hung-task"}, 0, {"D state", "iou-sqp-"}},
        HangCase{"futex-deadlock-suspected",
                 {"futex-deadlock-suspected"},
                 128 + SIGALRM,
                 {"all 3 thread(s)", "waits on futex"}},
        // The survivor of SIGKILL sits in D state for 8 s: a hung task too.
        // It owns no ring: the io_uring rules stay out of it.
        HangCase{"unkillable-task",
                 {"unkillable-task", "hung-task"},
                 0,
                 {"survived SIGKILL", "request_wait_answer"}},
        // The same, kept alive by its SQPOLL ring: reported as the
        // ring's, instead of unkillable-task and hung-task, naming the
        // ring's thread and where it waits.
        HangCase{"io-uring-unkillable-task",
                 {"io-uring-unkillable-task", "io-uring-hung-task"},
                 0,
                 {"survived SIGKILL", "which owns an io_uring", "iou-sqp-", "request_wait_answer"}},
        HangCase{"hung-task-ok", {}, 0, {}}, HangCase{"io-uring-hung-task-ok", {}, 0, {}},
        HangCase{"futex-deadlock-suspected-ok", {}, 0, {}},
        // A killed ring owner whose read io_uring can cancel dies at once.
        HangCase{"io-uring-unkillable-task-ok", {}, 0, {}}};
}

std::string hang_case_name(const ::testing::TestParamInfo<HangCase>& info) {
    std::string name = info.param.sample;
    for (char& ch : name)
        if (ch == '-') ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Samples, LiveHang, ::testing::ValuesIn(hang_cases()), hang_case_name);

// The hang rules read /proc alone, so they run without ptrace too
// (--backend seccomp-notify, docs/backends.md): the same findings, without
// stacks.
class NotifyHang : public Hangs, public ::testing::WithParamInterface<HangCase> {};

TEST_P(NotifyHang, RaisesExactlyItsRuleWithoutPtrace) {
    const HangCase& c = GetParam();
    const RunResult r = run({kSctrace, "--backend", "seccomp-notify", "--hang-after", "1s",
                             "--findings", path("notify.jsonl").string(), "--", sample(c.sample)},
                            dir_);
    if (r.status == 77)
        GTEST_SKIP() << "the system refused what " << c.sample << " needs: " << r.err;
    if (r.status == 2 && r.err.find("refused a seccomp user-notify filter") != std::string::npos)
        GTEST_SKIP() << "SKIPPED: this kernel or its policy refuses seccomp user notification, "
                        "so the hang rules are NOT tested without ptrace: "
                     << r.err;
    ASSERT_FALSE(r.timed_out) << describe(r);
    EXPECT_EQ(r.status, c.exit_status) << describe(r);
    EXPECT_NE(r.err.find("rule(s) that need results or signals are off"), std::string::npos)
        << describe(r);
    expect_findings_of(c, path("notify.jsonl"), r);
}

INSTANTIATE_TEST_SUITE_P(Samples, NotifyHang, ::testing::ValuesIn(hang_cases()), hang_case_name);

// A process kept alive after SIGKILL by its SQPOLL ring (npm's story,
// docs/rules/io-uring-unkillable-task.md): one finding, the ring's, naming
// the ring's thread that is stuck and the kernel function it waits in;
// unkillable-task is not raised beside it.
TEST_F(Hangs, ARingOwnerThatSurvivesSigkillIsReportedAsTheRingsNamingItsStuckThread) {
    const RunResult r = live("io-uring-unkillable-task");
    if (r.status == 77)
        GTEST_SKIP() << "SKIPPED: the system refused what io-uring-unkillable-task needs (root "
                        "for a FUSE mount, io_uring with SQPOLL), so a ring owner that survives "
                        "SIGKILL is NOT tested here: "
                     << r.err;
    ASSERT_FALSE(r.timed_out) << describe(r);
    EXPECT_EQ(r.status, 0) << describe(r);
    const Findings f = read_findings(path("live.jsonl"));
    std::vector<json> ring;
    for (const auto& finding : f.all) {
        const std::string rule = finding.value("rule", "");
        EXPECT_NE(rule, "unkillable-task") << "the ring's survivor was reported twice\n"
                                           << f.messages();
        if (rule == "io-uring-unkillable-task") ring.push_back(finding);
    }
    ASSERT_EQ(ring.size(), 1u) << describe(r);
    EXPECT_EQ(ring[0].value("severity", ""), "critical");
    const std::string message = ring[0].value("message", "");
    EXPECT_NE(message.find("survived SIGKILL for 5."), std::string::npos) << message;
    // The SQ thread on this kernel (a worker where the kernel hands it the
    // read), in D state where FUSE waits for its server.
    static const std::regex stuck_ring_thread(
        R"(iou-(sqp|wrk)-[0-9]+ \(tid [0-9]+, state D, in request_wait_answer\))");
    EXPECT_TRUE(std::regex_search(message, stuck_ring_thread)) << message;
}

TEST_F(Hangs, TheFutexDeadlockNamesBothLockWaitersFutexWords) {
    const RunResult r = live("futex-deadlock-suspected");
    ASSERT_FALSE(r.timed_out) << describe(r);
    const Findings f = read_findings(path("live.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << describe(r);
    // Three threads: main in pthread_join, and the two lock waiters.
    const std::string message = f.all[0].value("message", "");
    std::size_t waits = 0;
    for (std::size_t at = message.find("waits on futex 0x"); at != std::string::npos;
         at = message.find("waits on futex 0x", at + 1)) {
        ++waits;
    }
    EXPECT_EQ(waits, 3u) << message;
}

// The frames of a finding's stack whose function is `function`, per thread.
std::size_t threads_with_frame(const json& finding, const std::string& function) {
    std::size_t n = 0;
    for (const auto& stack : finding.value("stacks", json::array())) {
        for (const auto& frame : stack.value("frames", json::array())) {
            if (frame.value("function", "").find(function) != std::string::npos) {
                ++n;
                break;
            }
        }
    }
    return n;
}

TEST_F(Hangs, TheDeadlockCarriesEveryThreadsStackWithBothInPthreadMutexLock) {
    const RunResult r = live("futex-deadlock-suspected");
    ASSERT_FALSE(r.timed_out) << describe(r);
    const Findings f = read_findings(path("live.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << describe(r);
    const json& finding = f.all[0];
    EXPECT_EQ(finding.value("stacks", json::array()).size(), 3u) << finding.dump(2);
    EXPECT_EQ(threads_with_frame(finding, "pthread_mutex_lock"), 2u) << finding.dump(2);
    EXPECT_EQ(threads_with_frame(finding, "take_a_then_b"), 1u) << finding.dump(2);
    EXPECT_EQ(threads_with_frame(finding, "take_b_then_a"), 1u) << finding.dump(2);
    // The text report shows them too, in strace -k's shape.
    EXPECT_NE(r.err.find("pthread_mutex_lock+0x"), std::string::npos) << describe(r);
}

TEST_F(Hangs, AFatalSignalCarriesTheFaultingStackDownToMainAndItsLine) {
    const RunResult r = run(
        {kSctrace, "--findings", path("live.jsonl").string(), "--", sample("fatal-signal")}, dir_);
    EXPECT_EQ(r.status, 128 + SIGSEGV) << describe(r);
    const Findings f = read_findings(path("live.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << describe(r);
    const json& finding = f.all[0];
    ASSERT_EQ(finding.value("stacks", json::array()).size(), 1u) << finding.dump(2);
    const json frames = finding["stacks"][0]["frames"];
    ASSERT_FALSE(frames.empty()) << finding.dump(2);
    // The sample's source: main's line is the one that calls WTFCrash().
    const std::string source = slurp(fs::path(SAMPLE_SOURCE_DIR) / "fatal-signal.c");
    int call_line = 0, line_no = 0;
    std::istringstream lines(source);
    for (std::string line; std::getline(lines, line);) {
        ++line_no;
        if (line.find("WTFCrash();") != std::string::npos) call_line = line_no;
    }
    bool main_seen = false;
    for (const auto& frame : frames) {
        if (frame.value("function", "") != "main") continue;
        main_seen = true;
        EXPECT_NE(frame.value("file", "").find("fatal-signal.c"), std::string::npos) << frame;
        EXPECT_EQ(frame.value("line", 0), call_line) << frame;
    }
    EXPECT_TRUE(main_seen) << finding.dump(2);
    // The faulting frame is first: WTFCrash (inlined into main at -O2, or not).
    EXPECT_NE(frames[0].value("function", "").find("WTFCrash"), std::string::npos) << frames;
    EXPECT_NE(finding.value("message", "").find("0xbbadbeef"), std::string::npos);
}

TEST_F(Hangs, AnalyzeOfASavedStraceLogCutOffInTheDeadlock) {
    // strace -f, killed (SIGKILL) while the sample was deadlocked: the log
    // ends with every thread inside an unfinished futex wait.
    const fs::path log = kLogs / "futex-deadlock-suspected.f.log";
    const RunResult a =
        run({kSctrace, "analyze", "--findings", path("a.jsonl").string(), log.string()}, dir_);
    EXPECT_EQ(a.status, 1) << describe(a);
    EXPECT_EQ(read_findings(path("a.jsonl")).rules(),
              std::set<std::string>{"futex-deadlock-suspected"})
        << describe(a);
}

TEST_F(Hangs, AnalyzeOfALogWithoutTimesSaysTheWaitLastedUntilItEnded) {
    // strace -f without -t: how long the threads waited is unknown, and the
    // finding must not make up a duration ("for 0ms").
    const fs::path log = kLogs / "futex-deadlock-suspected.f.log";
    const RunResult a =
        run({kSctrace, "analyze", "--findings", path("a.jsonl").string(), log.string()}, dir_);
    const Findings f = read_findings(path("a.jsonl"));
    ASSERT_EQ(f.all.size(), 1u) << describe(a);
    const std::string message = f.all[0].value("message", "");
    EXPECT_NE(message.find("with no timeout for an unknown time, until the log ended: tid "),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("0ms"), std::string::npos) << message;
    EXPECT_EQ(message.find("0.0s"), std::string::npos) << message;
}

// Checks an -ff set cut off in the deadlock: each thread's file ends on its
// futex call, a line strace never finished.
void expect_deadlock_in_ff_set(const fs::path& prefix, const fs::path& dir, const fs::path& out) {
    const RunResult a =
        run({kSctrace, "analyze", "--findings", out.string(), prefix.string()}, dir);
    EXPECT_EQ(a.status, 1) << describe(a);
    const Findings f = read_findings(out);
    EXPECT_EQ(f.rules(), std::set<std::string>{"futex-deadlock-suspected"}) << describe(a);
    EXPECT_NE(f.messages().find("all 3 thread(s)"), std::string::npos) << f.messages();
    // The open last lines are the calls' entries, not bad lines.
    EXPECT_EQ(a.err.find("could not be parsed"), std::string::npos) << describe(a);
}

TEST_F(Hangs, AnalyzeOfASavedFfSetCutOffInTheDeadlock) {
    expect_deadlock_in_ff_set(kLogs / "futex-deadlock-suspected.ff-ttt", dir_, path("a.jsonl"));
}

TEST_F(Hangs, AnalyzeOfAnFfSetRecordedNowCutOffInTheDeadlock) {
    if (std::system("command -v strace >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "strace is not installed: cannot record a log here";
    }
    const fs::path prefix = path("trace");
    std::vector<std::string> argv = {"strace", "-ff",           "-ttt",
                                     "-o",     prefix.string(), sample("futex-deadlock-suspected")};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t strace = -1;
    const int rc = posix_spawnp(&strace, "strace", &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(rc, 0) << strerror(rc);
    // Deadlocked: three files (one per thread), each ending inside its call.
    // The sample's alarm(4) ends it; give up well before that.
    const auto deadlocked = [&] {
        std::size_t open_ends = 0;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            if (entry.path().filename().string().rfind("trace.", 0) != 0) continue;
            const std::string text = slurp(entry.path());
            open_ends += !text.empty() && text.back() != '\n';
        }
        return open_ends == 3;
    };
    const auto start = std::chrono::steady_clock::now();
    while (!deadlocked() && std::chrono::steady_clock::now() - start < 3s) {
        std::this_thread::sleep_for(50ms);
    }
    // As someone who gave up on the hung program does.
    kill(strace, SIGKILL);
    int wstatus = 0;
    waitpid(strace, &wstatus, 0);
    ASSERT_TRUE(deadlocked()) << "strace never showed all three threads in their futex waits";
    expect_deadlock_in_ff_set(prefix, dir_, path("a.jsonl"));
}

TEST_F(Hangs, AnalyzeOfAStraceLogOfTheTwinIsSilent) {
    const fs::path log = kLogs / "futex-deadlock-suspected-ok.f.log";
    const RunResult a =
        run({kSctrace, "analyze", "--findings", path("a.jsonl").string(), log.string()}, dir_);
    EXPECT_EQ(a.status, 0) << describe(a);
    EXPECT_EQ(read_findings(path("a.jsonl")).rules("warning"), std::set<std::string>{})
        << describe(a);
}

TEST_F(Hangs, TimeoutReportsTheCommandKillsItAndExits124WithinASecond) {
    const RunResult r = run({kSctrace, "--no-rules", "--timeout", "1s", "--", "sleep", "30"}, dir_);
    EXPECT_EQ(r.status, 124) << describe(r);
    EXPECT_LT(r.seconds, 2.0) << "--timeout 1s took " << r.seconds << " s\n" << describe(r);
    EXPECT_GE(r.seconds, 1.0) << describe(r);
    // The report names the thread, its state and the call it sat in.
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << describe(r);
    EXPECT_NE(r.err.find("state S in clock_nanosleep"), std::string::npos) << describe(r);
}

TEST_F(Hangs, TimeoutOnAttachedProcessesReportsAndDetachesWithoutKilling) {
    // -p: the process ran before sctrace and must run on after it.
    const pid_t sleeper = fork();
    ASSERT_GE(sleeper, 0);
    if (sleeper == 0) {
        execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
        _exit(127);
    }
    std::this_thread::sleep_for(200ms);  // let it reach its nanosleep
    const RunResult r =
        run({kSctrace, "--no-rules", "--timeout", "1s", "-p", std::to_string(sleeper)}, dir_);
    int status = 0;
    const bool still_running = waitpid(sleeper, &status, WNOHANG) == 0;
    kill(sleeper, SIGKILL);
    waitpid(sleeper, &status, 0);
    EXPECT_EQ(r.status, 124) << describe(r);
    EXPECT_TRUE(still_running) << "the attached process was killed\n" << describe(r);
    EXPECT_NE(r.err.find("clock_nanosleep"), std::string::npos) << describe(r);
    EXPECT_NE(r.err.find("not killed"), std::string::npos) << describe(r);
}

TEST_F(Hangs, TimeoutLeavesACommandThatEndsInTimeAlone) {
    const RunResult r = run({kSctrace, "--no-rules", "--timeout", "30s", "--", "true"}, dir_);
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_EQ(r.err.find("--timeout"), std::string::npos) << describe(r);
}

TEST_F(Hangs, BadDurationsAreRefusedNamingTheOption) {
    for (const char* option : {"--timeout", "--hang-after"}) {
        const RunResult r = run({kSctrace, option, "soon", "--", "true"}, dir_);
        EXPECT_EQ(r.status, 2) << describe(r);
        EXPECT_NE(r.err.find(std::string(option) + " soon"), std::string::npos) << describe(r);
    }
}

}  // namespace

namespace {

TEST(HangRules, ShipWithTheirDocumentedSeverities) {
    const fs::path dir =
        fs::temp_directory_path() / ("sctrace-hang-rules-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path out = dir / "list.txt";
    const std::string command = kSctrace + " rules list > " + out.string();
    ASSERT_EQ(std::system(command.c_str()), 0);
    std::map<std::string, std::string> listed;
    std::istringstream lines(slurp(out));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string id, severity;
        if (words >> id >> severity) listed[id] = severity;
    }
    fs::remove_all(dir);
    const std::map<std::string, std::string> expected = {{"hung-task", "error"},
                                                         {"io-uring-hung-task", "critical"},
                                                         {"unkillable-task", "critical"},
                                                         {"io-uring-unkillable-task", "critical"},
                                                         {"futex-deadlock-suspected", "error"}};
    for (const auto& [id, severity] : expected) {
        ASSERT_EQ(listed.count(id), 1u) << id << " is not in `sctrace rules list`";
        EXPECT_EQ(listed[id], severity) << id;
    }
}

}  // namespace
