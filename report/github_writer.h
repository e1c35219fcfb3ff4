// Findings where GitHub Actions shows them:
//
//   - workflow-command annotations (--annotations FILE), printed by the
//     composite action (action.yml) to the step's output, where the runner
//     turns each into an annotation on the run and, when it names a file of
//     the repository, on that line of the pull request's diff:
//       ::error file=src/net.c,line=42,title=sctrace%3A double-close (error)::close(5) failed ...
//     GitHub shows at most 10 of each kind (error, warning, notice) per step,
//     so findings are ranked (severity, then those with a source line, then
//     the earliest) and the 10th of a kind says how many more there were;
//   - a Markdown job summary (appended to $GITHUB_STEP_SUMMARY when set, or
//     --markdown-summary FILE): a table of rules with counts, first seen and
//     where, and each rule's first finding in full.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "report/findings_tally.h"
#include "report/run_summary.h"

namespace sctrace {

class GithubWriter final : public rules::FindingSink {
public:
    // `source_root`: the checkout ($GITHUB_WORKSPACE): files under it are
    // named relative to it, as the repository does.
    explicit GithubWriter(std::string source_root);

    void on_finding(const rules::Finding& finding) override;

    // The workflow commands, one per line.
    std::string annotations() const;
    // The Markdown summary of the run.
    std::string markdown(const RunSummary& run) const;

    // GitHub's per-step limit for each kind of annotation.
    static constexpr std::size_t kPerKind = 10;

private:
    struct Kept {
        rules::Finding finding;  // the first of its rule at its place
        std::string file;        // where it points (project path), or ""
        int line = 0;
        std::uint64_t count = 0;  // findings of this rule at this place
    };
    // What the table shows of a rule beyond its tally.
    struct RuleFirst {
        std::string place;           // "src/net.c:42" of its first finding, else ""
        std::size_t kept_index = 0;  // its first finding in kept_
    };

    std::string annotation(const Kept& k, const char* kind) const;

    std::string root_;
    std::vector<Kept> kept_;                       // bounded: kMaxKept places
    std::map<std::string, std::size_t> by_place_;  // rule + place -> kept_ index
    FindingsTally tally_;
    std::map<std::string, RuleFirst> firsts_;  // by rule id
    std::uint64_t dropped_ = 0;                // places past the bound
    static constexpr std::size_t kMaxKept = 1000;
};

// `text` as a fenced Markdown code block ("```text" ... "```"), any fence
// inside it broken so it cannot end the block early.
std::string markdown_code_block(std::string text);

// A workflow command's message and property values, escaped as the runner
// reads them: % CR LF always, and in properties : and , too.
std::string github_escape_data(std::string_view text);
std::string github_escape_property(std::string_view text);

}  // namespace sctrace
