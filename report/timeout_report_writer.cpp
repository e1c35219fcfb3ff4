#include "report/timeout_report_writer.h"

#include <string>

#include "base/text_escape.h"
#include "model/syscall_table.h"

namespace sctrace {

namespace {

// "in read(0x3, 0x7ffd..., 0x1000, ...)", "running", "not in a syscall".
std::string call_text(const ThreadSampleEvent& d) {
    if (d.syscall >= 0) {
        char scratch[32];
        std::string call = "in " + std::string(syscall_name(Arch::X86_64, d.syscall, scratch));
        char args[160];
        std::snprintf(args, sizeof args, "(%#llx, %#llx, %#llx, ...)",
                      static_cast<unsigned long long>(d.args[0]),
                      static_cast<unsigned long long>(d.args[1]),
                      static_cast<unsigned long long>(d.args[2]));
        return call + args;
    }
    if (d.syscall == -2) return "call unknown";
    if (d.state != 'R') return "not in a syscall";
    return "running";
}

}  // namespace

void TimeoutReportWriter::on_timeout(const TimeoutReport& report) {
    std::fprintf(
        out_,
        report.attached
            ? "sctrace: --timeout: %.3gs passed; the traced threads are:\n"
            : "sctrace: --timeout: %.3gs passed; the traced threads were, before SIGKILL:\n",
        report.seconds);
    for (const TimedOutThread& t : report.threads) {
        const ThreadSampleEvent& d = t.sample;
        // The thread's name (prctl PR_SET_NAME) and its stack's symbol and
        // file names (its ELF and DWARF) are the tracee's to choose: escaped,
        // so none of them can start a line of this report or drive the
        // terminal.
        std::fprintf(out_, "sctrace:   pid %d tid %d (%s) state %c %s%s%s%s\n", t.pid, t.tid,
                     escaped(d.comm.data(), EscapeMode::Name).c_str(), d.state,
                     call_text(d).c_str(), d.wchan[0] ? ", wchan " : "",
                     escaped(d.wchan.data()).c_str(), d.io_worker ? " [io_uring worker]" : "");
        if (!t.stack) continue;
        for (const StackFrame& frame : t.stack->frames) {
            std::fprintf(out_, "sctrace:    %s\n", escaped(format_frame(frame)).c_str());
        }
        if (!t.stack->note.empty()) {
            std::fprintf(out_, "sctrace:     (stack: %s)\n", escaped(t.stack->note).c_str());
        }
    }
    std::fflush(out_);
}

}  // namespace sctrace
