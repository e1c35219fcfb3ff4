#include "cli/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "base/system_error.h"
#include "base/unique_fd.h"
#include "cli/attach_targets.h"
#include "cli/command_line.h"
#include "cli/rule_pipeline.h"
#include "model/injection.h"
#include "report/flight_recorder.h"
#include "report/timeout_report_writer.h"
#include "sources/live/launcher.h"
#include "sources/live/session.h"
#include "sources/live/watchdog.h"
#include "sources/notify/notify_session.h"

namespace sctrace {

namespace {

constexpr int kStartFailure = 2;
// The command succeeded but a finding met --fail-on (docs/cli.md).
constexpr int kFindingsFailure = 121;
// The command succeeded but an output (-o, --findings, a report, the
// findings on stderr) failed and lost what it should have held.
constexpr int kOutputLost = 122;

// What the tracer stops for and decodes. `outputs_decode`: an output prints
// decoded arguments (strace's format, the Chrome trace).
SessionOptions session_options_for(SyscallSet shown, const RulePipeline& pipeline,
                                   std::chrono::nanoseconds watchdog_interval,
                                   bool outputs_decode) {
    SessionOptions options;
    options.traced = shown;
    options.traced |= pipeline.needed_syscalls();
    // Rules read decoded arguments (socket types, sockaddrs, flags).
    options.decode = outputs_decode || !pipeline.empty();
    // The /proc watchdog runs when a rule reads its samples (the hang rules).
    if (!pipeline.empty() && pipeline.needs_watchdog()) {
        options.watchdog_interval =
            std::max(std::chrono::milliseconds(1),
                     std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_interval));
    }
    return options;
}

// The command's own failure says most; then a lost output, since what was
// lost may be the very findings --fail-on judges; then --fail-on.
int exit_status(int command_status, bool lost, bool findings_failed) {
    if (command_status != 0) return command_status;
    if (lost) {
        std::fprintf(stderr, "sctrace: an output was lost (see above); exit status %d\n",
                     kOutputLost);
        return kOutputLost;
    }
    return findings_failed ? kFindingsFailure : 0;
}

// run's usage names its operands, which CLI11 cannot: they are what is left
// after the options (prefix_command).
class RunFormatter final : public CLI::Formatter {
public:
    std::string make_usage(const CLI::App*, std::string name) const override {
        return "Usage: " + name + " [OPTIONS] [--] COMMAND [ARGS...]\n       " + name +
               " [OPTIONS] -p PID [-p PID ...]\n";
    }
};

}  // namespace

RunCommand::RunCommand(CLI::App& sctrace)
    : Command(sctrace.add_subcommand(
          "run", "Run COMMAND (or attach to -p PID) and trace it: the default command")) {
    // Like strace, the command needs no "--" when it does not start with '-'.
    app_->prefix_command();
    // Unknown options are left for execute() to name (see command_line.h).
    app_->allow_extras();
    app_->formatter(std::make_shared<RunFormatter>());
    app_->footer(
        "Examples:\n"
        "  sctrace -e trace=%net -- curl -s http://127.0.0.1:8080/\n"
        "  sctrace -o events.jsonl --format jsonl -- make check\n"
        "  sctrace -p 4711\n"
        "  sctrace --repeat 50 --until-fail --flight-recorder 200 --junit report.xml -- ./test\n"
        "Exit status: the command's (128+N when killed by signal N); 0 after detaching\n"
        "from -p processes; 2 when sctrace could not start; when the command\n"
        "succeeded: 122 if an output could not be written, else 121 if --fail-on was\n"
        "met; 124 when --timeout expired. With --repeat or --until-fail: the first\n"
        "failing run's, or 0.");
    add_options();
}

