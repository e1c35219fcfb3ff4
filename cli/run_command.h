// `sctrace [run] [OPTIONS] [--] COMMAND [ARGS...]` and `sctrace [run]
// [OPTIONS] -p PID...`: trace live, as strace does, and judge the events with
// the rules. Exit status: docs/cli.md.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cli/command_line.h"
#include "cli/common_options.h"
#include "cli/repeated_runs.h"
#include "cli/report_options.h"
#include "model/event.h"
#include "model/syscall_set.h"

namespace sctrace {

class FlightRecorder;
class RulePipeline;

class RunCommand final : public Command {
public:
    // Adds `run` and its options to `sctrace`.
    explicit RunCommand(CLI::App& sctrace);
    int execute() override;

private:
    struct Options {
        EventStreamOptions stream;
        std::size_t string_limit = 32;  // -s
        bool no_seccomp = false;
        std::string backend = "ptrace";  // --backend: ptrace | seccomp-notify
        bool every_exit = false;
        std::vector<std::string> attach_values;  // -p, as typed (cli/attach_targets.h)
        RuleCommandOptions rules;
        ReportPaths reports;                           // --sarif, --junit, --trace-json
        std::string timeout;                           // --timeout
        std::string watchdog_interval = "1s";          // --watchdog-interval
        bool follow_forks = true;                      // -f: always on
        std::vector<std::string> injections;           // --inject, strace's inject= syntax
        std::vector<std::string> faults;               // --fault, strace's fault= syntax
        unsigned repeat = 0;                           // --repeat N (0: once)
        bool until_fail = false;                       // --until-fail
        std::size_t flight_events = 0;                 // --flight-recorder N (0: off)
        std::string flight_prefix = "sctrace-flight";  // --flight-recorder-output
    };
    // What the options name, checked.
    struct Targets {
        std::vector<pid_t> attach_pids;
        std::vector<std::string> command;
    };

    void add_options();
    // The files the options name, as typed.
    RunFiles named_files() const;
    // --repeat, --until-fail: the command again and again (cli/repeated_runs.h).
    int trace_repeatedly(const Targets& targets);
    // One traced run, writing `files`. The flight recorder's files it wrote
    // are left in flight_files_.
    int trace(const Targets& targets, const RunFiles& files);
    // The end of a run, whatever the backend: reports, outputs closed, and
    // the exit status (the command's, then a lost output, then --fail-on).
    int finish(const Targets& targets, int status, Nanos start,
               std::optional<rules::Severity> fail_on, EventOutput& events, ReportOutputs& reports,
               RulePipeline& pipeline, FlightRecorder* recorder);
    // --backend seccomp-notify: the command under a user-notify filter.
    int trace_without_ptrace(const Targets& targets, const SyscallSet& display, bool decode,
                             const sigset_t& inherited_ignored, std::vector<EventSink*> sinks,
                             std::chrono::nanoseconds watchdog_interval,
                             std::optional<rules::Severity> fail_on, EventOutput& events,
                             ReportOutputs& reports, RulePipeline& pipeline,
                             FlightRecorder* recorder);

    Options options_;
    std::vector<std::string> flight_files_;
    std::string last_markdown_;     // the last run's Markdown summary, when one was asked for
    JunitRun last_junit_;           // the last run's JUnit report, when one was asked for
    bool command_started_ = false;  // the last trace() got as far as running the command
};

}  // namespace sctrace
