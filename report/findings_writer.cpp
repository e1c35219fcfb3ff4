#include "report/findings_writer.h"

#include <unistd.h>

#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "decoders/arg_tree.h"
#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

std::string clock_time(Nanos time) {
    const std::time_t seconds = static_cast<std::time_t>(time / 1'000'000'000);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    return fmt::format("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                       (time % 1'000'000'000) / 1000);
}

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

void TextFindingsWriter::on_finding(const rules::Finding& f) {
    // Every line starts with "sctrace:", like strace's own messages, so the
    // report can be told from the traced program's stderr (and grepped).
    std::string text =
        fmt::format("sctrace: {} [{}] pid {}{} tid {} at {}\nsctrace:   {}\n",
                    rules::severity_name(f.severity), f.rule, f.pid,
                    f.exe.empty() ? "" : " (" + f.exe + ")", f.tid, clock_time(f.time), f.message);
    if (!f.desc.empty()) text += "sctrace:   why: " + f.desc + "\n";
    if (!f.evidence.empty()) {
        text += "sctrace:   evidence:\n";
        for (const auto& e : f.evidence) text += "sctrace:     " + e + "\n";
    }
    for (const ThreadStack& stack : f.stacks) {
        text += fmt::format("sctrace:   stack of thread {}:{}\n", stack.tid,
                            stack.note.empty() ? "" : " (" + stack.note + ")");
        for (const StackFrame& frame : stack.frames) {
            text += "sctrace:    " + format_frame(frame) + "\n";
        }
    }
    text += "sctrace:   see " + f.doc + "\n";
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
