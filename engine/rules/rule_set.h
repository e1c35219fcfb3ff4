// Rule files (YAML, shaped like Falco's) loaded, checked and compiled.
//
//   - list: write_calls
//     items: [write, writev, send, sendto, sendmsg]
//   - macro: inet_stream
//     condition: fd.family in (AF_INET, AF_INET6) and fd.l4proto = tcp
//   - rule: connect-result-unchecked
//     desc: ...
//     condition: evt.type in (write_calls) and fd.state = connecting and ...
//     output: "fd %fd.num was written before its connect() finished"
//     severity: warning          # info | warning | error | critical
//     tags: [network]
//     enabled: true
//     references: [https://...]
//     also_trace: [read, recvfrom]   # calls the state must see besides those named
//
// A later file may name an earlier rule again to change it, as Falco's files
// do: `enabled:` alone switches it; `append: true` adds a condition (ANDed,
// or joined as written when it starts with `and`/`or`) and exceptions;
// `override: {KEY: append|replace}` changes the keys it names; a full
// definition replaces it. Falco's `priority:` (its level names), `exceptions:`,
// `warn_evttypes:`, `skip-if-unknown-filter:` and `source: syscall` mean what
// they mean there. Errors name file:line:col with the offending text and a
// hint; loading stops at nothing: every error is collected. Warnings (a rule
// that names no evt.type) are collected apart and stop nothing.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/rules/condition.h"
#include "model/event.h"
#include "model/finding.h"

namespace YAML {
class Node;
}

namespace sctrace::rules {

struct RuleError {
    SourceLocation where;
    std::string message;
    std::string text;  // the offending line, for the caret display
    std::string hint;
    // The file or folder could not be read at all (not a regular file, too
    // big, a read error): the input is unusable, not merely wrong.
    bool unreadable = false;
};

// "%fd.num" style output templates, split once into text and fields.
struct OutputTemplate {
    struct Segment {
        std::string text;              // literal text, or
        std::optional<FieldId> field;  // a field to substitute
        std::string list_name;         // its list argument (%fd.others_in[LIST]) ...
        FieldList list;                // ... resolved when the rules compile
    };
    std::vector<Segment> segments;
};

// What kind of pattern a rule matches: one event (Falco's kind), or one of
// the time constructs Falco cannot say (docs/rules.md, "Time").
enum class RuleKind : std::uint8_t {
    Single,    // condition
    Watch,     // condition + for: it holds, per key, for a duration
    Sequence,  // sequence: steps in order, per key, within maxspan, until cancels
    Absence,   // absence: after, then no missing until exit or a duration
    Count,     // count: condition matches threshold times within a window
};
std::string_view rule_kind_name(RuleKind kind);

// The named durations a rule may use instead of a literal (`for:
// hang_after`); the engine resolves them from EngineOptions.
inline constexpr std::string_view kDurationSettings[] = {"hang_after"};

// A duration as a rule wrote it: a literal, or a setting's name.
struct DurationSpec {
    Nanos literal = 0;
    std::string setting;       // non-empty: the engine's named setting
    bool given = false;        // the rule set it at all
    std::string text() const;  // "1.5s" or "hang_after"
};

// A condition's text and where it starts in its file, so errors found when
// compiling point into the file.
struct ConditionSource {
    std::string text;
    SourceLocation where;
};

// Falco's exception: tuples of field values under which the rule does not
// fire. `fields: [a, b]`, `comps: [=, startswith]`, `values: [[x, y], ...]`
// adds `and not ((a = x and b startswith y) or ...)` to the condition; a
// single field (`fields: a`) takes a flat list of values: `a in (x, y)`.
struct RuleException {
    std::string name;
    std::vector<std::string> fields;
    std::vector<std::string> comps;  // one per field
    bool single_field = false;       // `fields:` was one field, not a list
    // Each tuple's values (single_field: one value per tuple); a value for
    // an `in` comparison is itself a list, its items joined by '\n'.
    std::vector<std::vector<std::string>> values;
    SourceLocation where;  // the `- name:` item, for errors in the clause
};

// How often a rule reports a pattern that repeats (`dedup:`): once per fd
// of each process (the default: a loop repeating one mistake is one
// problem), once per process, or at every match (up to
// RuleEngine::kMaxUndeduplicatedFindings).
enum class Dedup : std::uint8_t { Fd, Process, None };

// A compiled rule: what reports say of it (RuleInfo: id, desc, severity,
// tags, references, enabled, where) and what the engine runs.
struct Rule : RuleInfo {
    std::string condition_text;
    // Where each part of condition_text was written: the definition, then
    // each append (often another file's), by offset into condition_text,
    // so that an error is blamed on the part that brought it.
    struct ConditionPart {
        std::size_t offset = 0;
        ConditionSource source;
    };
    std::vector<ConditionPart> condition_parts;
    std::vector<RuleException> exceptions;
    // Falco's keys: warn about a condition naming no evt.type; skip the rule
    // (with a warning) when its condition names a field sctrace lacks.
    bool warn_evttypes = true;
    bool skip_if_unknown_filter = false;
    // Later items that appended to or overrode the rule (`rules list`).
    std::vector<SourceLocation> changed_at;
    // What the engine compiles: condition_text and the exceptions' clause.
    std::string compiled_text() const;
    Condition condition;
    OutputTemplate output;
    std::string output_text;
    // Syscalls the rule needs traced beyond the ones its condition names
    // (`also_trace:`), e.g. the blocking calls another thread may sit in.
    std::vector<std::string> also_trace;
    StackScope stacks = StackScope::None;  // `stacks: thread|process|none`
    Dedup dedup = Dedup::Fd;               // `dedup: none|fd|process`

