// A flaky test under sctrace --repeat / --until-fail / --flight-recorder
// (docs/ci.md): samples/flaky-connect-race fails in the runs its counter
// file says (every third), for a real reason (its connect() is refused
// because the server is not listening yet), so what is kept, what the
// summary says and what the recording holds can be checked exactly.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kTimeout = 120s;

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

class Flaky : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        if (t.is_strace) GTEST_SKIP() << "--repeat and the flight recorder are sctrace's";
#ifndef FLAKY_CONNECT_RACE_BIN
        GTEST_SKIP() << "samples/flaky-connect-race was not built";
#endif
        dir_ = make_test_dir("sctrace-flaky");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
    }
    void TearDown() override {
        drop_test_dir(dir_, HasFailure());
    }

    std::string path(const std::string& name) const {
        return dir_ + "/" + name;
    }
    bool exists(const std::string& name) const {
        return access(path(name).c_str(), F_OK) == 0;
    }

    // sctrace OPTIONS -- flaky-connect-race --fail-every EVERY COUNTER
    RunResult run_flaky(std::vector<std::string> options, int every) {
        std::vector<std::string> argv{Tracer::get().path};
        argv.insert(argv.end(), options.begin(), options.end());
#ifdef FLAKY_CONNECT_RACE_BIN
        argv.insert(argv.end(), {"--", FLAKY_CONNECT_RACE_BIN, "--fail-every",
                                 std::to_string(every), path("counter")});
#endif
        std::string label = "sctrace";
        for (const auto& o : options) label += " " + o;
        return run(argv, {label, "", false}, kTimeout);
    }

    std::string dir_;
};

TEST_F(Flaky, RepeatKeepsTheFailingRunsAndOnePassingRunAndSaysWhichFailed) {
    const RunResult r = run_flaky(
        {"--repeat", "6", "--junit", path("report.xml"), "--findings", path("findings.jsonl")}, 3);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 1) << "the first failing run's status\n" << r.err;
    // Every run's output passes through untouched.
    EXPECT_EQ(count_of(r.out, "ok\n"), 4u) << r.out;
    EXPECT_EQ(count_of(r.out, "FAIL: connect: Connection refused\n"), 2u) << r.out;
    EXPECT_NE(r.err.find("sctrace: flaky: failed 2 of 6 runs (runs 3, 6)\n"), std::string::npos)
        << r.err;
    const std::size_t run3 = r.err.find("sctrace: run 3: failed (exit status 1); kept ");
    ASSERT_NE(run3, std::string::npos) << r.err;
    const std::string run3_line = r.err.substr(run3, r.err.find('\n', run3) - run3);
    EXPECT_NE(run3_line.find(path("report.run3.xml")), std::string::npos) << run3_line;
    // The failing runs' reports, and for comparison those of the last run
    // that passed before the first failure.
    for (const char* kept : {"report.run2.xml", "report.run3.xml", "report.run6.xml",
                             "findings.run2.jsonl", "findings.run3.jsonl"}) {
        EXPECT_TRUE(exists(kept)) << kept << "\n" << r.err;
    }
    for (const char* removed :
         {"report.run1.xml", "report.run4.xml", "report.run5.xml", "findings.run1.jsonl"}) {
        EXPECT_FALSE(exists(removed)) << removed << "\n" << r.err;
    }
    // The named report is what a CI step reads: every run, as Surefire
    // writes a flaky test, with the first failing run's findings.
    const std::string junit = read_file(path("report.xml"));
    EXPECT_NE(junit.find("<flakyFailure message=\"run 3 of 6: exited with status 1\" "
                         "type=\"exit-status\">"),
              std::string::npos)
        << junit;
    EXPECT_NE(junit.find("<flakyFailure message=\"run 6 of 6: exited with status 1\""),
              std::string::npos)
        << junit;
    EXPECT_NE(junit.find("<system-out>flaky: failed 2 of 6 runs (runs 3, 6)\n\nHow run 3 differed "
                         "from run 2, the last run that passed:\n"),
              std::string::npos)
        << junit;
    EXPECT_NE(junit.find("connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
              std::string::npos)
        << junit;
}

