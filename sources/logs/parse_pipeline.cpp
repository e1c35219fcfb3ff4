#include "sources/logs/parse_pipeline.h"

#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "sources/jsonl/jsonl_events.h"
#include "sources/strace/text_dialect.h"

namespace sctrace::logs {

namespace {

// A batch ends early past this many bytes of text: lines may be long.
constexpr std::size_t kBatchBytes = std::size_t{4} << 20;
// A line's buffer keeps its capacity for the next batch up to this much: a
// rare long line's memory is let go.
constexpr std::size_t kKeptLineBytes = std::size_t{64} << 10;

// Reading a regular file ahead never waits on anyone; a terminal, a pipe or
// a device may wait forever (or never end: /dev/zero), so the thread starts
// on one only once the caller has, and the caller never waits on a read it
// did not ask for when it stops early (an unusable first file, say).
bool may_read_ahead(const ParsePipeline::Input& input) {
    struct stat st {};
    return !input.reader && input.path != "-" && ::stat(input.path.c_str(), &st) == 0 &&
           S_ISREG(st.st_mode);
}

}  // namespace

ParsePipeline::ParsePipeline(std::vector<Input> inputs, Options options)
    : inputs_(std::move(inputs)), options_(options) {
    options_.batch_lines = std::max<std::size_t>(options_.batch_lines, 1);
    options_.batches = std::max<std::size_t>(options_.batches, 2);
    for (std::size_t i = 0; i < options_.batches; ++i) {
        batches_.push_back(std::make_unique<Batch>());
        free_.push_back(batches_.back().get());
    }
    scratch_ = std::make_unique<ArgTree>();
    thread_ = std::thread([this] { run(); });
}

ParsePipeline::~ParsePipeline() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

// --- the thread's side ---

void ParsePipeline::run() {
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        if (!may_read_ahead(inputs_[i])) {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || inputs_begun_ > i; });
            if (stopping_) break;
        }
        try {
            read_input(i);
        } catch (const StopReading&) {
            break;
        }
    }
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
    }
    changed_.notify_all();
}

void ParsePipeline::read_input(std::size_t index) {
    Batch* batch = take_free();
    batch->input = index;
    std::unique_ptr<LineReader> reader;
    try {
        reader = inputs_[index].reader ? std::move(inputs_[index].reader)
                                       : LineReader::open(inputs_[index].path);
    } catch (...) {
        batch->open_failure = std::current_exception();
        hand_over(batch);
        throw StopReading{};
    }
    std::size_t line_no = 0;
    bool strace = true;  // strace text: parsed here
    for (;;) {
        bool end = false, failed = false, overlong = false;
        std::size_t bytes = 0;
        try {
            while (batch->used < options_.batch_lines && bytes < kBatchBytes) {
                if (batch->used == batch->lines.size()) batch->lines.emplace_back();
                Line& l = batch->lines[batch->used];
                // Read straight into the line's own buffer: no copy.
                if (!reader->next(l.storage)) {
                    end = true;
                    break;
                }
                ++batch->used;
                // Which format, by the first line, as SavedLogs judges it.
                if (++line_no == 1) {
                    strace = !jsonl::looks_like_jsonl(l.storage) &&
                             !strace_text::looks_like_sctrace_text(l.storage);
                }
                l.bytes_read = reader->bytes_read();
                l.overlong = reader->overlong();
                l.parsed = false;
                bytes += l.storage.size();
                // The next read skips the rest of that line, which may never
                // end: only once the caller has read past it.
                if (l.overlong) {
                    overlong = true;
                    break;
                }
            }
        } catch (...) {
            batch->read_failure = std::current_exception();
            failed = true;
        }
        // The lines no longer move (nor does `lines`): the views can be made.
        for (std::size_t k = 0; k < batch->used; ++k) {
            batch->lines[k].text = batch->lines[k].storage;
        }
        if (strace) {
            std::size_t k = 0;
            try {
                for (; k < batch->used; ++k) {
                    Line& l = batch->lines[k];
                    if (l.overlong) continue;
                    l.parsed = true;
                    l.parse_ok = strace_text::parse_line(l.text, l.line, *scratch_, &l.error);
                    if (l.parse_ok) l.tree = batch->trees.add(*scratch_);
                }
            } catch (...) {
                // Out of memory on line k: the caller says so after the
                // lines before it, as reading it itself would have.
                batch->used = k;
                batch->read_failure = std::current_exception();
                failed = true;
            }
        }
        if (end && !failed) {
            batch->input_ends = true;
            batch->end_bytes = reader->bytes_read();
        }
        hand_over(batch);
        if (failed) throw StopReading{};
        if (end) return;
        if (overlong) {
            ++overlong_handed_;
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] {
                return stopping_ || abandoned_ == index || overlong_resumed_ >= overlong_handed_;
            });
        }
        batch = take_free();
        batch->input = index;
        bool abandoned = false;
        {
            std::lock_guard lock(mutex_);
            abandoned = abandoned_ == index;
        }
        if (abandoned) {
            batch->input_ends = true;
            hand_over(batch);
            return;
        }
    }
}

