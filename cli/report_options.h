// The CI reporters shared by `run` and `analyze`: --sarif, --junit and
// --trace-json (docs/ci.md). One place adds the options, creates the files
// before anything is traced, hands out the sinks and writes the files when the
// run is over.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "report/codequality_writer.h"
#include "report/github_writer.h"
#include "report/junit_writer.h"
#include "report/output_stream.h"
#include "report/run_summary.h"
#include "report/sarif_writer.h"
#include "report/trace_json_writer.h"

namespace sctrace {

struct ReportPaths {
    std::string sarif;        // --sarif
    std::string junit;        // --junit
    std::string trace_json;   // --trace-json
    std::string annotations;  // --annotations: GitHub workflow commands
    std::string codequality;  // --codequality: GitLab Code Quality
    std::string markdown;     // --markdown-summary
    // A Markdown summary appended to this file when the run is over:
    // $GITHUB_STEP_SUMMARY (github_step_summary()), unless the caller
    // writes one of its own (--repeat).
    std::string step_summary;
    // Render the Markdown summary (markdown()) even with no file to write
    // it to: --repeat writes the job's summary itself.
    bool markdown_wanted = false;
};

// $GITHUB_STEP_SUMMARY when GitHub Actions set it, else "".
std::string github_step_summary();

// Adds --sarif FILE, --junit FILE, --trace-json FILE, --annotations FILE and
// --markdown-summary FILE to `app`, shown as the group "Reports".
void add_report_options(CLI::App& app, ReportPaths& paths);

class ReportOutputs {
public:
    // Creates (truncates) every named file now, so that a path that cannot be
    // written stops sctrace before it runs or reads anything: prints
    // "PROGRAM: --junit PATH: reason" and returns nullptr. `fail_on` is the
    // --fail-on level: JUnit fails a rule's test case for findings at or
    // above it (warning when not given, like analyze's default).
    static std::unique_ptr<ReportOutputs> open(const ReportPaths& paths,
                                               std::optional<rules::Severity> fail_on,
                                               std::string_view program);

    // For the rule engine (RulePipeline): empty when no reporter was asked for.
    std::vector<rules::FindingSink*> finding_sinks();
    // For the event stream (--trace-json), or nullptr.
    EventSink* event_sink() { return trace_.get(); }
    // The run's Markdown summary, once finish() has rendered it ("" when no
    // summary was asked for).
    const std::string& markdown() const { return markdown_; }
    // The JUnit writer, with the run's findings, once finish() has written
    // its file (nullptr without --junit): --repeat renders the whole.
    std::unique_ptr<JunitWriter> take_junit() { return std::move(junit_); }

    // Writes the SARIF and JUnit files and ends the trace. Call once, after
    // the event stream and the rule engine have ended. The rules are taken
    // here, not at open(), because they are loaded after the files are
    // opened. Each failure is said once on stderr ("sctrace: FILE: reason:
    // output lost from here on"); false when a report lost anything.
    bool finish(const RunSummary& run, const rules::RuleSet& rules);

    // Without finish() (sctrace stopped early: rule errors, unusable input),
    // the still-empty SARIF and JUnit files are removed, so that a CI
    // reporter says "no report" rather than "invalid XML"; the trace is
    // closed as valid JSON.
    ~ReportOutputs();
    ReportOutputs(const ReportOutputs&) = delete;
    ReportOutputs& operator=(const ReportOutputs&) = delete;

private:
    ReportOutputs() = default;

    std::string program_;
    ReportPaths paths_;
    UniqueFd sarif_file_;
    UniqueFd junit_file_;
    UniqueFd trace_file_;  // declared before trace_: outlives the writer
    UniqueFd annotations_file_;
    UniqueFd codequality_file_;
    std::unique_ptr<CodeQualityWriter> codequality_;
    UniqueFd markdown_file_;
    std::unique_ptr<GithubWriter> github_;
    std::string markdown_;
    std::unique_ptr<SarifWriter> sarif_;
    std::unique_ptr<JunitWriter> junit_;
    std::unique_ptr<TraceJsonWriter> trace_;
    bool finished_ = false;
    bool lost_ = false;
};

}  // namespace sctrace
