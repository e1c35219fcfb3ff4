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
#include "cli/report_options.h"
#include "model/event.h"
#include "model/syscall_set.h"

namespace sctrace {

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
        ReportPaths reports;                   // --sarif, --junit, --trace-json
        std::string timeout;                   // --timeout
        std::string watchdog_interval = "1s";  // --watchdog-interval
        bool follow_forks = true;              // -f: always on
        std::vector<std::string> injections;   // --inject, strace's inject= syntax
        std::vector<std::string> faults;       // --fault, strace's fault= syntax
    };
    // What the options name, checked.
    struct Targets {
        std::vector<pid_t> attach_pids;
        std::vector<std::string> command;
    };

    void add_options();
    int trace(const Targets& targets);
    // The end of a run, whatever the backend: reports, outputs closed, and
    // the exit status (the command's, then a lost output, then --fail-on).
    int finish(const Targets& targets, int status, Nanos start,
               std::optional<rules::Severity> fail_on, EventOutput& events, ReportOutputs& reports,
               RulePipeline& pipeline);
    // --backend seccomp-notify: the command under a user-notify filter.
    int trace_without_ptrace(const Targets& targets, const SyscallSet& display, bool decode,
                             const sigset_t& inherited_ignored, std::vector<EventSink*> sinks,
                             std::chrono::nanoseconds watchdog_interval,
                             std::optional<rules::Severity> fail_on, EventOutput& events,
                             ReportOutputs& reports, RulePipeline& pipeline);

    Options options_;
};

}  // namespace sctrace
