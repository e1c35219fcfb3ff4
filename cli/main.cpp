// sctrace's command line. See docs/cli.md and `sctrace --help`.
//
//   sctrace [run] [OPTIONS] -- COMMAND [ARGS...]
//   sctrace [run] [OPTIONS] -p PID [-p PID ...]
//   sctrace analyze [OPTIONS] FILE...          (cli/analyze.cpp)
//
// Exit status of a run: the command's own (128+N when signal N killed it), so
// sctrace is a transparent wrapper; 0 after detaching from -p processes; 2
// when sctrace could not start (bad arguments, nothing to trace, no
// permission); when the command succeeded, 122 if an output was lost, else
// 121 if --fail-on was met (docs/cli.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/duration.h"
#include "base/unique_fd.h"
#include "cli/analyze.h"
#include "cli/attach_targets.h"
#include "cli/report_options.h"
#include "cli/rule_pipeline.h"
#include "cli/rules_command.h"
#include "model/syscall_set.h"
#include "report/event_writer.h"
#include "report/timeout_report_writer.h"
#include "sources/live/session.h"

namespace sctrace {
namespace {

constexpr int kStartFailure = 2;
// The command succeeded but a finding met --fail-on (docs/cli.md).
constexpr int kFindingsFailure = 121;
// The command succeeded but an output (-o, --findings, a report, the
// findings on stderr) failed and lost what it should have held.
constexpr int kOutputLost = 122;

struct RunOptions {
    std::vector<std::string> trace_expressions;  // -e
    std::string output_path;                     // -o
    std::string format = "text";                 // --format
    std::size_t string_limit = 32;               // -s
    bool no_seccomp = false;
    std::vector<std::string> attach_values;  // -p, as typed (cli/attach_targets.h)
    std::vector<pid_t> attach_pids;          // the processes they name
    std::vector<std::string> command;
    RuleOptions rules;
    ReportPaths reports;                   // --sarif, --junit, --trace-json
    std::string hang_after;                // --hang-after
    std::string timeout;                   // --timeout
    std::string watchdog_interval = "1s";  // --watchdog-interval
};

// A duration option's value, or a message naming the option.
std::optional<std::chrono::nanoseconds> duration_option(const char* name, const std::string& text) {
    const auto value = parse_duration(text);
    if (!value || value->count() <= 0) {
        std::fprintf(stderr, "sctrace: %s %s: not a duration (30s, 1.5s, 500ms, 2m)\n", name,
                     text.c_str());
    }
    return value && value->count() > 0 ? value : std::nullopt;
}

// "-e trace=SET" or "-e SET" (strace's default qualifier is trace). Other
// qualifiers are strace's too, but not supported yet: say so, do not ignore.
std::string trace_set_of(const std::string& expression) {
    const auto eq = expression.find('=');
    if (eq == std::string::npos) return expression;
    const std::string qualifier = expression.substr(0, eq);
    if (qualifier == "trace" || qualifier == "t") return expression.substr(eq + 1);
    throw TraceExpressionError("-e " + qualifier + "=...: only trace= is supported");
}

int run(const RunOptions& options) {
    // What sctrace's parent left ignored stays ignored, in sctrace and in
    // the command; read before anything below changes a disposition.
    const sigset_t inherited_ignored = ignored_relayed_signals();
    // An output whose reader went away must cost a write error, not
    // sctrace's life (and with it the command's). The Session's signal
    // relay takes SIGPIPE over while the command runs, and the command
    // starts with the disposition it would have had.
    std::signal(SIGPIPE, SIG_IGN);

    // What to show: -e's union; with -o alone, everything (as strace does).
    SyscallSet display;
    for (const auto& expression : options.trace_expressions) {
        display |= parse_trace_expression(trace_set_of(expression));
    }
    const bool want_events = !options.output_path.empty() || !options.trace_expressions.empty();
    // The --trace-json timeline, like -o, shows every syscall unless -e narrows it.
    if (options.trace_expressions.empty() && (want_events || !options.reports.trace_json.empty())) {
        display = SyscallSet::all();
    }

    UniqueFd output_file;
    int output_fd = STDERR_FILENO;
    if (!options.output_path.empty()) {
        output_file.reset(
            ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!output_file) {
            std::fprintf(stderr, "sctrace: -o %s: %s\n", options.output_path.c_str(),
                         std::strerror(errno));
            return kStartFailure;
        }
        output_fd = output_file.get();
    }

    std::unique_ptr<EventWriter> writer;
    if (want_events) {
        const std::string name = output_file ? options.output_path : "stderr";
        if (options.format == "jsonl") {
            writer = std::make_unique<JsonlWriter>(output_fd, display, name);
        } else if (options.format == "strace") {
            writer = std::make_unique<StraceWriter>(output_fd, display, name);
        } else {
            writer = std::make_unique<TextWriter>(output_fd, display, name);
        }
    }
    std::optional<rules::Severity> fail_on;
    if (!options.rules.fail_on.empty()) {
        fail_on = rules::severity_from_name(options.rules.fail_on);
        if (!fail_on) {
            std::fprintf(stderr,
                         "sctrace: --fail-on %s: not one of info, warning, error, critical\n",
                         options.rules.fail_on.c_str());
            return kStartFailure;
        }
    }
    RuleOptions rule_options = options.rules;
    // Findings that want stacks (fatal-signal, the hang rules, all with -k)
    // get them from the live tracer, which alone can stop a thread.
    rule_options.engine.source_takes_stacks = true;
    if (!options.hang_after.empty()) {
        const auto hang_after = duration_option("--hang-after", options.hang_after);
        if (!hang_after) return kStartFailure;
        rule_options.engine.hang_after = hang_after->count();
    }
    std::optional<std::chrono::nanoseconds> timeout;
    if (!options.timeout.empty()) {
        timeout = duration_option("--timeout", options.timeout);
        if (!timeout) return kStartFailure;
    }
    const auto watchdog_interval =
        duration_option("--watchdog-interval", options.watchdog_interval);
    if (!watchdog_interval) return kStartFailure;
    auto reports = ReportOutputs::open(options.reports, fail_on, "sctrace");
    if (!reports) return kStartFailure;
    auto pipeline = RulePipeline::create(rule_options, reports->finding_sinks());
    if (!pipeline) return kStartFailure;

    std::vector<EventSink*> sinks;
    if (writer) sinks.push_back(writer.get());
    if (EventSink* trace = reports->event_sink()) sinks.push_back(trace);
    if (!pipeline->empty()) sinks.push_back(&pipeline->sink());

    SessionOptions session_options;
    session_options.traced = display;
    session_options.traced |= pipeline->needed_syscalls();
    session_options.use_seccomp = !options.no_seccomp;
    // Rules read decoded arguments (socket types, sockaddrs, flags).
    session_options.decode = (want_events && options.format == "strace") || !pipeline->empty() ||
                             !options.reports.trace_json.empty();
    session_options.decode_options.string_limit = options.string_limit;
    // The /proc watchdog runs when a rule reads its samples (the hang rules).
    if (!pipeline->empty() && pipeline->needs_watchdog()) {
        session_options.watchdog_interval =
            std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog_interval);
        if (session_options.watchdog_interval->count() == 0) {
            session_options.watchdog_interval = std::chrono::milliseconds(1);
        }
    }
    session_options.timeout = timeout;
    TimeoutReportWriter timeout_report(stderr);
    session_options.timeout_report = &timeout_report;
    session_options.inherited_ignored = inherited_ignored;
    Session session(std::move(session_options), std::move(sinks));

