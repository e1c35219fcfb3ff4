#include "cli/analyze.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "cli/command_line.h"
#include "cli/progress_line.h"
#include "cli/rule_pipeline.h"
#include "model/syscall_table.h"
#include "sources/logs/saved_logs.h"

namespace sctrace {

namespace {

constexpr int kUnusable = 2;
// Findings at or above --fail-on.
constexpr int kFindingsFailure = 1;
// An output (-o, --findings, a report, the findings on stderr) failed and
// lost what it should have held; as `run` says it (docs/cli.md).
constexpr int kOutputLost = 122;

// Events go to the event stream and the reports, then to the rule engine.
// When the log ends, processes with no exit line are left as they were last
// seen, and the watch rules judge that final picture
// (futex-deadlock-suspected: every thread in an unfinished futex wait), as a
// log cut off in a hang asks.
class LogEnd final : public EventSink {
public:
    LogEnd(std::vector<EventSink*> sinks, rules::RuleEngine* engine, const logs::SavedLogs& logs)
        : sinks_(std::move(sinks)), engine_(engine), logs_(logs) {}

    void on_event(const Event& e) override {
        last_time_ = std::max(last_time_, e.time);
        note_ring_traffic(e);
        for (EventSink* s : sinks_) s->on_event(e);
    }
    void on_end() override {
        if (engine_ && ring_work_unseen_ && !ring_events_) {
            // strace never reads the rings: an fd a ring closed is open
            // for the rules, and their silence about it means nothing.
            std::fprintf(stderr,
                         "sctrace analyze: note: io_uring_enter submitted work to a ring, and "
                         "the log does not show the work (strace never reads the rings): "
                         "descriptors opened, closed or used through a ring were not seen by "
                         "the rules; a live run, or its event log (-o FILE --format jsonl), "
                         "shows them\n");
        }
        if (engine_) {
            // Logs without times have line numbers for times: the samples
            // say "unknown" by time 0 (evt.held_for), not a made-up "0ms".
            const Nanos end = logs_.times_known() ? last_time_ : 0;
            for (const Event& sample : engine_->state().end_of_trace_samples(end)) {
                engine_->on_event(sample);
            }
        }
        for (EventSink* s : sinks_) s->on_end();
    }

private:
    // An io_uring_enter that consumed submissions, in a log with no ring
    // events of its own (strace's): the rules missed what the ring did.
    void note_ring_traffic(const Event& e) {
        if (e.kind == EventKind::IoUringSubmit || e.kind == EventKind::IoUringComplete) {
            ring_events_ = true;
            return;
        }
        const SyscallEvent* call = e.syscall();
        if (ring_work_unseen_ || e.kind != EventKind::SyscallExit || !call) return;
        ring_work_unseen_ = call->has_result && call->err == 0 && call->ret > 0 &&
                            syscall_traits(*call).kind == SyscallKind::IoUringEnter;
    }

    std::vector<EventSink*> sinks_;
    rules::RuleEngine* engine_;  // null: no rules, no state to end
    bool ring_events_ = false;
    bool ring_work_unseen_ = false;
    const logs::SavedLogs& logs_;
    Nanos last_time_ = 0;
};

// Progress on the progress line; the lines that could not be read on
// stderr, as "sctrace analyze: FILE:LINE: reason".
class StderrObserver final : public logs::ReadObserver {
public:
    StderrObserver(ProgressLine& progress, std::function<std::optional<std::size_t>()> findings)
        : progress_(progress), findings_(std::move(findings)) {}
    bool due() override { return progress_.due(); }
    void show(std::size_t bytes_read, std::size_t lines_read) override {
        progress_.draw(bytes_read, lines_read, findings_());
    }
    void problem(const strace_text::LogProblem& p) override {
        progress_.clear();
        std::fprintf(stderr, "sctrace analyze: %s:%zu: %s\n", p.file.c_str(), p.line,
                     p.message.c_str());
    }
    // Before the end-of-log checks, which may print findings.
    void end_of_input() override { progress_.clear(); }

private:
    ProgressLine& progress_;
    std::function<std::optional<std::size_t>()> findings_;
};

// Says once, on stderr, which rules the inputs cannot support and why.
void report_limited_rules(const rules::RuleEngine& engine, bool ff_set) {
    const auto names = [&](rules::SourceLimit limit) {
        std::string out;
        for (const auto& [rule, why] : engine.limited_rules()) {
            if (why == limit) out += (out.empty() ? "" : ", ") + rule->id;
        }
        return out;
    };
    const std::string what = ff_set ? "the -ff set" : "the log";
    if (const std::string ids = names(rules::SourceLimit::NoThreadOrder); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has no times: rules that compare threads were not "
                     "judged: %s (its files are read one after another, so the order of calls "
                     "in different threads is unknown; record with -ff -ttt -T)\n",
                     what.c_str(), ids.c_str());
    }
    if (const std::string ids = names(rules::SourceLimit::NoTimes); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has no times: rules that measure time were not judged: "
                     "%s (record with -tt, -ttt or -r)\n",
                     what.c_str(), ids.c_str());
    }
    if (const std::string ids = names(rules::SourceLimit::InexactOverlap); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has times but no -T durations, so whether calls of "
                     "different threads overlapped is only possible, not certain: findings of "
                     "these rules are reported at info, as possible: %s (record with -T)\n",
                     what.c_str(), ids.c_str());
    }
}

}  // namespace

