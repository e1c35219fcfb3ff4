// What a person reads on stderr: repeated findings counted instead of
// shown, one summary line per rule at the end, nothing extra on a clean run;
// the JSONL keeps every finding and a two-thread finding's other threads.
#include "report/findings_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "evidence_test_util.h"
#include "report/clock_face.h"

namespace sctrace {
namespace {

constexpr Nanos kT0 = 1'700'000'000'000'000'000;

rules::Finding finding(std::string rule, pid_t pid, Nanos time, std::string message) {
    rules::Finding f;
    f.rule = std::move(rule);
    f.severity = rules::Severity::Error;
    f.pid = pid;
    f.tid = pid;
    f.time = time;
    f.message = std::move(message);
    return f;
}

// Runs `body` with a TextFindingsWriter on a temporary file; returns the text.
template <typename Body>
std::string text_of(Body body, TextStyle style = {}) {
    FILE* out = std::tmpfile();
    {
        TextFindingsWriter writer(out, "stderr", style);
        body(writer);
    }
    std::fflush(out);
    std::rewind(out);
    std::string text;
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
    std::fclose(out);
    return text;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

TEST(FindingsWriter, NothingFiredMeansNoSummary) {
    const std::string text = text_of([](TextFindingsWriter& w) { w.on_end(); });
    EXPECT_EQ(text, "");
}

TEST(FindingsWriter, OneSummaryLinePerRuleWithCountTimesAndPids) {
    const std::string text = text_of([](TextFindingsWriter& w) {
        w.on_finding(finding("close-while-blocked", 4711, kT0 + 1'000'000'000, "a"));
        w.on_finding(finding("double-close", 4711, kT0 + 2'000'000'000, "b"));
        w.on_finding(finding("close-while-blocked", 4712, kT0 + 5'000'000'000, "c"));
        w.on_end();
    });
    const std::string first = format_clock_time(kT0 + 1'000'000'000);
    const std::string last = format_clock_time(kT0 + 5'000'000'000);
    EXPECT_NE(text.find("sctrace: summary: close-while-blocked error ×2, first " + first +
                        ", last " + last + ", pids 4711 4712\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("sctrace: summary: double-close error ×1"), std::string::npos) << text;
    EXPECT_EQ(count(text, "summary:"), 2u);
    // After the findings.
    EXPECT_GT(text.find("summary:"), text.rfind("[close-while-blocked]"));
}

TEST(FindingsWriter, ATimelessLogsSummarySaysTheTimesAreUnknown) {
    const std::string text = text_of([](TextFindingsWriter& w) {
        w.on_finding(finding("double-close", 10, 0, "x"));
        w.on_end();
    });
    EXPECT_NE(text.find("double-close error ×1, times unknown (no timestamps), pid 10\n"),
              std::string::npos)
        << text;
}

TEST(FindingsWriter, RepeatedIdenticalFindingsAreCountedNotShown) {
    const std::size_t repeats = 2000;
    const std::string text = text_of([&](TextFindingsWriter& w) {
        for (std::size_t i = 0; i < repeats; ++i) {
            w.on_finding(finding("close-while-blocked", 4711, kT0 + static_cast<Nanos>(i),
                                 "thread 4711 closed fd 58 (file /dev/shm/x) while 1 other"));
        }
        w.on_finding(finding("close-while-blocked", 4711, kT0 + 5000, "the one that matters"));
        w.on_end();
    });
    EXPECT_EQ(count(text, "error [close-while-blocked]"), TextFindingsWriter::kShownPerMessage + 1)
        << text.substr(0, 3000);
    EXPECT_NE(text.find("the one that matters"), std::string::npos);
    EXPECT_EQ(count(text, "counted in the summary at the end, not shown"), 1u);
    EXPECT_NE(text.find("close-while-blocked error ×" + std::to_string(repeats + 1)),
              std::string::npos);
    EXPECT_NE(text.find("; " + std::to_string(repeats - TextFindingsWriter::kShownPerMessage) +
                        " repeated finding(s) not shown above"),
              std::string::npos)
        << text.substr(text.find("summary:"));
}

TEST(FindingsWriter, JsonlKeepsEveryFindingAndTheOtherThreads) {
    char path[] = "/tmp/sctrace-findings-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    {
        JsonlFindingsWriter w(fd, "findings.jsonl");
        for (int i = 0; i < 5; ++i) {
            rules::Finding f = finding("close-while-blocked", 4711, kT0, "same");
            rules::OtherThread o;
            o.tid = 4712;
            o.call = "read";
            o.fd = 5;
            o.same_file = true;
            o.file = "/tmp/data";
            o.since = kT0 - 1000;
            f.others.push_back(o);
            rules::EvidenceItem other =
                evidence_item(rules::EvidenceItem::Kind::OtherThread, 4712, 5, "read");
            other.time = kT0 - 1000;
            other.file = "/tmp/data";
            f.evidence.push_back(other);
            w.on_finding(f);
        }
    }
    FILE* in = std::fopen(path, "r");
    ASSERT_NE(in, nullptr);
    char line[8192];
    int lines = 0;
    while (std::fgets(line, sizeof line, in)) {
        ++lines;
        const auto j = nlohmann::json::parse(line);
        ASSERT_EQ(j["others"].size(), 1u);
        EXPECT_EQ(j["others"][0]["tid"], 4712);
        EXPECT_EQ(j["others"][0]["call"], "read");
        EXPECT_EQ(j["others"][0]["fd"], 5);
        EXPECT_EQ(j["others"][0]["same_file"], true);
        EXPECT_EQ(j["others"][0]["file"], "/tmp/data");
        EXPECT_EQ(j["others"][0]["since"], kT0 - 1000);
        // The evidence in words, as before, and the same as data.
        ASSERT_EQ(j["evidence"].size(), 1u);
        EXPECT_EQ(j["evidence"][0], "other thread: tid 4712 read(5) in progress since " +
                                        format_clock_time(kT0 - 1000) +
                                        " (0.000s before), on this file (/tmp/data)");
        ASSERT_EQ(j["evidence_items"].size(), 1u);
        const auto& item = j["evidence_items"][0];
        EXPECT_EQ(item["kind"], "other_thread");
        EXPECT_EQ(item["tid"], 4712);
        EXPECT_EQ(item["call"], "read");
        EXPECT_EQ(item["fd"], 5);
        EXPECT_EQ(item["time"], kT0 - 1000);
        EXPECT_EQ(item["same_file"], true);
        EXPECT_EQ(item["file"], "/tmp/data");
        EXPECT_EQ(item["repeated"], 0);
    }
    std::fclose(in);
    ::close(fd);
    ::unlink(path);
    EXPECT_EQ(lines, 5);
}

// Findings that could not be shown (stderr on a full disk) are a lost
// output the run's exit status reports, said once and not retried.
TEST(FindingsWriter, AStderrThatCannotBeWrittenIsALostOutput) {
    FILE* out = std::fopen("/dev/full", "w");
    if (!out) GTEST_SKIP() << "no /dev/full";
    testing::internal::CaptureStderr();
    {
        TextFindingsWriter writer(out, "stderr");
        writer.on_finding(finding("double-close", 100, kT0, "fd 3 closed twice"));
        writer.on_finding(finding("double-close", 101, kT0, "fd 4 closed twice"));
        writer.on_end();
        EXPECT_TRUE(writer.output().lost());
        EXPECT_EQ(writer.output().error(), ENOSPC);
    }
    const std::string err = testing::internal::GetCapturedStderr();
    std::fclose(out);
    EXPECT_EQ(err, "sctrace: stderr: No space left on device: output lost from here on\n");
}

TEST(FindingsWriter, AFindingsFileThatCannotBeWrittenIsALostOutput) {
    const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) GTEST_SKIP() << "no /dev/full";
    testing::internal::CaptureStderr();
    JsonlFindingsWriter writer(fd, "/dev/full");
    writer.on_finding(finding("double-close", 100, kT0, "fd 3 closed twice"));
    writer.on_finding(finding("double-close", 101, kT0, "fd 4 closed twice"));
    const std::string err = testing::internal::GetCapturedStderr();
    ::close(fd);
    EXPECT_TRUE(writer.output().lost());
    EXPECT_EQ(err, "sctrace: /dev/full: No space left on device: output lost from here on\n");
}

// A tracee names its executable, files and threads, and its ELF and DWARF
// name the functions and files of its stack: none of it may forge a line
// that looks like a finding, or reach the terminal as a control.
TEST(FindingsWriter, TraceeNamesCannotForgeALineOrDriveTheTerminal) {
    const std::string forged = "\n\033[31msctrace: critical [forged-finding] pid 1 (init)\233";
    rules::Finding f =
        finding("double-close", 4711, kT0, "fd 3 (/tmp/f" + forged + ") closed twice");
    f.exe = "/tmp/prog\\" + forged;
    f.evidence = {evidence_item(rules::EvidenceItem::Kind::Earlier, 4711, 3,
                                "close = 0 (/tmp/f" + forged + ")")};
    ThreadStack stack;
    stack.tid = 4711;
    stack.note = "note" + forged;
    StackFrame frame;
    frame.module = "/tmp/lib" + forged + ".so";
    frame.function = "fn" + forged;
    frame.file = "src" + forged + ".c";
    frame.line = 7;
    stack.frames.push_back(frame);
    f.stacks.push_back(stack);
    const std::string text = text_of([&](TextFindingsWriter& w) {
        for (int i = 0; i < 5; ++i) w.on_finding(f);  // the "more ..." notice too
        w.on_end();
    });
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_FALSE((u < 0x20 && c != '\n') || u == 0x7f || u == 0x9b) << int(u) << " in\n"
                                                                        << text;
    }
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        EXPECT_EQ(line.rfind("sctrace: ", 0), 0u) << line;
        EXPECT_NE(line.rfind("sctrace: critical", 0), 0u) << line;
        start = end + 1;
    }
    // The executable reads back exactly: its backslash doubled, the rest
    // in strace's octal.
    EXPECT_NE(text.find(" (/tmp/prog\\\\\\n\\33[31msctrace: critical [forged-finding] pid 1 "
                        "(init)\\233) tid 4711"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("fn\\n\\33[31msctrace:"), std::string::npos) << text;
    EXPECT_NE(text.find("src\\n\\33[31msctrace:"), std::string::npos) << text;
}

// What a terminal gets: TextStyle as the CLI decides it for one.
TextStyle terminal(bool color = true, std::size_t width = 60) {
    TextStyle style;
    style.color = color;
    style.width = width;
    style.shown_per_rule = 5;
    return style;
}

TEST(TerminalFindings, TheSeverityIsColouredAndTheRuleAndPlaceStandOut) {
    rules::Finding f = finding("double-close", 4711, kT0, "fd 3 closed twice");
    f.severity = rules::Severity::Critical;
    const std::string text = text_of([&](TextFindingsWriter& w) { w.on_finding(f); }, terminal());
    EXPECT_EQ(text.rfind("sctrace: \x1b[1;31mcritical\x1b[0m [\x1b[1mdouble-close\x1b[0m] "
                         "\x1b[1mpid 4711 tid 4711 at ",
                         0),
              0u)
        << text;
    f.severity = rules::Severity::Warning;
    EXPECT_NE(text_of([&](TextFindingsWriter& w) { w.on_finding(f); }, terminal())
                  .find("\x1b[33mwarning\x1b[0m"),
              std::string::npos);
}

TEST(TerminalFindings, WithoutColourThereIsNoEscapeAtAll) {
    rules::Finding f = finding("double-close", 4711, kT0, "fd 3 closed twice");
    f.desc = "the second close may have closed a descriptor another thread just opened";
    const std::string text = text_of(
        [&](TextFindingsWriter& w) {
            for (int i = 0; i < 8; ++i) w.on_finding(f);
            w.on_end();
        },
        terminal(false));
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_NE(text.find("summary:"), std::string::npos) << text;
}

TEST(TerminalFindings, WhyIsWrappedButEvidenceIsLeftWhole) {
    rules::Finding f = finding("double-close", 4711, kT0, "fd 3 closed twice");
    f.desc =
        "close() of a descriptor that is already closed fails with EBADF, or worse, closes a "
        "descriptor another thread has just been given for something else";
    const std::string evidence =
        "close = 0 (/a/very/long/path/that/goes/on/and/on/past/any/terminal/width/at/all.txt)";
    f.evidence = {evidence_item(rules::EvidenceItem::Kind::Earlier, 4711, 3, evidence)};
    const std::string text =
        text_of([&](TextFindingsWriter& w) { w.on_finding(f); }, terminal(false, 50));
    EXPECT_NE(text.find("sctrace:   why: close() of a descriptor that is\n"
                        "sctrace:        already closed fails with EBADF,\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("all.txt)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("/a/very/long/path/that/goes/on/and/on/past/any/terminal/width/at/"),
              std::string::npos)
        << text;
    // Piped: one line, as before.
    const std::string piped = text_of([&](TextFindingsWriter& w) { w.on_finding(f); });
    EXPECT_NE(piped.find("sctrace:   why: " + f.desc + "\n"), std::string::npos) << piped;
}

TEST(TerminalFindings, ARuleFiringThousandsOfTimesShowsAFewThenCounts) {
    const std::size_t repeats = 2000;
    std::string jsonl_lines;
    const std::string text = text_of(
        [&](TextFindingsWriter& w) {
            for (std::size_t i = 0; i < repeats; ++i) {
                // Each message differs (another fd): the identical-message
                // cap alone would show them all.
                w.on_finding(finding("double-close", 4711 + static_cast<pid_t>(i % 12),
                                     kT0 + static_cast<Nanos>(i) * 1000,
                                     "fd " + std::to_string(i) + " closed twice"));
            }
            w.on_finding(finding("close-while-blocked", 99, kT0 + 5'000'000'000, "other rule"));
            w.on_end();
        },
        terminal(false));
    EXPECT_EQ(count(text, "error [double-close]"), 5u) << text.substr(0, 3000);
    EXPECT_EQ(count(text, "error [close-while-blocked]"), 1u) << text;
    EXPECT_EQ(count(text, "more double-close findings are counted in the summary"), 1u) << text;
    EXPECT_NE(text.find("sctrace: ... and 1,995 more double-close findings not shown above "
                        "(--findings FILE keeps every one)\n"),
              std::string::npos)
        << text;
    EXPECT_LT(text.size(), 4000u) << "the terminal is not drowned";
}

TEST(TerminalFindings, TheRunEndsWithATableBySeverityThenCount) {
    const std::string text = text_of(
        [&](TextFindingsWriter& w) {
            rules::Finding info = finding("fd-leak", 10, kT0 + 3'000'000'000, "i");
            info.severity = rules::Severity::Info;
            for (int i = 0; i < 3; ++i) w.on_finding(info);
            w.on_finding(finding("double-close", 4711, kT0 + 2'000'000'000, "a"));
            w.on_finding(finding("double-close", 4712, kT0 + 1'000'000'000, "b"));
            rules::Finding crit = finding("use-after-close", 7, kT0 + 4'000'000'000, "c");
            crit.severity = rules::Severity::Critical;
            w.on_finding(crit);
            for (pid_t pid = 100; pid < 111; ++pid) {
                w.on_finding(finding("close-while-blocked", pid, kT0 + 5'000'000'000, "d"));
            }
            w.on_end();
        },
        terminal(false));
    const std::size_t at = text.find("sctrace: summary:\n");
    ASSERT_NE(at, std::string::npos) << text;
    const std::string table = text.substr(at);
    const std::string first = ClockFace().with_micros(kT0 + 1'000'000'000);
    EXPECT_EQ(table,
              "sctrace: summary:\n"
              "sctrace:   rule                 severity  count  first seen       processes\n"
              "sctrace:   use-after-close      critical      1  " +
                  ClockFace().with_micros(kT0 + 4'000'000'000) +
                  "  7\n"
                  "sctrace:   close-while-blocked  error        11  " +
                  ClockFace().with_micros(kT0 + 5'000'000'000) +
                  "  100 101 102 103 104 105 106 107 and 3 more\n"
                  "sctrace:   double-close         error         2  " +
                  first +
                  "  4711 4712\n"
                  "sctrace:   fd-leak              info          3  " +
                  ClockFace().with_micros(kT0 + 3'000'000'000) + "  10\n")
        << text;
    // No "summary: RULE ..." lines as well: the table replaces them.
    EXPECT_EQ(count(text, "summary:"), 1u) << text;
}

TEST(TerminalFindings, ATimelessLogsTableSaysNoTime) {
    const std::string text = text_of(
        [&](TextFindingsWriter& w) {
            w.on_finding(finding("double-close", 10, 3, "x"));
            w.on_end();
        },
        terminal(false));
    EXPECT_NE(text.find("sctrace:   double-close  error         1  -           10\n"),
              std::string::npos)
        << text;
}

TEST(TerminalFindings, ColouredTableCellsStillLineUp) {
    const std::string text = text_of(
        [&](TextFindingsWriter& w) {
            w.on_finding(finding("double-close", 10, kT0, "x"));
            w.on_end();
        },
        terminal(true));
    EXPECT_NE(text.find("\x1b[31merror\x1b[0m   "), std::string::npos) << text;
}

TEST(TerminalFindings, WrappedTraceeTextCannotForgeAFinding) {
    const std::string forged = "sctrace: critical [forged-finding] pid 1 (init)";
    rules::Finding f = finding("double-close", 4711, kT0, "fd 3 (/tmp/f " + forged + ") closed");
    const std::string text =
        text_of([&](TextFindingsWriter& w) { w.on_finding(f); }, terminal(true, 40));
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        EXPECT_EQ(line.rfind("sctrace: ", 0), 0u) << line;
        EXPECT_NE(line.rfind("sctrace: critical", 0), 0u) << line;
        start = end + 1;
    }
}

}  // namespace
}  // namespace sctrace
