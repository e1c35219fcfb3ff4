// sctrace analyze on two cores: a second thread reads an input's lines
// into batches and parses the strace ones (parse_line, the costly part,
// independent per line); the batches come back in order, and the caller
// pairs their lines into events and runs the sinks (the rule engine, the
// writers). The thread both reads and parses so that a line's bytes cross
// from one core to the other once, in one direction: when the caller read
// and the thread parsed, every line's text went over and its parse came
// back, and the two cores spent more time waiting on each other's caches
// than one core took for all of it. A fixed set of batches circulates,
// recycled, so memory is bounded by the batch size, never by the log's; a
// batch owns its lines' text and argument trees (model/packed_arg_trees.h)
// until the caller has moved past it, which is as long as the events made
// from them live (model/event.h).
//
// Lines are read ahead a few batches at a time, so a stream (standard input,
// a pipe) is better read line by line without this: its lines would wait for
// a batch to fill.
//
// What the caller sees is what reading the input itself would give: the
// same lines, in order, the bytes read, and what reading it threw, thrown
// once the lines before it have been returned.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/line_reader.h"
#include "model/packed_arg_trees.h"
#include "sources/strace/strace_line.h"
#include "sources/strace/strace_log.h"

namespace sctrace::logs {

class ParsePipeline {
public:
    struct Options {
        // Lines per batch: enough that handing a batch over costs little
        // per line, few enough that a batch's trees stay in the cache.
        std::size_t batch_lines = 1024;
        // Batches in flight, between the two threads (at least 2).
        std::size_t batches = 4;
    };

    // One line of an input, as LineReader::next gave it; parsed when the
    // input is strace text (not JSONL, not sctrace's text format).
    struct Line {
        std::string storage;         // the line's bytes (LineReader::next reads into it)
        std::string_view text;       // storage, once the batch is read
        std::size_t bytes_read = 0;  // the reader's bytes_read() after this line
        bool overlong = false;       // see LineReader::overlong
        bool parsed = false;         // parse_line ran: then the fields below
        bool parse_ok = false;
        strace_text::ParsedLine line;  // its views point into `text`
        std::size_t tree = 0;          // the arguments, in the batch's trees
        std::string error;             // when not parse_ok
    };

    // Starts the parsing thread.
    explicit ParsePipeline(Options options);
    // Stops it; batches still in flight are dropped.
    ~ParsePipeline();
    ParsePipeline(const ParsePipeline&) = delete;
    ParsePipeline& operator=(const ParsePipeline&) = delete;

    // Reads `reader`'s lines from now on (after end_input() of the one
    // before).
    void begin_input(std::unique_ptr<LineReader> reader);
    // The input's next line, or null at its end. Valid until the next call.
    // Throws what reading or parsing it threw, once the lines before it have
    // been returned.
    const Line* next();
    // The arguments of a parsed line (Line::parsed), for StraceLogConverter.
    strace_text::StraceLogConverter::Parsed parsed(const Line& line) const;
    // The input's bytes read (LineReader::bytes_read), once next() returned
    // null.
    std::size_t input_bytes() const { return input_bytes_; }
    // Done with the input, at its end or not (what was read ahead is dropped).
    void end_input();

private:
    struct Batch {
        std::vector<Line> lines;
        std::size_t used = 0;  // lines[0, used) are this batch's
        bool strace = false;   // its lines are to be parsed
        PackedArgTrees trees;
        std::exception_ptr failure;  // after its lines
    };

    void run();  // the thread: reads and parses
    // Whether the thread has a batch to fill: under mutex_.
    bool can_fill() const;
    void fill(Batch& batch);
    void parse(Batch& batch);
    // Back to the free batches: under mutex_.
    void recycle(Batch* batch);
    // The caller is done with current_.
    void release_current();

    Options options_;
    std::vector<std::unique_ptr<Batch>> batches_;

    // Shared, under mutex_.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Batch*> free_;
    std::deque<Batch*> parsed_;  // in the input's order
    bool stopping_ = false;
    bool reading_ = false;     // an input is begun and not ended
    bool filling_ = false;     // the thread is filling a batch (off the lock)
    bool reader_done_ = true;  // its end was reached (or it failed)
    // The last line read was overlong: reading on skips the rest of it, which
    // may be long, so only once the caller has gone past it.
    bool overlong_ahead_ = false;
    std::size_t input_bytes_ = 0;

    // The thread's while reading_ (the caller's between inputs).
    std::unique_ptr<LineReader> reader_;
    std::size_t line_no_ = 0;
    bool strace_ = true;                // the input is strace text, by its first line
    std::unique_ptr<ArgTree> scratch_;  // each strace line is parsed into it

    // The caller's.
    Batch* current_ = nullptr;
    std::size_t at_ = 0;  // next line of current_

    std::thread thread_;  // last: started once the rest is set up
};

}  // namespace sctrace::logs
