// sctrace's own outputs failing, and sctrace itself being killed: neither may
// cost the traced command anything, and neither may lose data silently.
//
//   - an output whose reader goes away (-o >(head -1)): said once, the
//     command runs on with its output and exit status untouched;
//   - an output that cannot be written (/dev/full): said once, naming the
//     file and the error; the exit status is 122 when the command succeeded;
//   - SIGKILL mid-run leaves a Chrome trace a reader loads (its closing
//     bracket optional); SIGTERM leaves every report complete.
//
// These are sctrace's promises, not strace's: with SCTRACE_E2E_TRACER
// pointing at strace they are skipped.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

constexpr Millis kTimeout = 50s;
constexpr int kOutputLost = 122;  // docs/cli.md
constexpr int kFindingsFailure = 121;
const std::string kFullDisk =
    "sctrace: /dev/full: No space left on device: output lost from here on\n";

std::string tracee(const std::string& name) {
    return std::string(TRACEE_DIR) + "/" + name;
}

class Outputs : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        if (t.is_strace) GTEST_SKIP() << "sctrace's own output and signal contract";
        ASSERT_EQ(access(t.path.c_str(), X_OK), 0) << "no sctrace at " << t.path;
        dir_ = make_test_dir("sctrace-outputs");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
    }
    void TearDown() override { drop_test_dir(dir_, HasFailure()); }
    std::string temp(const std::string& name) const { return dir_ + "/" + name; }
    const std::string& sctrace() const { return Tracer::get().path; }

    // sctrace OPTIONS -- double_close CODE: one double-close finding, then exit CODE.
    RunResult run_double_close(std::vector<std::string> options, int code) {
        std::vector<std::string> argv{sctrace()};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.insert(argv.end(), {"--", tracee("double_close"), std::to_string(code)});
        std::string label = "sctrace";
        for (const auto& o : options) label += " " + o;
        return run(argv, {label, "", false}, kTimeout);
    }

    // Starts `options -- wait_signal default` under sctrace and waits until
    // the command is ready (it then waits for a signal).
    std::unique_ptr<Process> start_waiting(std::vector<std::string> options,
                                           const std::string& label) {
        std::vector<std::string> argv{sctrace()};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.insert(argv.end(), {"--", tracee("wait_signal"), "default"});
        auto p = std::make_unique<Process>(argv, SpawnOptions{label, "", false});
        EXPECT_EQ(p->spawn_error(), "");
        EXPECT_TRUE(p->wait_for_stdout("ready\n", 30s)) << label << ": never ready; stderr:\n"
                                                        << p->stderr_so_far();
        return p;
    }

private:
    std::string dir_;
};

TEST_F(Outputs, AnOutputWhoseReaderLeftEndsTheOutputNotTheCommand) {
    // The reader takes one line and exits; sctrace's next writes find the
    // pipe closed. The command sleeps in between so that they do.
    const std::string command = "echo start; sleep 0.5; echo end; exit 7";
    const RunResult untraced = run({"/bin/sh", "-c", command}, {"untraced", "", false}, kTimeout);
    ASSERT_EQ(untraced.status, 7);
    const RunResult traced =
        run({"/bin/bash", "-c", "\"$0\" -o >(head -n 1 >/dev/null) -- /bin/sh -c \"$1\"; exit $?",
             sctrace(), command},
            {"sctrace -o >(head -n 1)", "", false}, kTimeout);
    ASSERT_FALSE(traced.timed_out) << traced.hang_report;
    EXPECT_EQ(traced.status, 7) << traced.err;  // the command's: a reader may stop reading
    EXPECT_EQ(traced.out, untraced.out);
    EXPECT_EQ(strip_tracer_lines(traced.err, "sctrace"), untraced.err);
    EXPECT_EQ(count_of(traced.err, "output lost from here on"), 1u) << traced.err;
    EXPECT_NE(traced.err.find(": Broken pipe: output lost from here on\n"), std::string::npos)
        << traced.err;
}

// Every output, pointed at a full disk: the command runs as it would, the
// findings still reach stderr, the failure is said once and the run fails.
class FullDisk : public Outputs, public ::testing::WithParamInterface<std::string> {};

INSTANTIATE_TEST_SUITE_P(EveryOutput, FullDisk,
                         ::testing::Values("-o", "--findings", "--sarif", "--junit",
                                           "--trace-json"),
                         [](const auto& info) {
                             std::string name;
                             for (char c : info.param) {
                                 if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                             }
                             return name;
                         });

TEST_P(FullDisk, IsSaidOnceAndTheExitStatusSaysSo) {
    const RunResult r = run_double_close({GetParam(), "/dev/full"}, 0);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, kOutputLost) << r.err;
    EXPECT_EQ(r.out, "closed twice\n");
    EXPECT_EQ(count_of(r.err, kFullDisk), 1u) << r.err;
    EXPECT_NE(r.err.find("sctrace: error [double-close]"), std::string::npos)
        << "the finding must still reach stderr:\n"
        << r.err;
    EXPECT_NE(r.err.find("exit status 122"), std::string::npos) << r.err;
}

