// Writers of the event stream (-o FILE --format text|jsonl).
//
// Both formats follow strace's convention for calls that block: a call is
// written once, complete, when it returns, unless another event has to be
// written first; then its entry is written as "unfinished" and its exit later
// as "resumed". So a reader sees which calls were pending while something
// else happened, without paying for two records per call.
#pragma once

#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <fmt/format.h>

#include "model/event.h"
#include "model/names.h"
#include "model/syscall_set.h"
#include "report/output_stream.h"

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

    fmt::memory_buffer out_;  // the record(s) being built; flushed by on_event

    // "--- io_uring_submit {opcode=IORING_OP_STATX, ...} ---" (text and
    // strace formats); the tree is scratch, allocated at the first use.
    void io_uring_line(const Event& event);
    // ,"opcode":"IORING_OP_STATX",... for JSONL.
    void io_uring_json_fields(const Event& event);
    std::unique_ptr<ArgTree> io_uring_tree_;

private:
    void flush_pending_entry();
    // Copies the entry half of `args` into pending_args_; returns it.
    const ArgTree* keep_entry_args(const ArgTree& args);
    void flush(bool force);

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
    // The second clock_face_ shows; none yet (no time reaches this second).
    std::time_t clock_second_ = std::numeric_limits<std::time_t>::min();
    char clock_face_[16] = "";       // "14:03:11"
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

// strace 6.1's line format, as `strace -f -o FILE` writes it:
//   "4711  connect(3, {sa_family=AF_INET, ...}, 16) = -1 EINPROGRESS (...)"
// from the decoded arguments (decoders/). Calls without decoded arguments
// print their raw registers as strace's printargs does.
class StraceWriter final : public EventWriter {
public:
    using EventWriter::EventWriter;

private:
    void write_complete(const Event& exit) override;
    void write_unfinished(const Event& entry) override;
    void write_resumed(const Event& exit) override;
    void write_other(const Event& event) override;
    std::size_t prefix(const Event& event);  // returns where the line starts
    void result(const SyscallEvent& call, std::size_t line_start);
    void raw_args(const SyscallEvent& call);
};

// The length of the valid UTF-8 sequence starting at text[i] (1 for ASCII),
// or 0: not UTF-8, overlong, a surrogate or past U+10FFFF.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
// Appends `text` as a JSON string literal (quotes included).
void append_json_string(fmt::memory_buffer& out, std::string_view text);

}  // namespace sctrace
