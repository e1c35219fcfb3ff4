#include "cli/common_options.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/duration.h"
#include "report/terminal_text.h"

namespace sctrace {

namespace {

// On a terminal, this many findings of one rule are shown in full; the rest
// are counted in the table the run ends with (--findings keeps them all).
constexpr std::size_t kShownPerRuleOnTerminal = 5;

// How the findings' text looks on stderr. Wrapping, the per-rule cap and the
// table are for a person at a terminal only: piped or redirected text keeps
// one line per paragraph and its summary lines, which scripts grep.
TextStyle stderr_text_style(ColorMode mode) {
    TextStyle style;
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    style.color = use_color(mode, terminal, std::getenv("TERM"), std::getenv("NO_COLOR"));
    if (terminal) {
        winsize size{};
        const std::size_t columns =
            ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
        style.width = text_width(columns, std::getenv("COLUMNS"));
        style.shown_per_rule = kShownPerRuleOnTerminal;
    }
    return style;
}

// strace's -e qualifiers other than trace=, with their aliases. An
// expression starting with one of these and '=' means that qualifier to
// strace, so taking it for a syscall set would silently do something else;
// any other text before a '=' is part of a syscall set, as strace reads it
// ("-e foo=bar": invalid system call 'foo=bar').
constexpr std::array kUnsupportedQualifiers = {
    "abbrev",   "a",  "verbose",    "v",         "raw",         "x",          "signal",
    "signals",  "s",  "status",     "read",      "reads",       "r",          "write",
    "writes",   "w",  "fault",      "inject",    "kvm",         "quiet",      "silent",
    "silence",  "q",  "decode-fds", "decode-fd", "decode-pids", "decode-pid", "trace-fds",
    "trace-fd", "fd", "fds"};

// The syscall set of one -e expression.
std::string_view trace_set_of(std::string_view expression) {
    const auto eq = expression.find('=');
    if (eq == std::string_view::npos) return expression;
    const std::string_view qualifier = expression.substr(0, eq);
    if (qualifier == "trace" || qualifier == "t") return expression.substr(eq + 1);
    if (qualifier == "inject" || qualifier == "fault") {
        throw TraceExpressionError("-e " + std::string(expression) +
                                   ": sctrace's own option is --" + std::string(qualifier) + " " +
                                   std::string(expression.substr(eq + 1)) +
                                   " (or use `sctrace strace -e " + std::string(expression) + "`)");
    }
    for (const char* unsupported : kUnsupportedQualifiers) {
        if (qualifier == unsupported) {
            throw TraceExpressionError("-e " + std::string(expression) + ": strace's " +
                                       std::string(qualifier) +
                                       "= qualifier is not supported (only trace=)");
        }
    }
    return expression;
}

}  // namespace

void add_event_stream_options(CLI::App& command, EventStreamOptions& options) {
    const std::string group = "Event stream";
    command
        .add_option("-e", options.trace_expressions,
                    "Syscalls to show, strace syntax: trace=connect,%net,%desc (repeatable)")
        ->type_name("EXPR")
        ->allow_extra_args(false)  // one value per -e, so "-e X CMD" leaves CMD alone
        ->group(group);
    command.add_option("-o,--output", options.output_path, "Write the event stream to FILE")
        ->type_name("FILE")
        ->group(group);
    command.add_option("--format", options.format, "Event stream format")
        ->check(CLI::IsMember({"text", "jsonl", "strace"}))
        ->capture_default_str()
        ->group(group);
    command
        .add_flag("--no-times", options.no_times,
                  "--format strace without times and durations (strace -f -o FILE's lines; by "
                  "default they are strace -f -tt -T's, which analyze's time rules need)")
        ->group(group);
}

SyscallSet syscalls_selected(const std::vector<std::string>& trace_expressions) {
    if (trace_expressions.empty()) return SyscallSet::all();
    SyscallSet selected;
    for (const auto& expression : trace_expressions) {
        const std::string_view set = trace_set_of(expression);
        try {
            selected |= parse_trace_expression(set);
        } catch (const TraceExpressionError& e) {
            throw TraceExpressionError("-e " + expression + ": " + e.what());
        }
    }
    return selected;
}

std::optional<EventOutput> EventOutput::open(const EventStreamOptions& options, SyscallSet display,
                                             bool to_stderr, std::string_view program,
                                             EventTimes times) {
    if (options.no_times && options.format != "strace") {
        std::fprintf(stderr,
                     "%.*s: --no-times: only --format strace can leave times out (--format %s "
                     "always has them)\n",
                     static_cast<int>(program.size()), program.data(), options.format.c_str());
        return std::nullopt;
    }
    EventOutput out;
    int fd = STDERR_FILENO;
    std::string name = "stderr";
    if (!options.output_path.empty()) {
        out.file_.reset(
            ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!out.file_) {
            std::fprintf(stderr, "%.*s: -o %s: %s\n", static_cast<int>(program.size()),
                         program.data(), options.output_path.c_str(), std::strerror(errno));
            return std::nullopt;
        }
        fd = out.file_.get();
        name = options.output_path;
    } else if (!to_stderr) {
        return out;
    }
    if (options.format == "jsonl") {
        out.writer_ = std::make_unique<JsonlWriter>(fd, display, std::move(name));
    } else if (options.format == "strace") {
        // sctrace's own strace-format log is strace -f -tt -T's: every line
        // names its thread and has the time it started, every call the time
        // it took, so `sctrace analyze` can order the threads and judge the
        // time rules as it does from the live run.
        // A saved log without times has none to give: its lines stay bare.
        StraceLayout layout;
        if (!options.no_times && times.times) {
            layout.timestamps = 2;
            layout.syscall_times = times.durations;
        }
        out.writer_ = std::make_unique<StraceWriter>(fd, display, std::move(name), layout);
    } else {
        out.writer_ = std::make_unique<TextWriter>(fd, display, std::move(name));
    }
    return out;
}

bool EventOutput::close() {
    if (!writer_) return false;
    // close() can report a deferred write error (NFS, quota).
    if (file_ && ::close(file_.release()) != 0) writer_->output().fail(errno);
    return writer_->output().lost();
}

void add_rule_options(CLI::App& command, RuleCommandOptions& options,
                      const std::string& fail_on_help) {
    const std::string group = "Rules";
    command
        .add_option("-r,--rules", options.rules.paths,
                    "Rule file or folder, loaded after the bundled pack (repeatable)")
        ->type_name("PATH")
        ->allow_extra_args(false)
        ->group(group);
    command
        .add_flag("--no-default-rules", options.rules.no_default_rules,
                  "Leave the bundled pack out: only the -r files")
        ->group(group);
    command.add_flag("--no-rules", options.rules.no_rules, "Load no rules: events only")
        ->group(group);
    command
        .add_option("--rule", options.rules.only,
                    "Judge with only the rule ID of the loaded files, which traces only what it "
                    "needs (repeatable; enables one its file disables)")
        ->type_name("ID")
        ->allow_extra_args(false)
        ->group(group);
    command.add_option("--findings", options.rules.findings_path, "Write findings as JSON Lines")
        ->type_name("FILE")
        ->group(group);
    command.add_option("--fail-on", options.rules.fail_on, fail_on_help)
        ->type_name("SEVERITY")
        ->group(group);
    command
        .add_option("--hang-after", options.hang_after,
                    "How long a thread may stay stuck (D state, futex deadlock) before the "
                    "watch rules report it (default 30s)")
        ->type_name("DURATION")
        ->group(group);
    command
        .add_option("--color", options.color,
                    "Colour the findings on stderr by severity: auto (on a terminal, unless "
                    "NO_COLOR is set or TERM=dumb), always, never")
        ->type_name("WHEN")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str()
        ->group(group);
}

std::optional<std::chrono::nanoseconds> duration_option(std::string_view program,
                                                        std::string_view option,
                                                        const std::string& text) {
    const auto value = parse_duration(text);
    if (value && value->count() > 0) return value;
    std::fprintf(stderr, "%.*s: %.*s %s: not a duration (30s, 1.5s, 500ms, 2m)\n",
                 static_cast<int>(program.size()), program.data(), static_cast<int>(option.size()),
                 option.data(), text.c_str());
    return std::nullopt;
}

bool resolve_rule_options(RuleCommandOptions& options, std::string_view program,
                          std::optional<rules::Severity>& fail_on) {
    fail_on.reset();
    if (!options.rules.fail_on.empty()) {
        fail_on = rules::severity_from_name(options.rules.fail_on);
        if (!fail_on) {
            std::fprintf(stderr, "%.*s: --fail-on %s: not one of info, warning, error, critical\n",
                         static_cast<int>(program.size()), program.data(),
                         options.rules.fail_on.c_str());
            return false;
        }
    }
    if (!options.hang_after.empty()) {
        const auto hang_after = duration_option(program, "--hang-after", options.hang_after);
        if (!hang_after) return false;
        options.rules.engine.hang_after = hang_after->count();
    }
    const auto color = color_mode_from_name(options.color);
    if (!color) {
        std::fprintf(stderr, "%.*s: --color %s: not one of auto, always, never\n",
                     static_cast<int>(program.size()), program.data(), options.color.c_str());
        return false;
    }
    options.rules.text_style = stderr_text_style(*color);
    return true;
}

}  // namespace sctrace