TEST_F(Flaky, UntilFailStopsAtTheFirstFailingRun) {
    const RunResult r = run_flaky({"--until-fail", "--junit", path("report.xml")}, 3);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(read_file(path("counter")), "3\n") << "three runs, no more";
    EXPECT_NE(r.err.find("sctrace: flaky: failed 1 of 3 runs (run 3)\n"), std::string::npos)
        << r.err;
    EXPECT_FALSE(exists("report.run1.xml"));
    EXPECT_TRUE(exists("report.run2.xml"));
    EXPECT_TRUE(exists("report.run3.xml"));
}

TEST_F(Flaky, UntilFailSaysHowTheFailingRunDifferedFromThePassingOne) {
    // No -o: the runs' events go to a directory of sctrace's own, removed
    // at the end. The diff names the cause: the client's connect came
    // before the server's listen.
    const RunResult r = run_flaky({"--until-fail"}, 2);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("sctrace: how run 2 differed from run 1, the last run that passed:\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(": connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("in FAIL connect from socket #2 of 1/main (ECONNREFUSED) came before "
                         "listen by 1/thread 2, which never came"),
              std::string::npos)
        << r.err;
    // Every call is compared (as -o records them): the server thread was
    // still in its sleep when the test ended.
    EXPECT_NE(r.err.find("1/thread 2 (flaky-connect-race): clock_nanosleep never returned in "
                         "FAIL, succeeded in PASS"),
              std::string::npos)
        << r.err;
    for (const auto& line : split_lines(r.err)) {
        EXPECT_EQ(line.rfind("sctrace: ", 0), 0u) << "a line of sctrace's not marked: " << line;
    }
}

