// The flight recorder (--flight-recorder N): the last N events of every
// thread, kept in memory while a run goes well and written out when it does
// not, as sctrace's JSONL event log (docs/events.md) and in strace's format:
//
//   - at the first finding at or above a severity (the events that led to
//     it: PREFIX.first-finding.jsonl and .strace), and
//   - at the end of a run that failed (its last moments: PREFIX.jsonl and
//     .strace), when the owner calls write_now().
//
// A long passing run writes nothing. Memory is bounded: N events for each of
// at most `max_threads` threads (the threads least recently heard from give
// their ring up first), each event with its decoded arguments (a few hundred
// bytes; at most an argument tree's arena, model/arg_tree.h).
//
// The watchdog's thread samples are not recorded: a thread blocked for a
// minute would fill its ring with them and push out the calls that say how
// it got there.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/event.h"
#include "model/finding.h"
#include "model/packed_arg_trees.h"

namespace sctrace {

class ArgTree;

struct FlightRecorderOptions {
    std::size_t events_per_thread = 0;  // N
    std::size_t max_threads = 64;
    // Files are PREFIX.jsonl and PREFIX.strace (and PREFIX.first-finding.*).
    std::string path_prefix = "sctrace-flight";
    // A finding at or above this severity writes the recording at once.
    rules::Severity finding_threshold = rules::Severity::Warning;
};

class FlightRecorder final : public EventSink, public rules::FindingSink {
public:
    explicit FlightRecorder(FlightRecorderOptions options);
    ~FlightRecorder() override;
    FlightRecorder(const FlightRecorder&) = delete;
    FlightRecorder& operator=(const FlightRecorder&) = delete;

    void on_event(const Event& event) override;
    void on_finding(const rules::Finding& finding) override;
    void on_end() override {}  // EventSink's and FindingSink's: nothing to flush

    // Writes what is recorded now to PREFIX + `suffix` + ".jsonl" and
    // ".strace". False, after saying why on stderr ("sctrace: PATH:
    // reason"), when a file could not be written.
    bool write_now(std::string_view suffix = {});
    // The files written so far (both formats, in the order written).
    const std::vector<std::string>& written() const { return written_; }
    // Threads whose ring was given up to make room for another thread's.
    std::uint64_t evicted_threads() const { return evicted_threads_; }

private:
    // One recorded event, with everything its views point to.
    struct Record {
        std::uint64_t seq = 0;
        Event event;
        std::string name;         // a syscall's name
        std::string text, text2;  // an exec's path; an io_uring submission's paths
        PackedArgTrees tree;      // the decoded arguments, when there were any
        bool has_tree = false;
    };
    struct Ring {
        std::vector<Record> slots;
        std::size_t next = 0;  // where the next event goes
        std::uint64_t last_seq = 0;
    };

    Ring& ring_of(pid_t tid);
    void keep(Record& slot, const Event& event);
    bool write_file(const std::string& path, bool strace_format,
                    const std::vector<const Record*>& records);

    FlightRecorderOptions options_;
    std::unordered_map<pid_t, Ring> rings_;  // by thread id
    std::uint64_t seq_ = 0;
    std::uint64_t evicted_threads_ = 0;
    bool wrote_at_finding_ = false;
    std::vector<std::string> written_;
    // Scratch: a tree copied out of the source's storage (internalized),
    // and the tree an event is loaded back into when written.
    PackedArgTrees staging_;
    std::unique_ptr<ArgTree> scratch_;
};

}  // namespace sctrace