void RunCommand::add_options() {
    add_event_stream_options(*app_, options_.stream);
    app_->add_option("-s,--string-limit", options_.string_limit,
                     "Show at most N bytes of strings and buffers (strace's -s)")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{0}, std::size_t{4096}))
        ->capture_default_str();
    app_->add_option("-p,--attach", options_.attach_values,
                     "Attach to every thread of process PID (repeatable)")
        ->type_name("PID")
        ->allow_extra_args(false);
    app_->add_flag("-f", options_.follow_forks, "Follow forks and threads (always on)");
    app_->add_option("--backend", options_.backend,
                     "How calls are seen: ptrace (stops at entry and exit: results, "
                     "signals, every rule), seccomp-notify (no ptrace: entries only, "
                     "where ptrace is refused or taken), or auto (ptrace, else "
                     "seccomp-notify; docs/backends.md)")
        ->check(CLI::IsMember({"ptrace", "seccomp-notify", "auto"}))
        ->capture_default_str();
    app_->add_flag("--no-seccomp", options_.no_seccomp,
                   "Stop at every syscall instead of using the seccomp prefilter");
    app_->add_flag("--every-exit", options_.every_exit,
                   "Stop at the exit of every traced call, also where no rule, state or "
                   "output needs its result");
    add_rule_options(
        *app_, options_.rules,
        "Exit 121 when the command succeeded but a finding at or above SEVERITY was raised");
    app_->add_flag("-k,--stack-trace", options_.rules.rules.engine.stack_every_finding,
                   "Capture the user stack of the thread of every finding")
        ->group("Rules");
    app_->add_option("--timeout", options_.timeout,
                     "After DURATION, report every thread's state and stack, SIGKILL the "
                     "command and exit 124")
        ->type_name("DURATION");
    app_->add_option("--watchdog-interval", options_.watchdog_interval,
                     "How often the watchdog samples every traced thread's /proc state")
        ->type_name("DURATION")
        ->capture_default_str();
    app_->add_option("--inject", options_.injections,
                     "Tamper with calls, in strace's -e inject= syntax: "
                     "SET:error=ERRNO|retval=N[:signal=SIG][:delay_enter=D][:delay_exit=D]"
                     "[:when=FIRST[..LAST][+STEP]] (repeatable; results show (INJECTED))")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group("Fault injection");
    app_->add_option("--fault", options_.faults,
                     "Fail calls, strace's -e fault= syntax: SET[:error=ERRNO][:when=EXPR] "
                     "(ENOSYS by default; repeatable)")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group("Fault injection");
    add_report_options(*app_, options_.reports);
    app_->add_option("--repeat", options_.repeat,
                     "Run the command N times, each under trace; keep the reports of failing "
                     "runs and of one passing run, named by run number (docs/ci.md)")
        ->type_name("N")
        ->check(CLI::Range(1u, 1000000u))
        ->group("Flaky tests");
    app_->add_flag("--until-fail", options_.until_fail,
                   "Stop at the first failing run (exit status, signal, --timeout, or a "
                   "finding at --fail-on); without --repeat, run until one fails")
        ->group("Flaky tests");
    app_->add_option("--flight-recorder", options_.flight_events,
                     "Keep the last N events of every thread in memory; write them (JSONL "
                     "and strace format) at the first finding and when a run fails")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
        ->group("Flaky tests");
    app_->add_option("--flight-recorder-output", options_.flight_prefix,
                     "Where the flight recorder writes: PREFIX.jsonl and PREFIX.strace "
                     "(PREFIX.first-finding.* at a finding; PREFIX.runN.* with --repeat)")
        ->type_name("PREFIX")
        ->capture_default_str()
        ->group("Flaky tests");
}

RunFiles RunCommand::named_files() const {
    RunFiles files;
    files.output = options_.stream.output_path;
    files.findings = options_.rules.rules.findings_path;
    files.sarif = options_.reports.sarif;
    files.junit = options_.reports.junit;
    files.trace_json = options_.reports.trace_json;
    files.annotations = options_.reports.annotations;
    files.codequality = options_.reports.codequality;
    files.markdown = options_.reports.markdown;
    files.step_summary = github_step_summary();
    if (options_.flight_events > 0) files.flight_prefix = options_.flight_prefix;
    return files;
}