TEST_F(Outputs, TheCommandsFailureOutranksALostOutput) {
    const RunResult r = run_double_close({"-o", "/dev/full", "--sarif", "/dev/full"}, 3);
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_EQ(count_of(r.err, kFullDisk), 2u) << "once per output:\n" << r.err;
}

TEST_F(Outputs, ALostFindingsFileOutranksFailOn) {
    const RunResult met = run_double_close({"--fail-on", "error"}, 0);
    EXPECT_EQ(met.status, kFindingsFailure) << met.err;
    const RunResult lost = run_double_close({"--fail-on", "error", "--findings", "/dev/full"}, 0);
    EXPECT_EQ(lost.status, kOutputLost) << lost.err;
    EXPECT_EQ(count_of(lost.err, kFullDisk), 1u) << lost.err;
}

TEST_F(Outputs, AFileThatRefusesWritesIsAnOutputLost) {
    // /proc/version opens for writing as root, and refuses every write.
    const RunResult r = run_double_close({"-o", "/proc/version"}, 0);
    if (r.status == 2) {
        // Not root: the open itself fails, before anything runs.
        EXPECT_NE(r.err.find("sctrace: -o /proc/version: "), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
        return;
    }
    EXPECT_EQ(r.status, kOutputLost) << r.err;
    EXPECT_EQ(r.out, "closed twice\n");
    EXPECT_EQ(count_of(r.err, "sctrace: /proc/version: "), 1u) << r.err;
    EXPECT_EQ(count_of(r.err, ": output lost from here on\n"), 1u) << r.err;
}

TEST_F(Outputs, SigkillMidRunLeavesATraceAReaderLoads) {
    const std::string trace = temp("killed.json");
    auto p = start_waiting({"--trace-json", trace}, "SIGKILL to sctrace");
    ASSERT_FALSE(HasFailure());
    ASSERT_EQ(kill(p->pid(), SIGKILL), 0);
    const RunResult r = p->finish(30s);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 128 + SIGKILL);

    const std::string text = read_file(trace);
    ASSERT_EQ(text.rfind("[\n", 0), 0u) << "not a JSON array: " << text.substr(0, 200);
    // Chrome's JSON Array Format: the closing bracket is optional. A strict
    // parser gets it appended; nothing else may be missing or broken.
    const json doc = json::parse(text + "]", nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << "not valid JSON even with ']' appended; it ends:\n"
                                     << text.substr(text.size() > 400 ? text.size() - 400 : 0);
    // Everything sctrace saw before it was killed is there. The command
    // blocks SIGINT/SIGTERM before it prints "ready": that call returned,
    // and sctrace wrote it, before the command could even start its write.
    // (The write itself may be cut: its bytes reach the pipe before
    // sctrace handles the call's end.)
    bool mask_set = false;
    for (const json& e : doc) {
        ASSERT_TRUE(e.is_object() && e.contains("ph")) << e;
        if (e.value("name", "") == "rt_sigprocmask" && e.contains("args") &&
            e["args"].value("args", "").find("SIG_BLOCK, [INT TERM]") != std::string::npos) {
            mask_set = true;
        }
    }
    EXPECT_TRUE(mask_set) << "the rt_sigprocmask before \"ready\" is not in the trace";
}

TEST_F(Outputs, SigtermLeavesEveryReportComplete) {
    const std::string sarif = temp("r.sarif"), junit = temp("r.xml"), trace = temp("t.json"),
                      findings = temp("f.jsonl");
    auto p = start_waiting(
        {"--sarif", sarif, "--junit", junit, "--trace-json", trace, "--findings", findings},
        "SIGTERM to sctrace");
    ASSERT_FALSE(HasFailure());
    ASSERT_EQ(kill(p->pid(), SIGTERM), 0);
    const RunResult r = p->finish(30s);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    // Passed on to the command, which dies of it: sctrace exits as it did.
    EXPECT_EQ(r.status, 128 + SIGTERM) << r.err;

    const json s = json::parse(read_file(sarif), nullptr, false);
    ASSERT_FALSE(s.is_discarded()) << read_file(sarif).substr(0, 400);
    EXPECT_EQ(s.at("version"), "2.1.0");
    ASSERT_EQ(s.at("runs").size(), 1u);
    EXPECT_FALSE(s["runs"][0]["tool"]["driver"]["rules"].empty());

    const std::string xml = read_file(junit);
    EXPECT_EQ(xml.rfind("<?xml", 0), 0u) << xml.substr(0, 200);
    EXPECT_NE(xml.find("</testsuites>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("killed by signal"), std::string::npos)
        << "the command's test case should say it was killed:\n"
        << xml;

    const json t = json::parse(read_file(trace), nullptr, false);
    ASSERT_FALSE(t.is_discarded()) << "the trace was not closed";
    EXPECT_TRUE(t.is_array());
    EXPECT_TRUE(std::filesystem::exists(findings));
}

}  // namespace
}  // namespace e2e
