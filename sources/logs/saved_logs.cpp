#include "sources/logs/saved_logs.h"

#include <sys/stat.h>

#include <algorithm>
#include <new>
#include <optional>

#include "base/line_reader.h"
#include "sources/jsonl/jsonl_events.h"
#include "sources/logs/peeking_reader.h"
#include "sources/strace/text_dialect.h"

namespace sctrace::logs {

namespace {

using strace_text::LogFile;
using strace_text::LogProblem;

// How many leading lines may fail before a file is judged "not a log".
constexpr std::size_t kSniffLines = 50;
// How many leading lines show how a log was recorded.
constexpr std::size_t kProbeLines = 64;
// A JSONL file's problems said (strace's keep as many: LogStats).
constexpr std::size_t kKeptProblems = strace_text::LogStats::kKeptProblems;

const std::string kOutOfMemory = "they need more memory than sctrace may use here (see ulimit -v)";

// The problem reported for a line longer than LineReader::kMaxLineBytes.
std::string overlong_problem() {
    return "the line is longer than " + std::to_string(LineReader::kMaxLineBytes >> 20) +
           " MiB, the most a line may have: skipped";
}

std::string display_name(const LogFile& file) {
    return file.path == "-" ? "<stdin>" : file.path;
}

// One file read on its own, line by line, as strace text or JSONL by its
// first line.
struct FileReading {
    std::string name;
    std::size_t line_no = 0, good = 0, bad = 0;
    std::size_t lines_done = 0;  // line_no once its line is handled
    std::string first_error;
    bool jsonl = false;
    bool text = false;  // sctrace's text event stream (a strace dialect)
    std::vector<LogProblem> jsonl_problems;