    // The time constructs. Watch, Absence (`after:`) and Count use
    // `condition` above; Sequence leaves it empty and uses `steps`.
    RuleKind kind = RuleKind::Single;
    // Fields that key the per-rule memory (at most kMaxKeyFields); an event
    // on which one of them does not apply is ignored by the rule.
    std::vector<FieldId> by;
    // Watch: `for:`; Sequence: `maxspan:` (not given: unbounded); Absence:
    // `until: <duration>` (not given: until the process exits); Count: `within:`.
    DurationSpec window;
    std::vector<Condition> steps;  // Sequence
    std::vector<ConditionSource> step_sources;
    std::optional<Condition> until;  // Sequence: abandons a partial match
    ConditionSource until_source;
    Condition missing;  // Absence: the event whose absence is the finding
    ConditionSource missing_source;
    std::uint32_t threshold = 0;  // Count

    // Every compiled condition of the rule (condition, steps, until, missing).
    std::vector<const Condition*> conditions() const;
    // The evt.type values any of them can match; nullopt: any event.
    std::optional<std::set<std::string>> event_types() const;
    // Whether every one matches only io_uring operations seen as their
    // syscall twins (Condition::only_ring_twins): a syscall's own entry or
    // exit is nothing to the rule.
    bool only_ring_twins() const;
    // "for 30s by [thread.tid]", "" for a single-event rule; `rules list`
    // and `explain` show it.
    std::string timing_text() const;
};

// What a rule's verdict rests on beyond the events themselves, derived from
// its kind, its window, its keys and the fields its conditions read. A
// source that cannot vouch for one of these (a log without times, an -ff
// set without a common clock) must not have the rule judged on it.
struct RuleDemands {
    // It measures time between events: a count's `within:`, a sequence's
    // `maxspan:`, an absence's `until: DURATION`. (A watch's `for:` is judged
    // post-mortem only on the end-of-log picture, which needs no clock.)
    bool times = false;
    // It relates what different threads of a process did, in the order they
    // did it: it reads state other threads change (fd.* beyond the number,
    // the proc.* counters), or remembers matches per process or per fd
    // rather than per thread.
    bool thread_order = false;
    // It asks whether another thread's call was still in progress
    // (fd.others_blocked, fd.concurrent_*): a question of call durations.
    bool overlap = false;
};
RuleDemands demands_of(const Rule& rule);

inline constexpr std::size_t kMaxKeyFields = 4;
inline constexpr std::size_t kMaxSequenceSteps = 16;
// A count rule remembers up to `threshold` match times per key.
inline constexpr std::uint32_t kMaxCountThreshold = 100000;
// Errors reported before loading stops checking.
inline constexpr std::size_t kMaxErrors = 100;

class RuleSet {
public:
    // Loads files and folders (every *.yaml / *.yml inside, in name order),
    // in order, as read_rule_files() reads them (engine/rules/rule_files.h).
    // Problems are collected in errors(); a rule with an error is left out,
    // the rest load.
    void load(const std::vector<std::string>& paths);
    // Whether some path could not be read at all (an error in errors()).
    bool unreadable() const;
    // Adds one file's text without compiling yet (files may use each
    // other's macros in any order), then compile() once all are added.
    void add_text(const std::string& file_name, const std::string& text);
    void compile();
    // add_text + compile, for a single file.
    void load_text(const std::string& file_name, const std::string& text);

    const std::vector<RuleError>& errors() const { return errors_; }
    // What loads but is likely a mistake: a rule with no evt.type stops
    // every syscall. format_warnings() prints them as format_errors() does.
    const std::vector<RuleError>& warnings() const { return warnings_; }
    const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }
    const Rule* find(std::string_view id) const;
    // What the reports list of every rule, fired or not, in load order.
    std::vector<RuleInfo> infos() const;

    // The syscalls the enabled rules need to see (for the seccomp prefilter);
    // `all` is set when some rule can match any syscall.
    struct Needs {
        std::set<std::string> syscalls;
        bool all_syscalls = false;
    };
    Needs needs() const;

    // Judges with only the rules named in `ids` (--rule): every other rule is
    // disabled, and a named rule its file disabled is enabled (it was asked
    // for by name). Returns the ids no loaded rule has, in the order given.
    std::vector<std::string> enable_only(const std::vector<std::string>& ids);

    // Formats "file:line:col: message\n  text\n  ^ hint" for each error.
    std::string format_errors() const;
    std::string format_warnings() const;

private:
    void parse_text(const std::string& file_name, const std::string& text);
    using ErrorAt = std::function<void(const YAML::Node&, std::string, std::string)>;
    void parse_rule(const std::string& file, const YAML::Node& item, const ErrorAt& error);
    void change_rule(const std::string& file, Rule& rule, const YAML::Node& item,
                     const ErrorAt& error);
    bool compile_rule(ConditionCompiler& compiler, Rule& rule);
    void warn(RuleError warning);
    void compile_all();
    bool too_many_errors(const std::string& file);

    std::map<std::string, std::vector<std::string>> sources_;  // file -> lines, for errors
    ConditionCompiler::Macros macros_;
    ConditionCompiler::Lists lists_;
    std::vector<std::unique_ptr<Rule>> rules_;
    std::vector<RuleError> errors_;
    std::vector<RuleError> warnings_;
    bool gave_up_ = false;  // kMaxErrors reached
};

// Fills "%field" references in an output template for one event.
std::string render_output(const OutputTemplate& output, EvalContext& ctx);

}  // namespace sctrace::rules
