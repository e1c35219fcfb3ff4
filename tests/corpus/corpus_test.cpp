// The real-workload corpus: each workload of workloads.cpp, run
//   - untraced (which shows its checks hold for the program alone),
//   - live under sctrace (--findings), and with sctrace's own event logs
//     (-o --format strace, -o --format jsonl, -o text) analyzed afterwards,
//   - under strace (-f -tt -T -y; -ff -tt -T -y; -ff alone), its logs analyzed,
// one test per workload and mode, so a failure names both. Each asserts that
// the program behaves as untraced (exit status, stdout, what a server answers
// its untraced load generator), that no finding reaches warning, and that
// analyze could parse every line. A failure prints every finding with its
// evidence, and every line analyze could not read.
//
// A workload whose package is missing is skipped, naming the package. Nothing
// here asserts a duration: every run has a generous deadline, and one that
// misses it fails with the run named.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "findings.h"
#include "process.h"
#include "workloads.h"

namespace corpus {
namespace {

using namespace std::chrono_literals;

const std::string kSctrace = SCTRACE_BIN;

// Node, the JVM and Chromium under ptrace on a loaded 2-core machine are slow;
// these are far above what any of them needs.
constexpr Seconds kRunDeadline{420};
constexpr Seconds kReadyDeadline{180};
constexpr Seconds kAnalyzeDeadline{300};

enum class Mode {
    kUntraced,
    kLive,           // sctrace --findings F
    kSctraceStrace,  // ... -o LOG --format strace, then analyze LOG
    kSctraceJsonl,   // ... -o LOG --format jsonl, then analyze LOG
    kSctraceText,    // ... -o LOG (the default text), then analyze LOG
    kNotify,   // sctrace --backend seccomp-notify ... -o LOG --format strace, then analyze LOG
    kStraceF,  // strace -f -tt -T -y -o LOG, then analyze LOG
    kStraceFFTimed,  // strace -ff -tt -T -y -o PREFIX, then analyze PREFIX
    kStraceFF,       // strace -ff -o PREFIX (no times), then analyze PREFIX
};

std::string mode_name(Mode m) {
    switch (m) {
        case Mode::kUntraced:
            return "untraced";
        case Mode::kLive:
            return "live";
        case Mode::kSctraceStrace:
            return "sctrace_strace_log";
        case Mode::kSctraceJsonl:
            return "sctrace_jsonl_log";
        case Mode::kSctraceText:
            return "sctrace_text_log";
        case Mode::kNotify:
            return "seccomp_notify_log";
        case Mode::kStraceF:
            return "strace_f_ttTy";
        case Mode::kStraceFFTimed:
            return "strace_ff_ttTy";
        case Mode::kStraceFF:
            return "strace_ff";
    }
    return "?";
}

bool under_sctrace(Mode m) {
    return m == Mode::kLive || m == Mode::kSctraceStrace || m == Mode::kSctraceJsonl ||
           m == Mode::kSctraceText || m == Mode::kNotify;
}
bool under_strace(Mode m) {
    return m == Mode::kStraceF || m == Mode::kStraceFFTimed || m == Mode::kStraceFF;
}
bool analyzes_a_log(Mode m) {
    return m != Mode::kUntraced && m != Mode::kLive;
}

struct Case {
    const Workload* workload;
    Mode mode;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.workload->name << " " << mode_name(c.mode);
}

class Corpus : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = fs::temp_directory_path() /
               ("sctrace-corpus-" + GetParam().workload->name + "-" + mode_name(GetParam().mode) +
                "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
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

    // The command line that runs argv in this mode.
    std::vector<std::string> wrap(Mode m, const std::vector<std::string>& argv) const {
        std::vector<std::string> cmd;
        switch (m) {
            case Mode::kUntraced:
                break;
            case Mode::kLive:
                cmd = {kSctrace, "--findings", path("live.jsonl"), "--"};
                break;
            case Mode::kSctraceStrace:
                cmd = {kSctrace,    "--findings", path("live.jsonl"), "-o",
                       log_path(m), "--format",   "strace",           "--"};
                break;
            case Mode::kSctraceJsonl:
                cmd = {kSctrace, "--findings", path("live.jsonl"), "-o", log_path(m), "--format",
                       "jsonl",  "--"};
                break;
            case Mode::kSctraceText:
                cmd = {kSctrace, "--findings", path("live.jsonl"), "-o", log_path(m), "--"};
                break;
            case Mode::kNotify:
                cmd = {kSctrace, "--backend", "seccomp-notify", "--findings", path("live.jsonl"),
                       "-o",     log_path(m), "--format",       "strace",     "--"};
                break;
            case Mode::kStraceF:
                cmd = {find_program("strace"), "-f", "-tt", "-T", "-y", "-o", log_path(m), "--"};
                break;
            case Mode::kStraceFFTimed:
                cmd = {find_program("strace"), "-ff", "-tt", "-T", "-y", "-o", log_path(m), "--"};
                break;
            case Mode::kStraceFF:
                cmd = {find_program("strace"), "-ff", "-o", log_path(m), "--"};
                break;
        }
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        return cmd;
    }
    // The log the mode writes: a file, or the prefix of an -ff set.
    std::string log_path(Mode m) const {
        return path(m == Mode::kSctraceJsonl    ? "events.jsonl"
                    : m == Mode::kSctraceStrace ? "events.strace"
                    : m == Mode::kSctraceText   ? "events.txt"
                    : m == Mode::kNotify        ? "events.notify"
                                                : "strace.log");
    }

    // No finding at warning or above, and a file that keeps the contract.
    void expect_clean(const std::string& findings_path, const std::string& where,
                      const std::string& context) {
        const Findings f = read_findings(findings_path);
        EXPECT_TRUE(f.problems.empty())
            << where << ": the findings break the --findings contract:\n  "
            << ::testing::PrintToString(f.problems);
        const auto loud = f.at_least("warning");
        EXPECT_TRUE(loud.empty()) << GetParam().workload->name << " is a clean workload, yet "
                                  << where << " raised " << loud.size()
                                  << " finding(s) at warning or above:\n"
                                  << format_findings(loud) << context;
    }

    fs::path dir_;
};

TEST_P(Corpus, BehavesAsUntracedAndRaisesNothingAtWarningOrAbove) {
    const Workload& w = *GetParam().workload;
    const Mode mode = GetParam().mode;
    for (const Need& need : w.needs) {
        const bool present = need.program.front() == '/' ? fs::exists(need.program)
                                                         : !find_program(need.program).empty();
        if (!present)
            GTEST_SKIP() << "package " << need.package << " is not installed (no " << need.program
                         << "): the " << w.name
                         << " workload is NOT tested; scripts/install-deps installs it";
    }
    if (mode == Mode::kNotify) {
        const RunResult probe =
            run({{kSctrace, "--backend", "seccomp-notify", "--no-rules", "--", "/bin/true"},
                 {},
                 "",
                 ""},
                dir_, kAnalyzeDeadline);
        if (probe.status == 2 &&
            probe.err.find("refused a seccomp user-notify filter") != std::string::npos)
            GTEST_SKIP() << "SKIPPED: this kernel or its policy refuses seccomp user "
                            "notification: "
                         << w.name
                         << " is NOT tested under --backend seccomp-notify: " << probe.err;
    }
    if (under_strace(mode) && find_program("strace").empty())
        GTEST_SKIP() << "package strace is not installed: no " << mode_name(mode) << " log of "
                     << w.name << " is recorded; scripts/install-deps installs it";

    Scene scene(dir_);
    std::string error;
    const Plan plan = w.prepare(scene, &error);
    ASSERT_TRUE(error.empty()) << "setting up " << w.name << ":\n" << error;
    ASSERT_FALSE(plan.command.argv.empty());

    Command command = plan.command;
    command.argv = wrap(mode, plan.command.argv);
    command.env = scene.env();
    command.env.insert(command.env.end(), plan.command.env.begin(), plan.command.env.end());
    Process program(command, dir_);

    std::string drive_problems;
    if (plan.drive) {
        const auto until = std::chrono::steady_clock::now() + kReadyDeadline;
        bool ready = false;
        while (!ready && std::chrono::steady_clock::now() < until && !program.exited()) {
            ready = plan.ready_port > 0
                        ? accepts(plan.ready_port)
                        : program.out_so_far().find(plan.ready_text) != std::string::npos;
            if (!ready) std::this_thread::sleep_for(20ms);
        }
        ASSERT_TRUE(ready) << w.name << " never got ready to serve\n"
                           << describe(program.wait(Seconds{1}));
        drive_problems = plan.drive();
        if (plan.stop_signal != 0) {
            // The server is the command itself, or the tracer's only child.
            std::vector<pid_t> server = {program.pid()};
            if (mode != Mode::kUntraced) server = children_of(program.pid());
            ASSERT_EQ(server.size(), 1u) << "cannot tell which process is the traced " << w.name;
            kill(server[0], plan.stop_signal);
        }
    }
    const RunResult r = program.wait(kRunDeadline);
    ASSERT_FALSE(r.timed_out) << describe(r);

    // The program behaved as it does untraced.
    EXPECT_EQ(r.status, plan.exit_status) << describe(r);
    EXPECT_EQ(drive_problems, "") << "what the server answered its untraced load generator";
    if (!plan.expected_stdout.empty()) {
        EXPECT_EQ(r.out, plan.expected_stdout) << describe(r);
    } else if (plan.check) {
        EXPECT_EQ(plan.check(r), "") << describe(r);
    }

    // Its ring operations were followed (libuv takes completions without a
    // syscall: a tracer that reads them in the wrong order loses them all).
    const bool ptrace_live = mode == Mode::kLive || mode == Mode::kSctraceStrace ||
                             mode == Mode::kSctraceJsonl || mode == Mode::kSctraceText;
    if (plan.rings_followed && ptrace_live) {
        EXPECT_EQ(r.err.find(": io_uring:"), std::string::npos) << describe(r);
    }

    // The verdicts.
    // The program's own output is in the assertions above; here only what ran.
    if (under_sctrace(mode))
        expect_clean(path("live.jsonl"), "sctrace live", "command: " + r.what + "\n");
    if (analyzes_a_log(mode)) {
        const std::string findings = path("analyze.jsonl");
        const RunResult a =
            run({{kSctrace, "analyze", log_path(mode), "--findings", findings}, {}, "", ""}, dir_,
                kAnalyzeDeadline);
        ASSERT_FALSE(a.timed_out) << describe(a);
        const Unparsed unparsed = read_unparsed(a.err);
        EXPECT_EQ(unparsed.count, 0u) << "analyze could not parse every line of the "
                                      << mode_name(mode) << " log of " << w.name << ":\n"
                                      << format_unparsed(unparsed);
        expect_clean(findings, "analyze of the " + mode_name(mode) + " log",
                     "analyze's stderr:\n" + a.err.substr(0, 4000));
        EXPECT_EQ(a.status, 0) << describe(a);
        if (plan.rings_followed && mode == Mode::kSctraceJsonl) {
            EXPECT_EQ(a.err.find(": io_uring:"), std::string::npos) << describe(a);
        }
    }
}

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const Workload& w : workloads())
        for (Mode m : {Mode::kUntraced, Mode::kLive, Mode::kSctraceStrace, Mode::kSctraceJsonl,
                       Mode::kSctraceText, Mode::kNotify, Mode::kStraceF, Mode::kStraceFFTimed,
                       Mode::kStraceFF})
            out.push_back({&w, m});
    return out;
}

INSTANTIATE_TEST_SUITE_P(Workloads, Corpus, ::testing::ValuesIn(cases()), [](const auto& info) {
    return info.param.workload->name + "__" + mode_name(info.param.mode);
});

}  // namespace
}  // namespace corpus
