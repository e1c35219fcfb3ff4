// sctrace analyze on two cores: a thread reads the inputs' lines and parses
// the strace ones (parse_line, the costly part, independent per line) while
// the caller's thread pairs them into events and runs the sinks (the rule
// engine, the writers), in the inputs' order. Lines go over in batches
// through a fixed set of them, recycled, so memory is bounded by the batch
// size, never by the log's; a batch owns its lines' text and argument trees
// (model/packed_arg_trees.h) until the caller has moved past it, which is
// as long as the events made from them live (model/event.h).
//
// Lines go over a batch at a time, so a stream (standard input, a pipe) is
// better read by the caller itself: its lines would wait for a batch to
// fill. Such an input, given all the same, is read only once the caller
// has begun it.
//
// What the caller sees is what reading the files itself would give: the
// same lines, in order, each file's bytes read, and what opening or reading
// a file threw, thrown from the same place (after the lines before it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
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

    struct Input {
        std::string path;                    // opened with LineReader::open ...
        std::unique_ptr<LineReader> reader;  // ... unless already open (stdin)
    };

    // One line of an input, as LineReader::next gave it; parsed when the
    // input is strace text (not JSONL, not sctrace's text format).
    struct Line {
        std::string storage;  // the line's bytes (LineReader::next reads into it)
        std::string_view text;  // storage, once the batch is read
        std::size_t bytes_read = 0;  // the reader's bytes_read() after this line
        bool overlong = false;       // see LineReader::overlong
        bool parsed = false;         // parse_line ran: then the fields below
        bool parse_ok = false;
        strace_text::ParsedLine line;  // its views point into `text`
        std::size_t tree = 0;          // the arguments, in the batch's trees
        std::string error;             // when not parse_ok
    };

    // Starts the thread on `inputs`, read in order.
    ParsePipeline(std::vector<Input> inputs, Options options);
    // Stops the thread (it may have read ahead: the rest is dropped).
    ~ParsePipeline();
    ParsePipeline(const ParsePipeline&) = delete;
    ParsePipeline& operator=(const ParsePipeline&) = delete;

    // Moves to the next input (the first, on the first call). Throws what
    // opening it threw.
    void begin_input();
    // The current input's next line, or null at its end. Valid until the
    // next call. Throws what reading it threw, once the lines before it
    // have been returned.
    const Line* next();
    // The arguments of a parsed line (Line::parsed), for StraceLogConverter.
    strace_text::StraceLogConverter::Parsed parsed(const Line& line) const;
    // The current input's bytes read (LineReader::bytes_read), once next()
    // returned null.
    std::size_t input_bytes() const { return input_bytes_; }
    // Done with the current input, at its end or not (the rest is dropped).
    void end_input();

private:
    struct Batch {
        std::size_t input = 0;
        std::vector<Line> lines;
        std::size_t used = 0;  // lines[0, used) are this batch's
        PackedArgTrees trees;
        bool input_ends = false;  // the input's last batch
        std::size_t end_bytes = 0;
        std::exception_ptr open_failure, read_failure;
    };
    // Thrown on the thread to stop reading: the caller is gone, or a
    // failure was handed over (nothing after it is wanted).
    struct StopReading {};

    void run();
    void read_input(std::size_t index);
    Batch* take_free();
    void hand_over(Batch* batch);
    Batch* take_full();
    void give_back(Batch* batch);

    std::vector<Input> inputs_;
    Options options_;
    std::vector<std::unique_ptr<Batch>> batches_;

    // Between the two threads, under mutex_.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Batch*> free_;
    std::deque<Batch*> full_;  // in the inputs' order
    std::size_t inputs_begun_ = 0;       // by the caller
    std::size_t abandoned_ = SIZE_MAX;   // the input the caller gave up, if any
    std::size_t overlong_resumed_ = 0;   // overlong lines the caller read past
    bool stopping_ = false;  // the caller is gone
    bool finished_ = false;  // the thread hands over no more batches

    // The caller's side.
    Batch* current_ = nullptr;
    std::size_t at_ = 0;  // next line of current_
    std::size_t input_ = SIZE_MAX;
    std::size_t input_bytes_ = 0;
    bool input_done_ = false;  // its last batch was reached
    std::size_t overlong_read_ = 0;

    // The thread's side.
    std::unique_ptr<ArgTree> scratch_;  // each strace line is parsed into it
    std::size_t overlong_handed_ = 0;

    std::thread thread_;  // last: started once the rest is set up
};

}  // namespace sctrace::logs
