#include "cli/strace_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "base/unique_fd.h"
#include "cli/common_options.h"
#include "cli/rule_pipeline.h"
#include "cli/strace_options.h"
#include "report/event_writer.h"
#include "sources/live/session.h"
#include "sources/live/signal_relay.h"

#ifndef SCTRACE_VERSION
#define SCTRACE_VERSION "0.0.0"
#endif

namespace sctrace {

namespace {

// strace's status for a command line it refuses.
constexpr int kStraceUsageError = 1;

// -P's paths as strace selects them: each as given and, when it differs,
// resolved (realpath), since an fd names its file by its absolute path.
std::vector<std::string> traced_paths(const std::vector<std::string>& given) {
    std::vector<std::string> paths;
    for (const std::string& path : given) {
        paths.push_back(path);
        if (char* resolved = ::realpath(path.c_str(), nullptr)) {
            if (path != resolved) paths.emplace_back(resolved);
            std::free(resolved);
        }
    }
    return paths;
}

// What the options ask of the output lines.
StraceLayout layout_of(const StraceOptions& o) {
    StraceLayout layout;
    if (!o.output.empty()) {
        layout.pid_prefix = o.follow == 1 || o.attach.size() > 1 ? StraceLayout::PidPrefix::Always
                                                                 : StraceLayout::PidPrefix::Never;
    } else {
        layout.pid_prefix = StraceLayout::PidPrefix::Several;
    }
    layout.column = o.column;
    layout.timestamps = o.timestamps;
    layout.relative_timestamps = o.relative_timestamps;
    layout.syscall_times = o.syscall_times;
    layout.exit_lines = !o.quiet_exit;
    layout.fd_paths = o.decode_fds > 0;
    layout.paths = traced_paths(o.trace_paths);
    layout.signals = o.signals;
    layout.status_filtered = o.status_filtered;
    layout.show_successful = o.show_successful;
    layout.show_failed = o.show_failed;
    layout.show_unfinished = o.show_unfinished;
    return layout;
}

// -E VAR=VAL sets, -E VAR unsets, in the environment the command inherits.
void apply_env_changes(const std::vector<std::string>& changes) {
    for (const std::string& change : changes) {
        const auto eq = change.find('=');
        if (eq == std::string::npos) {
            ::unsetenv(change.c_str());
        } else {
            ::setenv(change.substr(0, eq).c_str(), change.substr(eq + 1).c_str(), 1);
        }
    }
}

int trace(const StraceOptions& o) {
    const sigset_t inherited_ignored = ignored_relayed_signals();
    std::signal(SIGPIPE, SIG_IGN);
    const SyscallSet display = syscalls_selected(o.trace_expressions);
    const StraceLayout layout = layout_of(o);

    UniqueFd file;
    int fd = STDERR_FILENO;
    std::string name = "stderr";
    if (!o.output.empty()) {
        file.reset(::open(o.output.c_str(),
                          O_WRONLY | O_CREAT | O_CLOEXEC | (o.output_append ? O_APPEND : O_TRUNC),
                          0644));
        if (!file) {
            std::fprintf(stderr, "sctrace: Can't fopen '%s': %s\n", o.output.c_str(),
                         std::strerror(errno));
            return kStraceUsageError;
        }
        fd = file.get();
        name = o.output;
    }
    StraceWriter writer(fd, display, name, layout);

    RuleOptions rule_options;
    rule_options.paths = o.rule_paths;
    rule_options.no_rules = o.no_rules;
    rule_options.findings_path = o.findings_path;
    rule_options.engine.source_takes_stacks = true;
    auto pipeline = RulePipeline::create(rule_options);
    if (!pipeline) return kStraceUsageError;

    std::vector<EventSink*> sinks{&writer};
    if (!pipeline->empty()) sinks.push_back(&pipeline->sink());

    SessionOptions session_options;
    session_options.traced = display;
    session_options.traced |= pipeline->needed_syscalls();
    session_options.decode = true;
    session_options.decode_options.string_limit = o.string_limit;
    session_options.decode_options.abbreviate = !o.verbose;
    session_options.decode_options.fd_paths = o.decode_fds > 0 || !o.trace_paths.empty();
    session_options.follow_forks = o.follow > 0;
    session_options.inherited_ignored = inherited_ignored;
    if (!pipeline->empty() && pipeline->needs_watchdog()) {
        session_options.watchdog_interval = std::chrono::milliseconds(1000);
    }
    Session session(std::move(session_options), std::move(sinks));
    try {
        if (!o.attach.empty()) {
            for (const pid_t pid : o.attach) session.attach(pid);
        } else {
            apply_env_changes(o.env_changes);
            session.launch(o.command);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStraceUsageError;
    }
    const int status = session.run();
    pipeline->close_outputs();
    if (file && ::close(file.release()) != 0) writer.output().fail(errno);
    return status;
}

}  // namespace

int strace_main(const std::vector<std::string>& args) {
    auto parsed = parse_strace_command_line(args);
    if (const auto* error = std::get_if<StraceUsageError>(&parsed)) {
        std::fprintf(stderr, "sctrace: %s\nTry 'sctrace strace -h' for more information.\n",
                     error->message.c_str());
        return kStraceUsageError;
    }
    const StraceCommandLine& line = std::get<StraceCommandLine>(parsed);
    switch (line.action) {
        case StraceAction::Help:
            std::fputs(strace_usage_text(), stdout);
            return 0;
        case StraceAction::Version:
            std::printf("strace -- version 6.1 (sctrace %s)\n", SCTRACE_VERSION);
            return 0;
        case StraceAction::Trace:
            break;
    }
    try {
        return trace(line.options);
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStraceUsageError;
    }
}

}  // namespace sctrace