int RunCommand::execute() {
    Targets targets;
    std::vector<std::string> rest = app_->remaining();
    if (const auto unknown = unknown_option(rest)) {
        report_unknown_option("sctrace", *unknown);
        return kStartFailure;
    }
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    targets.command = std::move(rest);
    if (auto pids = attach_targets(options_.attach_values, stderr)) {
        targets.attach_pids = std::move(*pids);
    } else {
        return kStartFailure;
    }
    if (targets.command.empty() && targets.attach_pids.empty()) {
        std::fprintf(stderr, "sctrace: give a command to run (sctrace -- CMD) or -p PID\n%s",
                     "Run 'sctrace --help' for more.\n");
        return kStartFailure;
    }
    if (!targets.command.empty() && !targets.attach_pids.empty()) {
        std::fprintf(stderr, "sctrace: -p and a command cannot be combined\n");
        return kStartFailure;
    }
    const bool repeated = options_.repeat > 0 || options_.until_fail;
    if (repeated && !targets.attach_pids.empty()) {
        std::fprintf(stderr,
                     "sctrace: --repeat and --until-fail run a command; -p attaches once\n");
        return kStartFailure;
    }
    try {
        return repeated ? trace_repeatedly(targets) : trace(targets, named_files());
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStartFailure;
    }
}

int RunCommand::trace_repeatedly(const Targets& targets) {
    // Runs are compared (sctrace diff) from their -o logs when -o writes
    // one diff reads, else from logs of sctrace's own.
    const std::string& format = options_.stream.format;
    const bool output_is_log = is_renamed_per_run(options_.stream.output_path) &&
                               (format == "jsonl" || format == "strace");
    RepeatedRuns runs(named_files(), output_is_log);
    for (unsigned run = 1; options_.repeat == 0 || run <= options_.repeat; ++run) {
        const RunFiles files = runs.files(run);
        const int status = trace(targets, files);
        // sctrace could not start the command (a bad option value, a file
        // it cannot write): every run would say the same.
        if (!command_started_) return status;
        runs.record(run, status, files, flight_files_, last_markdown_, std::move(last_junit_));
        if (status != 0 && options_.until_fail) break;
        // Ctrl-C (or a SIGTERM from CI) ends the repetition, as it ends a run.
        if (status == 128 + SIGINT || status == 128 + SIGTERM) {
            std::fprintf(stderr, "sctrace: run %u was interrupted; no more runs\n", run);
            break;
        }
    }
    runs.show_differences();
    const bool copied = runs.finish();
    if (runs.exit_status() != 0) return runs.exit_status();
    return copied ? 0 : kOutputLost;
}

