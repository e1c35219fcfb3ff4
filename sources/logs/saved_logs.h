// sctrace analyze's inputs: saved strace logs (any common flag mix, -ff sets
// by prefix or by files, gzip, standard input) and sctrace's own JSONL event
// logs, each recognised by its first line, read into one event stream as the
// live tracer would have produced it. The strace side is sources/strace/
// (lines, -ff merge), the JSONL side sources/jsonl/; this is what picks one
// per file, judges what the inputs can vouch for, and counts what could not
// be read.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/event.h"
#include "sources/logs/parse_pipeline.h"
#include "sources/strace/ff_set.h"
#include "sources/strace/strace_log.h"

namespace sctrace {

namespace jsonl {
class JsonlEventReader;
}

namespace logs {

class PeekingReader;

// An input that cannot be used: no such file, not a log, out of memory.
// what() names the file (and line) and says why.
class UnusableInput : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the inputs vouch for (docs/cli.md, "What a log can show"), in the
// engine's terms (rules::SourceGuarantees).
struct LogGuarantees {
    bool times = true;          // every input has -t/-tt/-ttt/-r times
    bool thread_order = true;   // false: an -ff set without times to merge by
    bool exact_overlap = true;  // false: an -ff set merged by times without -T
};

// Told how reading goes: progress (strace_text::ReadProgress) and each line
// that could not be read, when it is known: a JSONL file's after that file,
// strace's first ten (strace_text::LogStats) at the end.
class ReadObserver : public strace_text::ReadProgress {
public:
    virtual void problem(const strace_text::LogProblem& problem) = 0;
    // Every line is read; the sink's end (its last findings) comes next.
    virtual void end_of_input() = 0;
};

class SavedLogs {
public:
    // Finds the files `names` name and looks into their first lines.
    // Throws UnusableInput.
    explicit SavedLogs(const std::vector<std::string>& names);
    ~SavedLogs();
    SavedLogs(const SavedLogs&) = delete;
    SavedLogs& operator=(const SavedLogs&) = delete;

    const LogGuarantees& guarantees() const { return guarantees_; }
    // Every input's calls carry their durations (strace's -T, sctrace's logs).
    bool durations() const { return durations_; }
    // The inputs are the files of one -ff set.
    bool ff_set() const { return strace_text::is_ff_set(files_); }
    // They are, and their first lines carry times to merge them by.
    bool mergeable() const { return ff_set() && mergeable_; }
    // The inputs' total size, for progress; 0 when any is not a regular file
    // (stdin, a pipe). gzip files count compressed bytes, as
    // LineReader::bytes_read() does.
    std::size_t total_bytes() const;

    // How read() goes about it; what it reads is the same either way.
    struct ReadOptions {
        // Threads: 1 reads and parses on the caller's thread; more parse
        // the lines of regular files on a thread of their own
        // (ParsePipeline) while the caller's reads them, turns them into
        // events and runs the sink. Only two are used; a merged -ff set and
        // streams (stdin, pipes) are read on the caller's thread alone.
        unsigned jobs = 1;
        std::size_t batch_lines = ParsePipeline::Options{}.batch_lines;
    };

    // Reads every input into `sink` and ends it (on_end). Returns how many
    // lines could not be parsed and were skipped. Throws UnusableInput.
    std::size_t read(EventSink& sink, ReadObserver& observer, const ReadOptions& options);
    std::size_t read(EventSink& sink, ReadObserver& observer) { return read(sink, observer, {}); }

    // Once read() has reached the end: whether the events' times are times.
    // When only strace logs without times were read they are line numbers.
    bool times_known() const { return times_known_; }

private:
    struct Readers;
    void probe();
    bool merge(Readers& readers, ReadObserver& observer);
    std::size_t read_file(const strace_text::LogFile& file, Readers& readers,
                          ReadObserver& observer);
    std::size_t read_piped(const strace_text::LogFile& file, ParsePipeline& pipeline,
                           Readers& readers, ReadObserver& observer);
    // One file's lines (LineReader's, or ParsePipeline's) into `readers`.
    template <class Lines>
    std::size_t read_lines(const strace_text::LogFile& file, Lines& lines, Readers& readers,
                           ReadObserver& observer);

    std::vector<strace_text::LogFile> files_;
    std::unique_ptr<PeekingReader> stdin_reader_;  // looked into once, read after
    LogGuarantees guarantees_;
    bool mergeable_ = true;
    bool durations_ = true;  // every file's calls carry -T durations
    bool times_known_ = true;
    std::size_t lines_read_ = 0;  // all files, for progress
    std::size_t bytes_done_ = 0;  // by the files read before the current one
};

}  // namespace logs
}  // namespace sctrace
