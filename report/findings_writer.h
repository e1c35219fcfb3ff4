// Where findings go: readable text on stderr (what, where, why, evidence, doc
// link) and JSON Lines for machines (--findings FILE).
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/event.h"
#include "model/finding.h"
#include "report/findings_tally.h"
#include "report/output_stream.h"
#include "report/terminal_text.h"

namespace sctrace {

// What a finding built on an injected result says of itself (Finding::injected).
std::string injected_note(const rules::Finding& finding);

// A finding as readable text, each line starting with `prefix`: what and
// where, the message, why, evidence, stacks (strace -k's frame shape), the
// doc link. Stderr gets it with "sctrace: "; the JUnit report without.
// `style` colours it and wraps its paragraphs (the message, why, the
// injection note); evidence, stacks and the link stay one line each.
std::string finding_text(const rules::Finding& finding, std::string_view prefix = "",
                         const TextStyle& style = {});

// The table a terminal's findings end with: a row per rule, most severe
// first, then the most frequent, with the count, when it first fired and
// its processes; each line starts with `prefix`.
std::string summary_table(const FindingsTally& tally, std::string_view prefix,
                          const TextStyle& style);

// One line per rule that fired, for the end of a run or an analysis:
// "sctrace: summary: close-while-blocked error ×3, first 12:00:01.213344,
// last 12:00:04.902211, pids 4711 4712". Counts every finding, shown or not.
class FindingsSummary {
public:
    void add(const rules::Finding& finding, bool shown);
    bool empty() const { return tally_.empty(); }
    // The lines, each starting with `prefix` and ending in a newline; none
    // when nothing fired.
    std::string text(std::string_view prefix) const;
    // The table of the same counts (summary_table()), after a line per rule
    // some of whose findings were not shown, saying how many.
    std::string table(std::string_view prefix, const TextStyle& style) const;
    // Findings of `rule` added as not shown.
    std::size_t hidden(const std::string& rule) const {
        const auto it = hidden_.find(rule);
        return it == hidden_.end() ? 0 : it->second;
    }

private:
    FindingsTally tally_;
    std::map<std::string, std::size_t> hidden_;  // rule -> findings not shown on stderr
};

class TextFindingsWriter final : public rules::FindingSink {
public:
    // After this many findings with the same rule and message, stderr shows
    // no more of them; the summary counts them (--findings keeps them all).
    static constexpr std::size_t kShownPerMessage = 3;

    // `name` is what a failure message calls `out`; `style` is how the
    // text looks there (the CLI decides: a terminal or not, --color).
    explicit TextFindingsWriter(FILE* out, std::string name = "stderr", TextStyle style = {})
        : out_(out), status_(-1, std::move(name)), style_(style) {}
    void on_finding(const rules::Finding& finding) override;
    // The summary, after the last finding; nothing when none fired.
    void on_end() override;

    // Called just before and just after a finding's text is written, e.g.
    // to take a status line that shares the terminal (analyze's progress
    // line) off the screen and put it back, so the two never overprint.
    // Empty functions (the default) do nothing.
    void set_around_write(std::function<void()> before, std::function<void()> after) {
        before_ = std::move(before);
        after_ = std::move(after);
    }

    // Whether writing failed (said once; later findings were dropped).
    const OutputStream& output() const { return status_; }

private:
    void write(const std::string& text);

    FILE* out_;
    OutputStream status_;  // only its error: the text goes through out_
    std::function<void()> before_, after_;
    TextStyle style_;
    std::map<std::pair<std::string, std::string>, std::size_t> seen_;  // (rule, message) -> count
    std::map<std::string, std::size_t> shown_of_rule_;  // with a per-rule cap: rule -> shown
    FindingsSummary summary_;
    bool ended_ = false;
};

class JsonlFindingsWriter final : public rules::FindingSink {
public:
    // Writes to `fd` (not owned), which messages call `name`.
    JsonlFindingsWriter(int fd, std::string name) : out_(fd, std::move(name)) {}
    void on_finding(const rules::Finding& finding) override;
    OutputStream& output() { return out_; }
    const OutputStream& output() const { return out_; }

private:
    OutputStream out_;
};

// One event in strace's notation, for evidence: "connect(3, {...}, 16) = 0".
std::string describe_event(const Event& event);

}  // namespace sctrace
