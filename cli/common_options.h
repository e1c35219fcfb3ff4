// The options `run` and `analyze` share, each group defined once and added to
// both commands, so that the two cannot drift apart: what the event stream
// shows and where it goes (-e, -o, --format), and which rules judge it and
// how their verdict becomes the exit status (-r, --no-rules, --findings,
// --fail-on, --hang-after).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "cli/rule_pipeline.h"
#include "engine/rules/rule_set.h"
#include "model/syscall_set.h"
#include "report/event_writer.h"

namespace sctrace {

struct EventStreamOptions {
    std::vector<std::string> trace_expressions;  // -e, as typed
    std::string output_path;                     // -o
    std::string format = "text";                 // --format
    bool no_times = false;                       // --no-times (--format strace only)
};

// Adds -e, -o, --format and --no-times to `command`, shown as the group
// "Event stream".
void add_event_stream_options(CLI::App& command, EventStreamOptions& options);

// The syscalls -e selects: the union of every expression, each in strace's
// -e syntax ("trace=SET", "t=SET" or a bare SET); every syscall when there
// is none. strace's other qualifiers (signal=, abbrev=, read= ...) are
// refused by name, not taken for a syscall set. Throws
// TraceExpressionError, whose message names the expression.
SyscallSet syscalls_selected(const std::vector<std::string>& trace_expressions);

// What the events' times are worth, for --format strace's -tt and -T: a
// live run's are real; a saved log's only when it had them.
struct EventTimes {
    bool times = true;      // when each line happened (-tt)
    bool durations = true;  // how long each call took (-T)
};

// The event stream: the -o file (or stderr) and the writer --format names.
class EventOutput {
public:
    // Shows `display`. Without -o it is written to stderr when `to_stderr`,
    // else there is none (writer() null). nullopt when -o cannot be
    // created or --no-times is given without --format strace, after saying
    // "PROGRAM: OPTION: reason" on stderr.
    // --format strace writes the times `times` vouches for, unless --no-times.
    static std::optional<EventOutput> open(const EventStreamOptions& options, SyscallSet display,
                                           bool to_stderr, std::string_view program,
                                           EventTimes times = {});

    EventWriter* writer() { return writer_.get(); }
    // Closes the -o file; true when the stream lost anything (each failure
    // was said on stderr when it happened).
    bool close();

private:
    UniqueFd file_;                        // -o FILE; empty: stderr
    std::unique_ptr<EventWriter> writer_;  // null: no event stream
};

// The rule options as typed; resolve() checks the values.
struct RuleCommandOptions {
    RuleOptions rules;           // -r, --no-rules, --findings, --fail-on (-k is run's)
    std::string hang_after;      // --hang-after, as typed
    std::string color = "auto";  // --color, as typed
};

// Adds -r, --no-rules, --findings, --fail-on, --hang-after and --color to
// `command`, shown as the group "Rules". `fail_on_help` says what --fail-on
// does to this command's exit status.
void add_rule_options(CLI::App& command, RuleCommandOptions& options,
                      const std::string& fail_on_help);

// A duration option's value, or nullopt after saying on stderr
// "PROGRAM: OPTION TEXT: not a duration (...)".
std::optional<std::chrono::nanoseconds> duration_option(std::string_view program,
                                                        std::string_view option,
                                                        const std::string& text);

// Checks --fail-on, --hang-after and --color, puts --hang-after into the
// engine options and decides, once, how the findings' text on stderr looks
// (colour, a terminal's width and repeat cap: RuleOptions::text_style). On a
// bad value says so on stderr, naming the option, and returns false.
// `fail_on`: the level, or nullopt when --fail-on was not given.
bool resolve_rule_options(RuleCommandOptions& options, std::string_view program,
                          std::optional<rules::Severity>& fail_on);

}  // namespace sctrace
