#include "engine/rules/temporal.h"

#include <algorithm>
#include <optional>

namespace sctrace::rules {

namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

int fd_of(EvalContext& ctx) {
    return event_descriptor(ctx);
}

// --- watch: the condition holds, per key, for the window --------------------

class WatchMatcher final : public TemporalMatcher {
public:
    using TemporalMatcher::TemporalMatcher;

    void on_event(EvalContext& ctx) override {
        Key key;
        if (!read_key(rule_.by, ctx, key)) return;
        if (!rule_.condition.matches(ctx)) {
            // A relevant event on which the condition is false: it stopped
            // holding for this key.
            if (!table_.empty()) table_.erase(key);
            return;
        }
        const Event& e = ctx.event;
        auto [slot, fresh] = table_.insert(key, e.pid);
        // Post-mortem: the log ended while it still held, for as long as the
        // log tells; that is as long as we will ever know.
        const ThreadSampleEvent* sample = e.thread_sample();
        if (fresh) {
            slot->value = e.time;
            // A log's only sample is its end: the thread has been inside its
            // call since the log last saw it enter, so that is how long it held.
            const ThreadState* t =
                sample && sample->end_of_trace ? ctx.state.thread(e.tid) : nullptr;
            if (t && t->in_call && t->call_since > 0 && t->call_since < e.time) {
                slot->value = t->call_since;
            }
        }
        const Nanos held = e.time - slot->value;
        if (held < window_ && !(sample && sample->end_of_trace)) return;
        TemporalHit hit;
        hit.pid = e.pid;
        hit.tid = e.tid;
        hit.time = e.time;
        hit.fd = fd_of(ctx);
        hit.ctx = &ctx;
        hit.held_for = held;
        if (describe_ && *describe_) {
            EvidenceItem since;
            since.kind = EvidenceItem::Kind::HeldSince;
            since.time = slot->value;
            since.duration = held;
            hit.evidence.push_back(std::move(since));
            hit.evidence.push_back(step_item("now", e));
        }
        fire_(rule_, hit);
    }

    void on_process_exit(const Event& exit) override {
        table_.erase_if([&](const Key&, const auto& slot) { return slot.pid == exit.pid; });
    }

    std::size_t dropped() const override { return table_.evicted(); }

private:
    void forget(const Key& key) override { table_.erase(key); }

    KeyedTable<Nanos> table_;  // key -> since when the condition has held
};

// --- sequence: steps in order, per key, within maxspan ----------------------

class SequenceMatcher final : public TemporalMatcher {
public:
    using TemporalMatcher::TemporalMatcher;

    void on_event(EvalContext& ctx) override {
        const std::size_t n = rule_.steps.size();
        const bool cancel = rule_.until && rule_.until->matches(ctx);
        std::uint32_t matched = 0;  // bit i: step i matches this event
        for (std::size_t i = 0; i < n; ++i) {
            if (rule_.steps[i].matches(ctx)) matched |= 1u << i;
        }
        if (!cancel && matched == 0) return;
        Key key;
        if (!read_key(rule_.by, ctx, key)) return;
        if (cancel) {
            table_.erase(key);
            return;
        }
        const Event& e = ctx.event;
        auto* slot = table_.find(key);
        // From the last step down, so one event advances a partial match by
        // one step only.
        for (std::size_t i = n - 1; slot && i >= 1; --i) {
            if (!(matched & (1u << i))) continue;
            std::optional<Partial>& from = slot->value.stages[i - 1];
            if (!from) continue;
            if (window_ > 0 && e.time - from->start > window_) {
                from.reset();  // outside maxspan: abandoned
                continue;
            }
            if (describe_ && *describe_) {
                from->evidence.push_back(step_item("step " + std::to_string(i + 1), e));
            }
            if (i == n - 1) {
                TemporalHit hit;
                hit.pid = e.pid;
                hit.tid = e.tid;
                hit.time = e.time;
                hit.fd = fd_of(ctx);
                hit.ctx = &ctx;
                hit.evidence = std::move(from->evidence);
                from.reset();
                fire_(rule_, hit);
            } else {
                slot->value.stages[i] = std::move(from);
                from.reset();
            }
        }
        if (matched & 1u) {
            if (!slot) slot = table_.insert(key, e.pid).first;
            if (slot->value.stages.empty()) slot->value.stages.resize(n - 1);
            Partial p;
            p.start = e.time;
            if (describe_ && *describe_) p.evidence.push_back(step_item("step 1", e));
            slot->value.stages[0] = std::move(p);  // the latest start wins (EQL's rule)
        }
        if (slot && std::none_of(slot->value.stages.begin(), slot->value.stages.end(),
                                 [](const auto& s) { return s.has_value(); })) {
            table_.erase(key);
        }
    }

