// A traced program (or a saved log) chooses the names sctrace prints: its
// executable path, file names, thread names. None of them may forge a
// finding, hide one, or drive the terminal: every human output escapes them
// (docs/security.md), every JSON output stays valid with the bytes kept.
//
// The subject is samples/hostile-names.c, copied to an executable path that
// holds a newline, ESC colour codes and a whole forged finding line.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

constexpr Millis kRunTimeout = 50s;

// What the program names itself and its file: a newline, then a line in the
// shape of sctrace's own findings, in red.
const std::string kForged = "\n\033[31msctrace: critical [forged-finding] pid 1 (init)\033[0m\n";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The text with control bytes shown, for failure messages.
std::string visible(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n\n";
        } else if (u < 0x20 || u >= 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

// No byte that a terminal obeys: C0 controls other than the line ends the
// writer put there, DEL, and the raw C1 CSI the sample uses (0x9b).
void expect_no_control_bytes(const std::string& text, const std::string& what) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool control = (u < 0x20 && c != '\n') || u == 0x7f || u == 0x9b;
        if (control) {
            ADD_FAILURE() << what << " holds a raw control byte " << static_cast<int>(u) << ":\n"
                          << visible(text);
            return;
        }
    }
}

// Not one line of the text starts a finding that no rule raised.
void expect_no_forged_line(const std::string& text, const std::string& what) {
    for (const std::string& line : lines_of(text)) {
        const auto at = line.find("sctrace: critical [forged-finding]");
        EXPECT_TRUE(at == std::string::npos || at > 0) << what << ": a forged finding line:\n"
                                                       << visible(line);
    }
}

class ForgedFindings : public ::testing::Test {
protected:
    void SetUp() override {
        if (Tracer::get().is_strace) GTEST_SKIP() << "sctrace's own reports (strace stands in)";
#ifndef HOSTILE_NAMES_BIN
        GTEST_SKIP() << "built without samples/ (hostile-names)";
#else
        dir_ = make_test_dir("sctrace-forge");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
        // A copy, not a symlink: /proc/PID/exe (the finding's exe) names
        // the file itself.
        exe_ = dir_ + "/prog" + kForged;
        std::filesystem::copy_file(HOSTILE_NAMES_BIN, exe_);
        ASSERT_EQ(chmod(exe_.c_str(), 0755), 0);
#endif
    }

    void TearDown() override {
        drop_test_dir(dir_, HasFailure());
    }

    std::string temp(const std::string& name) const {
        return dir_ + "/" + name;
    }

    std::string dir_, exe_;
};

TEST_F(ForgedFindings, LiveOutputsEscapeTheTraceesNames) {
    const std::vector<std::string> argv = {Tracer::get().path,
                                           "--findings",
                                           temp("findings.jsonl"),
                                           "--sarif",
                                           temp("report.sarif"),
                                           "--junit",
                                           temp("report.xml"),
                                           "-o",
                                           temp("events.txt"),
                                           "--format",
                                           "text",
                                           "--",
                                           exe_,
                                           dir_};
    const RunResult r = run(argv, {"hostile-names", "", false}, kRunTimeout);
    ASSERT_EQ(r.spawn_error, "");
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 0) << visible(r.err);
    EXPECT_EQ(r.out, "second close: Bad file descriptor\n");

    // stderr: the program writes nothing there, so every line is sctrace's,
    // whole, and the one finding is the double-close.
    expect_no_control_bytes(r.err, "stderr");
    expect_no_forged_line(r.err, "stderr");
    for (const std::string& line : lines_of(r.err)) {
        EXPECT_EQ(line.rfind("sctrace: ", 0), 0u) << "a line that is not sctrace's:\n"
                                                  << visible(r.err);
    }
    std::size_t headers = 0;
    for (const std::string& line : lines_of(r.err)) {
        if (line.rfind("sctrace: error [double-close] pid ", 0) == 0) {
            ++headers;
            // The executable, escaped as strace escapes a path.
            EXPECT_NE(line.find("/prog\\n\\33[31msctrace: critical [forged-finding] pid 1 "
                                "(init)\\33[0m\\n)"),
                      std::string::npos)
                << visible(line);
        }
    }
    EXPECT_EQ(headers, 1u) << visible(r.err);
    // The file name (fd.name in the rule's message) too, with the raw C1 CSI
    // byte (0x9b) as octal.
    EXPECT_NE(r.err.find("/f\\n\\33[31msctrace: critical [forged-finding] pid 1 (init)\\33[0m\\n"
                         "\\23331m"),
              std::string::npos)
        << visible(r.err);

    // The text event stream: every line is an event (a time first).
    const std::string events = read_file(temp("events.txt"));
    EXPECT_FALSE(events.empty());
    expect_no_control_bytes(events, "the text event stream");
    for (const std::string& line : lines_of(events)) {
        EXPECT_TRUE(line.size() > 16 && line[2] == ':' && line[5] == ':' && line[8] == '.')
            << "not an event line: " << visible(line);
    }

    // JUnit: the failure message and body are escaped as on stderr.
    const std::string junit = read_file(temp("report.xml"));
    EXPECT_NE(junit.find("<failure "), std::string::npos) << junit;
    expect_no_control_bytes(junit, "the JUnit report");
    expect_no_forged_line(junit, "the JUnit report");

    // SARIF: valid JSON; what a CI page shows is escaped.
    nlohmann::json sarif;
    ASSERT_NO_THROW(sarif = nlohmann::json::parse(read_file(temp("report.sarif"))));
    const auto& results = sarif.at("runs").at(0).at("results");
    ASSERT_EQ(results.size(), 1u) << sarif.dump(2);
    const auto& result = results.at(0);
    EXPECT_EQ(result.at("ruleId"), "double-close");
    const std::string text = result.at("message").at("text");
    expect_no_control_bytes(text, "the SARIF message");
    // One line break, the writer's own: the message, then why.
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << visible(text);
    EXPECT_EQ(text.find("\nsctrace:"), std::string::npos) << visible(text);
    const std::string shown_exe = result.at("properties").at("exe");
    EXPECT_EQ(shown_exe.find('\033'), std::string::npos);
    EXPECT_NE(shown_exe.find("/prog\\n\\33[31m"), std::string::npos) << shown_exe;

    // JSON Lines: the raw bytes, recoverable exactly.
    const std::vector<std::string> findings = lines_of(read_file(temp("findings.jsonl")));
    ASSERT_EQ(findings.size(), 1u);
    nlohmann::json f;
    ASSERT_NO_THROW(f = nlohmann::json::parse(findings[0]));
    EXPECT_EQ(f.at("rule"), "double-close");
    EXPECT_EQ(f.at("exe"), exe_);
    const std::string message = f.at("message");
    EXPECT_NE(message.find("/f" + kForged), std::string::npos) << visible(message);
}

