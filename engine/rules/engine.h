// The rule engine: an EventSink that evaluates the loaded rules on every
// event against the state as it was before the event, then updates the state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/rules/rule_set.h"
#include "engine/rules/temporal.h"
#include "engine/state.h"
#include "model/stack_frame.h"

namespace sctrace::rules {

// What the event source can vouch for. Live tracing vouches for all of it;
// a saved log for what its strace flags recorded (sources/logs/ reads it from the logs).
struct SourceGuarantees {
    // Events carry the times they happened (a log recorded with -t/-tt/-ttt/-r).
    bool times = true;
    // Events of different threads arrive in the order they happened (false:
    // an -ff set without times, read one file after another).
    bool thread_order = true;
    // Calls of different threads are seen in progress exactly as long as they
    // were (false: an -ff set with times but no -T, whose calls are taken to
    // last until their thread's next line, so an overlap is only possible).
    bool exact_overlap = true;
};

// Why the engine left a rule out, or reported it as possible.
enum class SourceLimit : std::uint8_t { NoTimes, NoThreadOrder, InexactOverlap };

// What the engine takes from the command line.
struct EngineOptions {
    // The `hang_after` setting rules name in `for:` (--hang-after).
    Nanos hang_after = 30'000'000'000;
    // -k: every finding carries its thread's stack, even from a rule that
    // asks for none.
    bool stack_every_finding = false;
    // The source calls at_safe_point after every event (live tracing): a
    // finding that wants stacks waits there for them, and the findings after
    // it wait with it so that they keep their order. Otherwise findings go
    // out at once, without stacks.
    bool source_takes_stacks = false;
    SourceGuarantees source;
    // A live tracer's answer to "is thread `tid` of `pid` still inside call
    // `nr` (x86_64) on `arg0`" (/proc/PID/task/TID/syscall). Given, the
    // engine lets the tracer skip the exits no rule and no state needs
    // (wants_exit), and asks it about a thread left in such a call before
    // a rule reads what other threads are doing. Empty: every exit is
    // wanted (saved logs have them all anyway).
    std::function<bool(pid_t pid, pid_t tid, std::int32_t nr, std::uint64_t arg0)> still_in_call;
};

class TemporalMatcher;

class RuleEngine final : public EventSink {
public:
    // `describe` renders an event for evidence (the CLI passes strace's
    // notation); the engine itself does not format events.
    using Describe = std::function<std::string(const Event&)>;

    RuleEngine(const RuleSet& rules, std::vector<FindingSink*> sinks, Describe describe,
               EngineOptions options = {});
    ~RuleEngine() override;
    RuleEngine(const RuleEngine&) = delete;
    RuleEngine& operator=(const RuleEngine&) = delete;

    void on_event(const Event& event) override;
    // No: the state can do without the exit (StateTracker::
    // exit_can_be_untraced), no time construct is indexed to the call, and
    // every single-event rule indexed to it is false at the exit whatever
    // the result (Condition::could_match on the entry made an exit).
    bool wants_exit(const Event& entry) override;
    void on_exit_untraced(const Event& entry) override;
    // Takes the stacks the findings of the event want, then delivers them.
    void at_safe_point(StackTaker& stacks) override;
    void on_end() override;

    // A rule with `dedup: none` reports at most this many findings; the
    // last says so, and later matches are counted, not reported, so a rule
    // matching every read of a busy loop cannot exhaust memory or output.
    static constexpr std::size_t kMaxUndeduplicatedFindings = 1000;

