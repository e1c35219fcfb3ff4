#include "report/flight_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "model/arg_tree.h"
#include "model/syscall_set.h"
#include "report/event_writer.h"

namespace sctrace {

FlightRecorder::FlightRecorder(FlightRecorderOptions options)
    : options_(std::move(options)), scratch_(std::make_unique<ArgTree>()) {
    options_.events_per_thread = std::max<std::size_t>(options_.events_per_thread, 1);
    options_.max_threads = std::max<std::size_t>(options_.max_threads, 1);
}

FlightRecorder::~FlightRecorder() = default;

FlightRecorder::Ring& FlightRecorder::ring_of(pid_t tid) {
    if (const auto found = rings_.find(tid); found != rings_.end()) return found->second;
    if (rings_.size() >= options_.max_threads) {
        // The thread heard from least recently gives its ring up: a program
        // that starts thousands of short-lived processes keeps the latest.
        auto oldest = rings_.begin();
        for (auto it = rings_.begin(); it != rings_.end(); ++it) {
            if (it->second.last_seq < oldest->second.last_seq) oldest = it;
        }
        rings_.erase(oldest);
        ++evicted_threads_;
    }
    Ring& ring = rings_[tid];
    ring.slots.reserve(std::min<std::size_t>(options_.events_per_thread, 64));
    return ring;
}

void FlightRecorder::on_event(const Event& event) {
    if (event.kind == EventKind::ThreadSample) return;
    Ring& ring = ring_of(event.tid);
    if (ring.slots.size() < options_.events_per_thread) {
        ring.slots.emplace_back();
        ring.next = ring.slots.size() % options_.events_per_thread;
        keep(ring.slots.back(), event);
    } else {
        keep(ring.slots[ring.next], event);
        ring.next = (ring.next + 1) % options_.events_per_thread;
    }
    ring.last_seq = seq_;
}

void FlightRecorder::keep(Record& slot, const Event& event) {
    slot.seq = ++seq_;
    slot.event = event;
    slot.has_tree = false;
    // Every view of the event points into the source's storage, valid only
    // now: the slot keeps its own copy (its strings' capacity is reused).
    if (auto* call = std::get_if<SyscallEvent>(&slot.event.data)) {
        slot.name.assign(call->name);
        slot.tree.clear();
        if (call->decoded) {
            // Some views of a decoded tree point outside its arena (a
            // descriptor's path, names): copied in before the tree is packed.
            staging_.clear();
            staging_.add(*call->decoded);
            staging_.load(0, *scratch_);
            scratch_->internalize();
            slot.tree.add(*scratch_);
            slot.has_tree = true;
        }
        call->decoded = nullptr;
    } else if (auto* exec = std::get_if<ExecEvent>(&slot.event.data)) {
        slot.text.assign(exec->path);
    } else if (auto* sqe = std::get_if<IoUringSqeEvent>(&slot.event.data)) {
        slot.text.assign(sqe->path);
        slot.text2.assign(sqe->path2);
        sqe->sockaddr = {};  // not written by either format
    }
}

void FlightRecorder::on_finding(const rules::Finding& finding) {
    if (wrote_at_finding_ || finding.severity < options_.finding_threshold) return;
    wrote_at_finding_ = true;
    write_now(".first-finding");
}

bool FlightRecorder::write_now(std::string_view suffix) {
    std::vector<const Record*> records;
    for (const auto& [tid, ring] : rings_) {
        for (const Record& r : ring.slots) records.push_back(&r);
    }
    std::sort(records.begin(), records.end(),
              [](const Record* a, const Record* b) { return a->seq < b->seq; });
    const std::string base = options_.path_prefix + std::string(suffix);
    const bool jsonl = write_file(base + ".jsonl", false, records);
    const bool strace = write_file(base + ".strace", true, records);
    return jsonl && strace;
}

bool FlightRecorder::write_file(const std::string& path, bool strace_format,
                                const std::vector<const Record*>& records) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) {
        std::fprintf(stderr, "sctrace: --flight-recorder: %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return false;
    }
    std::unique_ptr<EventWriter> writer;
    if (strace_format) {
        StraceLayout layout;  // sctrace's own --format strace: -f -tt -T
        layout.timestamps = 2;
        layout.syscall_times = true;
        writer = std::make_unique<StraceWriter>(fd.get(), SyscallSet::all(), path, layout);
    } else {
        writer = std::make_unique<JsonlWriter>(fd.get(), SyscallSet::all(), path);
    }
    for (const Record* r : records) {
        Event event = r->event;
        if (auto* call = std::get_if<SyscallEvent>(&event.data)) {
            call->name = r->name;
            if (r->has_tree) {
                r->tree.load(0, *scratch_);
                call->decoded = scratch_.get();
            }
        } else if (auto* exec = std::get_if<ExecEvent>(&event.data)) {
            exec->path = r->text;
        } else if (auto* sqe = std::get_if<IoUringSqeEvent>(&event.data)) {
            sqe->path = r->text;
            sqe->path2 = r->text2;
        }
        writer->on_event(event);
    }
    writer->on_end();
    const bool failed = writer->output().failed();
    writer.reset();
    if (::close(fd.release()) != 0 && !failed) {
        std::fprintf(stderr, "sctrace: --flight-recorder: %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return false;
    }
    if (failed) return false;
    written_.push_back(path);
    return true;
}

}  // namespace sctrace
