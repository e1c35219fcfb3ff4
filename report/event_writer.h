// Writers of the event stream (-o FILE --format text|jsonl).
//
// Both formats follow strace's convention for calls that block: a call is
// written once, complete, when it returns, unless another event has to be
// written first; then its entry is written as "unfinished" and its exit later
// as "resumed". So a reader sees which calls were pending while something
// else happened, without paying for two records per call.
#pragma once

#include <bitset>
#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "model/event.h"
#include "model/names.h"
#include "model/syscall_set.h"
#include "report/clock_face.h"
#include "report/output_stream.h"
#include "report/strace_format.h"

namespace sctrace {

class EventWriter : public EventSink {
public:
    // Writes to `fd` (not owned), which messages call `name` (default: the
    // fd's number, or "stderr"). `display`: the syscalls to show; other
    // syscall events are skipped (the rules may still need them).
    EventWriter(int fd, SyscallSet display, std::string name = {});
    ~EventWriter() override;

    void on_event(const Event& event) override;
    void on_end() override;

    // Where the stream goes, and whether a write failed (then the rest of
    // the stream was dropped and said so once; the run goes on).
    OutputStream& output() { return stream_; }
    const OutputStream& output() const { return stream_; }

protected:
    // A call that returned, written as one record.
    virtual void write_complete(const Event& exit) = 0;
    // The entry of a call that other events overtook.
    virtual void write_unfinished(const Event& entry) = 0;
    // The exit of a call whose entry was written as unfinished.
    virtual void write_resumed(const Event& exit) = 0;
    // Everything that is not a syscall.
    virtual void write_other(const Event& event) = 0;
    // Whether the watchdog's thread samples belong in this format.
    virtual bool shows_samples() const { return false; }
    // Whether a non-syscall event is written at all: one that is not leaves
    // a call in progress whole (strace's line is not cut by a silent event).
    virtual bool writes_line(const Event& /*event*/) const { return true; }

    fmt::memory_buffer out_;  // the record(s) being built; flushed by on_event

    // "--- io_uring_submit {opcode=IORING_OP_STATX, ...} ---" (text and
    // strace formats); the tree is scratch, allocated at the first use.
    void io_uring_line(const Event& event);
    // ,"opcode":"IORING_OP_STATX",... for JSONL.
    void io_uring_json_fields(const Event& event);
    std::unique_ptr<ArgTree> io_uring_tree_;

    // Writes out_ when it is due (`force`: now).
    void flush(bool force);
    // Whether `call` is one this writer shows at all (the display set).
    bool displays(const SyscallEvent& call) const { return display_.contains(call.arch, call.nr); }
    // The entry still held back, if any (its thread's call has not returned).
    const Event* pending_entry() const { return pending_ ? &*pending_ : nullptr; }
    // Forgets the held-back entry without writing it.
    void drop_pending_entry() { pending_.reset(); }

private:
    void flush_pending_entry();
    // Copies the entry half of `args` into pending_args_; returns it.
    const ArgTree* keep_entry_args(const ArgTree& args);

