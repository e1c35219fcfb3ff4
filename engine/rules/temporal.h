// The runtime of the time constructs: one matcher per watch, sequence,
// absence or count rule, holding that rule's per-key memory. The engine
// hands each matcher the events its conditions can match (state before the
// event, as for every rule), and tells it when an fd is closed, a process
// exits and the trace ends. docs/rules.md ("Time") states the semantics.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/rules/keyed_table.h"
#include "engine/rules/rule_set.h"
#include "model/finding.h"

namespace sctrace::rules {

// A finding a matcher made, for the engine to turn into a Finding.
struct TemporalHit {
    pid_t pid = 0;
    pid_t tid = 0;
    Nanos time = 0;
    int fd = -1;                 // for the per-fd dedupe, -1 none
    EvalContext* ctx = nullptr;  // the event the finding is about, when at hand:
                                 // the output is rendered from it
    std::string message;         // else the output rendered earlier
    Nanos held_for = -1;         // watch: how long the condition held
    std::vector<EvidenceItem> evidence;
};

class TemporalMatcher {
public:
    using Fire = std::function<void(const Rule&, TemporalHit&)>;
    using Describe = std::function<std::string(const Event&)>;

    // `window` is the rule's DurationSpec resolved (settings looked up).
    static std::unique_ptr<TemporalMatcher> create(const Rule& rule, Nanos window, Fire fire,
                                                   const Describe* describe);
    virtual ~TemporalMatcher() = default;

    const Rule& rule() const { return rule_; }
    bool keyed_by_fd() const { return keyed_by_fd_; }

    // An event one of the rule's conditions could match.
    virtual void on_event(EvalContext& ctx) = 0;
    // A successful close() of the event's fd (state before it): whatever is
    // keyed on this close's own by-values is forgotten (fd reuse).
    void on_fd_closed(EvalContext& ctx);
    // A whole process exited: absences fire, everything of it is forgotten.
    virtual void on_process_exit(const Event& exit) = 0;
    // The trace ended at `last_time`.
    virtual void on_end(Nanos /*last_time*/) {}
    // Absence with a window: the earliest deadline (INT64_MAX none), and the
    // check the engine calls once an event's time passes it.
    Nanos next_deadline() const { return next_deadline_; }
    virtual void on_time(Nanos /*now*/) {}

    // Partial matches dropped because the rule's table was full.
    virtual std::size_t dropped() const = 0;

    TemporalMatcher(const Rule& rule, Nanos window, Fire fire, const Describe* describe);

protected:
    virtual void forget(const Key& key) = 0;
    // A step of the match: `label` ("step 2", "after") and the event, described.
    EvidenceItem step_item(std::string label, const Event& event) const;

    const Rule& rule_;
    Nanos window_;
    Fire fire_;
    const Describe* describe_;
    bool keyed_by_fd_ = false;
    Nanos next_deadline_ = INT64_MAX;
};

}  // namespace sctrace::rules
