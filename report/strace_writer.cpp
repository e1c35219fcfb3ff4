// --format strace: the event stream in strace 6.1's own line format, so that
// people (and tools) used to strace read sctrace's output unchanged.
#include <cstring>
#include <ctime>
#include <iterator>

#include "base/nanos_math.h"
#include "model/arg_tree.h"
#include "model/stack_frame.h"
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

std::size_t StraceWriter::prefix(const Event& event, Nanos when, bool at_entry) {
    const std::size_t start = out_.size();
    auto it = std::back_inserter(out_);
    // strace starts a call's line at its entry, with the threads traced then:
    // a child that its clone brings in does not change the clone's line.
    const bool several = at_entry && event.tid == entry_tid_ ? entry_several_ : threads_.size() > 1;
    switch (layout_.pid_prefix) {
        case StraceLayout::PidPrefix::Always:
            fmt::format_to(it, "{:<5} ", event.tid);
            break;
        case StraceLayout::PidPrefix::Several:
            if (several) fmt::format_to(it, "[pid {:>5}] ", event.tid);
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
            out_.append(clock_face_.at(seconds));
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

bool StraceWriter::shown(const SyscallEvent& call) const {
    if (!layout_.paths.empty() && !strace_call_names_path(call, layout_.paths)) return false;
    if (!layout_.status_filtered) return true;
    if (!call.has_result) return layout_.show_unfinished;
    return call.err != 0 ? layout_.show_failed : layout_.show_successful;
}

void StraceWriter::args(const SyscallEvent& call) {
    if (call.decoded && !call.has_result && only_entry_half(*call.decoded)) {
        // A call whose exit was never seen (the seccomp-notify backend
        // sees none): its entry half, cut as strace cuts a call its
        // thread's death ended ("wait4(-1, ) = ?").
        append_strace_entry_half(out_, *call.decoded, style());
    } else if (call.decoded) {
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
        if (call.has_result) append_tampering_note(out_, call);
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
        append_tampering_note(out_, call);
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
    if (tree && !tree->ret_text.empty() && strace_shows_decoration(style(), tree->ret_decoration)) {
        append_strace_fd_decoration(out_, tree->ret_text, tree->ret_decoration);
    }
    if (tree) append_strace_pid_translation(out_, tree->ret_pid);
    if (tree && tree->ret_aux != kNoNode) {
        out_.append(std::string_view(" ("));
        append_strace_ret_aux(out_, *tree, tree->ret_aux, style());
        out_.push_back(')');
    }
    append_tampering_note(out_, call);
}

void StraceWriter::on_event(const Event& event) {
    if (event.kind == EventKind::SyscallEntry && displays(*event.syscall())) {
        count_threads(event);
        entry_tid_ = event.tid;
        entry_several_ = threads_.size() > 1;
    }
    EventWriter::on_event(event);
    if (!layout_.stack_traces || event.kind != EventKind::SyscallEntry) return;
    // Calls after which the stack is gone or another program's take it at
    // their entry (strace's "capture on enter" calls).
    const SyscallEvent& call = *event.syscall();
    const SyscallTraits& traits = syscall_traits(call);
    if (!traits.has(kTraitExecs) && !traits.has(kTraitExits)) return;
    if (!displays(call) || (!layout_.paths.empty() && !shown(call))) return;
    if (traits.has(kTraitExecs) && first_exec_) {
        // The launched command's own execve: strace shows the new program's
        // stack, taken at the exit like any call's.
        first_exec_ = false;
        return;
    }
    stack_at_entry_ = event.tid;
}

void StraceWriter::at_safe_point(StackTaker& stacks) {
    if (stack_at_entry_ != 0) {
        entry_stacks_[stack_at_entry_] =
            stacks.thread_stack(stack_at_entry_, kStraceStackFrames).frames;
        stack_at_entry_ = 0;
    }
    if (stack_now_ != 0) {
        append_strace_stack(out_, stacks.thread_stack(stack_now_, kStraceStackFrames).frames,
                            false);
        stack_now_ = 0;
        flush(false);
    }
}

// After a call's or a signal's line (-k): the stack kept from the call's
// entry, or the one to take now, before the thread runs on.
void StraceWriter::stack_after_line(const Event& event) {
    if (!layout_.stack_traces) return;
    if (const SyscallEvent* call = event.syscall()) {
        if (auto kept = entry_stacks_.find(event.tid); kept != entry_stacks_.end()) {
            // A call that ends the thread prints it after the thread's end.
            if (call->has_result || !syscall_traits(*call).has(kTraitExits)) {
                append_strace_stack(out_, kept->second, true);
                entry_stacks_.erase(kept);
            }
            return;
        }
        if (!call->has_result) return;  // killed inside the call: no stack to show
    }
    stack_now_ = event.tid;
}

void StraceWriter::pid_changed(pid_t tid) {
    const Event* entry = pending_entry();
    if (!entry) return;  // only a call in progress is told about
    const SyscallEvent& call = *entry->syscall();
    prefix(*entry, call.entry_time);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    if (call.decoded) {
        append_strace_entry_half(out_, *call.decoded, style());
    } else {
        raw_args(call);
    }
    fmt::format_to(std::back_inserter(out_), " <pid changed to {} ...>\n", tid);
    drop_pending_entry();
    flush(true);
}

void StraceWriter::write_complete(const Event& exit) {
    count_threads(exit);
    const SyscallEvent& call = *exit.syscall();
    if (!shown(call)) return;
    const std::size_t start = prefix(exit, call.entry_time, true);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    args(call);
    result(call, start, exit.time);
    // -e read=/write=: the tree holds a dump only when one was asked for.
    if (call.decoded) append_strace_io_dump(out_, *call.decoded, exit.tid);
    stack_after_line(exit);
}

void StraceWriter::write_unfinished(const Event& entry) {
    count_threads(entry);
    // With -e status=, a call is shown whole when it ends (write_resumed).
    if (layout_.status_filtered) return;
    const SyscallEvent& call = *entry.syscall();
    if (!layout_.paths.empty() && !shown(call)) return;
    prefix(entry, call.entry_time, true);
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
    // -e read=/write=: the tree holds a dump only when one was asked for.
    if (call.decoded) append_strace_io_dump(out_, *call.decoded, exit.tid);
    stack_after_line(exit);
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
            append_strace_siginfo(out_, *event.signal(), style());
            out_.append(std::string_view(" ---\n"));
            stack_after_line(event);
            break;
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            count_threads(event);
            if (layout_.exit_lines) {
                prefix(event, event.time);
                if (exit.signaled) {
                    fmt::format_to(it, "+++ killed by {}{} +++\n", signal_name(exit.signo, scratch),
                                   exit.core_dumped ? " (core dumped)" : "");
                } else {
                    fmt::format_to(it, "+++ exited with {} +++\n", exit.code);
                }
            }
            threads_.erase(event.tid);
            // -k: the stack an exit or exit_group took at its entry, which
            // strace prints when it forgets the thread.
            if (auto kept = entry_stacks_.find(event.tid); kept != entry_stacks_.end()) {
                append_strace_stack(out_, kept->second, true);
                entry_stacks_.erase(kept);
            }
            break;
        }
        case EventKind::Stop:
            prefix(event, event.time);
            fmt::format_to(it, "--- stopped by {} ---\n",
                           signal_name(event.stop()->signo, scratch));
            stack_after_line(event);
            break;
        default:
            count_threads(event);
            break;  // strace prints no line for spawn, exec, attach
    }
}

}  // namespace sctrace
