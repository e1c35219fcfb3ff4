#include "cli/strace_command.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/unique_fd.h"
#include "cli/common_options.h"
#include "cli/rule_pipeline.h"
#include "cli/strace_options.h"
#include "cli/version.h"
#include "report/event_writer.h"
#include "report/strace_format.h"
#include "report/strace_thread_files.h"
#include "report/syscall_summary.h"
#include "sources/live/session.h"
#include "sources/live/signal_relay.h"

namespace sctrace {

namespace {

// strace's status for a command line it refuses.
constexpr int kStraceUsageError = 1;

// -P's paths as strace matches them: each as given and, when that differs,
// as realpath(3) resolves it (a relative path, a symlink), which strace
// says on stderr unless told to be quiet about it.
std::vector<std::string> resolved_trace_paths(const StraceOptions& o) {
    std::vector<std::string> paths;
    for (const std::string& path : o.trace_paths) {
        paths.push_back(path);
        char* resolved = ::realpath(path.c_str(), nullptr);
        if (!resolved) continue;
        const std::string real(resolved);
        std::free(resolved);
        if (real == path) continue;
        if (!o.quiet_path_resolution) {
            fmt::memory_buffer given, into;
            append_strace_string(given, path, false);
            append_strace_string(into, real, false);
            std::fprintf(stderr, "sctrace: Requested path %s resolved into %s\n",
                         fmt::to_string(given).c_str(), fmt::to_string(into).c_str());
        }
        paths.push_back(real);
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
    layout.fd_paths = (o.decode_fds & StraceOptions::kFdPath) != 0;
    layout.fd_details = (o.decode_fds & ~unsigned{StraceOptions::kFdPath}) != 0;
    switch (o.xlat) {
        case StraceOptions::XlatStyle::Abbrev:
            layout.xlat = XlatStyle::Abbrev;
            break;
        case StraceOptions::XlatStyle::Raw:
            layout.xlat = XlatStyle::Raw;
            break;
        case StraceOptions::XlatStyle::Verbose:
            layout.xlat = XlatStyle::Verbose;
            break;
    }
    layout.paths = resolved_trace_paths(o);
    layout.signals = o.signals;
    layout.status_filtered = o.status_filtered;
    layout.show_successful = o.show_successful;
    layout.show_failed = o.show_failed;
    layout.show_unfinished = o.show_unfinished;
    layout.stack_traces = o.stack_traces;
    layout.launched = o.attach.empty();
    return layout;
}

// --decode-fds's kinds beyond the path, as the decoders' FdDetail bits.
unsigned fd_details_of(unsigned decode_fds) {
    unsigned details = 0;
    if (decode_fds & StraceOptions::kFdSocket) details |= kFdDetailSocket;
    if (decode_fds & StraceOptions::kFdDevice) details |= kFdDetailDevice;
    if (decode_fds & StraceOptions::kFdPidfd) details |= kFdDetailPidfd;
    return details;
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

// -u USER: who the command runs as, as strace sets it up: the user's ids
// and groups, the effective ids of a set-ID program's owner. Only root may
// ask. Returns the error sentence when it cannot be done.
std::variant<RunAs, std::string> run_as_user(const std::string& user,
                                             const std::vector<std::string>& command) {
    if (::getuid() != 0 || ::geteuid() != 0) {
        return std::string("You must be root to use the -u/--username option");
    }
    const passwd* entry = ::getpwnam(user.c_str());
    if (!entry) return "Cannot find user '" + user + "'";
    RunAs run_as;
    run_as.uid = run_as.euid = entry->pw_uid;
    run_as.gid = run_as.egid = entry->pw_gid;
    int count = 16;
    run_as.groups.resize(static_cast<std::size_t>(count));
    while (::getgrouplist(user.c_str(), run_as.gid, run_as.groups.data(), &count) < 0) {
        run_as.groups.resize(static_cast<std::size_t>(count));
    }
    run_as.groups.resize(static_cast<std::size_t>(count));
    struct stat st {};
    if (!command.empty() && ::stat(find_program(command.front()).c_str(), &st) == 0) {
        if (st.st_mode & S_ISUID) run_as.euid = st.st_uid;
        if (st.st_mode & S_ISGID) run_as.egid = st.st_gid;
    }
    return run_as;
}

// How a trace ended: the status to exit with, and the signal that killed the
// launched command (0 when it exited).
struct TraceEnd {
    int status = 0;
    int killed_by = 0;
};

// strace's own end when the command was killed by a signal: it dies of the
// same signal, so whoever waits for it sees what it would see without the
// tracer. No core file: it would be the tracer's, not the command's. Returns
// only when the signal does not kill (blocked by the kernel's rules, or a
// signal whose default is to be ignored), with the shell's 128+N.
int die_like(int signo) {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::signal(signo, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signo);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    std::fflush(nullptr);
    ::raise(signo);
    return 128 + signo;
}

TraceEnd trace(const StraceOptions& o) {
    const sigset_t inherited_ignored = ignored_relayed_signals();
    std::signal(SIGPIPE, SIG_IGN);
    const SyscallSet display = syscalls_selected(o.trace_expressions);
    const StraceLayout layout = layout_of(o);

    UniqueFd file;
    int fd = STDERR_FILENO;
    std::string name = "stderr";
    // -ff -o PREFIX: a file per thread, PREFIX.TID, and none of its own.
    const bool per_thread = o.follow >= 2;
    std::optional<StraceThreadFiles> thread_files;
    if (per_thread) {
        thread_files.emplace(o.output, o.output_append, display, layout);
    } else if (!o.output.empty()) {
        file.reset(::open(o.output.c_str(),
                          O_WRONLY | O_CREAT | O_CLOEXEC | (o.output_append ? O_APPEND : O_TRUNC),
                          0644));
        if (!file) {
            std::fprintf(stderr, "sctrace: Can't fopen '%s': %s\n", o.output.c_str(),
                         std::strerror(errno));
            return {kStraceUsageError};
        }
        fd = file.get();
        name = o.output;
    }
    // -c shows the summary alone; -C the trace, then the summary.
    std::optional<StraceWriter> writer;
    if (o.summary != StraceOptions::Summary::Only && !per_thread) {
        writer.emplace(fd, display, name, layout);
    }
    std::optional<SummaryWriter> summary;
    if (o.summary != StraceOptions::Summary::None) {
        summary.emplace(fd, name, display, o.summary_layout, layout.paths);
    }

    RuleOptions rule_options;
    rule_options.paths = o.rule_paths;
    rule_options.no_rules = o.no_rules;
    rule_options.only = o.only_rules;
    rule_options.findings_path = o.findings_path;
    rule_options.engine.source_takes_stacks = true;
    auto pipeline = RulePipeline::create(rule_options);
    if (!pipeline) return {kStraceUsageError};

    // The summary last: at the end of the trace it follows the trace's lines.
    std::vector<EventSink*> sinks;
    if (writer) sinks.push_back(&*writer);
    if (thread_files) sinks.push_back(&*thread_files);
    if (summary) sinks.push_back(&*summary);
    if (!pipeline->empty()) sinks.push_back(&pipeline->sink());

    SessionOptions session_options;
    session_options.traced = display;
    session_options.traced |= pipeline->needed_syscalls();
    session_options.decode = true;
    session_options.decode_options.string_limit = o.string_limit;
    session_options.decode_options.abbreviate = !o.verbose;
    session_options.decode_options.fd_paths =
        (o.decode_fds & StraceOptions::kFdPath) != 0 || !o.trace_paths.empty();
    session_options.decode_options.fd_details = fd_details_of(o.decode_fds);
    session_options.decode_options.match_paths = !o.trace_paths.empty();
    session_options.decode_options.dump_reads = o.dump_reads;
    session_options.decode_options.dump_writes = o.dump_writes;
    session_options.decode_options.pidns_translation = o.pidns_translation;
    session_options.follow_forks = o.follow > 0;
    session_options.inherited_ignored = inherited_ignored;
    session_options.injections = o.injections;
    if (!o.user.empty() && o.attach.empty()) {
        auto run_as = run_as_user(o.user, o.command);
        if (const auto* error = std::get_if<std::string>(&run_as)) {
            std::fprintf(stderr, "sctrace: %s\n", error->c_str());
            return {kStraceUsageError};
        }
        session_options.run_as = std::get<RunAs>(std::move(run_as));
    }
    session_options.system_times =
        o.summary != StraceOptions::Summary::None && !o.summary_layout.wall_clock;
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
        return {kStraceUsageError};
    }
    const TraceEnd end{session.run(), session.launched_signal()};
    pipeline->close_outputs();
    if (file && ::close(file.release()) != 0) {
        (writer ? writer->output() : summary->output()).fail(errno);
    }
    return end;
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
    for (const std::string& warning : line.warnings) {
        std::fprintf(stderr, "sctrace: %s\n", warning.c_str());
    }
    switch (line.action) {
        case StraceAction::Help:
            std::fputs(strace_usage_text(), stdout);
            return 0;
        case StraceAction::Version:
            std::printf("strace -- version 6.1 (sctrace %s)\n", kVersion);
            return 0;
        case StraceAction::Trace:
            break;
    }
    TraceEnd end;
    try {
        end = trace(line.options);
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace: %s\n", e.what());
        return kStraceUsageError;
    }
    // After every output of the trace is closed.
    return end.killed_by != 0 ? die_like(end.killed_by) : end.status;
}

}  // namespace sctrace
