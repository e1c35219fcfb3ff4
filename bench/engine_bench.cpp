// Rule-engine rate: events per second through a RuleEngine with a rule pack,
// against the same events through the state tracker alone (no rules).
//
//   engine_bench [--reps N] [--loops L] [-r RULES ...] LOG
//
// LOG is an strace log (any flag mix sctrace analyze reads). It is parsed
// once, before any timing, into an owned in-memory vector of Events: an
// Event only views its source's buffers, so names are interned and each
// decoded argument tree is copied into a pool, deduplicated by content (a
// loop's calls repeat the same arguments, so the pool stays small). Then the
// vector is replayed L times per run, N runs per configuration, interleaved;
// the median run is reported. Parsing is not measured: bench/analyze.sh
// measures the whole post-mortem pipeline.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/findings_writer.h"
#include "sources/strace/strace_log.h"

namespace {

using namespace sctrace;

double now_seconds() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Owns what the recorded events view. A decoded tree is kept as its nodes in
// pre-order (with their parents) and its texts in an arena, and rebuilt into
// one scratch ArgTree just before its event is replayed: that is how every
// source delivers them (one reused tree per thread, hot in the cache), and a
// full ArgTree per event would take 60 KB each and miss the cache on every
// field read. The rebuild is timed on its own and subtracted.
class Recording final : public EventSink {
public:
    struct StoredNode {
        NodeId parent;  // the parent's id in the rebuilt tree, kNoNode for ret_aux
        ArgNode node;   // views into the arena
    };
    struct StoredTree {
        std::uint32_t first = 0, count = 0;
        NodeId aux = kNoNode;  // index (in the rebuilt tree) of ret_aux
        std::uint16_t entry_arg_count = 0;
        bool entry_complete = false;
        RetFormat ret_format = RetFormat::Default;
    };

    void on_event(const Event& event) override {
        Event e = event;
        std::int32_t tree = -1;
        if (SyscallEvent* call = std::get_if<SyscallEvent>(&e.data)) {
            // Known names stay views of the syscall table's own strings, as
            // every source gives them (the tracker indexes by their address).
            const SyscallInfo* info = call->nr >= 0 ? syscall_info(call->arch, call->nr) : nullptr;
            call->name = info && info->name == call->name ? info->name : intern(call->name);
            if (call->decoded) {
                tree = static_cast<std::int32_t>(trees_.size());
                trees_.push_back(store(*call->decoded));
                call->decoded = nullptr;
            }
        } else if (ExecEvent* exec = std::get_if<ExecEvent>(&e.data)) {
            exec->path = intern(exec->path);
        } else if (IoUringSqeEvent* sqe = std::get_if<IoUringSqeEvent>(&e.data)) {
            sqe->path = intern(sqe->path);
            sqe->path2 = intern(sqe->path2);
        }
        events.push_back(e);
        tree_of.push_back(tree);
    }

    // The event to deliver: its tree rebuilt into `scratch`.
    const Event& prepare(std::size_t i, Event& out, ArgTree& scratch) const {
        const std::int32_t t = tree_of[i];
        if (t < 0) return events[i];
        const StoredTree& st = trees_[static_cast<std::size_t>(t)];
        scratch.clear();
        for (std::uint32_t n = st.first; n < st.first + st.count; ++n) {
            scratch.add(nodes_[n].parent, nodes_[n].node);
        }
        scratch.ret_aux = st.aux;
        scratch.entry_arg_count = st.entry_arg_count;
        scratch.entry_complete = st.entry_complete;
        scratch.ret_format = st.ret_format;
        out = events[i];
        std::get<SyscallEvent>(out.data).decoded = &scratch;
        return out;
    }

    std::vector<Event> events;
    std::vector<std::int32_t> tree_of;  // per event: its stored tree, -1 none
    std::size_t nodes() const { return nodes_.size(); }

private:
    std::string_view intern(std::string_view s) { return *strings_.emplace(s).first; }

    std::string_view keep(std::string_view s) {
        if (s.empty()) return {};
        if (arena_.empty() || arena_used_ + s.size() > kChunk) {
            arena_.push_back(std::make_unique<char[]>(std::max(kChunk, s.size())));
            arena_used_ = 0;
        }
        char* at = arena_.back().get() + arena_used_;
        std::memcpy(at, s.data(), s.size());
        arena_used_ += s.size();
        return {at, s.size()};
    }

    // Pre-order, so the rebuilt ids are 1, 2, ... in storage order.
    void store_node(const ArgTree& tree, NodeId id, NodeId parent, NodeId& next_id) {
        ArgNode n = tree.node(id);
        n.key = keep(n.key);
        n.text = keep(n.text);
        nodes_.push_back({parent, n});
        const NodeId self = next_id++;
        for (NodeId c = tree.node(id).first_child; c != kNoNode; c = tree.node(c).next) {
            store_node(tree, c, self, next_id);
        }
    }