    void on_process_exit(const Event& exit) override {
        table_.erase_if([&](const Key&, const auto& slot) { return slot.pid == exit.pid; });
    }

    std::size_t dropped() const override { return table_.evicted(); }

private:
    struct Partial {
        Nanos start = 0;
        std::vector<EvidenceItem> evidence;
    };
    struct Stages {
        // stages[i]: a partial match that has matched steps 1..i+1 (the
        // latest one per key and stage).
        std::vector<std::optional<Partial>> stages;
    };

    void forget(const Key& key) override { table_.erase(key); }

    KeyedTable<Stages> table_;
};

// --- absence: after, then no missing until exit or the window ---------------

class AbsenceMatcher final : public TemporalMatcher {
public:
    using TemporalMatcher::TemporalMatcher;

    void on_event(EvalContext& ctx) override {
        const bool missing = rule_.missing.matches(ctx);
        const bool after = rule_.condition.matches(ctx);
        if (!missing && !after) return;
        Key key;
        if (!read_key(rule_.by, ctx, key)) return;
        if (missing) table_.erase(key);
        if (!after) return;
        const Event& e = ctx.event;
        auto [slot, fresh] = table_.insert(key, e.pid);
        if (!fresh) return;  // already waiting since an earlier `after`
        Pending& p = slot->value;
        p.since = e.time;
        p.tid = e.tid;
        p.fd = fd_of(ctx);
        // The event is gone by the time the absence is known: render now.
        p.message = render_output(rule_.output, ctx);
        if (describe_ && *describe_) p.evidence.push_back(step_item("after", e));
        if (window_ > 0) next_deadline_ = std::min(next_deadline_, e.time + window_);
    }

    void on_time(Nanos now) override {
        Nanos next = INT64_MAX;
        table_.erase_if([&](const Key&, auto& slot) {
            const Nanos deadline = slot.value.since + window_;
            if (deadline > now) {
                next = std::min(next, deadline);
                return false;
            }
            fire(slot, deadline, "window");
            return true;
        });
        next_deadline_ = next;
    }

    void on_process_exit(const Event& exit) override {
        table_.erase_if([&](const Key&, auto& slot) {
            if (slot.pid != exit.pid) return false;
            fire(slot, exit.time, "process exit");
            return true;
        });
    }

    void on_end(Nanos last_time) override {
        // With a window, the trace may simply have ended too early to tell.
        if (window_ > 0) return;
        table_.erase_if([&](const Key&, auto& slot) {
            fire(slot, last_time, "trace end");
            return true;
        });
    }

    std::size_t dropped() const override { return table_.evicted(); }

private:
    struct Pending {
        Nanos since = 0;
        pid_t tid = 0;
        int fd = -1;
        std::string message;
        std::vector<EvidenceItem> evidence;
    };

    // `until`: what ended the wait ("window", "process exit", "trace end").
    void fire(KeyedTable<Pending>::Slot& slot, Nanos when, std::string until) {
        TemporalHit hit;
        hit.pid = slot.pid;
        hit.tid = slot.value.tid;
        hit.time = when;
        hit.fd = slot.value.fd;
        hit.message = std::move(slot.value.message);
        hit.evidence = std::move(slot.value.evidence);
        EvidenceItem missing;
        missing.kind = EvidenceItem::Kind::Missing;
        missing.label = std::move(until);
        missing.text = rule_.missing_source.text;
        missing.window = rule_.window.text();
        hit.evidence.push_back(std::move(missing));
        fire_(rule_, hit);
    }

    void forget(const Key& key) override { table_.erase(key); }

    KeyedTable<Pending> table_;
};

// --- count: threshold matches within the window -----------------------------

class CountMatcher final : public TemporalMatcher {
public:
    using TemporalMatcher::TemporalMatcher;

