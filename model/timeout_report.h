// What --timeout saw when it expired: every traced thread, where it was
// blocked and its user stack. The live source gathers it; a writer in
// report/ says it (report/timeout_report_writer.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

#include "model/event.h"
#include "model/stack_frame.h"

namespace sctrace {

struct TimedOutThread {
    pid_t pid = 0;
    pid_t tid = 0;
    ThreadSampleEvent sample;  // its /proc state, call, wchan, name
    // None for an io_uring kernel worker (no user stack) or a thread no
    // longer traced.
    std::optional<ThreadStack> stack;
};

struct TimeoutReport {
    double seconds = 0;     // the --timeout that passed
    bool attached = false;  // -p: the threads are detached, not killed
    std::vector<TimedOutThread> threads;
};

class TimeoutReportSink {
public:
    virtual ~TimeoutReportSink() = default;
    virtual void on_timeout(const TimeoutReport& report) = 0;
};

}  // namespace sctrace
