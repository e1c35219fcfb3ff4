// The event stream and findings in Chrome's trace event format
// (--trace-json FILE): {"traceEvents":[...]}, which ui.perfetto.dev and
// chrome://tracing open as a timeline, one track per thread.
//
//   syscall   complete event ("ph":"X"), entry to exit, args {ret, errno, args}
//   signal, exit, exec, spawn, stop, io_uring   instant events on the thread ("ph":"i")
//   finding   instant event on the process track ("s":"p"), named "finding: RULE-ID"
//   names     metadata ("ph":"M"): process_name from the executable, thread_name
//
// Times are microseconds since the first event (with nanosecond decimals);
// the absolute start is in otherData.start_time_ns. The file is streamed:
// records are built in a bounded buffer and written out as it fills, so
// memory does not grow with the trace; only calls still in progress and the
// names of the processes and threads seen are kept.
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "engine/rules/engine.h"
#include "events/event.h"

namespace sctrace {

class TraceJsonWriter final : public EventSink {
public:
    // Writes to `fd` (not owned), which stays open until finish().
    explicit TraceJsonWriter(int fd);
    // Finishes the file if finish() was not called, so that an interrupted
    // run still leaves valid JSON.
    ~TraceJsonWriter() override;
    TraceJsonWriter(const TraceJsonWriter&) = delete;
    TraceJsonWriter& operator=(const TraceJsonWriter&) = delete;

    void on_event(const Event& event) override;
    // The event stream ended: calls still in progress are written, ending at
    // the last event's time.
    void on_end() override;

    // Register this with the rule engine to get findings on the timeline.
    rules::FindingSink& finding_sink() { return findings_; }

    // Writes the end of the document. Later events and findings are ignored.
    // False when a write failed (disk full, ...); error() says why.
    bool finish();
    const std::string& error() const { return error_; }

private:
    class Findings final : public rules::FindingSink {
    public:
        explicit Findings(TraceJsonWriter& owner) : owner_(owner) {}
        void on_finding(const rules::Finding& finding) override { owner_.write_finding(finding); }

    private:
        TraceJsonWriter& owner_;
    };

    struct PendingCall {
        pid_t pid = 0;
        Nanos entry_time = 0;
        std::string name;
    };

    void write_finding(const rules::Finding& finding);
    void write_call(pid_t pid, pid_t tid, std::string_view name, Nanos begin, Nanos end,
                    const SyscallEvent* exit);
    void write_instant(const Event& event, std::string_view name, std::string_view category,
                       char scope);
    void note_thread(pid_t pid, pid_t tid);
    void write_names(pid_t pid, pid_t tid, bool force);
    // `"ts":...` from an absolute time, relative to the first one seen.
    void timestamp(std::string_view key, Nanos time);
    void begin_record();
    void flush(bool force);

    int fd_;
    fmt::memory_buffer out_;
    bool first_record_ = true;
    bool finished_ = false;
    bool ended_ = false;
    std::string error_;
    Nanos base_ = 0;  // the first time seen, once has_base_
    bool has_base_ = false;
    Nanos last_time_ = 0;
    Findings findings_{*this};
    std::unordered_map<pid_t, PendingCall> pending_;        // by tid
    std::unordered_map<pid_t, std::string> process_names_;  // by pid
    std::unordered_set<pid_t> threads_named_;
};

}  // namespace sctrace