    const Nanos start = now_realtime();
    try {
        if (!options.attach_pids.empty()) {
            for (const pid_t pid : options.attach_pids) session.attach(pid);
        } else {
            session.launch(options.command);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStartFailure;
    }
    const int status = session.run();
    RunSummary summary;
    summary.command = options.command;
    summary.attached = options.attach_pids;
    summary.exit_status = status;
    summary.start_time = start;
    summary.duration = now_realtime() - start;
    bool lost = !reports->finish(summary, pipeline->rule_set());
    pipeline->close_outputs();
    lost = pipeline->output_lost() || lost;
    if (writer) {
        // close() can report a deferred write error (NFS, quota).
        if (output_file && ::close(output_file.release()) != 0) writer->output().fail(errno);
        lost = writer->output().lost() || lost;
    }
    const bool findings_failed = fail_on && pipeline->failed(*fail_on);
    if (findings_failed) {
        std::fprintf(stderr, "sctrace: findings at or above '%s' (--fail-on)\n",
                     options.rules.fail_on.c_str());
    }
    // The command's own failure says most; then a lost output, since what
    // was lost may be the very findings --fail-on judges.
    if (status != 0) return status;
    if (lost) {
        std::fprintf(stderr, "sctrace: an output was lost (see above); exit status %d\n",
                     kOutputLost);
        return kOutputLost;
    }
    return findings_failed ? kFindingsFailure : status;
}

int main_with_exceptions(int argc, char** argv) {
    CLI::App app{"sctrace: a syscall tracer that names known-bad patterns", "sctrace"};
    app.set_version_flag("--version", "sctrace 0.1.0");
    // Like strace, the command needs no "--" when it does not start with '-'.
    app.prefix_command();
    app.footer(
        "Examples:\n"
        "  sctrace -e trace=%net -- curl -s http://127.0.0.1:8080/\n"
        "  sctrace -o events.jsonl --format jsonl -- make check\n"
        "  sctrace -p 4711\n"
        "Exit status: the command's (128+N when killed by signal N); 0 after detaching\n"
        "from -p processes; 2 when sctrace could not start; when the command\n"
        "succeeded: 122 if an output could not be written, else 121 if --fail-on was\n"
        "met; 124 when --timeout expired.\n"
        "Other commands: sctrace analyze FILE..., sctrace rules list|check|explain|fields");

    RunOptions options;
    app.add_option("-e", options.trace_expressions,
                   "Syscalls to show, strace syntax: trace=connect,%net,%desc (repeatable)")
        ->type_name("EXPR")
        ->allow_extra_args(false);  // one value per -e, so "-e X CMD" leaves CMD alone
    app.add_option("-o,--output", options.output_path, "Write the event stream to FILE")
        ->type_name("FILE");
    app.add_option("--format", options.format, "Event stream format")
        ->check(CLI::IsMember({"text", "jsonl", "strace"}))
        ->capture_default_str();
    app.add_option("-s,--string-limit", options.string_limit,
                   "Show at most N bytes of strings and buffers (strace's -s)")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{0}, std::size_t{4096}))
        ->capture_default_str();
    app.add_flag("--no-seccomp", options.no_seccomp,
                 "Stop at every syscall instead of using the seccomp prefilter");
    app.add_option("-p,--attach", options.attach_values,
                   "Attach to every thread of process PID (repeatable)")
        ->type_name("PID")
        ->allow_extra_args(false);
    app.add_option("-r,--rules", options.rules.paths,
                   "Rule file or folder (repeatable; default: the bundled pack)")
        ->type_name("PATH")
        ->allow_extra_args(false);
    app.add_flag("--no-rules", options.rules.no_rules, "Load no rules: trace only");
    app.add_option("--hang-after", options.hang_after,
                   "How long a thread may stay stuck (D state, futex deadlock) before the "
                   "watchdog rules report it (default 30s)")
        ->type_name("DURATION");
    app.add_option("--timeout", options.timeout,
                   "After DURATION, report every thread's state and stack, SIGKILL the "
                   "command and exit 124")
        ->type_name("DURATION");
    app.add_option("--watchdog-interval", options.watchdog_interval,
                   "How often the watchdog samples every traced thread's /proc state")
        ->type_name("DURATION")
        ->capture_default_str();
    app.add_flag("-k,--stack-trace", options.rules.engine.stack_every_finding,
                 "Capture the user stack of the thread of every finding");
    app.add_option("--findings", options.rules.findings_path, "Write findings as JSON Lines")
        ->type_name("FILE");
    app.add_option(
           "--fail-on", options.rules.fail_on,
           "Exit 121 when the command succeeded but a finding at or above SEVERITY was raised")
        ->type_name("SEVERITY");
    add_report_options(app, options.reports);
    bool follow_forks = true;  // always on: accepted so that strace habits work
    app.add_flag("-f", follow_forks, "Follow forks and threads (always on)");