TEST_F(Flaky, DiffComparesTwoSavedRunsInEitherFormat) {
    for (const std::string format : {"jsonl", "strace"}) {
        SCOPED_TRACE(format);
        const RunResult runs =
            run_flaky({"--until-fail", "-o", path("events." + format), "--format", format}, 2);
        ASSERT_EQ(runs.status, 1) << runs.err;
        const std::string pass = path("events.run1." + format);
        const std::string fail = path("events.run2." + format);
        ASSERT_TRUE(exists("events.run1." + format)) << runs.err;
        EXPECT_NE(runs.err.find("sctrace diff " + pass + " " + fail), std::string::npos)
            << "the way to see it again\n"
            << runs.err;

        const RunResult text =
            run({Tracer::get().path, "diff", pass, fail}, {"sctrace diff", "", false}, kTimeout);
        EXPECT_EQ(text.status, 1) << text.err;
        EXPECT_EQ(text.err, "");
        EXPECT_NE(text.out.find("connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
                  std::string::npos)
            << text.out;

        const RunResult json = run({Tracer::get().path, "diff", "--format", "json", pass, fail},
                                   {"sctrace diff --format json", "", false}, kTimeout);
        EXPECT_EQ(json.status, 1) << json.err;
        const auto j = nlohmann::json::parse(json.out);
        bool refused = false, order = false;
        for (const auto& d : j["divergences"]) {
            if (d["kind"] == "outcome" && d["fail"]["call"] == "connect" &&
                d["fail"]["outcome"] == "ECONNREFUSED" && d["pass"]["outcome"].is_null()) {
                refused = true;
            }
            if (d["kind"] == "order" && d["subject_kind"] == "file" &&
                d["pass"]["call"] == "listen") {
                order = true;
            }
        }
        EXPECT_TRUE(refused) << json.out;
        EXPECT_TRUE(order) << json.out;

        const RunResult same = run({Tracer::get().path, "diff", fail, fail},
                                   {"sctrace diff (same run)", "", false}, kTimeout);
        EXPECT_EQ(same.status, 0) << same.out << same.err;
        EXPECT_NE(same.out.find("sctrace diff: no divergence between PASS"), std::string::npos)
            << same.out;
        // Counted from 1 again for the next format.
        std::remove(path("counter").c_str());
    }
}

TEST_F(Flaky, GithubGetsOneJobSummaryForAllRunsAndAnnotationsOfTheFailure) {
    // As in a GitHub Actions step: the runner's summary file is set. The
    // counter starts at 2, so both runs compared read it the same way.
    std::FILE* counter = std::fopen(path("counter").c_str(), "w");
    ASSERT_NE(counter, nullptr);
    std::fputs("2\n", counter);
    std::fclose(counter);
    std::vector<std::string> argv{"/usr/bin/env",
                                  "GITHUB_STEP_SUMMARY=" + path("step-summary.md"),
                                  "GITHUB_WORKSPACE=" + dir_,
                                  Tracer::get().path,
                                  "--until-fail",
                                  "--fail-on",
                                  "warning",
                                  "--annotations",
                                  path("annotations.txt")};
    // (--annotations makes each run render its summary anyway; the next
    // test checks the summary without it.)
#ifdef FLAKY_CONNECT_RACE_BIN
    argv.insert(argv.end(), {"--", FLAKY_CONNECT_RACE_BIN, "--fail-every", "2", path("counter")});
#endif
    const RunResult r = run(argv, {"sctrace --until-fail (GitHub)", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << r.err;
    const std::string md = read_file(path("step-summary.md"));
    EXPECT_EQ(md.rfind("### sctrace --repeat: flaky: failed 1 of 2 runs (run 2)\n\n", 0), 0u) << md;
    EXPECT_EQ(count_of(md, "### sctrace --repeat"), 1u) << md;
    EXPECT_EQ(count_of(md, "#### sctrace: "), 1u) << "one run's findings, not one per run\n" << md;
    EXPECT_NE(md.find("<details><summary>How run 2 differed from run 1, the last run that "
                      "passed</summary>"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("Run 2, the first that failed:\n\n#### sctrace: no findings"),
              std::string::npos)
        << md;
    // The run files of the annotations: kept for the failing run (no
    // finding: empty); the named one adds the verdict and what differed.
    EXPECT_TRUE(exists("annotations.run2.txt")) << r.err;
    EXPECT_EQ(read_file(path("annotations.run2.txt")), "");
    const std::string annotations = read_file(path("annotations.txt"));
    EXPECT_EQ(annotations.rfind("::error title=sctrace%3A flaky test::flaky: failed 1 of 2 runs "
                                "(run 2)%0Ahow run 2 differed from run 1:%0A",
                                0),
              0u)
        << annotations;
    EXPECT_NE(annotations.find("connect failed with ECONNREFUSED in FAIL, succeeded in PASS"),
              std::string::npos)
        << annotations;
    EXPECT_EQ(count_of(annotations, "\n"), 1u) << "one workflow command\n" << annotations;
}

TEST_F(Flaky, TheJobSummaryShowsTheFailingRunWithNoOtherReportAskedFor) {
    std::vector<std::string> argv{"/usr/bin/env", "GITHUB_STEP_SUMMARY=" + path("step-summary.md"),
                                  Tracer::get().path, "--until-fail"};
#ifdef FLAKY_CONNECT_RACE_BIN
    argv.insert(argv.end(), {"--", FLAKY_CONNECT_RACE_BIN, "--fail-every", "2", path("counter")});
#endif
    const RunResult r = run(argv, {"sctrace --until-fail (job summary)", "", false}, kTimeout);
    ASSERT_EQ(r.status, 1) << r.err;
    const std::string md = read_file(path("step-summary.md"));
    EXPECT_NE(md.find("Run 2, the first that failed:\n\n#### sctrace: no findings\n"),
              std::string::npos)
        << md;
}

// --until-fail on a flaky sample whose counter starts at 2, so the runs
// compared (3 and 4, passing and failing) read it the same way.
RunResult until_fail(const std::string& dir, const std::string& sample) {
    std::FILE* counter = std::fopen((dir + "/counter").c_str(), "w");
    if (counter) {
        std::fputs("2\n", counter);
        std::fclose(counter);
    }
    return run(
        {Tracer::get().path, "--until-fail", "--", sample, "--fail-every", "2", dir + "/counter"},
        {"sctrace --until-fail -- " + sample, "", false}, kTimeout);
}

TEST_F(Flaky, TheDiffOfATimeoutSensitiveWaitNamesTheWaitThatTimedOut) {
#ifdef FLAKY_TIMEOUT_WAIT_BIN
    const RunResult r = until_fail(dir_, FLAKY_TIMEOUT_WAIT_BIN);
    ASSERT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.out.find("FAIL: no reply within 1500 ms\n"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("sctrace: 1. 1/main (flaky-timeout-wait): poll timed out in FAIL, "
                         "succeeded in PASS"),
              std::string::npos)
        << r.err;
#else
    GTEST_SKIP() << "samples/flaky-timeout-wait was not built";
#endif
}

TEST_F(Flaky, TheDiffOfALostWakeUpNamesTheSignalThatCameBeforeTheWait) {
#ifdef FLAKY_LOST_WAKEUP_BIN
    const RunResult r = until_fail(dir_, FLAKY_LOST_WAKEUP_BIN);
    ASSERT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.out.find("FAIL: never woken"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("sctrace: 1. 1/main (flaky-lost-wakeup): SIGUSR1 came during "
                         "clock_nanosleep in FAIL, during pause in PASS"),
              std::string::npos)
        << r.err;
#else
    GTEST_SKIP() << "samples/flaky-lost-wakeup was not built";
#endif
}

TEST_F(Flaky, DiffReadsRealStraceLogs) {
    // What a user has before sctrace: two strace -f logs of the same test.
    if (access("/usr/bin/strace", X_OK) != 0) {
        GTEST_SKIP() << "SKIPPED LOUDLY: /usr/bin/strace is not installed (apt-get install "
                        "strace), so no real strace log can be made";
    }
    // Counted from 2, so both runs read the counter the same way: runs 3
    // and 4, passing and failing.
    std::FILE* counter = std::fopen(path("counter").c_str(), "w");
    ASSERT_NE(counter, nullptr);
    std::fputs("2\n", counter);
    std::fclose(counter);
    for (const char* name : {"pass.log", "fail.log"}) {
#ifdef FLAKY_CONNECT_RACE_BIN
        const RunResult r = run({"/usr/bin/strace", "-f", "-tt", "-T", "-o", path(name),
                                 FLAKY_CONNECT_RACE_BIN, "--fail-every", "2", path("counter")},
                                {std::string("strace -o ") + name, "", false}, kTimeout);
        ASSERT_EQ(r.status, std::string(name) == "pass.log" ? 0 : 1) << r.err;
#endif
    }
    const RunResult d = run({Tracer::get().path, "diff", path("pass.log"), path("fail.log")},
                            {"sctrace diff pass.log fail.log", "", false}, kTimeout);
    EXPECT_EQ(d.status, 1) << d.err;
    EXPECT_EQ(d.err, "") << "every line of strace's was read";
    EXPECT_NE(d.out.find("1/main (flaky-connect-race): connect failed with ECONNREFUSED in FAIL, "
                         "succeeded in PASS"),
              std::string::npos)
        << d.out;
    EXPECT_NE(d.out.find("came before listen by 1/thread 2, which never came"), std::string::npos)
        << d.out;
}

TEST_F(Flaky, DiffSaysWhichInputItCannotRead) {
    const RunResult r = run({Tracer::get().path, "diff", path("missing.jsonl"), "/dev/null"},
                            {"sctrace diff missing", "", false}, kTimeout);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("sctrace diff: " + path("missing.jsonl")), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

TEST_F(Flaky, RunsThatAllPassKeepOneAndExitZero) {
    const RunResult r = run_flaky({"--repeat", "3", "--until-fail", "--sarif", path("r.sarif")}, 0);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("sctrace: passed all 3 runs\n"), std::string::npos) << r.err;
    EXPECT_FALSE(exists("r.run1.sarif"));
    EXPECT_FALSE(exists("r.run2.sarif"));
    EXPECT_TRUE(exists("r.run3.sarif"));
    EXPECT_TRUE(read_file(path("r.sarif")) == read_file(path("r.run3.sarif")));
}

TEST_F(Flaky, TheFlightRecorderWritesOnlyTheFailingRunsLastEventsPerThread) {
    const std::size_t per_thread = 12;
    const RunResult r = run_flaky({"--repeat", "3", "--flight-recorder", std::to_string(per_thread),
                                   "--flight-recorder-output", path("flight")},
                                  3);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 1) << r.err;
    // Passing runs leave nothing behind.
    EXPECT_FALSE(exists("flight.run1.jsonl")) << r.err;
    EXPECT_FALSE(exists("flight.run2.jsonl")) << r.err;
    ASSERT_TRUE(exists("flight.run3.jsonl")) << r.err;
    ASSERT_TRUE(exists("flight.run3.strace")) << r.err;
    EXPECT_NE(r.err.find("sctrace: flight recorder: wrote " + path("flight.run3.jsonl")),
              std::string::npos)
        << r.err;

    // The last moments, per thread, within the bound (a record is one
    // event, or two: a call's entry and exit): the refused connect and the
    // failure message written after it.
    std::map<int, std::size_t> per_tid;
    std::vector<std::string> main_calls;
    std::istringstream lines(read_file(path("flight.run3.jsonl")));
    int main_tid = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line);
        const int tid = j["tid"];
        if (main_tid == 0) main_tid = j["pid"];
        // A complete call is one record for two events.
        ++per_tid[tid];
        if (tid == main_tid && j.contains("syscall")) {
            std::string call = j["syscall"].get<std::string>();
            if (j.contains("errno") && j["errno"].is_string())
                call += " " + j["errno"].get<std::string>();
            main_calls.push_back(call);
        }
    }
    for (const auto& [tid, count] : per_tid) {
        EXPECT_LE(count, per_thread) << "thread " << tid;
    }
    EXPECT_GE(per_tid[main_tid], per_thread / 2) << "the main thread made more calls than that";
    const std::string story = [&] {
        std::string s;
        for (const auto& c : main_calls) s += c + "\n";
        return s;
    }();
    const std::size_t refused = story.find("connect ECONNREFUSED\n");
    ASSERT_NE(refused, std::string::npos) << story;
    EXPECT_NE(story.find("write\nexit_group\n", refused), std::string::npos) << story;
    const std::string strace = read_file(path("flight.run3.strace"));
    // (Descriptor numbers depend on what the test runner left open.)
    const std::size_t connect = strace.find(", {sa_family=AF_INET, sin_port=htons(");
    ASSERT_NE(connect, std::string::npos) << strace;
    const std::string line =
        strace.substr(strace.rfind('\n', connect) + 1,
                      strace.find('\n', connect) - strace.rfind('\n', connect) - 1);
    EXPECT_NE(line.find(" connect("), std::string::npos) << line;
    EXPECT_NE(line.find(") = -1 ECONNREFUSED (Connection refused)"), std::string::npos) << line;
}

TEST_F(Flaky, AFindingWritesTheRecordingOfItsMoment) {
    // The finding (at --fail-on) is the failure: its recording is written
    // when it is raised, and the run's at its end.
    std::vector<std::string> argv{Tracer::get().path,
                                  "--flight-recorder",
                                  "8",
                                  "--flight-recorder-output",
                                  path("flight"),
                                  "--fail-on",
                                  "error",
                                  "--",
                                  std::string(TRACEE_DIR) + "/double_close",
                                  "0"};
    const RunResult r =
        run(argv, {"sctrace --flight-recorder -- double_close", "", false}, kTimeout);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 121) << r.err;
    ASSERT_TRUE(exists("flight.first-finding.strace")) << r.err;
    const std::string strace = read_file(path("flight.first-finding.strace"));
    // The second close of the descriptor (its number depends on what the
    // test runner left open) is in the recording.
    bool refused_close = false;
    std::istringstream lines(strace);
    for (std::string line; std::getline(lines, line);) {
        refused_close =
            refused_close || (line.find(" close(") != std::string::npos &&
                              line.find("= -1 EBADF (Bad file descriptor)") != std::string::npos);
    }
    EXPECT_TRUE(refused_close) << strace;
    EXPECT_TRUE(exists("flight.strace")) << "a run that fails writes its end too\n" << r.err;
}

TEST_F(Flaky, RepeatNeedsACommand) {
    const RunResult r = run({Tracer::get().path, "--repeat", "2", "-p", "1"},
                            {"sctrace --repeat -p", "", false}, kTimeout);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("sctrace: --repeat and --until-fail run a command; -p attaches once\n"),
              std::string::npos)
        << r.err;
}

TEST_F(Flaky, ASctraceErrorStopsAtTheFirstRun) {
    const RunResult r = run_flaky({"--repeat", "5", "--junit", path("no/such/dir/report.xml")}, 3);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_FALSE(exists("counter")) << "the command never ran";
    EXPECT_EQ(count_of(r.err, "--junit"), 1u) << r.err;
    EXPECT_EQ(r.err.find("runs"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace e2e