    void on_event(EvalContext& ctx) override {
        if (!rule_.condition.matches(ctx)) return;
        Key key;
        if (!read_key(rule_.by, ctx, key)) return;
        const Event& e = ctx.event;
        Times& t = table_.insert(key, e.pid).first->value;
        // The last `threshold` match times, as a ring once full: the count is
        // reached when the threshold-th latest match is within the window.
        const std::uint32_t threshold = rule_.threshold;
        if (t.ring.size() < threshold) {
            t.ring.push_back(e.time);
            if (t.ring.size() < threshold) return;
            t.next = 0;
        } else {
            t.ring[t.next] = e.time;
            t.next = (t.next + 1) % threshold;
        }
        const Nanos oldest = t.ring[t.next % threshold];
        if (e.time - oldest > window_) return;
        TemporalHit hit;
        hit.pid = e.pid;
        hit.tid = e.tid;
        hit.time = e.time;
        hit.fd = fd_of(ctx);
        hit.ctx = &ctx;
        if (describe_ && *describe_) {
            EvidenceItem count;
            count.kind = EvidenceItem::Kind::Count;
            count.count = threshold;
            count.time = oldest;
            count.until = e.time;
            count.window = rule_.window.text();
            hit.evidence.push_back(std::move(count));
            hit.evidence.push_back(step_item("last", e));
        }
        t.ring.clear();  // count afresh: the next finding needs `threshold` more
        t.next = 0;
        fire_(rule_, hit);
    }

    void on_process_exit(const Event& exit) override {
        table_.erase_if([&](const Key&, const auto& slot) { return slot.pid == exit.pid; });
    }

    std::size_t dropped() const override { return table_.evicted(); }

private:
    struct Times {
        std::vector<Nanos> ring;
        std::uint32_t next = 0;  // once full: the oldest, overwritten next
    };

    void forget(const Key& key) override { table_.erase(key); }

    KeyedTable<Times> table_;
};

}  // namespace

bool read_key(const std::vector<FieldId>& by, EvalContext& ctx, Key& out) {
    for (std::size_t i = 0; i < by.size(); ++i) {
        const FieldValue v = read_field(by[i], ctx);
        if (!v.present) return false;
        switch (v.type) {
            case FieldType::Int:
                out.v[i] = v.i;
                break;
            case FieldType::Bool:
                out.v[i] = v.b;
                break;
            case FieldType::String:
                out.v[i] = static_cast<std::int64_t>(fnv1a(v.s));
                break;
        }
    }
    return true;
}

TemporalMatcher::TemporalMatcher(const Rule& rule, Nanos window, Fire fire,
                                 const Describe* describe)
    : rule_(rule), window_(window), fire_(std::move(fire)), describe_(describe) {
    keyed_by_fd_ = std::find(rule.by.begin(), rule.by.end(), FieldId::FdNum) != rule.by.end();
}

std::unique_ptr<TemporalMatcher> TemporalMatcher::create(const Rule& rule, Nanos window, Fire fire,
                                                         const Describe* describe) {
    switch (rule.kind) {
        case RuleKind::Watch:
            return std::make_unique<WatchMatcher>(rule, window, std::move(fire), describe);
        case RuleKind::Sequence:
            return std::make_unique<SequenceMatcher>(rule, window, std::move(fire), describe);
        case RuleKind::Absence:
            return std::make_unique<AbsenceMatcher>(rule, window, std::move(fire), describe);
        case RuleKind::Count:
            return std::make_unique<CountMatcher>(rule, window, std::move(fire), describe);
        case RuleKind::Single:
            break;
    }
    return nullptr;
}

void TemporalMatcher::on_fd_closed(EvalContext& ctx) {
    Key key;
    if (read_key(rule_.by, ctx, key)) forget(key);
}

EvidenceItem TemporalMatcher::step_item(std::string label, const Event& event) const {
    EvidenceItem item;
    item.kind = EvidenceItem::Kind::Step;
    item.label = std::move(label);
    item.time = event.time;
    item.tid = event.tid;
    item.text = (*describe_)(event);
    item.injected = is_injected(event);
    return item;
}

}  // namespace sctrace::rules
