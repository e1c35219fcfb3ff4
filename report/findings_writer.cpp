#include "report/findings_writer.h"

#include <unistd.h>

#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "base/clock.h"
#include "decoders/arg_tree.h"
#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

std::string describe_event(const Event& event) {
    fmt::memory_buffer out;
    char scratch[32];
    if (const SyscallEvent* call = event.syscall()) {
        fmt::format_to(std::back_inserter(out), "tid {} {}(", event.tid, call->name);
        if (call->decoded) append_strace_args(out, *call->decoded, 0, ArgTree::kMaxNodes);
        out.push_back(')');
        if (event.kind == EventKind::SyscallEntry) {
            out.append(std::string_view(" <in progress>"));
        } else if (!call->has_result) {
            out.append(std::string_view(" = ?"));
        } else if (call->err) {
            fmt::format_to(std::back_inserter(out), " = -1 {}", errno_name(call->err, scratch));
        } else {
            fmt::format_to(std::back_inserter(out), " = {}", call->ret);
        }
    } else if (const SignalEvent* sig = event.signal()) {
        fmt::format_to(std::back_inserter(out), "tid {} --- {} ", event.tid,
                       signal_name(sig->signo, scratch));
        append_strace_siginfo(out, *sig);
        out.append(std::string_view(" ---"));
    } else if (const ExitEvent* exit = event.exit()) {
        if (exit->signaled) {
            fmt::format_to(std::back_inserter(out), "pid {} +++ killed by {} +++", event.pid,
                           signal_name(exit->signo, scratch));
        } else {
            fmt::format_to(std::back_inserter(out), "pid {} +++ exited with {} +++", event.pid,
                           exit->code);
        }
    } else {
        fmt::format_to(std::back_inserter(out), "tid {} {}", event.tid,
                       event_kind_name(event.kind));
    }
    return fmt::to_string(out);
}

std::string finding_text(const rules::Finding& f, std::string_view prefix) {
    const std::string p(prefix);
    std::string text = fmt::format("{}{} [{}] pid {}{} tid {} at {}\n{}  {}\n", p,
                                   rules::severity_name(f.severity), f.rule, f.pid,
                                   f.exe.empty() ? "" : " (" + f.exe + ")", f.tid,
                                   format_clock_time(f.time), p, f.message);
    if (!f.desc.empty()) text += p + "  why: " + f.desc + "\n";
    if (!f.evidence.empty()) {
        text += p + "  evidence:\n";
        for (const auto& e : f.evidence) text += p + "    " + e + "\n";
    }
    for (const ThreadStack& stack : f.stacks) {
        text += fmt::format("{}  stack of thread {}:{}\n", p, stack.tid,
                            stack.note.empty() ? "" : " (" + stack.note + ")");
        for (const StackFrame& frame : stack.frames) {
            text += p + "   " + format_frame(frame) + "\n";
        }
    }
    if (!f.doc.empty()) text += p + "  see " + f.doc + "\n";
    return text;
}

void TextFindingsWriter::on_finding(const rules::Finding& f) {
    // Every line starts with "sctrace:", like strace's own messages, so the
    // report can be told from the traced program's stderr (and grepped).
    const std::string text = finding_text(f, "sctrace: ");
    if (before_) before_();
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
    if (after_) after_();
}

void JsonlFindingsWriter::on_finding(const rules::Finding& f) {
    fmt::memory_buffer out;
    auto it = std::back_inserter(out);
    out.append(std::string_view(R"({"rule":)"));
    append_json_string(out, f.rule);
    fmt::format_to(it, R"(,"severity":"{}","pid":{},"tid":{},"time":{},"message":)",
                   rules::severity_name(f.severity), f.pid, f.tid, f.time);
    append_json_string(out, f.message);
    out.append(std::string_view(R"(,"desc":)"));
    append_json_string(out, f.desc);
    out.append(std::string_view(R"(,"exe":)"));
    append_json_string(out, f.exe);
    out.append(std::string_view(R"(,"evidence":[)"));
    for (std::size_t i = 0; i < f.evidence.size(); ++i) {
        if (i) out.push_back(',');
        append_json_string(out, f.evidence[i]);
    }
    out.append(std::string_view(R"(],"doc":)"));
    append_json_string(out, f.doc);
    if (!f.stacks.empty()) {
        // Frames as structured objects, so tools need not parse the text.
        out.append(std::string_view(R"(,"stacks":[)"));
        for (std::size_t i = 0; i < f.stacks.size(); ++i) {
            const ThreadStack& stack = f.stacks[i];
            fmt::format_to(it, R"({}{{"tid":{},"note":)", i ? "," : "", stack.tid);
            append_json_string(out, stack.note);
            out.append(std::string_view(R"(,"frames":[)"));
            for (std::size_t k = 0; k < stack.frames.size(); ++k) {
                const StackFrame& fr = stack.frames[k];
                fmt::format_to(it, R"({}{{"pc":{},"module":)", k ? "," : "", fr.pc);
                append_json_string(out, fr.module);
                fmt::format_to(it, R"(,"module_offset":{},"function":)", fr.module_offset);
                append_json_string(out, fr.function);
                fmt::format_to(it, R"(,"function_offset":{},"file":)", fr.function_offset);
                append_json_string(out, fr.file);
                fmt::format_to(it, R"(,"line":{},"inlined":{}}})", fr.line, fr.inlined);
            }
            out.append(std::string_view("]}"));
        }
        out.push_back(']');
    }
    out.append(std::string_view("}\n"));
    write_all(fd_, fmt::to_string(out));
}

}  // namespace sctrace
