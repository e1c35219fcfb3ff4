// GitLab Code Quality reports (report/codequality_writer.h).
#include "report/codequality_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace sctrace {
namespace {

rules::Finding finding(pid_t pid, Nanos time, int line) {
    rules::Finding f;
    f.rule = "double-close";
    f.severity = rules::Severity::Error;
    f.pid = f.tid = pid;
    f.time = time;
    f.exe = "/ci/project/build/server";
    f.message = "close(5) failed with EBADF";
    f.doc = "docs/rules/double-close.md";
    if (line > 0) {
        ThreadStack s;
        s.tid = pid;
        StackFrame libc;
        libc.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        libc.file = "/build/glibc/close.c";
        libc.line = 27;
        StackFrame own;
        own.module = "/ci/project/build/server";
        own.function = "teardown";
        own.file = "/ci/project/src/net.c";
        own.line = line;
        s.frames = {libc, own};
        f.stacks = {s};
    }
    return f;
}

TEST(CodeQualityWriter, AFindingIsAnIssueAtTheUsersLineWithAFingerprintThatOutlivesTheRun) {
    CodeQualityWriter first("/ci/project/");
    first.on_finding(finding(100, 1, 42));
    first.on_finding(finding(101, 2, 42));  // the same place again
    first.on_finding(finding(102, 3, 77));
    const auto report = nlohmann::json::parse(first.render());
    ASSERT_EQ(report.size(), 2u) << report.dump(2);
    const auto& issue = report[0];
    for (const char* key : {"description", "check_name", "fingerprint", "severity", "location"}) {
        EXPECT_TRUE(issue.contains(key)) << key;  // what GitLab requires
    }
    EXPECT_EQ(issue["check_name"], "double-close");
    EXPECT_EQ(issue["severity"], "major");
    EXPECT_EQ(issue["location"]["path"], "src/net.c");
    EXPECT_EQ(issue["location"]["lines"]["begin"], 42);
    EXPECT_EQ(issue["description"], "close(5) failed with EBADF (found 2 times here)");
    EXPECT_NE(report[0]["fingerprint"], report[1]["fingerprint"]);

    // Another run, other pids and times: the same fingerprint.
    CodeQualityWriter next("/ci/project");
    next.on_finding(finding(9000, 99, 42));
    EXPECT_EQ(nlohmann::json::parse(next.render())[0]["fingerprint"], issue["fingerprint"]);
}

TEST(CodeQualityWriter, WithoutASourceLineTheIssueIsOnTheExecutable) {
    CodeQualityWriter writer("/ci/project");
    rules::Finding f = finding(100, 1, 0);
    f.severity = rules::Severity::Warning;
    writer.on_finding(f);
    const auto report = nlohmann::json::parse(writer.render());
    EXPECT_EQ(report[0]["location"]["path"], "build/server");
    EXPECT_EQ(report[0]["location"]["lines"]["begin"], 1);
    EXPECT_EQ(report[0]["severity"], "minor");
}

TEST(CodeQualityWriter, NoFindingsIsAnEmptyArray) {
    EXPECT_EQ(CodeQualityWriter("/ci/project").render(), "[]\n");
    EXPECT_STREQ(codequality_severity(rules::Severity::Critical), "critical");
    EXPECT_STREQ(codequality_severity(rules::Severity::Info), "info");
}

}  // namespace
}  // namespace sctrace
