#include "engine/rules/engine.h"

#include <algorithm>
#include <cstdio>

#include "model/io_uring_sqe.h"
#include "model/syscall_table.h"

namespace sctrace::rules {

namespace {

// The fd of the key `dedup: process` findings are remembered under: no
// fd's number (an event without one reports -1).
constexpr int kWholeProcess = -2;

// Other threads beyond this many are counted, not listed.
constexpr std::size_t kOtherThreadLines = 4;

bool reads_other_threads(const Rule& rule) {
    for (const Condition* c : rule.conditions()) {
        for (const FieldId f : {FieldId::FdOthersBlocked, FieldId::FdOthersIn,
                                FieldId::FdConcurrentWriters, FieldId::FdConcurrentReaders}) {
            if (c->reads(f)) return true;
        }
    }
    return false;
}

bool reads_ring_writes(const Rule& rule) {
    const std::vector<const Condition*> conditions = rule.conditions();
    return std::any_of(conditions.begin(), conditions.end(), [](const Condition* c) {
        return c->reads(FieldId::ProcRingWritesInFlight);
    });
}

// Ring operations in flight beyond this many are counted, not listed.
constexpr std::size_t kInFlightLines = 8;

// An operation still in flight, as its submission: what (its twin, on which
// fd), by which thread, when, and through which ring. `finding_fd`: the
// finding's own open file (-1: it names none, and the item names the file
// the operation was submitted on, if the number still names it). `ended`:
// its process has ended with its rings read, so it never completed.
EvidenceItem ring_op_item(int ring_fd, std::uint64_t user_data, const RingOp& op,
                          const ProcessState* p, int finding_fd, bool ended) {
    EvidenceItem item;
    item.kind = EvidenceItem::Kind::RingOp;
    item.text = std::string(op.twin->syscall);
    item.same_file = finding_fd >= 0;
    item.fd = item.same_file ? finding_fd : op.fd;
    item.tid = op.submitted_by;
    item.time = op.submitted_at;
    item.ring_fd = ring_fd;
    item.user_data = user_data;
    item.label = std::string(io_uring_op_name(op.opcode));
    item.never_completed = ended;
    const FdState* fd = p ? p->fds.find(item.fd) : nullptr;
    if (item.same_file) {
        if (fd) item.file = fd->path;
    } else if (fd && fd->kind != FdKind::Unknown &&
               (op.fd_generation == 0 || fd->generation == op.fd_generation)) {
        item.file = fd->path.empty() ? std::string(fd_kind_name(fd->kind)) : fd->path;
    }
    return item;
}

// Runs of identical items become the first, counting the rest as repeated,
// so a thread's eight identical reads take one item.
void collapse_repeats(std::vector<EvidenceItem>& items) {
    std::vector<EvidenceItem> out;
    for (std::size_t i = 0; i < items.size();) {
        std::size_t j = i + 1;
        while (j < items.size() && items[j] == items[i]) ++j;
        out.push_back(std::move(items[i]));
        out.back().repeated = j - i - 1;
        i = j;
    }
    items = std::move(out);
}

EvidenceItem other_thread_item(const OtherThread& o) {
    EvidenceItem item;
    item.kind = EvidenceItem::Kind::OtherThread;
    item.tid = o.tid;
    item.text = o.call;
    item.fd = o.fd;
    item.time = o.since;
    item.same_file = o.same_file;
    item.file = o.file;
    return item;
}

constexpr std::size_t kEventKinds = static_cast<std::size_t>(EventKind::ThreadSample) + 1;
// x86_64 syscall numbers indexed directly; larger ones go by name.
constexpr int kIndexedSyscalls = 512;

}  // namespace

Nanos RuleEngine::resolve(const DurationSpec& duration, const EngineOptions& options) {
    if (duration.setting == "hang_after") return options.hang_after;
    return duration.literal;
}

RuleEngine::RuleEngine(const RuleSet& rules, std::vector<FindingSink*> sinks, Describe describe,
                       EngineOptions options)
    : rules_(rules),
      sinks_(std::move(sinks)),
      describe_(std::move(describe)),
      options_(options),
      by_nr_(kIndexedSyscalls),
      by_kind_(kEventKinds),
      others_asked_by_nr_(kIndexedSyscalls) {
    // Index rules by the event types they can match, so an event only meets
    // the rules that could fire on it. A time construct is indexed under
    // every type any of its conditions names.
    for (const auto& rule : rules_.rules()) {
        if (!rule->enabled) continue;
        // What the source cannot vouch for, the rule is not judged on.
        const RuleDemands demands = demands_of(*rule);
        const SourceGuarantees& source = options_.source;
        if (demands.thread_order && !source.thread_order) {
            limited_.emplace_back(rule.get(), SourceLimit::NoThreadOrder);
            continue;
        }
        if (demands.times && !source.times) {
            // Only an strace log lacks times, and it has no ring operations
            // at all (analyze says so on its own): not worth naming.
            if (!rule->only_ring_twins()) limited_.emplace_back(rule.get(), SourceLimit::NoTimes);
            continue;
        }
        if (demands.overlap && !source.exact_overlap) {
            limited_.emplace_back(rule.get(), SourceLimit::InexactOverlap);
            possible_.insert(rule.get());
        }
        const bool asks_others = reads_other_threads(*rule);
        if (asks_others) about_other_threads_.insert(rule.get());
        const std::vector<const Condition*> conditions = rule->conditions();
        if (std::any_of(conditions.begin(), conditions.end(),
                        [](const Condition* c) { return c->reads(FieldId::FdRingOpsIn); })) {
            about_ring_ops_.insert(rule.get());
        }
        if (reads_ring_writes(*rule)) about_ring_writes_.insert(rule.get());
        Entry entry{rule.get(), nullptr, rule->only_ring_twins()};
        if (rule->kind != RuleKind::Single) {
            matchers_.push_back(TemporalMatcher::create(
                *rule, resolve(rule->window, options_),
                [this](const Rule& r, TemporalHit& hit) { emit(r, hit); }, &describe_));
            entry.matcher = matchers_.back().get();
            if (entry.matcher->keyed_by_fd()) fd_keyed_.push_back(entry.matcher);
            if (rule->kind == RuleKind::Absence && rule->window.given) {
                timed_.push_back(entry.matcher);
            }
        }
        const auto types = rule->event_types();
        if (!types) {
            any_type_.push_back(entry);
            others_asked_by_any_type_ = others_asked_by_any_type_ || asks_others;
            continue;
        }
        for (const auto& t : *types) {
            by_name_[t].push_back(entry);
            const auto nr = syscall_number(Arch::X86_64, t);
            if (nr && *nr >= 0 && *nr < kIndexedSyscalls) {
                by_nr_[*nr].push_back(entry);
                if (asks_others) others_asked_by_nr_[*nr] = true;
            }
            for (std::size_t k = 0; k < kEventKinds; ++k) {
                if (event_kind_name(static_cast<EventKind>(k)) == t) by_kind_[k].push_back(entry);
            }
        }
    }
}

RuleEngine::~RuleEngine() = default;

const std::vector<RuleEngine::Entry>* RuleEngine::entries_for(const Event& event) const {
    const SyscallEvent* call = event.syscall();
    if (!call) return &by_kind_[static_cast<std::size_t>(event.kind)];
    if (call->arch == Arch::X86_64 && call->nr >= 0 && call->nr < kIndexedSyscalls) {
        return &by_nr_[static_cast<std::size_t>(call->nr)];
    }
    const auto it = by_name_.find(call->name);
    return it == by_name_.end() ? nullptr : &it->second;
}

void RuleEngine::run(const std::vector<Entry>& entries, EvalContext& ctx) {
    for (const Entry& e : entries) {
        if (e.matcher) {
            e.matcher->on_event(ctx);
        } else if (e.rule->condition.matches(ctx)) {
            TemporalHit hit;
            hit.pid = ctx.event.pid;
            hit.tid = ctx.event.tid;
            hit.time = ctx.event.time;
            hit.fd = event_descriptor(ctx);
            hit.ctx = &ctx;
            emit(*e.rule, hit);
        }
    }
}

bool RuleEngine::wants_exit(const Event& entry) {
    if (!options_.still_in_call || !state_.exit_can_be_untraced(entry)) return true;
    const SyscallEvent& call = *entry.syscall();
    // What fd-keyed constructs remember ends at a close's exit.
    if (!fd_keyed_.empty() && syscall_traits(call).kind == SyscallKind::Close) return true;
    Event exit = entry;
    exit.kind = EventKind::SyscallExit;
    EvalContext ctx{exit, state_};
    // A time construct may need any exit of its types, unless it is only
    // about ring operations: a syscall's own exit is none of those.
    const auto needed_by = [&ctx](const std::vector<Entry>& entries) {
        return std::any_of(entries.begin(), entries.end(), [&ctx](const Entry& e) {
            if (e.matcher) return !e.only_ring_twins;
            return e.rule->condition.could_match(ctx) != Condition::Maybe::No;
        });
    };
    const auto* entries = entries_for(exit);
    return (entries && needed_by(*entries)) || needed_by(any_type_);
}

void RuleEngine::on_exit_untraced(const Event& entry) {
    state_.apply_exit_untraced(entry);
}

void RuleEngine::on_event(const Event& event) {
    // A completed ring operation is also its syscall twin's exit (a close
    // through the ring is a close): the rules judge it as one, against the
    // state before it, and the state takes it. Found before the completion
    // retires its submission.
    bool twin = false;
    if (event.kind == EventKind::IoUringComplete) {
        if (!ring_twin_) ring_twin_ = std::make_unique<RingTwin>();
        twin = state_.ring_twin(event, *ring_twin_);
    }
    judge(event);
    // A submission is its twin's entry: a ring close while another thread
    // is blocked on the file, a ring send while another thread writes.
    // Only judged: the submitting thread is not inside the twin.
    if (event.kind == EventKind::IoUringSubmit) {
        if (!ring_twin_) ring_twin_ = std::make_unique<RingTwin>();
        if (state_.ring_entry(event, *ring_twin_)) judge(ring_twin_->event);
    }
    state_.apply(event);
    if (twin) {
        if (ring_twin_->shown_to_rules) judge(ring_twin_->event);
        state_.apply_ring_twin(*ring_twin_);
    }
}

void RuleEngine::judge(const Event& event) {
    if (options_.still_in_call && !about_other_threads_.empty()) {
        // A thread whose exit was skipped may have left its call long ago:
        // ask before a rule counts it as inside.
        const SyscallEvent* call = event.syscall();
        const bool asked = call && (others_asked_by_any_type_ || call->arch != Arch::X86_64 ||
                                    call->nr < 0 || call->nr >= kIndexedSyscalls ||
                                    others_asked_by_nr_[static_cast<std::size_t>(call->nr)]);
        if (asked) {
            const int fd_arg = syscall_traits(*call).fd_arg;
            if (fd_arg >= 0) {
                state_.settle_untraced(
                    event.pid, event.tid,
                    static_cast<int>(call->args[static_cast<std::size_t>(fd_arg)]),
                    options_.still_in_call);
            }
        }
    }
    EvalContext ctx{event, state_};
    last_time_ = event.time;
    for (TemporalMatcher* m : timed_) {
        if (event.time >= m->next_deadline()) m->on_time(event.time);
    }
    if (const auto* entries = entries_for(event); entries && !entries->empty()) run(*entries, ctx);
    if (!any_type_.empty()) run(any_type_, ctx);
    // After the rules saw it: a closed fd's number may be reused, so what
    // fd-keyed rules remember about it ends here; an exited process's keys
    // end too (its absences fire).
    if (!fd_keyed_.empty() && event.kind == EventKind::SyscallExit) {
        const SyscallEvent* call = event.syscall();
        if (syscall_traits(*call).kind == SyscallKind::Close && call->has_result &&
            call->err == 0) {
            for (TemporalMatcher* m : fd_keyed_) m->on_fd_closed(ctx);
        }
    }
    if (event.kind == EventKind::Exit && !matchers_.empty() && event.exit()->whole_process) {
        for (const auto& m : matchers_) m->on_process_exit(event);
    }
}

void RuleEngine::emit(const Rule& rule, TemporalHit& hit) {
    // The last finding a `dedup: none` rule may report.
    bool last_allowed = false;
    if (rule.dedup == Dedup::None) {
        std::size_t& n = undeduplicated_[&rule];
        if (n >= kMaxUndeduplicatedFindings) {
            ++unreported_;
            return;
        }
        last_allowed = ++n == kMaxUndeduplicatedFindings;
    } else {
        const int fd = rule.dedup == Dedup::Process ? kWholeProcess : hit.fd;
        if (!reported_.insert({&rule, hit.pid, state_.instance_of(hit.pid), fd}).second) return;
    }

    Finding f;
    f.rule = rule.id;
    f.severity = rule.severity;
    f.pid = hit.pid;
    f.tid = hit.tid;
    f.time = hit.time;
    if (hit.ctx) {
        hit.ctx->held_for = hit.held_for;
        f.message = render_output(rule.output, *hit.ctx);
        hit.ctx->held_for = -1;
    } else {
        f.message = std::move(hit.message);
    }
    if (last_allowed) {
        f.message += " (dedup: none: this rule's " + std::to_string(kMaxUndeduplicatedFindings) +
                     "th finding, its last: later matches are not reported)";
    }
    if (possible_.count(&rule)) {
        // The overlap was inferred from calls stretched to their thread's
        // next line: it may not have happened.
        f.severity = Severity::Info;
        f.message +=
            " (possible: the log has no -T durations, so these calls may not have "
            "overlapped)";
    }
    f.desc = rule.desc;
    f.doc = "docs/rules/" + rule.id + ".md";
    if (const ProcessState* p = state_.process(hit.pid)) f.exe = p->exe;
    if (!hit.evidence.empty()) {
        f.evidence = std::move(hit.evidence);
    } else if (describe_ && hit.ctx) {
        EvidenceItem event;
        event.kind = EvidenceItem::Kind::Event;
        event.tid = hit.ctx->event.tid;
        event.time = hit.ctx->event.time;
        event.text = describe_(hit.ctx->event);
        event.injected = is_injected(hit.ctx->event);
        f.evidence.push_back(std::move(event));
    }
    if (hit.fd >= 0 && about_other_threads_.count(&rule)) {
        f.others = others_on_fd(hit.pid, hit.tid, hit.fd);
        for (std::size_t i = 0; i < f.others.size() && i < kOtherThreadLines; ++i) {
            f.evidence.push_back(other_thread_item(f.others[i]));
        }
        if (f.others.size() > kOtherThreadLines) {
            EvidenceItem more;
            more.kind = EvidenceItem::Kind::MoreThreads;
            more.count = f.others.size() - kOtherThreadLines;
            more.fd = hit.fd;
            f.evidence.push_back(std::move(more));
        }
    }
    if (hit.fd >= 0 && about_ring_ops_.count(&rule)) {
        for (EvidenceItem& op : ring_ops_on_fd(hit.pid, hit.fd))
            f.evidence.push_back(std::move(op));
    }
    if (about_ring_writes_.count(&rule)) {
        // The operations the finding counts: a process's end names no fd.
        const std::vector<RingOpInFlight> ops = state_.awaited_ring_ops(hit.pid);
        const ProcessState* p = state_.process(hit.pid);
        const ExitEvent* exit = hit.ctx ? hit.ctx->event.exit() : nullptr;
        const bool ended = exit && exit->rings_read;
        for (std::size_t i = 0; i < ops.size() && i < kInFlightLines; ++i) {
            f.evidence.push_back(
                ring_op_item(ops[i].ring_fd, ops[i].user_data, *ops[i].op, p, -1, ended));
        }
        if (ops.size() > kInFlightLines) {
            EvidenceItem more;
            more.text = "… and " + std::to_string(ops.size() - kInFlightLines) +
                        " more ring operations in flight";
            f.evidence.push_back(std::move(more));
        }
    }
    if (hit.fd != kNoDescriptor) {
        const FdState* s = state_.fd(hit.pid, hit.fd);
        const ClosedFd* closed = s ? nullptr : state_.closed_fd(hit.pid, hit.fd);
        const FdState* history = s ? s : closed ? &closed->last : nullptr;
        if (history) {
            for (std::size_t i = 0; i < history->history_size(); ++i) {
                const FdEventRecord& r = history->history(i);
                EvidenceItem earlier;
                earlier.kind = EvidenceItem::Kind::Earlier;
                earlier.fd = hit.fd;
                if (is_direct_key(hit.fd)) {
                    // No process fd: the ring's slot, named.
                    earlier.fd = -1;
                    earlier.label = direct_descriptor_name(hit.fd);
                }
                earlier.tid = r.tid;
                earlier.text = r.text();
                earlier.injected = r.injected;
                f.evidence.push_back(std::move(earlier));
            }
        }
    }
    collapse_repeats(f.evidence);
    f.injected = std::any_of(f.evidence.begin(), f.evidence.end(),
                             [](const EvidenceItem& item) { return item.injected; });
    // A finding about a process's state (a leak at exit) shows no call,
    // yet the state may come from an injected one.
    if (const ProcessState* p = state_.process(hit.pid); !f.injected && p && p->injected_results) {
        f.injected = true;
        f.injected_before = p->injected_results;
    }
    ++findings_;
    if (!worst_ || f.severity > *worst_) worst_ = f.severity;
    StackScope scope = rule.stacks;
    if (scope == StackScope::None && options_.stack_every_finding) scope = StackScope::Thread;
    // The stacks are taken where the rule fired: the source's next safe
    // point comes before the thread runs on.
    if (options_.source_takes_stacks && (scope != StackScope::None || !awaiting_stacks_.empty())) {
        awaiting_stacks_.emplace_back(std::move(f), scope);
        return;
    }
    deliver(f);
}

void RuleEngine::deliver(const Finding& finding) {
    for (FindingSink* sink : sinks_) sink->on_finding(finding);
}

void RuleEngine::at_safe_point(StackTaker& stacks) {
    if (awaiting_stacks_.empty()) return;
    // Moved out before anything is delivered, so the list is empty again
    // whatever a sink does.
    auto awaiting = std::move(awaiting_stacks_);
    awaiting_stacks_.clear();
    for (auto& [finding, scope] : awaiting) {
        if (scope == StackScope::Process) {
            finding.stacks = stacks.process_stacks(finding.pid);
        } else if (scope == StackScope::Thread) {
            finding.stacks.push_back(stacks.thread_stack(finding.tid));
        }
        deliver(finding);
    }
}

std::vector<OtherThread> RuleEngine::others_on_fd(pid_t pid, pid_t tid, int fd) const {
    std::vector<OtherThread> others;
    const ProcessState* p = state_.process(pid);
    if (!p) return others;
    const FdState* now = p->fds.find(fd);
    for (const auto& [other, t] : p->threads) {
        if (other == tid || !t.in_call || t.call_fd != fd) continue;
        OtherThread o;
        o.tid = other;
        o.call = t.call.data();
        o.fd = fd;
        o.same_file = on_same_open_file(t, now);
        if (o.same_file && now) o.file = now->path;
        o.since = t.call_since;
        others.push_back(std::move(o));
    }
    // The ones on this file first: they are what the finding is about.
    std::stable_partition(others.begin(), others.end(),
                          [](const OtherThread& o) { return o.same_file; });
    return others;
}

std::vector<EvidenceItem> RuleEngine::ring_ops_on_fd(pid_t pid, int fd) const {
    std::vector<EvidenceItem> items;
    const ProcessState* p = state_.process(pid);
    const FdState* now = p ? p->fds.find(fd) : nullptr;
    if (!now) return items;
    p->ring_ops.for_each_in_flight([&](int ring_fd, std::uint64_t user_data, const RingOp& op) {
        if (!ring_op_on_file(op, fd, now->generation) || items.size() >= kOtherThreadLines) return;
        items.push_back(ring_op_item(ring_fd, user_data, op, p, fd, /*ended=*/false));
    });
    return items;
}

std::size_t RuleEngine::dropped_partial_matches() const {
    std::size_t n = 0;
    for (const auto& m : matchers_) n += m->dropped();
    return n;
}

void RuleEngine::on_end() {
    for (const auto& m : matchers_) m->on_end(last_time_);
    // No safe point comes after the end (the threads are gone): what still
    // waits goes out without stacks.
    for (const auto& [finding, scope] : awaiting_stacks_) deliver(finding);
    awaiting_stacks_.clear();
    for (FindingSink* sink : sinks_) sink->on_end();
}

}  // namespace sctrace::rules