    OutputStream stream_;
    SyscallSet display_;
    bool line_buffered_;
    std::int64_t last_flush_ns_ = 0;
    // The last entry not yet written, with its name and decoded arguments
    // copied: the source's storage is only valid during on_event, and the
    // next event (another thread's call) may reuse it.
    std::optional<Event> pending_;
    char pending_name_[32] = {};
    std::unique_ptr<ArgTree> pending_args_;  // allocated at the first decoded entry
};

// sctrace's readable text: "14:03:11.123456 4711 connect(3, 0x7ffc..., 16) = 0 <0.000012>".
class TextWriter final : public EventWriter {
public:
    using EventWriter::EventWriter;

private:
    void write_complete(const Event& exit) override;
    void write_unfinished(const Event& entry) override;
    void write_resumed(const Event& exit) override;
    void write_other(const Event& event) override;
    void prefix(const Event& event);
    void call_args(const SyscallEvent& call);
    ClockFace clock_face_;
    void result(const SyscallEvent& call, Nanos exit_time);
};

// One JSON object per line; see docs/events.md for the keys.
class JsonlWriter final : public EventWriter {
public:
    using EventWriter::EventWriter;

private:
    void write_complete(const Event& exit) override;
    void write_unfinished(const Event& entry) override;
    void write_resumed(const Event& exit) override;
    void write_other(const Event& event) override;
    bool shows_samples() const override { return true; }
    void header(const Event& event);
    void syscall_fields(const SyscallEvent& call, bool with_result);
};

// How strace lays a line out: what comes before the call and after its
// result, and which lines it shows at all. The default is strace -f -o
// FILE's: every line names its thread (sctrace's own --format strace adds
// -tt and -T times unless --no-times: cli/common_options.cpp).
struct StraceLayout {
    enum class PidPrefix : std::uint8_t {
        Always,   // "4711  " on every line (strace -f -o FILE)
        Several,  // "[pid  4711] " while more than one thread is traced (strace without -o)
        Never,    // one process, or one file per process (-ff)
    };
    PidPrefix pid_prefix = PidPrefix::Always;
    unsigned column = 40;                // -a: where "= result" starts
    int timestamps = 0;                  // -t (1), -tt (2), -ttt (3)
    bool relative_timestamps = false;    // -r
    bool syscall_times = false;          // -T: " <0.000012>"
    bool exit_lines = true;              // "+++ exited with 0 +++" (not with -qq)
    bool fd_paths = false;               // -y: an fd's path after it, "3</dev/null>"
    bool fd_details = false;             // -yy: sockets, devices, pidfds described
    XlatStyle xlat = XlatStyle::Abbrev;  // -X: named constants as names, numbers or both
    // -k: each call's line and each signal's is followed by the thread's
    // stack at that moment, as strace prints it; calls that end the thread
    // or replace its program (exit, exit_group, execve ...) show the stack
    // of their entry, after their line (strace: after the thread's "+++"
    // line for those that end it).
    bool stack_traces = false;
    // The launched command's own first execve (strace takes its stack at the
    // exit, in the new program, as for any call); false with -p.
    bool launched = false;
    // -P: only calls that name one of these paths, as a path argument or
    // through an fd (its decoration), are shown.
    std::vector<std::string> paths;
    // -e signal=: which "--- SIGxxx ---" lines are shown (index: signal number).
    std::bitset<128> signals = std::bitset<128>().set();
    // -e status=: which calls are shown by how they ended; with a choice,
    // calls are shown whole once they end, never as unfinished and resumed.
    bool status_filtered = false;
    bool show_successful = true;
    bool show_failed = true;
    bool show_unfinished = true;  // never returned (exit, exec, a kill)
};

// strace 6.1's line format, as `strace -f -o FILE` writes it:
//   "4711  connect(3, {sa_family=AF_INET, ...}, 16) = -1 EINPROGRESS (...)"
// from the decoded arguments (decoders/). Calls without decoded arguments
// print their raw registers as strace's printargs does.
class StraceWriter final : public EventWriter {
public:
    StraceWriter(int fd, SyscallSet display, std::string name = {}, StraceLayout layout = {})
        : EventWriter(fd, display, std::move(name)),
          layout_(std::move(layout)),
          first_exec_(layout_.launched) {}

    void on_event(const Event& event) override;
    // -k: the stacks the last event's lines asked for.
    void at_safe_point(StackTaker& stacks) override;

    // strace -ff: thread `tid`'s call in progress (an execve from a thread
    // that is not the leader) is written unfinished, marked
    // " <pid changed to TID ...>", and this file takes no more of it.
    void pid_changed(pid_t tid);

private:
    void write_complete(const Event& exit) override;
    void write_unfinished(const Event& entry) override;
    void write_resumed(const Event& exit) override;
    void write_other(const Event& event) override;
    // Returns where the line starts. `at_entry`: the line of a call, begun
    // (as strace begins it) when the call entered.
    std::size_t prefix(const Event& event, Nanos when, bool at_entry = false);
    bool writes_line(const Event& event) const override;
    void result(const SyscallEvent& call, std::size_t line_start, Nanos exit_time);
    void result_value(const SyscallEvent& call);
    StraceStyle style() const { return {layout_.fd_paths, layout_.fd_details, layout_.xlat}; }
    void raw_args(const SyscallEvent& call);
    void args(const SyscallEvent& call);
    bool shown(const SyscallEvent& call) const;
    void count_threads(const Event& event);

    void stack_after_line(const Event& event);

    StraceLayout layout_;
    std::unordered_set<pid_t> threads_;  // traced now, as the events tell (PidPrefix::Several)
    Nanos last_time_ = 0;                // -r: the previous line's time
    ClockFace clock_face_;               // -t, -tt
    // -k: the thread whose line was just written, wanting its stack now; the
    // thread whose call's entry wants its stack kept for later; the stacks
    // so kept, until the call's line (or the thread's end) prints them.
    // The latest call entry shown, and whether more than one thread was
    // traced then (PidPrefix::Several decides a call's prefix at its entry).
    pid_t entry_tid_ = 0;
    bool entry_several_ = false;
    pid_t stack_now_ = 0;
    pid_t stack_at_entry_ = 0;
    bool first_exec_ = false;  // the launched command's first execve is still to come
    std::unordered_map<pid_t, std::vector<StackFrame>> entry_stacks_;
};

// The length of the valid UTF-8 sequence starting at text[i] (1 for ASCII),
// or 0: not UTF-8, overlong, a surrogate or past U+10FFFF.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
// Appends `text` as a JSON string literal (quotes included).
void append_json_string(fmt::memory_buffer& out, std::string_view text);

}  // namespace sctrace