    StoredTree store(const ArgTree& tree) {
        StoredTree st;
        st.first = static_cast<std::uint32_t>(nodes_.size());
        NodeId next_id = 1;  // 0 is the root
        for (NodeId c = tree.node(tree.root()).first_child; c != kNoNode; c = tree.node(c).next) {
            store_node(tree, c, tree.root(), next_id);
        }
        if (tree.ret_aux != kNoNode) {
            st.aux = next_id;
            store_node(tree, tree.ret_aux, kNoNode, next_id);
        }
        st.count = static_cast<std::uint32_t>(nodes_.size()) - st.first;
        st.entry_arg_count = tree.entry_arg_count;
        st.entry_complete = tree.entry_complete;
        st.ret_format = tree.ret_format;
        return st;
    }

    static constexpr std::size_t kChunk = 1 << 20;
    std::set<std::string, std::less<>> strings_;
    std::vector<StoredNode> nodes_;
    std::vector<StoredTree> trees_;
    std::vector<std::unique_ptr<char[]>> arena_;
    std::size_t arena_used_ = 0;
};

struct CountFindings final : rules::FindingSink {
    std::size_t n = 0;
    void on_finding(const rules::Finding&) override { ++n; }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Delivers the recording `loops` times to `sink`, trees rebuilt per event.
template <typename Sink>
void replay(const Recording& recording, int loops, Sink& sink) {
    ArgTree scratch;
    Event event;
    for (int l = 0; l < loops; ++l) {
        for (std::size_t i = 0; i < recording.events.size(); ++i) {
            sink.on_event(recording.prepare(i, event, scratch));
        }
    }
}

// One run: a fresh engine (empty state) over the events, `loops` times.
double run(const rules::RuleSet& set, const Recording& recording, int loops,
           std::size_t* findings) {
    CountFindings sink;
    rules::RuleEngine engine(set, {&sink}, describe_event);
    const double t0 = now_seconds();
    replay(recording, loops, engine);
    engine.on_end();
    const double t1 = now_seconds();
    *findings = sink.n;
    return t1 - t0;
}

// The floor: the same replay into a sink that only looks at each event.
double run_empty(const Recording& recording, int loops) {
    struct Touch {
        std::uint64_t sum = 0;
        void on_event(const Event& e) { sum += static_cast<std::uint64_t>(e.tid); }
    } touch;
    const double t0 = now_seconds();
    replay(recording, loops, touch);
    const double t1 = now_seconds();
    if (touch.sum == 42) std::puts("");  // keeps the loop from being optimised away
    return t1 - t0;
}

int usage() {
    std::fprintf(stderr, "usage: engine_bench [--reps N] [--loops L] [-r RULES ...] LOG\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 7;
    int loops = 5;
    std::vector<std::string> rule_paths;
    std::string log;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc) {
            reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--loops" && i + 1 < argc) {
            loops = std::max(1, std::atoi(argv[++i]));
        } else if ((a == "-r" || a == "--rules") && i + 1 < argc) {
            rule_paths.emplace_back(argv[++i]);
        } else if (!a.empty() && a[0] != '-' && log.empty()) {
            log = a;
        } else {
            return usage();
        }
    }
    if (log.empty()) return usage();
    if (rule_paths.empty()) rule_paths.emplace_back(SCTRACE_SOURCE_RULES_DIR);

    rules::RuleSet set;
    set.load(rule_paths);
    if (!set.errors().empty()) {
        std::fputs(set.format_errors().c_str(), stderr);
        return 2;
    }
    const rules::RuleSet none;

    Recording recording;
    {
        std::ifstream in(log);
        if (!in) {
            std::fprintf(stderr, "engine_bench: cannot read %s: %s\n", log.c_str(),
                         std::strerror(errno));
            return 2;
        }
        strace_text::StraceLogConverter converter(recording);
        converter.begin_file(log, 0, 0);
        for (std::string line; std::getline(in, line);) converter.feed(line);
        converter.finish();
    }
    const std::vector<Event>& events = recording.events;
    if (events.empty()) {
        std::fprintf(stderr, "engine_bench: no events in %s\n", log.c_str());
        return 2;
    }

    std::vector<double> with_rules, state_only, floor;
    std::size_t findings = 0, no_findings = 0;
    for (int r = 0; r < reps; ++r) {
        floor.push_back(run_empty(recording, loops));
        with_rules.push_back(run(set, recording, loops, &findings));
        state_only.push_back(run(none, recording, loops, &no_findings));
    }
    const double n = static_cast<double>(events.size()) * loops;
    const double f = median(floor), w = median(with_rules), s = median(state_only);
    std::printf("events: %zu (%zu tree nodes stored), replayed %d times per run, %d runs\n",
                events.size(), recording.nodes(), loops, reps);
    std::size_t any = 0;
    for (const auto& rule : set.rules()) any += !rule->event_types();
    std::printf("rules: %zu from %s (%zu see every event); %zu findings per run\n",
                set.rules().size(), rule_paths.front().c_str(), any, findings);
    std::printf("replay floor (rebuild each event's tree): median %.3f s\n", f);
    std::printf(
        "with rules:  median %.3f s, %.2f M events/s (floor subtracted; %.2f M/s with it)\n", w,
        n / (w - f) / 1e6, n / w / 1e6);
    std::printf(
        "state only:  median %.3f s, %.2f M events/s (floor subtracted; %.2f M/s with it)\n", s,
        n / (s - f) / 1e6, n / s / 1e6);
    std::printf("rules alone: %.2f M events/s; with rules / state only = %.2f\n", n / (w - s) / 1e6,
                (w - f) / (s - f));
    return 0;
}
