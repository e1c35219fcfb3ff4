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
std::string text_of(Body body) {
    FILE* out = std::tmpfile();
    {
        TextFindingsWriter writer(out);
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

}  // namespace
}  // namespace sctrace
