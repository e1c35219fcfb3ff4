// `sctrace --repeat N` and `--until-fail`: a flaky command run again and
// again under trace. Each run writes its own files, named by run number
// (report.xml becomes report.run7.xml); the files of failing runs are kept,
// and those of one passing run for comparison (the last before the first
// failure), the others are removed as soon as a later run passed. At the end the named files get
// the first failing run's contents (or the kept passing run's), so a CI step that reads report.xml
// reads the failure, and the summary says
//
//   sctrace: flaky: failed 2 of 20 runs (runs 7, 15)
//
// docs/ci.md shows it in a CI job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/rules/rule_set.h"
#include "report/junit_writer.h"
#include "report/run_summary.h"

namespace sctrace {

// The files one run writes: every path an option named (empty: not asked).
struct RunFiles {
    std::string output;         // -o
    std::string findings;       // --findings
    std::string sarif;          // --sarif
    std::string junit;          // --junit
    std::string trace_json;     // --trace-json
    std::string annotations;    // --annotations
    std::string codequality;    // --codequality
    std::string markdown;       // --markdown-summary
    std::string flight_prefix;  // --flight-recorder's PREFIX (its files add .jsonl, .strace)
    // The run's events for comparing runs (sctrace diff) when -o writes no
    // log diff can read: a JSONL file in a directory of sctrace's own.
    std::string comparison_log;

    // $GITHUB_STEP_SUMMARY, appended to (one run; --repeat writes its own).
    std::string step_summary;
    // The run's Markdown summary is wanted for the job's (--repeat).
    bool markdown_wanted = false;

    std::vector<std::string*> paths() {
        return {&output,     &findings,    &sarif,       &junit,
                &trace_json, &annotations, &codequality, &markdown};
    }
    std::vector<const std::string*> paths() const {
        return {&output,     &findings,    &sarif,       &junit,
                &trace_json, &annotations, &codequality, &markdown};
    }
};

// `path` for run `run`: ".runN" before the file's extension ("report.xml"
// -> "report.run7.xml", "trace" -> "trace.run7"). A path that names no
// regular file of its own (/dev/null, /dev/stderr, a FIFO) is the same for
// every run: its writes go where they went, and nothing is kept or removed.
std::string run_file_path(const std::string& path, unsigned run);
// Whether `path` is one run_file_path() renames.
bool is_renamed_per_run(const std::string& path);

// The files of `named` for run `run`.
RunFiles files_for_run(const RunFiles& named, unsigned run);

// What one run's JUnit report was made of, for the report of all runs.
struct JunitRun {
    std::unique_ptr<JunitWriter> writer;  // with the run's findings
    std::vector<rules::RuleInfo> rules;
    RunSummary summary;
};

// What the runs so far came to.
class RepeatedRuns {
public:
    // `output_is_log`: -o writes a log `sctrace diff` reads (--format jsonl
    // or strace) to a file of each run's own; else the runs' events for
    // comparing them go to a temporary directory, removed at the end.
    RepeatedRuns(RunFiles named, bool output_is_log);
    ~RepeatedRuns();
    RepeatedRuns(const RepeatedRuns&) = delete;
    RepeatedRuns& operator=(const RepeatedRuns&) = delete;

    // The files of run `run`, comparison_log included.
    RunFiles files(unsigned run) const;

    // Records run `run` (1, 2, ...) that ended with `status` (0: passed).
    // Removes the files no longer kept: a passing run's once a later run
    // passed before any failed, or once a run failed. A note per run goes to
    // stderr.
    // `markdown`: the run's Markdown summary ("" when none was asked for).
    void record(unsigned run, int status, const RunFiles& files,
                const std::vector<std::string>& flight_files, const std::string& markdown,
                JunitRun junit);

    unsigned runs() const { return runs_; }
    const std::vector<unsigned>& failed_runs() const { return failed_; }
    // The first failing run's status, or 0.
    int exit_status() const { return first_failure_status_; }
    // The passing run kept for comparison, or 0.
    unsigned kept_passing() const { return kept_passing_; }

    // Copies the representative run's files (the first failing run's, or
    // the kept passing run's) to the named paths, says the summary on
    // stderr, writes the job's Markdown summary (--markdown-summary,
    // $GITHUB_STEP_SUMMARY): the verdict, the comparisons, the representative
    // run's findings. False when a file could not be written (said).
    bool finish();
    // What differed between the kept passing run and each failing run (the
    // first few), on stderr (sctrace diff's text, each line "sctrace: ").
    void show_differences();

private:
    std::string log_of(unsigned run) const;
    bool write_markdown(const std::string& verdict) const;
    bool write_junit() const;

    RunFiles named_;
    bool output_is_log_;
    std::string own_dir_;  // the comparison logs' directory, when sctrace keeps them
    unsigned runs_ = 0;
    std::vector<unsigned> failed_;
    int first_failure_status_ = 0;
    unsigned kept_passing_ = 0;  // 0: none yet
    // The Markdown summaries of the first failing run and of the kept
    // passing run; the comparisons shown (failing run, sctrace diff's text).
    std::string first_failure_markdown_, kept_passing_markdown_;
    JunitRun first_failure_junit_, kept_passing_junit_;
    std::vector<RunSummary::Attempt> attempts_;
    std::vector<std::pair<unsigned, std::string>> differences_;
    // The first divergences of each comparison, one per line.
    std::vector<std::pair<unsigned, std::string>> headlines_;
};

}  // namespace sctrace
