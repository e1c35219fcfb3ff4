// --timeout's report: one line per thread (where it is blocked), its stack
// or why there is none, and the tracee's names escaped.
#include "report/timeout_report_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sctrace {
namespace {

std::string written(const TimeoutReport& report) {
    char* data = nullptr;
    std::size_t size = 0;
    FILE* out = open_memstream(&data, &size);
    TimeoutReportWriter(out).on_timeout(report);
    std::fclose(out);
    std::string text(data, size);
    std::free(data);
    return text;
}

TimedOutThread thread(pid_t tid, char state, int syscall, const char* comm) {
    TimedOutThread t;
    t.pid = 4711;
    t.tid = tid;
    t.sample.state = state;
    t.sample.syscall = syscall;
    t.sample.args = {3, 0x1000, 16};
    std::strncpy(t.sample.comm.data(), comm, t.sample.comm.size() - 1);
    return t;
}

TEST(TimeoutReportWriter, SaysWhereEveryThreadIsBlockedWithItsStack) {
    TimeoutReport report;
    report.seconds = 2;
    TimedOutThread reader = thread(4711, 'S', 0, "reader");
    std::strcpy(reader.sample.wchan.data(), "pipe_read");
    ThreadStack stack;
    stack.tid = 4711;
    StackFrame frame;
    frame.pc = 0x401000;
    frame.module = "/usr/bin/prog";
    frame.module_offset = 0x1000;
    frame.function = "main";
    stack.frames.push_back(frame);
    reader.stack = stack;
    report.threads.push_back(reader);
    TimedOutThread stuck = thread(4712, 'D', -1, "worker");
    stuck.stack =
        ThreadStack{4712, "in uninterruptible sleep (D state): it cannot stop to be unwound", {}};
    report.threads.push_back(stuck);
    TimedOutThread worker = thread(4713, 'S', -1, "iou-wrk-4711");
    worker.sample.io_worker = true;
    report.threads.push_back(worker);

    const std::string text = written(report);
    EXPECT_EQ(text,
              "sctrace: --timeout: 2s passed; the traced threads were, before SIGKILL:\n"
              "sctrace:   pid 4711 tid 4711 (reader) state S in read(0x3, 0x1000, 0x10, ...), "
              "wchan pipe_read\n"
              "sctrace:    " +
                  format_frame(frame) +
                  "\n"
                  "sctrace:   pid 4711 tid 4712 (worker) state D not in a syscall\n"
                  "sctrace:     (stack: in uninterruptible sleep (D state): it cannot stop to be "
                  "unwound)\n"
                  "sctrace:   pid 4711 tid 4713 (iou-wrk-4711) state S not in a syscall "
                  "[io_uring worker]\n");
}

TEST(TimeoutReportWriter, AttachedThreadsAreNotKilledAndNamesCannotForgeLines) {
    TimeoutReport report;
    report.seconds = 0.5;
    report.attached = true;
    report.threads.push_back(thread(10, 'R', -1, "x\nsctrace: y"));
    const std::string text = written(report);
    EXPECT_EQ(text.find("before SIGKILL"), std::string::npos);
    EXPECT_NE(text.find("0.5s passed; the traced threads are:\n"), std::string::npos);
    EXPECT_NE(text.find("state R running\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("\nsctrace: y"), std::string::npos) << text;
}

}  // namespace
}  // namespace sctrace