int RunCommand::trace(const Targets& targets, const RunFiles& files) {
    flight_files_.clear();
    last_markdown_.clear();
    last_junit_ = {};
    command_started_ = false;
    // What sctrace's parent left ignored stays ignored, in sctrace and in
    // the command; read before anything below changes a disposition.
    const sigset_t inherited_ignored = ignored_relayed_signals();
    // An output whose reader went away must cost a write error, not
    // sctrace's life (and with it the command's). The Session's signal
    // relay takes SIGPIPE over while the command runs, and the command
    // starts with the disposition it would have had.
    std::signal(SIGPIPE, SIG_IGN);

    // With -o alone everything is shown (as strace does); the --trace-json
    // timeline, like -o, shows every syscall unless -e narrows it.
    const bool want_events =
        !options_.stream.output_path.empty() || !options_.stream.trace_expressions.empty();
    const SyscallSet display = want_events || !options_.reports.trace_json.empty()
                                   ? syscalls_selected(options_.stream.trace_expressions)
                                   : SyscallSet::none();
    EventStreamOptions stream = options_.stream;
    stream.output_path = files.output;
    auto events = EventOutput::open(stream, display, want_events, "sctrace");
    if (!events) return kStartFailure;
    std::optional<rules::Severity> fail_on;
    if (!resolve_rule_options(options_.rules, "sctrace", fail_on)) return kStartFailure;
    std::optional<std::chrono::nanoseconds> timeout;
    if (!options_.timeout.empty()) {
        timeout = duration_option("sctrace", "--timeout", options_.timeout);
        if (!timeout) return kStartFailure;
    }
    const auto watchdog_interval =
        duration_option("sctrace", "--watchdog-interval", options_.watchdog_interval);
    if (!watchdog_interval) return kStartFailure;
    ReportPaths report_paths;
    report_paths.sarif = files.sarif;
    report_paths.junit = files.junit;
    report_paths.trace_json = files.trace_json;
    report_paths.annotations = files.annotations;
    report_paths.codequality = files.codequality;
    report_paths.markdown = files.markdown;
    report_paths.step_summary = files.step_summary;
    report_paths.markdown_wanted = files.markdown_wanted;
    auto reports = ReportOutputs::open(report_paths, fail_on, "sctrace");
    if (!reports) return kStartFailure;
    // --backend auto: ptrace where sctrace may ptrace a child of its own.
    bool with_ptrace = options_.backend != "seccomp-notify";
    if (options_.backend == "auto" && targets.attach_pids.empty()) {
        if (const int refusal = ptrace_refusal(); refusal != 0) {
            std::fprintf(stderr,
                         "sctrace: ptrace is refused here (%s); tracing with --backend "
                         "seccomp-notify instead (each call at its entry, results unknown; "
                         "docs/backends.md)\n",
                         std::strerror(refusal));
            with_ptrace = false;
        }
    }
    RuleOptions rule_options = options_.rules.rules;
    rule_options.findings_path = files.findings;
    // Findings that want stacks (fatal-signal, the hang rules, all with -k)
    // get them from the live tracer, which alone can stop a thread: it takes
    // them at its next safe point, before the thread runs on.
    rule_options.engine.source_takes_stacks = with_ptrace;
    rule_options.entries_only = !with_ptrace;
    if (with_ptrace && !options_.every_exit) {
        // The tracer can ask /proc whether a thread is still in a call, so
        // the engine may let it skip the exits that no rule needs.
        rule_options.engine.still_in_call = [](pid_t pid, pid_t tid, std::int32_t nr,
                                               std::uint64_t arg0) {
            return thread_still_in_call("/proc", pid, tid, nr, arg0);
        };
    }
    // The flight recorder hears every finding (one at --fail-on, else at
    // warning, writes the recording then) and every event, before the rules
    // judge it: the event a finding is about is already in its ring.
    std::unique_ptr<FlightRecorder> recorder;
    std::vector<rules::FindingSink*> finding_sinks = reports->finding_sinks();
    if (!files.flight_prefix.empty()) {
        FlightRecorderOptions recorder_options;
        recorder_options.events_per_thread = options_.flight_events;
        recorder_options.path_prefix = files.flight_prefix;
        recorder_options.finding_threshold = fail_on.value_or(rules::Severity::Warning);
        recorder = std::make_unique<FlightRecorder>(recorder_options);
        finding_sinks.push_back(recorder.get());
    }
    auto pipeline = RulePipeline::create(rule_options, finding_sinks);
    if (!pipeline) return kStartFailure;

    std::vector<Injection> injections;
    try {
        for (const std::string& spec : options_.injections) {
            injections.push_back(parse_injection(spec, InjectionKind::Inject));
        }
        for (const std::string& spec : options_.faults) {
            injections.push_back(parse_injection(spec, InjectionKind::Fault));
        }
    } catch (const InjectionError& e) {
        std::fprintf(stderr, "sctrace: --inject/--fault %s\n", e.what());
        return kStartFailure;
    }

    std::vector<EventSink*> sinks;
    if (EventWriter* writer = events->writer()) sinks.push_back(writer);
    if (EventSink* trace = reports->event_sink()) sinks.push_back(trace);
    if (recorder) sinks.push_back(recorder.get());
    // --repeat's own log of the run, to compare it with others: every call
    // the run stops at, decoded as the report shows them.
    UniqueFd comparison_file;
    std::unique_ptr<EventWriter> comparison_log;
    // What the tracer stops at: what the outputs show, and (below) what the
    // comparison log records.
    SyscallSet stopped = display;
    if (!files.comparison_log.empty()) {
        comparison_file = UniqueFd(
            ::open(files.comparison_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!comparison_file) {
            std::fprintf(stderr, "sctrace: %s: %s\n", files.comparison_log.c_str(),
                         std::strerror(errno));
            return kStartFailure;
        }
        // Every call, as -o records them, unless -e narrows it: two runs are
        // compared call by call, and a wait or a sleep no rule reads may be
        // where they part (a wake-up that came before its wait).
        SyscallSet shown = options_.stream.trace_expressions.empty() ? SyscallSet::all() : display;
        shown |= pipeline->needed_syscalls();
        stopped |= shown;
        comparison_log =
            std::make_unique<JsonlWriter>(comparison_file.get(), shown, files.comparison_log);
        sinks.push_back(comparison_log.get());
    }
    // The outputs that print arguments as strace does need them decoded.
    const bool outputs_decode = (events->writer() && options_.stream.format == "strace") ||
                                !files.trace_json.empty() || recorder != nullptr ||
                                comparison_log != nullptr;
    if (!with_ptrace) {
        return trace_without_ptrace(targets, stopped, outputs_decode, inherited_ignored,
                                    std::move(sinks), *watchdog_interval, fail_on, *events,
                                    *reports, *pipeline, recorder.get());
    }
    if (!pipeline->empty()) sinks.push_back(&pipeline->sink());

    SessionOptions session_options =
        session_options_for(stopped, *pipeline, *watchdog_interval, outputs_decode);
    session_options.use_seccomp = !options_.no_seccomp;
    session_options.skip_unwanted_exits = !options_.every_exit;
    session_options.decode_options.string_limit = options_.string_limit;
    session_options.timeout = timeout;
    TimeoutReportWriter timeout_report(stderr);
    session_options.timeout_report = &timeout_report;
    session_options.inherited_ignored = inherited_ignored;
    // fcntl's F_GETFL stops no default run; one that shows fcntl, or
    // injects into it, sees every call.
    SyscallSet named = stopped;
    for (const Injection& injection : injections) named |= injection.calls;
    session_options.narrowed = pipeline->narrowed_calls(named);
    session_options.injections = std::move(injections);
    Session session(std::move(session_options), std::move(sinks));

    const Nanos start = now_realtime();
    try {
        if (!targets.attach_pids.empty()) {
            for (const pid_t pid : targets.attach_pids) session.attach(pid);
        } else {
            session.launch(targets.command);
        }
    } catch (const SystemError& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        // The kernel or a policy refused to let sctrace ptrace its own child
        // (a container without CAP_SYS_PTRACE, a seccomp profile, an LSM).
        const bool refused = e.error_number() == EPERM || e.error_number() == EACCES;
        if (refused && targets.attach_pids.empty()) {
            std::fprintf(stderr,
                         "sctrace: ptrace is refused here; --backend seccomp-notify (or auto) "
                         "traces without it\n");
        }
        return kStartFailure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStartFailure;
    }
    command_started_ = true;
    const int status = session.run();
    return finish(targets, status, start, fail_on, *events, *reports, *pipeline, recorder.get());
}

int RunCommand::finish(const Targets& targets, int status, Nanos start,
                       std::optional<rules::Severity> fail_on, EventOutput& events,
                       ReportOutputs& reports, RulePipeline& pipeline, FlightRecorder* recorder) {
    if (!pipeline.empty()) report_ring_coverage(pipeline.engine(), "sctrace");
    RunSummary summary;
    summary.command = targets.command;
    summary.attached = targets.attach_pids;
    summary.exit_status = status;
    summary.start_time = start;
    summary.duration = now_realtime() - start;
    bool lost = !reports.finish(summary, pipeline.rule_set());
    last_markdown_ = reports.markdown();
    last_junit_ = {reports.take_junit(), pipeline.rule_set().infos(), summary};
    pipeline.close_outputs();
    lost = pipeline.output_lost() || lost;
    lost = events.close() || lost;
    const bool findings_failed = fail_on && pipeline.failed(*fail_on);
    if (findings_failed) {
        std::fprintf(stderr, "sctrace: findings at or above '%s' (--fail-on)\n",
                     options_.rules.rules.fail_on.c_str());
    }
    const int result = exit_status(status, lost, findings_failed);
    if (recorder) {
        // A failed run's last moments; a passing run writes nothing more.
        if (result != 0) recorder->write_now();
        flight_files_ = recorder->written();
        if (!flight_files_.empty()) {
            std::string list;
            for (const std::string& path : flight_files_) list += (list.empty() ? "" : ", ") + path;
            std::fprintf(stderr, "sctrace: flight recorder: wrote %s\n", list.c_str());
        }
    }
    return result;
}

int RunCommand::trace_without_ptrace(const Targets& targets, const SyscallSet& display, bool decode,
                                     const sigset_t& inherited_ignored,
                                     std::vector<EventSink*> sinks,
                                     std::chrono::nanoseconds watchdog_interval,
                                     std::optional<rules::Severity> fail_on, EventOutput& events,
                                     ReportOutputs& reports, RulePipeline& pipeline,
                                     FlightRecorder* recorder) {
    // What the backend cannot do, said before anything starts.
    const auto refuse = [](const char* what) {
        std::fprintf(stderr, "sctrace: --backend seccomp-notify: %s; use --backend ptrace\n", what);
        return kStartFailure;
    };
    if (!targets.attach_pids.empty()) {
        return refuse("-p cannot install a filter into a running process");
    }
    if (!options_.injections.empty() || !options_.faults.empty()) {
        return refuse("--inject and --fault change results, which this backend never sees");
    }
    if (!options_.timeout.empty()) return refuse("--timeout needs the ptrace backend's stacks");
    if (options_.no_seccomp) return refuse("--no-seccomp is the ptrace backend's");
    if (!pipeline.inactive_rules().empty()) {
        // The rules that judge results, signals or the processes a command
        // starts would judge half a picture here: they are off, and said so.
        std::string ids;
        for (const std::string& id : pipeline.inactive_rules())
            ids += (ids.empty() ? "" : ", ") + id;
        std::fprintf(stderr,
                     "sctrace: --backend seccomp-notify sees each call at its entry only: %zu "
                     "rule(s) that need results or signals are off (%s); docs/backends.md\n",
                     pipeline.inactive_rules().size(), ids.c_str());
    }
    SyscallSet traced = display;
    std::vector<EventSink*> judges;
    if (!pipeline.empty() && pipeline.needs_watchdog()) {
        judges.push_back(&pipeline.sink());
        // The watchdog samples every process seen making a traced call:
        // an exec makes one, so the programs the command runs are sampled.
        traced |= parse_trace_expression("execve,execveat");
    }
    NotifySessionOptions options;
    if (!judges.empty()) {
        options.watchdog_interval =
            std::max(std::chrono::milliseconds(1),
                     std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_interval));
    }
    options.decode = decode;
    options.decode_options.string_limit = options_.string_limit;
    options.inherited_ignored = inherited_ignored;
    const Nanos start = now_realtime();
    int status = 0;
    try {
        NotifyChild child = NotifyChild::start(targets.command, traced, {});
        NotifySession session(std::move(child), std::move(sinks), std::move(judges),
                              std::move(options));
        command_started_ = true;
        status = session.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStartFailure;
    }
    return finish(targets, status, start, fail_on, events, reports, pipeline, recorder);
}

}  // namespace sctrace