    void failed(std::string error) {
        ++bad;
        if (first_error.empty()) first_error = std::move(error);
    }
    void jsonl_problem(const std::string& error) {
        if (jsonl_problems.size() < kKeptProblems) jsonl_problems.push_back({name, line_no, error});
    }
};

}  // namespace

struct SavedLogs::Readers {
    explicit Readers(EventSink& sink) : strace(sink), jsonl(sink) {}
    strace_text::StraceLogConverter strace;
    jsonl::JsonlEventReader jsonl;
    bool jsonl_read = false;  // some input was sctrace JSONL (which has real times)
};

SavedLogs::SavedLogs(const std::vector<std::string>& names) {
    for (const auto& name : names) {
        auto named = strace_text::log_files_named(name);
        if (named.empty()) {
            throw UnusableInput(name + ": no such file (nor an -ff set " + name + ".PID)");
        }
        files_.insert(files_.end(), named.begin(), named.end());
    }
    probe();
}

SavedLogs::~SavedLogs() = default;

void SavedLogs::probe() {
    const LogFile* probing = nullptr;
    std::optional<strace_text::TimeKind> kind;
    try {
        for (const LogFile& f : files_) {
            probing = &f;
            std::optional<PeekingReader> probe;
            PeekingReader* reader = nullptr;
            if (f.path == "-") {
                stdin_reader_ = std::make_unique<PeekingReader>(LineReader::open(f.path));
                reader = stdin_reader_.get();
            } else {
                reader = &probe.emplace(LineReader::open(f.path));
            }
            const auto& lines = reader->peek(kProbeLines);
            if (lines.empty()) continue;  // an empty file vouches for nothing, nor against
            if (jsonl::looks_like_jsonl(lines.front())) {
                mergeable_ = false;  // an -ff set is strace's
                kind.reset();
                continue;
            }
            // sctrace's text format is judged as the strace lines it reads as.
            std::vector<std::string> translated;
            if (strace_text::looks_like_sctrace_text(lines.front())) {
                strace_text::TextLine t;
                std::string error;
                for (const std::string& l : lines) {
                    if (strace_text::translate_text_line(l, t, &error) &&
                        t.kind == strace_text::TextLine::Kind::Strace) {
                        translated.push_back(t.strace_line);
                    }
                }
            }
            const strace_text::LogShape shape =
                strace_text::shape_of(translated.empty() ? lines : translated);
            guarantees_.times = guarantees_.times && shape.times;
            durations_ = durations_ && shape.durations;
            mergeable_ = mergeable_ && strace_text::mergeable_time(shape.first_time, kind);
            kind = shape.first_time;
        }
    } catch (const std::bad_alloc&) {
        throw UnusableInput((probing ? probing->path : std::string()) +
                            ": out of memory reading its first lines: " + kOutOfMemory);
    } catch (const std::exception& e) {
        throw UnusableInput(e.what());
    }
    if (ff_set()) {
        // Read one file after another, threads' events are not in order;
        // merged by times without -T, calls are stretched (merge_ff_set).
        guarantees_.thread_order = mergeable_;
        guarantees_.exact_overlap = !mergeable_ || durations_;
    }
}

std::size_t SavedLogs::total_bytes() const {
    std::size_t total = 0;
    for (const LogFile& f : files_) {
        struct stat st {};
        if (f.path == "-" || ::stat(f.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
        total += static_cast<std::size_t>(st.st_size);
    }
    return total;
}

std::size_t SavedLogs::read(EventSink& sink, ReadObserver& observer,
                             const ReadOptions& options) {
    Readers readers(sink);
    std::size_t unparsed = 0;
    const bool merged = ff_set() && merge(readers, observer);
    if (merged) {
        unparsed = readers.strace.stats().unparsed;
    } else {
        if (ff_set()) readers.strace.defer_process_exits();
        // Only regular files go through the pipeline, whose thread hands
        // lines over a batch at a time: standard input, a pipe or a device
        // is read here line by line, as with one job, so that what a live
        // stream shows (findings, progress) comes as its lines do, and no
        // read ahead waits on a writer once the run has to stop.
        std::vector<bool> piped;
        for (const LogFile& file : files_) {
            struct stat st {};
            piped.push_back(options.jobs > 1 && file.path != "-" &&
                            ::stat(file.path.c_str(), &st) == 0 && S_ISREG(st.st_mode));
        }
        if (std::find(piped.begin(), piped.end(), true) != piped.end()) {
            ParsePipeline::Options pipeline_options;
            pipeline_options.batch_lines = options.batch_lines;
            ParsePipeline pipeline(pipeline_options);
            for (std::size_t i = 0; i < files_.size(); ++i) {
                unparsed += piped[i] ? read_piped(files_[i], pipeline, readers, observer)
                                     : read_file(files_[i], readers, observer);
            }
        } else {
            for (const LogFile& file : files_) unparsed += read_file(file, readers, observer);
        }
    }
    const auto& stats = readers.strace.stats();
    times_known_ = readers.jsonl_read || stats.lines == 0 || stats.timed;
    observer.end_of_input();
    readers.strace.finish();
    for (const auto& p : stats.first_problems) observer.problem(p);
    return unparsed;
}

bool SavedLogs::merge(Readers& readers, ReadObserver& observer) {
    try {
        return strace_text::merge_ff_set(files_, readers.strace, !durations_, overlong_problem(),
                                         observer);
    } catch (const std::bad_alloc&) {
        throw UnusableInput(
            files_.front().path +
            " and the rest of its -ff set: out of memory merging them: " + kOutOfMemory);
    } catch (const std::exception& e) {
        throw UnusableInput(e.what());
    }
}

namespace {

// A file's lines read here, from its LineReader.
class ReaderLines {
public:
    explicit ReaderLines(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}
    bool next() { return reader_->next(line_); }
    std::string_view text() const { return line_; }
    bool overlong() const { return reader_->overlong(); }
    std::size_t bytes_read() const { return reader_->bytes_read(); }
    const strace_text::StraceLogConverter::Parsed* parsed() { return nullptr; }
    void done() {}

private:
    std::unique_ptr<LineReader> reader_;
    std::string line_;
};

// A file's lines as the pipeline's thread read and parsed them.
class PipelineLines {
public:
    explicit PipelineLines(ParsePipeline& pipeline) : pipeline_(pipeline) {}
    bool next() { return (line_ = pipeline_.next()) != nullptr; }
    std::string_view text() const { return line_->text; }
    bool overlong() const { return line_->overlong; }
    std::size_t bytes_read() const { return line_ ? line_->bytes_read : pipeline_.input_bytes(); }
    const strace_text::StraceLogConverter::Parsed* parsed() {
        if (!line_->parsed) return nullptr;
        parsed_ = pipeline_.parsed(*line_);
        return &parsed_;
    }
    void done() {
        pipeline_.end_input();
        line_ = nullptr;
    }

private:
    ParsePipeline& pipeline_;
    const ParsePipeline::Line* line_ = nullptr;
    strace_text::StraceLogConverter::Parsed parsed_;
};

}  // namespace

std::size_t SavedLogs::read_file(const LogFile& file, Readers& readers, ReadObserver& observer) {
    std::unique_ptr<LineReader> reader;
    try {
        reader = file.path == "-" && stdin_reader_ ? std::move(stdin_reader_)
                                                   : LineReader::open(file.path);
    } catch (const std::exception& e) {
        throw UnusableInput(e.what());
    }
    ReaderLines lines(std::move(reader));
    return read_lines(file, lines, readers, observer);
}

std::size_t SavedLogs::read_piped(const LogFile& file, ParsePipeline& pipeline, Readers& readers,
                                  ReadObserver& observer) {
    try {
        pipeline.begin_input(LineReader::open(file.path));
    } catch (const std::exception& e) {
        throw UnusableInput(e.what());
    }
    PipelineLines lines(pipeline);
    return read_lines(file, lines, readers, observer);
}

template <class Lines>
std::size_t SavedLogs::read_lines(const LogFile& file, Lines& lines, Readers& readers,
                                  ReadObserver& observer) {
    FileReading f;
    f.name = display_name(file);
    auto& strace = readers.strace;
    strace.begin_file(f.name, file.pid, strace_text::day_start_of(file.path));
    const std::size_t unparsed_before = strace.stats().unparsed;
    strace_text::TextLine text_line;
    try {
        while (lines.next()) {
            const std::string_view line = lines.text();
            ++f.line_no;
            ++lines_read_;
            if (observer.due()) observer.show(bytes_done_ + lines.bytes_read(), lines_read_);
            if (f.line_no == 1) {
                f.jsonl = jsonl::looks_like_jsonl(line);
                f.text = !f.jsonl && strace_text::looks_like_sctrace_text(line);
            }
            readers.jsonl_read = readers.jsonl_read || f.jsonl;
            if (lines.overlong()) {
                const std::string error = overlong_problem();
                if (f.jsonl) {
                    f.jsonl_problem(error);
                } else {
                    strace.skip_line(error);
                }
                // Not a log, or not one that starts as logs do: the rest of
                // this line may never end (/dev/zero).
                if (f.good == 0) {
                    f.failed(error);
                    break;
                }
                ++f.bad;
            } else if (f.jsonl) {
                std::string error;
                if (readers.jsonl.feed(line, &error)) {
                    ++f.good;
                } else {
                    f.jsonl_problem(error);
                    f.failed(error);
                }
            } else if (f.text) {
                std::string error;
                if (!strace_text::translate_text_line(line, text_line, &error)) {
                    strace.skip_line(error);
                    f.failed(error);
                } else if (text_line.kind != strace_text::TextLine::Kind::Strace) {
                    // A new task's process is a fact to keep; other lines
                    // strace has no form for carry nothing a rule reads.
                    if (text_line.kind == strace_text::TextLine::Kind::Task) {
                        strace.note_thread(text_line.new_tid, text_line.new_pid);
                    }
                    strace.count_line();
                    ++f.good;
                } else {
                    strace.note_thread(text_line.tid, text_line.pid);
                    if (strace.feed(text_line.strace_line)) {
                        ++f.good;
                    } else {
                        const auto& problems = strace.stats().first_problems;
                        f.failed(problems.empty() ? "unparsable" : problems.back().message);
                    }
                }
            } else if (const auto* parsed = lines.parsed();
                       parsed ? strace.feed(line, *parsed) : strace.feed(line)) {
                ++f.good;
            } else {
                const auto& problems = strace.stats().first_problems;
                f.failed(problems.empty() ? "unparsable" : problems.back().message);
            }
            // Judge early whether this is a log at all.
            if (f.line_no == kSniffLines && f.good == 0 && f.bad > 0) break;
            f.lines_done = f.line_no;
        }
    } catch (const std::bad_alloc&) {
        throw UnusableInput(f.name + ":" +
                            std::to_string(f.lines_done == f.line_no ? f.line_no + 1 : f.line_no) +
                            ": out of memory reading this line: it needs more memory than "
                            "sctrace may use here (see ulimit -v)");
    } catch (const std::exception& e) {
        throw UnusableInput(e.what());
    }
    lines.done();
    bytes_done_ += lines.bytes_read();
    if (f.good == 0 && f.bad > 0) {
        throw UnusableInput(
            f.name + ": not an strace log or sctrace event log (line 1: " + f.first_error + ")");
    }
    if (f.jsonl) {
        for (const auto& p : f.jsonl_problems) observer.problem(p);
        return f.bad;
    }
    strace.end_file();
    return strace.stats().unparsed - unparsed_before;
}

}  // namespace sctrace::logs
