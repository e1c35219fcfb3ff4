#include "sources/logs/parse_pipeline.h"

#include <algorithm>
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

}  // namespace

ParsePipeline::ParsePipeline(Options options) : options_(options) {
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

// --- the thread ---

bool ParsePipeline::can_fill() const {
    return reading_ && !reader_done_ && !overlong_ahead_ && !free_.empty();
}

void ParsePipeline::run() {
    for (;;) {
        Batch* batch = nullptr;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || can_fill(); });
            if (stopping_) return;
            batch = free_.back();
            free_.pop_back();
            filling_ = true;
        }
        fill(*batch);
        parse(*batch);
        {
            std::lock_guard lock(mutex_);
            filling_ = false;
            if (batch->used == 0 && !batch->failure) {
                free_.push_back(batch);
            } else {
                parsed_.push_back(batch);
            }
            if (batch->used > 0 && batch->lines[batch->used - 1].overlong) overlong_ahead_ = true;
        }
        changed_.notify_all();
    }
}

void ParsePipeline::fill(Batch& batch) {
    batch.used = 0;
    batch.strace = strace_;
    batch.failure = nullptr;
    std::size_t bytes = 0;
    bool at_end = false;
    try {
        while (batch.used < options_.batch_lines && bytes < kBatchBytes) {
            if (batch.used == batch.lines.size()) batch.lines.emplace_back();
            Line& l = batch.lines[batch.used];
            // Straight into the line's own buffer: no copy.
            if (!reader_->next(l.storage)) {
                at_end = true;
                break;
            }
            ++batch.used;
            // Which format, by the first line, as SavedLogs judges it.
            if (++line_no_ == 1) {
                strace_ = !jsonl::looks_like_jsonl(l.storage) &&
                          !strace_text::looks_like_sctrace_text(l.storage);
                batch.strace = strace_;
            }
            l.bytes_read = reader_->bytes_read();
            l.overlong = reader_->overlong();
            l.parsed = false;
            bytes += l.storage.size();
            if (l.overlong) break;
        }
    } catch (...) {
        batch.failure = std::current_exception();
        at_end = true;
    }
    // The lines no longer move (nor does `lines`): the views can be made.
    for (std::size_t k = 0; k < batch.used; ++k) batch.lines[k].text = batch.lines[k].storage;
    if (at_end) {
        const std::size_t bytes_read = reader_->bytes_read();
        std::lock_guard lock(mutex_);
        reader_done_ = true;
        input_bytes_ = bytes_read;
    }
}

void ParsePipeline::parse(Batch& batch) {
    batch.trees.clear();
    if (!batch.strace) return;
    std::size_t k = 0;
    try {
        for (; k < batch.used; ++k) {
            Line& l = batch.lines[k];
            if (l.overlong) continue;
            l.parsed = true;
            l.parse_ok = strace_text::parse_line(l.text, l.line, *scratch_, &l.error);
            if (!l.parse_ok) continue;
            // An unfinished half is kept past its line (StraceLogConverter
            // copies its texts out of the line): copied here, where the
            // line is in this core's cache.
            if (l.line.kind == strace_text::LineKind::Unfinished) scratch_->internalize();
            l.tree = batch.trees.add(*scratch_);
        }
    } catch (...) {
        // Out of memory on line k: the caller says so after the lines
        // before it, as parsing it itself would have. A failure of reading
        // that came after it is moot.
        batch.used = k;
        batch.failure = std::current_exception();
    }
}

// --- the caller's side ---

void ParsePipeline::begin_input(std::unique_ptr<LineReader> reader) {
    {
        std::lock_guard lock(mutex_);
        reader_ = std::move(reader);
        line_no_ = 0;
        strace_ = true;
        input_bytes_ = 0;
        reader_done_ = false;
        overlong_ahead_ = false;
        reading_ = true;
    }
    changed_.notify_all();
}

void ParsePipeline::recycle(Batch* batch) {
    for (std::size_t k = 0; k < batch->used; ++k) {
        std::string& storage = batch->lines[k].storage;
        if (storage.capacity() > kKeptLineBytes) std::string().swap(storage);
    }
    // Its last line was overlong and the caller went on past it.
    if (batch->used > 0 && batch->lines[batch->used - 1].overlong) overlong_ahead_ = false;
    batch->used = 0;
    free_.push_back(batch);
}

void ParsePipeline::release_current() {
    {
        std::lock_guard lock(mutex_);
        recycle(std::exchange(current_, nullptr));
    }
    changed_.notify_all();
}

const ParsePipeline::Line* ParsePipeline::next() {
    for (;;) {
        if (current_) {
            if (at_ < current_->used) return &current_->lines[at_++];
            if (current_->failure) std::rethrow_exception(current_->failure);
            release_current();
        }
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !parsed_.empty() || (reader_done_ && !filling_); });
        if (parsed_.empty()) return nullptr;
        current_ = parsed_.front();
        parsed_.pop_front();
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
    {
        std::unique_lock lock(mutex_);
        reading_ = false;
        // The thread lets go of the reader once the batch it fills is done.
        changed_.wait(lock, [&] { return !filling_; });
        if (current_) recycle(std::exchange(current_, nullptr));
        // What was read ahead is dropped.
        while (!parsed_.empty()) {
            Batch* batch = parsed_.front();
            parsed_.pop_front();
            batch->failure = nullptr;
            recycle(batch);
        }
        reader_done_ = true;
        overlong_ahead_ = false;
    }
    reader_.reset();
}

}  // namespace sctrace::logs
