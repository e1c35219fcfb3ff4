// --format strace: the event stream in strace 6.1's own line format, so that
// people (and tools) used to strace read sctrace's output unchanged.
#include <cstring>
#include <iterator>

#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

// strace aligns " = result" at this column when the call is shorter.
constexpr std::size_t kResultColumn = 39;  // then " = ": '=' lands in column 40

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

std::size_t StraceWriter::prefix(const Event& event) {
    const std::size_t start = out_.size();
    fmt::format_to(std::back_inserter(out_), "{:<5} ", event.tid);
    return start;
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

void StraceWriter::result(const SyscallEvent& call, std::size_t line_start) {
    out_.push_back(')');
    const std::size_t column = out_.size() - line_start;
    for (std::size_t c = column; c < kResultColumn; ++c) out_.push_back(' ');
    auto it = std::back_inserter(out_);
    const ArgTree* tree = call.decoded;
    if (!call.has_result || (tree && tree->ret_format == RetFormat::None)) {
        out_.append(std::string_view(" = ?\n"));
        return;
    }
    if (call.err != 0) {
        char scratch[16];
        if (const char* restart = restart_message(call.err)) {
            fmt::format_to(it, " = ? {} ({})\n", errno_name(call.err, scratch), restart);
        } else {
            fmt::format_to(it, " = -1 {} ({})\n", errno_name(call.err, scratch),
                           std::strerror(call.err));
        }
        return;
    }
    if (tree && tree->ret_format == RetFormat::Hex && call.ret != 0) {  // %#x prints 0 as 0
        fmt::format_to(it, " = {:#x}", static_cast<std::uint64_t>(call.ret));
    } else if (tree && tree->ret_format == RetFormat::Unsigned) {
        fmt::format_to(it, " = {}", static_cast<std::uint64_t>(call.ret));
    } else {
        fmt::format_to(it, " = {}", call.ret);
    }
    if (tree && tree->ret_aux != kNoNode) {
        out_.append(std::string_view(" ("));
        append_strace_ret_aux(out_, *tree, tree->ret_aux);
        out_.push_back(')');
    }
    out_.push_back('\n');
}

void StraceWriter::write_complete(const Event& exit) {
    const SyscallEvent& call = *exit.syscall();
    const std::size_t start = prefix(exit);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    if (call.decoded) {
        append_strace_args(out_, *call.decoded, 0, ArgTree::kMaxNodes);
    } else {
        raw_args(call);
    }
    result(call, start);
}

void StraceWriter::write_unfinished(const Event& entry) {
    const SyscallEvent& call = *entry.syscall();
    prefix(entry);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    if (call.decoded) {
        append_strace_entry_half(out_, *call.decoded);
    } else {
        raw_args(call);
    }
    out_.append(std::string_view(" <unfinished ...>\n"));
}

void StraceWriter::write_resumed(const Event& exit) {
    const SyscallEvent& call = *exit.syscall();
    const std::size_t start = prefix(exit);
    fmt::format_to(std::back_inserter(out_), "<... {} resumed>", call.name);
    if (call.decoded) append_strace_exit_half(out_, *call.decoded);
    result(call, start);
}

void StraceWriter::write_other(const Event& event) {
    char scratch[32];
    auto it = std::back_inserter(out_);
    switch (event.kind) {
        case EventKind::Signal:
            prefix(event);
            fmt::format_to(it, "--- {} ", signal_name(event.signal()->signo, scratch));
            append_strace_siginfo(out_, *event.signal());
            out_.append(std::string_view(" ---\n"));
            break;
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            prefix(event);
            if (exit.signaled) {
                fmt::format_to(it, "+++ killed by {}{} +++\n", signal_name(exit.signo, scratch),
                               exit.core_dumped ? " (core dumped)" : "");
            } else {
                fmt::format_to(it, "+++ exited with {} +++\n", exit.code);
            }
            break;
        }
        case EventKind::Stop:
            prefix(event);
            fmt::format_to(it, "--- stopped by {} ---\n",
                           signal_name(event.stop()->signo, scratch));
            break;
        default:
            break;  // strace prints no line for spawn, exec, attach
    }
}

}  // namespace sctrace
