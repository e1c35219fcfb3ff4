// Findings as JUnit XML (--junit FILE), the report format GitLab, Jenkins and
// GitHub test reporters all read.
//
//   <testsuites ...><testsuite name="sctrace" tests= failures= errors= time= timestamp=>
//     <testcase classname="sctrace.rules" name="double-close">   one per enabled rule,
//       <failure message="..." type="error">...</failure>       so CI lists what was checked
//       <system-out>findings below the threshold</system-out>
//     </testcase>
//     <testcase classname="sctrace.command" name="command: ctest -R flaky">
//       <failure message="exited with status 1" type="exit-status"/>  when non-zero
//     </testcase>
//
// With --repeat (RunSummary::attempts) the command's test case describes
// every run as Maven Surefire describes reruns: a command that failed in
// some runs and passed in others is flaky, a passing test case with one
// <flakyFailure> per failing run; one that failed in every run has a
// <failure> (the first run) and a <rerunFailure> for each other run.
//
// A rule's test case has at most one <failure>, listing every finding at or
// above the threshold in its body: the common JUnit schemas allow one
// failure per test case, and Jenkins and GitLab show only the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "report/run_summary.h"

namespace sctrace {

class JunitWriter final : public rules::FindingSink {
public:
    // Findings at or above `fail_threshold` fail their rule's test case (the
    // CLI passes --fail-on); the others are listed in its <system-out>.
    explicit JunitWriter(rules::Severity fail_threshold) : threshold_(fail_threshold) {}

    void on_finding(const rules::Finding& finding) override { findings_.push_back(finding); }

    // The whole document; written once the run is over, because the command
    // test case needs the exit status.
    std::string render(const std::vector<rules::RuleInfo>& rules, const RunSummary& run) const;

private:
    rules::Severity threshold_;
    std::vector<rules::Finding> findings_;
};

// Text as XML 1.0 character data or attribute value: & < > " ' escaped;
// tab, LF and CR kept (as &#9; &#10; &#13; in attributes, where a parser
// would fold them to spaces); other control characters, bytes that are not
// UTF-8 and the non-characters U+FFFE/U+FFFF, none of which XML 1.0 can
// carry even as references, written as the text "\xNN".
std::string xml_escape(std::string_view text, bool attribute);

}  // namespace sctrace
