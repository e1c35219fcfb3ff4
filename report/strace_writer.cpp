// --format strace: the event stream in strace 6.1's own line format, so that
// people (and tools) used to strace read sctrace's output unchanged.
#include <cstring>
#include <ctime>
#include <iterator>

#include "base/nanos_math.h"
#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

// strace's texts for the kernel's restart codes (shown instead of -1).
const char* restart_message(int err) {
    switch (err) {
        case 512:
            return "To be restarted if SA_RESTART is set";
        case 513:
            return "To be restarted";
        case 514:
            return "To be restarted if no handler";
        case 516:
            return "Interrupted by signal";
        default:
            return nullptr;
    }
}

}  // namespace

void StraceWriter::count_threads(const Event& event) {
    if (layout_.pid_prefix != StraceLayout::PidPrefix::Several) return;
    threads_.insert(event.tid);
    if (const SpawnEvent* spawn = event.spawn()) threads_.insert(spawn->child_tid);
}

std::size_t StraceWriter::prefix(const Event& event, Nanos when) {
    const std::size_t start = out_.size();
    auto it = std::back_inserter(out_);
    switch (layout_.pid_prefix) {
        case StraceLayout::PidPrefix::Always:
            fmt::format_to(it, "{:<5} ", event.tid);
            break;
        case StraceLayout::PidPrefix::Several:
            if (threads_.size() > 1) fmt::format_to(it, "[pid {:>5}] ", event.tid);
            break;
        case StraceLayout::PidPrefix::Never:
            break;
    }
    if (layout_.timestamps > 0) {
        const auto seconds = static_cast<std::time_t>(floor_div(when, 1'000'000'000));
        const auto micros = floor_mod(when, 1'000'000'000) / 1000;
        if (layout_.timestamps >= 3) {
            fmt::format_to(it, "{}.{:06} ", seconds, micros);
        } else {
            std::tm tm{};
            localtime_r(&seconds, &tm);
            fmt::format_to(it, "{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
            if (layout_.timestamps == 2) fmt::format_to(it, ".{:06}", micros);
            out_.push_back(' ');
        }
    }
    if (layout_.relative_timestamps) {
        const Nanos delta = last_time_ == 0 ? 0 : when - last_time_;
        last_time_ = when;
        fmt::format_to(it, "{:>6}.{:06} ", floor_div(delta, 1'000'000'000),
                       floor_mod(delta, 1'000'000'000) / 1000);
    }
    return start;
}

namespace {

// Whether a node (or one of its children) is one of `paths`: a string
// argument, or an fd's decoration.
bool names_path(const ArgTree& tree, NodeId id, const std::vector<std::string>& paths) {
    const ArgNode& n = tree.node(id);
    if ((n.kind == ArgKind::Str && !n.truncated) || (n.kind == ArgKind::Int && n.fd)) {
        for (const std::string& path : paths) {
            if (n.text == path) return true;
        }
    }
    for (const NodeId c : tree.children(id)) {
        if (names_path(tree, c, paths)) return true;
    }
    return false;
}

}  // namespace

bool StraceWriter::shown(const SyscallEvent& call) const {
    if (!layout_.paths.empty()) {
        const ArgTree* tree = call.decoded;
        // The result's details count too: fds poll found ready past -s.
        if (!tree ||
            !(names_path(*tree, tree->root(), layout_.paths) ||
              (tree->ret_aux != kNoNode && names_path(*tree, tree->ret_aux, layout_.paths)))) {
            return false;
        }
    }
    if (!layout_.status_filtered) return true;
    if (!call.has_result) return layout_.show_unfinished;
    return call.err != 0 ? layout_.show_failed : layout_.show_successful;
}

void StraceWriter::args(const SyscallEvent& call) {
    if (call.decoded) {
        append_strace_args(out_, *call.decoded, 0, ArgTree::kMaxNodes, style());
    } else {
        raw_args(call);
    }
}

void StraceWriter::raw_args(const SyscallEvent& call) {
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    const int nargs = info ? info->nargs : 6;
    for (int i = 0; i < nargs; ++i) {
        if (i) out_.append(std::string_view(", "));
        if (call.args[i] == 0) {
            out_.push_back('0');
        } else {
            fmt::format_to(std::back_inserter(out_), "{:#x}", call.args[i]);
        }
    }
}

void StraceWriter::result(const SyscallEvent& call, std::size_t line_start, Nanos exit_time) {
    // ") ", spaces up to the -a column, "= result".
    out_.append(std::string_view(") "));
    const std::size_t column = out_.size() - line_start;
    for (std::size_t c = column; c < layout_.column; ++c) out_.push_back(' ');
    result_value(call);
    if (layout_.syscall_times && call.has_result) {
        const Nanos spent = exit_time - call.entry_time;
        fmt::format_to(std::back_inserter(out_), " <{}.{:06}>", floor_div(spent, 1'000'000'000),
                       floor_mod(spent, 1'000'000'000) / 1000);
    }
    out_.push_back('\n');
}

void StraceWriter::result_value(const SyscallEvent& call) {
    auto it = std::back_inserter(out_);
    const ArgTree* tree = call.decoded;
    if (!call.has_result || (tree && tree->ret_format == RetFormat::None)) {
        out_.append(std::string_view("= ?"));
        return;
    }
    if (call.err != 0) {
        char scratch[16];
        if (const char* restart = restart_message(call.err)) {
            fmt::format_to(it, "= ? {} ({})", errno_name(call.err, scratch), restart);
        } else {
            fmt::format_to(it, "= -1 {} ({})", errno_name(call.err, scratch),
                           std::strerror(call.err));
        }
        return;
    }
    if (tree && tree->ret_format == RetFormat::Hex && call.ret != 0) {  // %#x prints 0 as 0
        fmt::format_to(it, "= {:#x}", static_cast<std::uint64_t>(call.ret));
    } else if (tree && tree->ret_format == RetFormat::Octal) {
        fmt::format_to(it, "= {:#03o}", static_cast<std::uint64_t>(call.ret));  // C's %#03o: 000
    } else if (tree && tree->ret_format == RetFormat::Unsigned) {
        fmt::format_to(it, "= {}", static_cast<std::uint64_t>(call.ret));
    } else {
        fmt::format_to(it, "= {}", call.ret);
    }
    if (tree && layout_.fd_paths && !tree->ret_text.empty()) {
        append_strace_decoration(out_, tree->ret_text);
    }
    if (tree && tree->ret_aux != kNoNode) {
        out_.append(std::string_view(" ("));
        append_strace_ret_aux(out_, *tree, tree->ret_aux, style());
        out_.push_back(')');
    }
}

void StraceWriter::write_complete(const Event& exit) {
    count_threads(exit);
    const SyscallEvent& call = *exit.syscall();
    if (!shown(call)) return;
    const std::size_t start = prefix(exit, call.entry_time);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    args(call);
    result(call, start, exit.time);
}

void StraceWriter::write_unfinished(const Event& entry) {
    count_threads(entry);
    // With -e status=, a call is shown whole when it ends (write_resumed).
    if (layout_.status_filtered) return;
    const SyscallEvent& call = *entry.syscall();
    if (!layout_.paths.empty() && !shown(call)) return;
    prefix(entry, call.entry_time);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    if (call.decoded) {
        append_strace_entry_half(out_, *call.decoded, style());
    } else {
        raw_args(call);
    }
    out_.append(std::string_view(" <unfinished ...>\n"));
}

void StraceWriter::write_resumed(const Event& exit) {
    if (layout_.status_filtered) {
        write_complete(exit);
        return;
    }
    count_threads(exit);
    const SyscallEvent& call = *exit.syscall();
    const std::size_t start = prefix(exit, exit.time);
    fmt::format_to(std::back_inserter(out_), "<... {} resumed>", call.name);
    if (call.decoded) append_strace_exit_half(out_, *call.decoded, style());
    result(call, start, exit.time);
}

bool StraceWriter::writes_line(const Event& event) const {
    switch (event.kind) {
        case EventKind::Signal:
            return layout_.signals.test(static_cast<std::size_t>(event.signal()->signo) & 127);
        case EventKind::Exit:
            return layout_.exit_lines;
        case EventKind::Stop:
            return true;
        default:
            return false;  // strace prints no line for spawn, exec, attach, io_uring
    }
}

void StraceWriter::write_other(const Event& event) {
    char scratch[32];
    auto it = std::back_inserter(out_);
    switch (event.kind) {
        case EventKind::Signal:
            if (!layout_.signals.test(static_cast<std::size_t>(event.signal()->signo) & 127)) break;
            prefix(event, event.time);
            fmt::format_to(it, "--- {} ", signal_name(event.signal()->signo, scratch));
            append_strace_siginfo(out_, *event.signal());
            out_.append(std::string_view(" ---\n"));
            break;
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            count_threads(event);
            if (!layout_.exit_lines) {
                threads_.erase(event.tid);
                break;
            }
            prefix(event, event.time);
            if (exit.signaled) {
                fmt::format_to(it, "+++ killed by {}{} +++\n", signal_name(exit.signo, scratch),
                               exit.core_dumped ? " (core dumped)" : "");
            } else {
                fmt::format_to(it, "+++ exited with {} +++\n", exit.code);
            }
            threads_.erase(event.tid);
            break;
        }
        case EventKind::Stop:
            prefix(event, event.time);
            fmt::format_to(it, "--- stopped by {} ---\n",
                           signal_name(event.stop()->signo, scratch));
            break;
        default:
            count_threads(event);
            break;  // strace prints no line for spawn, exec, attach
    }
}

}  // namespace sctrace
