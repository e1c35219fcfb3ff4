#include "engine/rules/engine.h"

#include <cstdio>

namespace sctrace::rules {

RuleEngine::RuleEngine(const RuleSet& rules, std::vector<FindingSink*> sinks, Describe describe)
    : rules_(rules), sinks_(std::move(sinks)), describe_(std::move(describe)) {
    // Index rules by the event types they can match, so an event only meets
    // the rules that could fire on it.
    for (const auto& rule : rules_.rules()) {
        if (!rule->enabled) continue;
        const auto& types = rule->condition.event_types();
        if (!types) {
            any_type_.push_back(rule.get());
            continue;
        }
        for (const auto& t : *types) by_type_[t].push_back(rule.get());
    }
}

void RuleEngine::on_event(const Event& event) {
    EvalContext ctx{event, state_};
    const SyscallEvent* call = event.syscall();
    const std::string_view type = call ? call->name : event_kind_name(event.kind);
    if (!by_type_.empty()) {
        const auto it = by_type_.find(type);
        if (it != by_type_.end()) {
            for (const Rule* rule : it->second) {
                if (rule->condition.matches(ctx)) evaluate(*rule, event);
            }
        }
    }
    for (const Rule* rule : any_type_) {
        if (rule->condition.matches(ctx)) evaluate(*rule, event);
    }
    state_.apply(event);
}

void RuleEngine::evaluate(const Rule& rule, const Event& event) {
    EvalContext ctx{event, state_};
    const FieldValue fd = read_field(FieldId::FdNum, ctx);
    const int fd_num = fd.present ? static_cast<int>(fd.i) : -1;
    if (!reported_.insert({&rule, event.pid, fd_num}).second) return;

    Finding f;
    f.rule = rule.id;
    f.severity = rule.severity;
    f.pid = event.pid;
    f.tid = event.tid;
    f.time = event.time;
    f.message = render_output(rule.output, ctx);
    f.desc = rule.desc;
    f.doc = "docs/rules/" + rule.id + ".md";
    if (const ProcessState* p = state_.process(event.pid)) f.exe = p->exe;
    if (describe_) f.evidence.push_back(describe_(event));
    if (fd_num >= 0) {
        const FdState* s = state_.fd(event.pid, fd_num);
        const ClosedFd* closed = s ? nullptr : state_.closed_fd(event.pid, fd_num);
        const FdState* history = s ? s : closed ? &closed->last : nullptr;
        if (history) {
            for (std::size_t i = 0; i < history->history_size; ++i) {
                const FdEventRecord& r = history->history[i];
                char line[128];
                std::snprintf(line, sizeof line, "fd %d earlier: tid %d %s", fd_num, r.tid,
                              r.what.data());
                f.evidence.emplace_back(line);
            }
        }
    }
    ++findings_;
    if (!worst_ || f.severity > *worst_) worst_ = f.severity;
    for (FindingSink* sink : sinks_) sink->on_finding(f);
}

void RuleEngine::on_end() {
    for (FindingSink* sink : sinks_) sink->on_end();
}

}  // namespace sctrace::rules