TEST_F(ForgedFindings, TimeoutReportEscapesThreadNames) {
    const std::vector<std::string> argv = {
        Tracer::get().path, "--timeout", "2s", "--", exe_, dir_, "hang"};
    const RunResult r = run(argv, {"hostile-names hang", "", false}, kRunTimeout);
    ASSERT_EQ(r.spawn_error, "");
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 124) << visible(r.err);
    EXPECT_EQ(r.out, "ready\n");
    expect_no_control_bytes(r.err, "stderr");
    expect_no_forged_line(r.err, "stderr");
    for (const std::string& line : lines_of(r.err)) {
        EXPECT_EQ(line.rfind("sctrace: ", 0), 0u) << "a line that is not sctrace's:\n"
                                                  << visible(r.err);
    }
    // The thread named itself "\33[31mx\nsctrace:" (prctl PR_SET_NAME).
    EXPECT_NE(r.err.find("(\\33[31mx\\nsctrace:) state "), std::string::npos) << visible(r.err);
}

// A saved log is untrusted too: strace escapes what it prints, but a log
// can be written by anyone. Raw ESC, CR and C1 bytes inside a -y path, a -Y
// comm and a quoted string must come out escaped.
TEST_F(ForgedFindings, AnalyzeEscapesAHostileLog) {
    const std::string path = "/tmp/f\033[31m\rsctrace: critical [forged-finding] pid 1 (init)\233";
    const std::string log = "100<a\033[2J\r> openat(AT_FDCWD, \"/tmp/f\033[31m\", O_RDONLY) = 3<" +
                            path + ">\n" + "100<a\033[2J\r> close(3<" + path + ">) = 0\n" +
                            "100<a\033[2J\r> close(3) = -1 EBADF (Bad file descriptor)\n" +
                            "100<a\033[2J\r> +++ exited with 0 +++\n";
    {
        std::ofstream out(temp("hostile.log"), std::ios::binary);
        out << log;
    }
    const std::vector<std::string> argv = {
        Tracer::get().path, "analyze",  "--findings", temp("findings.jsonl"), "-o",
        temp("events.txt"), "--format", "text",       temp("hostile.log")};
    const RunResult r = run(argv, {"analyze hostile.log", "", false}, kRunTimeout);
    ASSERT_EQ(r.spawn_error, "");
    EXPECT_EQ(r.status, 1) << visible(r.err);  // an error finding, at or above --fail-on warning
    expect_no_control_bytes(r.err, "stderr");
    expect_no_forged_line(r.err, "stderr");
    for (const std::string& line : lines_of(r.err)) {
        EXPECT_EQ(line.rfind("sctrace", 0), 0u) << "a line that is not sctrace's:\n"
                                                << visible(r.err);
    }
    EXPECT_NE(r.err.find("sctrace: error [double-close] pid 100"), std::string::npos)
        << visible(r.err);
    const std::string events = read_file(temp("events.txt"));
    expect_no_control_bytes(events, "the text event stream");
    expect_no_forged_line(events, "the text event stream");

    const std::vector<std::string> findings = lines_of(read_file(temp("findings.jsonl")));
    ASSERT_EQ(findings.size(), 1u);
    nlohmann::json f;
    ASSERT_NO_THROW(f = nlohmann::json::parse(findings[0]));
    EXPECT_EQ(f.at("rule"), "double-close");
}

}  // namespace
}  // namespace e2e
