#include "report/findings_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/text_escape.h"
#include "model/arg_tree.h"
#include "report/clock_face.h"
#include "report/event_writer.h"
#include "report/evidence_text.h"
#include "report/strace_format.h"

namespace sctrace {

std::string describe_event(const Event& event) {
    fmt::memory_buffer out;
    char scratch[32];
    if (const SyscallEvent* call = event.syscall()) {
        fmt::format_to(std::back_inserter(out), "tid {} {}(", event.tid, call->name);
        if (call->decoded) append_strace_args(out, *call->decoded, 0, ArgTree::kMaxNodes);
        out.push_back(')');
        if (event.kind == EventKind::SyscallEntry && call->via_ring) {
            // A submission: the kernel started it; the thread goes on.
        } else if (event.kind == EventKind::SyscallEntry) {
            out.append(std::string_view(" <in progress>"));
        } else if (!call->has_result) {
            out.append(std::string_view(" = ?"));
        } else if (call->err) {
            fmt::format_to(std::back_inserter(out), " = -1 {}", errno_name(call->err, scratch));
        } else {
            fmt::format_to(std::back_inserter(out), " = {}", call->ret);
        }
        if (event.kind != EventKind::SyscallEntry) append_tampering_note(out, *call);
        // The rule engine made this call of a ring operation: its
        // submission, or its completion.
        if (const IoUringOrigin* ring = call->via_ring) {
            fmt::format_to(std::back_inserter(out), " {} io_uring (ring fd {}, user_data {:#x}, {}",
                           event.kind == EventKind::SyscallEntry ? "submitted to" : "through",
                           ring->ring_fd, ring->user_data, io_uring_op_name(ring->opcode));
            // Its slot in the ring's own table, when it named one.
            if (ring->fixed_file >= 0) {
                fmt::format_to(std::back_inserter(out), ", fixed file {}", ring->fixed_file);
            } else if (ring->direct >= 0) {
                fmt::format_to(std::back_inserter(out), ", direct descriptor {}", ring->direct);
            }
            out.push_back(')');
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

std::string injected_note(const rules::Finding& f) {
    if (f.injected_before == 0) {
        return "injected: the evidence includes a result made up by fault injection (--inject), "
               "not returned by the kernel";
    }
    return fmt::format(
        "injected: the process saw {} result(s) made up by fault injection (--inject) before "
        "this; the state it rests on may come from them",
        f.injected_before);
}

std::string finding_text(const rules::Finding& f, std::string_view prefix, const TextStyle& style) {
    // Everything but the rule's own words can carry tracee bytes (paths,
    // names, stacks from its ELF): escaped, so no line of it can pose as a
    // finding of its own or drive the terminal.
    const std::string p(prefix);
    const Paint paint{style.color};
    const std::string exe = escaped(f.exe, EscapeMode::Name);
    std::string text =
        fmt::format("{}{}{}{} [{}{}{}] {}pid {}{} tid {} at {}{}\n", p, paint.severity(f.severity),
                    rules::severity_name(f.severity), paint.reset(), paint.bold(), escaped(f.rule),
                    paint.reset(), paint.bold(), f.pid, exe.empty() ? "" : " (" + exe + ")", f.tid,
                    format_clock_time(f.time), paint.reset());
    // Continuation lines keep the prefix, so that every line of the report
    // can still be told from the traced program's own stderr.
    const std::string body = p + "  ";
    text += wrap_paragraph(escaped(f.message), body, body, style.width);
    if (f.injected) text += wrap_paragraph(injected_note(f), body, body, style.width);
    if (!f.desc.empty()) {
        text += wrap_paragraph(escaped(f.desc), body + "why: ", body + "     ", style.width);
    }
    if (!f.evidence.empty()) {
        text += p + "  evidence:\n";
        for (const std::string& line : evidence_lines(f)) text += p + "    " + escaped(line) + "\n";
    }
    for (const ThreadStack& stack : f.stacks) {
        text += fmt::format("{}  stack of thread {}:{}\n", p, stack.tid,
                            stack.note.empty() ? "" : " (" + escaped(stack.note) + ")");
        for (const StackFrame& frame : stack.frames) {
            text += p + "   " + escaped(format_frame(frame)) + "\n";
        }
    }
    if (!f.doc.empty()) text += p + "  see " + escaped(f.doc) + "\n";
    return text;
}

std::string summary_table(const FindingsTally& tally, std::string_view prefix,
                          const TextStyle& style) {
    const Paint paint{style.color};
    ClockFace clock;
    struct Row {
        std::string cells[5];
        rules::Severity severity;
    };
    std::vector<Row> rows;
    rows.push_back({{"rule", "severity", "count", "first seen", "processes"}, {}});
    for (const FindingsTally::Rule* r : tally.by_severity()) {
        rows.push_back(
            {{escaped(r->id), std::string(rules::severity_name(r->severity)), grouped(r->count),
              r->timed ? clock.with_micros(r->first) : "-", pid_list(*r)},
             r->severity});
    }
    std::size_t widths[4] = {};
    for (const Row& row : rows) {
        for (std::size_t i = 0; i < 4; ++i)
            widths[i] = std::max(widths[i], columns_of(row.cells[i]));
    }
    std::string out = fmt::format("{}summary:\n", prefix);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        const Row& row = rows[n];
        const bool header = n == 0;
        std::string line(prefix);
        line += "  ";
        for (std::size_t i = 0; i < 5; ++i) {
            const std::string& cell = row.cells[i];
            const std::string pad =
                i < 4 ? std::string(widths[i] - columns_of(cell) + 2, ' ') : std::string();
            std::string_view on = header ? paint.bold() : "";
            if (!header && i == 0) on = paint.bold();
            if (!header && i == 1) on = paint.severity(row.severity);
            // The count is right-aligned, as numbers are read.
            if (i == 2) {
                line += std::string(widths[i] - columns_of(cell), ' ');
                line += on;
                line += cell;
                if (!on.empty()) line += paint.reset();
                line += "  ";
                continue;
            }
            line += on;
            line += cell;
            if (!on.empty()) line += paint.reset();
            line += pad;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

void FindingsSummary::add(const rules::Finding& f, bool shown) {
    tally_.add(f);
    if (!shown) ++hidden_[f.rule];
}

std::string FindingsSummary::text(std::string_view prefix) const {
    std::string out;
    for (const FindingsTally::Rule& t : tally_.rules()) {
        out += fmt::format("{}summary: {} {} ×{}", prefix, escaped(t.id),
                           rules::severity_name(t.severity), t.count);
        if (t.timed) {
            out += fmt::format(", first {}, last {}", format_clock_time(t.first),
                               format_clock_time(t.last));
        } else {
            out += ", times unknown (no timestamps)";
        }
        out += t.pid_count == 1 ? ", pid " : ", pids ";
        out += pid_list(t);
        if (const auto hidden = hidden_.find(t.id); hidden != hidden_.end()) {
            out += fmt::format("; {} repeated finding(s) not shown above", hidden->second);
        }
        out += '\n';
    }
    return out;
}

std::string FindingsSummary::table(std::string_view prefix, const TextStyle& style) const {
    std::string out;
    for (const FindingsTally::Rule& t : tally_.rules()) {
        const auto hidden = hidden_.find(t.id);
        if (hidden == hidden_.end()) continue;
        out += fmt::format(
            "{}... and {} more {} finding{} not shown above (--findings FILE keeps "
            "every one)\n",
            prefix, grouped(hidden->second), escaped(t.id), hidden->second == 1 ? "" : "s");
    }
    return out + summary_table(tally_, prefix, style);
}

void TextFindingsWriter::write(const std::string& text) {
    if (status_.failed()) return;
    if (before_) before_();
    if (std::fputs(text.c_str(), out_) == EOF || std::fflush(out_) == EOF) {
        const int error = errno;
        std::clearerr(out_);
        status_.fail(error);
    }
    if (after_) after_();
}

void TextFindingsWriter::on_finding(const rules::Finding& f) {
    // The same rule saying the same thing again (a loop over many fds, a
    // browser's hundreds of threads) is counted, not shown: what matters
    // must not scroll away.
    const std::size_t seen = ++seen_[{f.rule, f.message}];
    if (style_.shown_per_rule > 0) {
        // A terminal: a few of each rule in full, then only counted, since
        // 2,000 double-closes that each differ by an fd drown it all the same.
        std::size_t& shown_of_rule = shown_of_rule_[f.rule];
        const bool shown = seen <= kShownPerMessage && shown_of_rule < style_.shown_per_rule;
        const bool first_hidden = !shown && summary_.hidden(f.rule) == 0;
        summary_.add(f, shown);
        if (first_hidden) {
            write(
                fmt::format("sctrace: more {} findings are counted in the summary at the end, "
                            "not shown\n",
                            escaped(f.rule)));
        }
        if (!shown) return;
        ++shown_of_rule;
        write(finding_text(f, "sctrace: ", style_));
        return;
    }
    const bool shown = seen <= kShownPerMessage;
    summary_.add(f, shown);
    if (seen == kShownPerMessage + 1) {
        write(
            fmt::format("sctrace: more {} findings with this message are counted in the "
                        "summary at the end, not shown: {}\n",
                        escaped(f.rule), escaped(f.message)));
    }
    if (!shown) return;
    // Every line starts with "sctrace:", like strace's own messages, so the
    // report can be told from the traced program's stderr (and grepped).
    write(finding_text(f, "sctrace: ", style_));
}

void TextFindingsWriter::on_end() {
    // Once: a run that ends twice (a signal during shutdown) sums once.
    if (ended_) return;
    ended_ = true;
    if (summary_.empty()) return;
    write(style_.shown_per_rule > 0 ? summary_.table("sctrace: ", style_)
                                    : summary_.text("sctrace: "));
}

namespace {

void append_evidence_item(fmt::memory_buffer& out, const rules::EvidenceItem& item) {
    struct ToJson final : EvidenceFieldVisitor {
        explicit ToJson(fmt::memory_buffer& buffer) : out(buffer) {}
        fmt::memory_buffer& out;
        bool first = true;
        void name(std::string_view key) {
            if (!first) out.push_back(',');
            first = false;
            append_json_string(out, key);
            out.push_back(':');
        }
        void field(std::string_view key, std::int64_t value) override {
            name(key);
            fmt::format_to(std::back_inserter(out), "{}", value);
        }
        void field(std::string_view key, std::string_view value) override {
            name(key);
            append_json_string(out, value);
        }
        void field(std::string_view key, bool value) override {
            name(key);
            out.append(std::string_view(value ? "true" : "false"));
        }
    } to_json(out);
    out.push_back('{');
    visit_evidence_fields(item, to_json);
    out.push_back('}');
}

}  // namespace

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
    const std::vector<std::string> evidence = evidence_lines(f);
    for (std::size_t i = 0; i < evidence.size(); ++i) {
        if (i) out.push_back(',');
        append_json_string(out, evidence[i]);
    }
    // The same evidence as data (docs/cli.md, "Findings as JSON").
    out.append(std::string_view(R"(],"evidence_items":[)"));
    for (std::size_t i = 0; i < f.evidence.size(); ++i) {
        if (i) out.push_back(',');
        append_evidence_item(out, f.evidence[i]);
    }
    out.append(std::string_view("]"));
    if (!f.others.empty()) {
        // The other threads of a finding about two threads, as data.
        out.append(std::string_view(R"(,"others":[)"));
        for (std::size_t i = 0; i < f.others.size(); ++i) {
            const rules::OtherThread& o = f.others[i];
            fmt::format_to(it, R"({}{{"tid":{},"call":)", i ? "," : "", o.tid);
            append_json_string(out, o.call);
            fmt::format_to(it, R"(,"fd":{},"same_file":{},"file":)", o.fd, o.same_file);
            append_json_string(out, o.file);
            fmt::format_to(it, R"(,"since":{}}})", o.since);
        }
        out.push_back(']');
    }
    out.append(std::string_view(R"(,"doc":)"));
    append_json_string(out, f.doc);
    if (f.injected) {
        fmt::format_to(it, R"(,"injected":true,"injected_before":{})", f.injected_before);
    }
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
    out_.write(std::string_view(out.data(), out.size()));
}

}  // namespace sctrace