    const StateTracker& state() const { return state_; }
    // Matches of `dedup: none` rules past kMaxUndeduplicatedFindings.
    std::size_t unreported_matches() const { return unreported_; }
    std::size_t finding_count() const { return findings_; }
    // The most severe finding so far, if any.
    std::optional<Severity> worst() const { return worst_; }
    // Partial matches (sequence steps, pending absences, watches, counts)
    // dropped because a rule's table was full (kMaxKeysPerRule).
    std::size_t dropped_partial_matches() const;
    // Enabled rules the source cannot support, left out (NoTimes,
    // NoThreadOrder), and rules whose findings are lowered to info and
    // called possible (InexactOverlap); each rule once, in pack order.
    const std::vector<std::pair<const Rule*, SourceLimit>>& limited_rules() const {
        return limited_;
    }
    // A rule's window with settings resolved ("hang_after" -> 30 s).
    static Nanos resolve(const DurationSpec& duration, const EngineOptions& options);

private:
    // A rule an event type is indexed to: a single-event rule (matcher null)
    // or a time construct's matcher.
    struct Entry {
        const Rule* rule;
        TemporalMatcher* matcher;
        // It matches only ring operations' twins (Condition::only_ring_twins):
        // a syscall's own exit is nothing to it.
        bool only_ring_twins = false;
    };
    const std::vector<Entry>* entries_for(const Event& event) const;
    // The rules' part of on_event: everything but bringing the state up to date.
    void judge(const Event& event);
    void run(const std::vector<Entry>& entries, EvalContext& ctx);
    void emit(const Rule& rule, TemporalHit& hit);
    // The other threads in a call on `fd` (the state before the event).
    std::vector<OtherThread> others_on_fd(pid_t pid, pid_t tid, int fd) const;
    // The io_uring operations in flight on the open file `fd` is now, as
    // evidence (at most as many as other threads are listed).
    std::vector<EvidenceItem> ring_ops_on_fd(pid_t pid, int fd) const;
    void deliver(const Finding& finding);

    const RuleSet& rules_;
    std::vector<FindingSink*> sinks_;
    Describe describe_;
    EngineOptions options_;
    // Findings waiting for the source's safe point, in order, with the
    // stacks each wants (StackScope::None for one that waits only to keep
    // its place).
    std::vector<std::pair<Finding, StackScope>> awaiting_stacks_;
    StateTracker state_;
    // A completed io_uring operation as its syscall twin's exit
    // (engine/ring_ops.h), made when the first one completes.
    std::unique_ptr<RingTwin> ring_twin_;
    std::vector<std::unique_ptr<TemporalMatcher>> matchers_;
    std::vector<TemporalMatcher*> fd_keyed_;  // forget keys when their fd closes
    std::vector<TemporalMatcher*> timed_;     // absences with a window
    // The index by event type, looked up with no string compare for x86_64
    // syscalls (by number) and the other event kinds; by name for the rest.
    std::vector<std::vector<Entry>> by_nr_;
    std::vector<std::vector<Entry>> by_kind_;  // non-syscall events, by EventKind
    std::map<std::string, std::vector<Entry>, std::less<>> by_name_;
    std::vector<Entry> any_type_;
    // Where a rule reads what other threads do on the event's fd (and so
    // threads left in calls with untraced exits are asked after first).
    std::vector<bool> others_asked_by_nr_;
    bool others_asked_by_any_type_ = false;
    Nanos last_time_ = 0;
    // By default one finding per rule, process and fd (Rule::dedup): a
    // pattern that repeats in a loop is one problem, not thousands of
    // lines. The process is the pid and its ProcessState::instance, so a new
    // process on a reused pid is judged afresh. `dedup: process` keys with
    // kWholeProcess for the fd.
    std::set<std::tuple<const Rule*, pid_t, std::uint64_t, int>> reported_;
    // Findings of each `dedup: none` rule so far.
    std::unordered_map<const Rule*, std::size_t> undeduplicated_;
    std::size_t unreported_ = 0;
    std::vector<std::pair<const Rule*, SourceLimit>> limited_;
    std::set<const Rule*> possible_;  // the InexactOverlap ones
    // Rules whose conditions read what other threads do on the fd
    // (fd.others_in, fd.concurrent_writers ...): their findings name them.
    std::set<const Rule*> about_other_threads_;
    // Rules that read fd.ring_ops_in: their findings list those operations.
    std::set<const Rule*> about_ring_ops_;
    // Rules whose conditions count ring operations in flight
    // (proc.ring_writes_in_flight): their findings list them.
    std::set<const Rule*> about_ring_writes_;
    std::size_t findings_ = 0;
    std::optional<Severity> worst_;
};

}  // namespace sctrace::rules
