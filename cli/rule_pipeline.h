// What `run` and `analyze` share: load the rules (-r, default the bundled
// pack), build the engine and the findings writers, and turn findings into
// an exit status (--fail-on).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "model/syscall_set.h"
#include "report/findings_writer.h"
#include "sources/live/seccomp_filter.h"

namespace sctrace {

struct RuleOptions {
    std::vector<std::string> paths;  // -r: loaded after the bundled pack
    bool no_default_rules = false;   // --no-default-rules: -r's files alone
    std::string findings_path;       // --findings
    std::string fail_on = "";        // --fail-on; "" = the command's default
    bool no_rules = false;           // --no-rules
    std::vector<std::string> only;   // --rule: judge with these rules alone
    rules::EngineOptions engine;     // --hang-after, -k
    TextStyle text_style;            // the findings on stderr: --color, a terminal's width
    // The source sees each call at its entry only, without its result,
    // signals or the processes it starts (--backend seccomp-notify): only
    // the rules that judge the watchdog's /proc samples alone can run; the
    // others are turned off and listed (inactive_rules()).
    bool entries_only = false;
};

// The bundled pack: $SCTRACE_RULES; else, for the sctrace of a build tree,
// the source tree's rules/; else, for an installed one (PREFIX/bin/sctrace),
// PREFIX/share/sctrace/rules. "" when none is there: a copy of the binary
// placed elsewhere must not take whatever rules/ folder it happens to find.
std::string default_rules_path();
// Where the bundled rules' stories (ID.md) are, found as the pack is: for
// the sctrace of a build tree, the source tree's docs/rules; for an
// installed one, PREFIX/share/doc/sctrace/rules. "" when neither is there.
// Findings, SARIF and `rules explain` take it from here, as a value.
std::string rule_docs_dir();
// The story of rule `id` in `docs_dir` (rule_docs_dir()): its path when the
// file is there, else "" (a user's own rule has none).
std::string rule_story_path(const std::string& docs_dir, const std::string& id);
// Says on stderr that no bundled pack was found, where it was looked for,
// and how to name one (-r, $SCTRACE_RULES).
void report_no_rule_pack(const char* program);
// The rule files a command loads, in order: the bundled pack, then the
// user's -r files, so that theirs use the pack's macros and lists and may
// change its rules (Falco's default file, then the local ones);
// --no-default-rules leaves the pack out. nullopt, said on stderr, when the
// pack is wanted and cannot be found.
std::optional<std::vector<std::string>> rule_files_to_load(const std::vector<std::string>& user,
                                                           bool no_default_rules,
                                                           const char* program);
// Prints the rules' warnings (file:line:col, caret, hint) to stderr.
void report_rule_warnings(const rules::RuleSet& rules);

// Says on stderr, once at the end, what of the ring operations the rules
// could not follow (RingCoverage), when anything: "PROGRAM: io_uring: ...".
void report_ring_coverage(const rules::RuleEngine& engine, const char* program);

// The syscalls the enabled rules of `rules` need the tracer to stop at: what
// their conditions and also_trace: name, and what the state tracker follows
// (fds, sockets, signals) once any rule is enabled.
SyscallSet syscalls_needed_by(const rules::RuleSet& rules);

// --rule: leaves only the rules named in `ids` enabled (none named: all stay
// as their files say). An id no loaded rule has is said on stderr as
// "PROGRAM: --rule ID: ..." and makes it return false.
bool enable_only_named(rules::RuleSet& rules, const std::vector<std::string>& ids,
                       const char* program);

class RulePipeline {
public:
    // Loads and compiles the rules. On errors, prints them (file:line:col,
    // caret, hint) to stderr and returns nullptr.
    // `extra_sinks` (the CI reporters) get every finding too.
    static std::unique_ptr<RulePipeline> create(const RuleOptions& options,
                                                std::vector<rules::FindingSink*> extra_sinks = {});

    EventSink& sink() { return *engine_; }
    rules::RuleEngine& engine() { return *engine_; }
    const rules::RuleSet& rule_set() const { return rules_; }
    // The syscalls the rules need, as a set for the tracer.
    SyscallSet needed_syscalls() const;
    // The needed calls that stop only with the argument values the state
    // tracker reads, because no rule and nothing in `named` (what -e shows,
    // what --inject tampers with) asks for the rest.
    std::vector<NarrowedCall> narrowed_calls(const SyscallSet& named) const;
    bool empty() const { return rules_.rules().empty(); }
    // Some enabled rule reads the watchdog's samples (evt.type =
    // thread_sample): the live tracer must run its /proc watchdog.
    bool needs_watchdog() const;
    // The rules RuleOptions::entries_only turned off, in load order.
    const std::vector<std::string>& inactive_rules() const { return inactive_; }

    // True when a finding at or above `threshold` was raised.
    bool failed(rules::Severity threshold) const;
    std::size_t finding_count() const { return engine_->finding_count(); }
    // Closes the --findings file, once the engine has ended.
    void close_outputs();
    // A findings output failed and lost findings (each failure was said on
    // stderr when it happened): the exit status must say so.
    bool output_lost() const;
    // The findings' text on stderr (analyze hooks its progress line to it).
    TextFindingsWriter& text_writer() { return *text_; }

private:
    RulePipeline() = default;

    rules::RuleSet rules_;
    UniqueFd findings_file_;
    std::unique_ptr<TextFindingsWriter> text_;
    std::unique_ptr<JsonlFindingsWriter> jsonl_;
    std::unique_ptr<rules::FindingSink> stories_;
    std::unique_ptr<rules::RuleEngine> engine_;
    std::vector<std::string> inactive_;
};

}  // namespace sctrace