ParsePipeline::Batch* ParsePipeline::take_free() {
    Batch* batch = nullptr;
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || !free_.empty(); });
        if (stopping_) throw StopReading{};
        batch = free_.back();
        free_.pop_back();
    }
    for (std::size_t k = 0; k < batch->used; ++k) {
        std::string& storage = batch->lines[k].storage;
        if (storage.capacity() > kKeptLineBytes) std::string().swap(storage);
    }
    batch->used = 0;
    batch->trees.clear();
    batch->input_ends = false;
    batch->end_bytes = 0;
    batch->open_failure = nullptr;
    batch->read_failure = nullptr;
    return batch;
}

void ParsePipeline::hand_over(Batch* batch) {
    {
        std::lock_guard lock(mutex_);
        full_.push_back(batch);
    }
    changed_.notify_all();
}

// --- the caller's side ---

ParsePipeline::Batch* ParsePipeline::take_full() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_ || !full_.empty(); });
    if (full_.empty()) {
        // Only when the caller asks for more than the inputs hold, or goes
        // on after a failure it was told of.
        throw std::logic_error("sctrace: the parse pipeline has no more lines");
    }
    Batch* batch = full_.front();
    full_.pop_front();
    return batch;
}

void ParsePipeline::give_back(Batch* batch) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(batch);
    }
    changed_.notify_all();
}

void ParsePipeline::begin_input() {
    input_ = input_ == SIZE_MAX ? 0 : input_ + 1;
    input_done_ = false;
    input_bytes_ = 0;
    {
        std::lock_guard lock(mutex_);
        inputs_begun_ = input_ + 1;
    }
    changed_.notify_all();
    if (current_) give_back(std::exchange(current_, nullptr));
    current_ = take_full();
    at_ = 0;
    if (current_->open_failure) std::rethrow_exception(current_->open_failure);
}

const ParsePipeline::Line* ParsePipeline::next() {
    for (;;) {
        if (at_ < current_->used) return &current_->lines[at_++];
        if (current_->read_failure) std::rethrow_exception(current_->read_failure);
        if (current_->input_ends || input_done_) {
            input_done_ = true;
            input_bytes_ = current_->end_bytes;
            return nullptr;
        }
        if (current_->used > 0 && current_->lines[current_->used - 1].overlong) {
            // Asking for more after an overlong line: the thread may read on.
            {
                std::lock_guard lock(mutex_);
                ++overlong_resumed_;
            }
            changed_.notify_all();
        }
        give_back(std::exchange(current_, nullptr));
        current_ = take_full();
        at_ = 0;
    }
}

strace_text::StraceLogConverter::Parsed ParsePipeline::parsed(const Line& line) const {
    strace_text::StraceLogConverter::Parsed p;
    p.ok = line.parse_ok;
    if (p.ok) {
        p.line = &line.line;
        p.trees = &current_->trees;
        p.tree = line.tree;
    } else {
        p.error = line.error;
    }
    return p;
}

void ParsePipeline::end_input() {
    if (input_done_ || !current_) return;
    {
        std::lock_guard lock(mutex_);
        abandoned_ = input_;
    }
    changed_.notify_all();
    // Drop what the thread read of it ahead.
    while (!current_->input_ends && !current_->read_failure) {
        give_back(std::exchange(current_, nullptr));
        current_ = take_full();
    }
    at_ = current_->used;
    input_done_ = true;
}

}  // namespace sctrace::logs