    // "sctrace run ..." is the explicit form of the default subcommand.
    std::vector<char*> args(argv, argv + argc);
    if (args.size() > 1 && std::string_view(args[1]) == "run") args.erase(args.begin() + 1);

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : kStartFailure;
    }
    options.command = app.remaining();
    if (!options.command.empty() && options.command.front() == "--") {
        options.command.erase(options.command.begin());
    }
    if (auto pids = attach_targets(options.attach_values, stderr)) {
        options.attach_pids = std::move(*pids);
    } else {
        return kStartFailure;
    }
    if (options.command.empty() && options.attach_pids.empty()) {
        std::fprintf(stderr, "sctrace: give a command to run (sctrace -- CMD) or -p PID\n%s",
                     "Run 'sctrace --help' for more.\n");
        return kStartFailure;
    }
    if (!options.command.empty() && !options.attach_pids.empty()) {
        std::fprintf(stderr, "sctrace: -p and a command cannot be combined\n");
        return kStartFailure;
    }
    try {
        return run(options);
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace: -e: %s\n", e.what());
        return kStartFailure;
    }
}

}  // namespace
}  // namespace sctrace

int main(int argc, char** argv) {
    try {
        if (argc > 1 && std::string_view(argv[1]) == "analyze") {
            return sctrace::analyze_main(argc - 1, argv + 1);
        }
        if (argc > 1 && std::string_view(argv[1]) == "rules") {
            return sctrace::rules_main(argc - 1, argv + 1);
        }
        return sctrace::main_with_exceptions(argc, argv);
    } catch (const std::bad_alloc&) {
        // Memory ran out. Inputs are read in bounded memory, so this is a
        // limit (ulimit -v) below what the input needs: an error about the
        // input (exit 2), not a bug in sctrace (70).
        std::fprintf(stderr,
                     "sctrace: out of memory: the input needs more memory than sctrace may "
                     "use here (see ulimit -v)\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: internal error: %s\n", e.what());
        return 70;  // EX_SOFTWARE
    }
}
