// The rule engine: an EventSink that evaluates the loaded rules on every
// event against the state as it was before the event, then updates the state.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/rules/rule_set.h"
#include "engine/state.h"
#include "events/stack_frame.h"

namespace sctrace::rules {

struct Finding {
    std::string rule;
    Severity severity = Severity::Warning;
    pid_t pid = 0;
    pid_t tid = 0;
    Nanos time = 0;
    std::string message;                // the rule's output, filled in
    std::string desc;                   // what the pattern is and why it is bad
    std::string exe;                    // the process's executable, when known
    std::vector<std::string> evidence;  // the event and the fd's recent history
    std::string doc;                    // docs/rules/ID.md
    // User stacks, when the source can take them (live only): the finding's
    // thread, or every thread of the process (Rule::stacks, -k).
    std::vector<ThreadStack> stacks;
};

// Fills Finding::stacks. Set by the live tracer, which alone can stop a
// thread and unwind it; post-mortem there is none.
using StackProvider = std::function<void(Finding& finding, StackScope scope)>;

class FindingSink {
public:
    virtual ~FindingSink() = default;
    virtual void on_finding(const Finding& finding) = 0;
    virtual void on_end() {}
};

class RuleEngine final : public EventSink {
public:
    // `describe` renders an event for evidence (the CLI passes strace's
    // notation); the engine itself does not format events.
    using Describe = std::function<std::string(const Event&)>;

    RuleEngine(const RuleSet& rules, std::vector<FindingSink*> sinks, Describe describe);

    void on_event(const Event& event) override;
    void on_end() override;

    const StateTracker& state() const { return state_; }
    std::size_t finding_count() const { return findings_; }
    // The most severe finding so far, if any.
    std::optional<Severity> worst() const { return worst_; }

private:
    void evaluate(const Rule& rule, const Event& event);

    const RuleSet& rules_;
    std::vector<FindingSink*> sinks_;
    Describe describe_;
    StateTracker state_;
    // Looked up by string_view (std::less<>): no std::string per event.
    std::map<std::string, std::vector<const Rule*>, std::less<>> by_type_;
    std::vector<const Rule*> any_type_;
    // One finding per rule, process and fd: a pattern that repeats in a loop
    // is one problem, not thousands of lines.
    std::set<std::tuple<const Rule*, pid_t, int>> reported_;
    std::size_t findings_ = 0;
    std::optional<Severity> worst_;
};

}  // namespace sctrace::rules
