// The event stream and findings in Chrome's trace event format
// (--trace-json FILE), which ui.perfetto.dev and chrome://tracing open as a
// timeline, one track per thread. It is written in the format's "JSON Array
// Format", `[ {...}, {...} ]`, whose closing `]` the format makes optional:
// a file cut short (sctrace killed, even by SIGKILL) still loads, and a
// strict JSON parser reads it after appending "]".
//
//   syscall   complete event ("ph":"X"), entry to exit, args {ret, errno, args}
//   signal, exit, exec, spawn, stop, io_uring   instant events on the thread ("ph":"i")
//   finding   instant event on the process track ("s":"p"), named "finding: RULE-ID"
//   names     metadata ("ph":"M"): process_name from the executable, thread_name
//
// Times are microseconds since the first event (with nanosecond decimals);
// the absolute start is the first record, metadata named "sctrace" with
// args.start_time_ns. The file is streamed: each event's records are written
// as soon as they are complete, so memory does not grow with the trace and
// an interrupted run loses nothing it saw; only calls still in progress and
// the names of the processes and threads seen are kept.
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "model/event.h"
#include "model/finding.h"
#include "report/output_stream.h"

namespace sctrace {

class TraceJsonWriter final : public EventSink {
public:
    // Writes to `fd` (not owned), which stays open until finish(); messages
    // call it `name` (default: its number).
    explicit TraceJsonWriter(int fd, std::string name = {});
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
    // False when a write failed (disk full, ...), which was said on stderr
    // when it happened; output() has the error.
    bool finish();
    OutputStream& output() { return stream_; }
    const OutputStream& output() const { return stream_; }

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
    // The first event or finding: its time is the timeline's zero.
    void note_start(Nanos time, pid_t pid, pid_t tid);
    void flush();

    OutputStream stream_;
    fmt::memory_buffer out_;
    bool first_record_ = true;
    bool finished_ = false;
    bool ended_ = false;
    Nanos base_ = 0;  // the first time seen, once has_base_
    bool has_base_ = false;
    Nanos last_time_ = 0;
    Findings findings_{*this};
    std::unordered_map<pid_t, PendingCall> pending_;        // by tid
    std::unordered_map<pid_t, std::string> process_names_;  // by pid
    std::unordered_set<pid_t> threads_named_;
};

}  // namespace sctrace
