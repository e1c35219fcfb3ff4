// GitHub Actions' annotations and job summary (report/github_writer.h), and
// where a finding points (report/source_location.h).
#include "report/github_writer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "report/source_location.h"

namespace sctrace {
namespace {

constexpr Nanos kTime = 1'796'600'000'000'000'000;

StackFrame frame(std::string module, std::string function, std::string file, int line) {
    StackFrame f;
    f.module = std::move(module);
    f.function = std::move(function);
    f.file = std::move(file);
    f.line = line;
    return f;
}

rules::Finding finding(const std::string& rule, rules::Severity severity, Nanos time = kTime) {
    rules::Finding f;
    f.rule = rule;
    f.severity = severity;
    f.pid = 4711;
    f.tid = 4711;
    f.time = time;
    f.exe = "/src/project/build/server";
    f.message = "close(5) failed with EBADF: fd 5 was closed before";
    f.doc = "docs/rules/" + rule + ".md";
    return f;
}

// A stack through libc into the project's own code.
void with_stack(rules::Finding& f) {
    ThreadStack s;
    s.tid = f.tid;
    s.frames = {frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "__close",
                      "/build/glibc/sysdeps/unix/sysv/linux/close.c", 27),
                frame("/src/project/build/server", "teardown", "/src/project/src/net.c", 42),
                frame("/src/project/build/server", "main", "/src/project/src/main.c", 7)};
    f.stacks = {s};
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(SourceLocation, TheUsersCodeNeverTheSystemLibraries) {
    rules::Finding f = finding("double-close", rules::Severity::Error);
    with_stack(f);
    const StackFrame* at = user_code_frame(f, "/src/project");
    ASSERT_NE(at, nullptr);
    EXPECT_EQ(at->file, "/src/project/src/net.c");
    EXPECT_EQ(project_path(at->file, "/src/project"), "src/net.c");

    // Outside the project, the first frame outside the system's libraries.
    at = user_code_frame(f, "/elsewhere");
    ASSERT_NE(at, nullptr);
    EXPECT_EQ(at->function, "teardown");

    // Only libc has a source line: nowhere.
    f.stacks[0].frames.resize(1);
    f.stacks[0].frames.push_back(frame("/src/project/build/server", "main", "", 0));
    EXPECT_EQ(user_code_frame(f, "/src/project"), nullptr);

    EXPECT_TRUE(is_system_module("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
    EXPECT_TRUE(is_system_module("/usr/lib/jvm/java-17/lib/server/libjvm.so"));
    EXPECT_TRUE(is_system_module("[vdso]"));
    EXPECT_TRUE(is_system_module(""));
    EXPECT_FALSE(is_system_module("/home/ci/project/build/server"));
    EXPECT_FALSE(is_system_module("/usr/local/lib/libproject.so"));
}

TEST(GithubWriter, AnAnnotationPointsAtTheUsersLineWithEveryFieldEscaped) {
    GithubWriter writer("/src/project/");
    rules::Finding f = finding("double-close", rules::Severity::Error);
    f.message = "100% bad: a,b\nsecond line";
    with_stack(f);
    writer.on_finding(f);
    const auto lines = lines_of(writer.annotations());
    ASSERT_EQ(lines.size(), 1u) << writer.annotations();
    EXPECT_EQ(
        lines[0].rfind("::error file=src/net.c,line=42,title=sctrace%3A double-close "
                       "(error)::100%25 bad: a,b\\nsecond line%0Apid 4711 "
                       "(/src/project/build/server) tid 4711%0Asee docs/rules/double-close.md",
                       0),
        0u)
        << lines[0];
}

TEST(GithubWriter, WithoutASourceLineAnAnnotationNamesNoFile) {
    GithubWriter writer("/src/project");
    writer.on_finding(finding("socket-leak-after-failed-connect", rules::Severity::Warning));
    const std::string out = writer.annotations();
    EXPECT_EQ(
        out.rfind("::warning title=sctrace%3A socket-leak-after-failed-connect (warning)::", 0), 0u)
        << out;
}

TEST(GithubWriter, TenOfAKindAtMostTheMostSevereAndLocatedFirstAndTheTenthCountsTheRest) {
    GithubWriter writer("/src/project");
    // 14 error places, one of them critical, one with a source line; and
    // one finding repeated at one place.
    for (int i = 0; i < 13; ++i) {
        rules::Finding f = finding("rule-" + std::to_string(i), rules::Severity::Error, kTime + i);
        writer.on_finding(f);
    }
    rules::Finding located = finding("located", rules::Severity::Error, kTime + 100);
    with_stack(located);
    writer.on_finding(located);
    writer.on_finding(finding("worst", rules::Severity::Critical, kTime + 200));
    for (int i = 0; i < 3; ++i) writer.on_finding(finding("rule-12", rules::Severity::Error));
    writer.on_finding(finding("a-warning", rules::Severity::Warning));

    const auto lines = lines_of(writer.annotations());
    std::vector<std::string> errors, warnings;
    for (const auto& l : lines) (l.starts_with("::error") ? errors : warnings).push_back(l);
    ASSERT_EQ(errors.size(), GithubWriter::kPerKind) << writer.annotations();
    EXPECT_NE(errors[0].find("worst (critical)"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find("file=src/net.c,line=42"), std::string::npos) << errors[1];
    EXPECT_NE(errors[2].find("rule-0 (error)"), std::string::npos) << errors[2];
    // 15 places: 9 shown, the rest (6 places, one of them 4 findings) counted.
    EXPECT_NE(errors[9].find("title=sctrace%3A more findings::9 more finding(s) at this level"),
              std::string::npos)
        << errors[9];
    ASSERT_EQ(warnings.size(), 1u);
}

TEST(GithubWriter, TheSummaryHasATableOfRulesAndEachRulesFirstFinding) {
    GithubWriter writer("/src/project");
    rules::Finding f = finding("double-close", rules::Severity::Error);
    with_stack(f);
    writer.on_finding(f);
    rules::Finding g = finding("double-close", rules::Severity::Error, kTime + 5);
    g.pid = 4712;
    writer.on_finding(g);
    rules::Finding w = finding("concurrent-socket-writes", rules::Severity::Warning);
    w.message = "two | writers <script>";
    writer.on_finding(w);
    RunSummary run;
    run.command = {"ctest", "-R", "flaky"};
    run.exit_status = 1;
    const std::string md = writer.markdown(run);
    EXPECT_EQ(
        md.rfind("### sctrace: 3 findings (2 error, 1 warning)\n\n`ctest -R flaky` exited with "
                 "status 1.\n\n",
                 0),
        0u)
        << md;
    EXPECT_NE(md.find("| `double-close` | error | 2 | "), std::string::npos) << md;
    EXPECT_NE(md.find(" | `src/net.c:42` | 4711, 4712 |\n"), std::string::npos) << md;
    // Rows by severity: the error first.
    EXPECT_LT(md.find("| `double-close`"), md.find("| `concurrent-socket-writes`")) << md;
    // Text from the trace cannot break the table or inject HTML; a newline
    // in it is shown escaped, never as a line of its own.
    EXPECT_NE(md.find("two \\| writers &lt;script&gt;"), std::string::npos) << md;
    // Raw only inside a code block, where Markdown shows it as text.
    EXPECT_EQ(md.find("<script>"), md.find("two | writers <script>", md.find("```text")) + 14)
        << md;
    EXPECT_NE(md.find("   > "), std::string::npos) << "the first finding's stack\n" << md;
}

TEST(GithubWriter, TheSummaryListsTheFirstProcessesAndCountsTheRest) {
    GithubWriter writer("/src/project");
    for (pid_t pid = 100; pid < 112; ++pid) {
        rules::Finding f = finding("double-close", rules::Severity::Error);
        f.pid = pid;
        writer.on_finding(f);
        writer.on_finding(f);  // the same process again is not another one
    }
    RunSummary run;
    const std::string md = writer.markdown(run);
    EXPECT_NE(md.find("| error | 24 | "), std::string::npos) << md;
    EXPECT_NE(md.find(" | 100, 101, 102, 103, 104, 105, 106, 107 and 4 more |\n"),
              std::string::npos)
        << md;
}

TEST(GithubWriter, ASummaryWithNoFindingsSaysSo) {
    GithubWriter writer("/src/project");
    RunSummary run;
    run.command = {"make", "check"};
    run.exit_status = 0;
    EXPECT_EQ(writer.markdown(run),
              "### sctrace: no findings\n\n`make check` exited with status 0.\n\n");
    EXPECT_EQ(writer.annotations(), "");
}

TEST(GithubWriter, ACodeBlockCannotBeClosedByTheTextInIt) {
    EXPECT_EQ(markdown_code_block("a```b"), "```text\na'''b\n```\n");
}

}  // namespace
}  // namespace sctrace