AnalyzeCommand::AnalyzeCommand(CLI::App& sctrace)
    : Command(sctrace.add_subcommand(
          "analyze", "The same findings, from saved strace logs or sctrace event logs")) {
    // Unknown options are left for execute() to name (see command_line.h).
    app_->allow_extras();
    options_.rules.rules.fail_on = "warning";
    app_->add_option("FILE", options_.inputs,
                     "strace logs (any flag mix, gzip ok), -ff sets (by prefix or files), "
                     "sctrace JSONL event logs; '-' reads standard input")
        ->required();
    add_event_stream_options(*app_, options_.stream);
    add_rule_options(*app_, options_.rules,
                     "Exit 1 when a finding at or above SEVERITY was raised (default warning)");
    add_report_options(*app_, options_.reports);
    app_->add_option("--jobs", options_.jobs,
                     "Threads to use: 1 (the default) reads, parses and judges on one; 2 or "
                     "more parse the lines on a second thread")
        ->check(CLI::PositiveNumber);
}

int AnalyzeCommand::execute() {
    if (const auto unknown = unknown_option(app_->remaining())) {
        report_unknown_option("sctrace analyze", *unknown);
        return kUnusable;
    }
    // An output whose reader went away (-o >(head)) costs a write error,
    // said once, not the analysis; analyze starts no command that could
    // inherit the disposition.
    std::signal(SIGPIPE, SIG_IGN);
    SyscallSet display;
    try {
        display = syscalls_selected(options_.stream.trace_expressions);
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
        return kUnusable;
    }
    std::optional<rules::Severity> fail_on;
    if (!resolve_rule_options(options_.rules, "sctrace analyze", fail_on)) return kUnusable;
    if (!fail_on) {  // --fail-on '': analyze always judges at some level
        std::fprintf(stderr,
                     "sctrace analyze: --fail-on: not one of info, warning, error, critical\n");
        return kUnusable;
    }
    std::unique_ptr<logs::SavedLogs> inputs;
    try {
        inputs = std::make_unique<logs::SavedLogs>(options_.inputs);
    } catch (const logs::UnusableInput& e) {
        std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
        return kUnusable;
    }
    // What the inputs can vouch for decides which rules can be judged on
    // them (docs/cli.md, "What a log can show").
    const logs::LogGuarantees& vouched = inputs->guarantees();
    options_.rules.rules.engine.source = {vouched.times, vouched.thread_order,
                                          vouched.exact_overlap};
    // The event stream, with -o only: times where the inputs have them.
    auto events = EventOutput::open(options_.stream, display, false, "sctrace analyze",
                                    {vouched.times, inputs->durations()});
    if (!events) return kUnusable;
    ReportPaths report_paths = options_.reports;
    report_paths.step_summary = github_step_summary();
    auto reports = ReportOutputs::open(report_paths, *fail_on, "sctrace analyze");
    if (!reports) return kUnusable;
    auto pipeline = RulePipeline::create(options_.rules.rules, reports->finding_sinks());
    if (!pipeline) return kUnusable;
    return analyze(*inputs, *events, *reports, *pipeline, *fail_on);
}

int AnalyzeCommand::analyze(logs::SavedLogs& inputs, EventOutput& events, ReportOutputs& reports,
                            RulePipeline& pipeline, rules::Severity fail_on) {
    const Nanos start = now_realtime();
    std::vector<EventSink*> sinks;
    if (EventWriter* writer = events.writer()) sinks.push_back(writer);
    if (EventSink* trace = reports.event_sink()) sinks.push_back(trace);
    // With no rules there is nothing to track state for.
    if (!pipeline.empty()) sinks.push_back(&pipeline.sink());
    LogEnd sink(std::move(sinks), pipeline.empty() ? nullptr : &pipeline.engine(), inputs);
    if (!pipeline.empty()) report_limited_rules(pipeline.engine(), inputs.ff_set());
    if (inputs.ff_set() && !inputs.mergeable() && pipeline.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: warning: the -ff set has no -t/-tt/-ttt times, so its "
                     "files are read one after another: what threads did at the same time "
                     "cannot be seen (record with -ff -ttt -T)\n");
    }

    ProgressLine progress(::isatty(STDERR_FILENO) == 1, inputs.total_bytes());
    const auto findings = [&]() -> std::optional<std::size_t> {
        if (pipeline.empty()) return std::nullopt;
        return pipeline.finding_count();
    };
    // Findings printed while the progress line is up go above it. Unhooked
    // before `progress` is gone.
    struct ProgressHook {
        TextFindingsWriter& text;
        ~ProgressHook() { text.set_around_write({}, {}); }
    } hook{pipeline.text_writer()};
    hook.text.set_around_write([&] { progress.hide(); }, [&] { progress.show(findings()); });
    StderrObserver observer(progress, findings);
    std::size_t unparsed = 0;
    try {
        logs::SavedLogs::ReadOptions read_options;
        read_options.jobs = options_.jobs;
        unparsed = inputs.read(sink, observer, read_options);
    } catch (const logs::UnusableInput& e) {
        progress.clear();
        std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
        return kUnusable;
    }
    progress.clear();
    if (unparsed > 0) {
        std::fprintf(stderr, "sctrace analyze: %zu line(s) could not be parsed and were skipped\n",
                     unparsed);
    }
    if (!pipeline.empty()) report_ring_coverage(pipeline.engine(), "sctrace analyze");
    RunSummary summary;
    summary.inputs = options_.inputs;
    summary.start_time = start;
    summary.duration = now_realtime() - start;
    bool lost = !reports.finish(summary, pipeline.rule_set());
    pipeline.close_outputs();
    lost = pipeline.output_lost() || lost;
    if (EventWriter* writer = events.writer()) writer->on_end();
    lost = events.close() || lost;
    if (lost) {
        std::fprintf(stderr, "sctrace analyze: an output was lost (see above); exit status %d\n",
                     kOutputLost);
        return kOutputLost;
    }
    return pipeline.failed(fail_on) ? kFindingsFailure : 0;
}

}  // namespace sctrace
