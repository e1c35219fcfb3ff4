#include "cli/rule_pipeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "model/syscall_table.h"

namespace sctrace {

namespace {

namespace fs = std::filesystem;

// A folder of this sctrace's own: `source` (in the source tree) for the
// binary of the build tree it was built in, PREFIX/`installed` for one
// installed as PREFIX/bin/sctrace; "" when that one is not there, so a copy
// of the binary placed elsewhere takes nothing it happens to be near.
std::string own_dir(const char* source, const char* installed) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const std::string build_dir = SCTRACE_BUILD_DIR;
    if (exe.string().starts_with(build_dir + "/") && fs::is_directory(source, ec)) return source;
    if (exe.parent_path().filename() == "bin") {
        const fs::path dir = exe.parent_path().parent_path() / installed;
        if (fs::is_directory(dir, ec)) return dir.lexically_normal().string();
    }
    return {};
}

// Findings of a rule with a story point at it where this sctrace finds it
// (the engine names it as docs/rules/ID.md, relative to a source tree the
// reader may not have); a rule without one (a user's own) points nowhere.
class StoryLinks final : public rules::FindingSink {
public:
    StoryLinks(std::string docs_dir, std::vector<rules::FindingSink*> sinks)
        : docs_dir_(std::move(docs_dir)), sinks_(std::move(sinks)) {}

    void on_finding(const rules::Finding& finding) override {
        auto [story, added] = stories_.try_emplace(finding.rule);
        if (added) story->second = rule_story_path(docs_dir_, finding.rule);
        rules::Finding linked = finding;
        linked.doc = story->second;
        for (rules::FindingSink* sink : sinks_) sink->on_finding(linked);
    }
    void on_end() override {
        for (rules::FindingSink* sink : sinks_) sink->on_end();
    }

private:
    std::string docs_dir_;
    std::vector<rules::FindingSink*> sinks_;
    std::map<std::string, std::string> stories_;  // rule id -> its story's path, or ""
};

}  // namespace

std::string default_rules_path() {
    if (const char* env = std::getenv("SCTRACE_RULES"); env && *env) return env;
    return own_dir(SCTRACE_SOURCE_RULES_DIR, "share/sctrace/rules");
}

std::string rule_docs_dir() {
    return own_dir(SCTRACE_SOURCE_RULE_DOCS_DIR, "share/doc/sctrace/rules");
}

std::string rule_story_path(const std::string& docs_dir, const std::string& id) {
    if (docs_dir.empty() || id.empty() || id.find('/') != std::string::npos) return {};
    const fs::path story = fs::path(docs_dir) / (id + ".md");
    std::error_code ec;
    return fs::is_regular_file(story, ec) ? story.string() : std::string();
}

void report_no_rule_pack(const char* program) {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::fprintf(stderr,
                 "%s: no bundled rule pack: %s is neither the build of %s nor installed with "
                 "PREFIX/share/sctrace/rules beside PREFIX/bin; name the pack with $SCTRACE_RULES, "
                 "load only "
                 "your rules with --no-default-rules -r PATH, or trace with --no-rules\n",
                 program, ec ? "this sctrace" : exe.c_str(), SCTRACE_BUILD_DIR);
}

std::optional<std::vector<std::string>> rule_files_to_load(const std::vector<std::string>& user,
                                                           bool no_default_rules,
                                                           const char* program) {
    std::vector<std::string> paths;
    if (!no_default_rules) {
        const std::string bundled = default_rules_path();
        if (bundled.empty()) {
            report_no_rule_pack(program);
            return std::nullopt;
        }
        paths.push_back(bundled);
    }
    paths.insert(paths.end(), user.begin(), user.end());
    return paths;
}

void report_rule_warnings(const rules::RuleSet& rules) {
    std::fputs(rules.format_warnings().c_str(), stderr);
}

std::unique_ptr<RulePipeline> RulePipeline::create(const RuleOptions& options,
                                                   std::vector<rules::FindingSink*> extra_sinks) {
    std::unique_ptr<RulePipeline> p(new RulePipeline);
    if (!options.no_rules) {
        const auto paths = rule_files_to_load(options.paths, options.no_default_rules, "sctrace");
        if (!paths) return nullptr;
        if (paths->empty()) {
            std::fprintf(stderr,
                         "sctrace: --no-default-rules needs rule files (-r PATH), or "
                         "say --no-rules for events only\n");
            return nullptr;
        }
        p->rules_.load(*paths);
        report_rule_warnings(p->rules_);
    }
    if (!p->rules_.errors().empty()) {
        std::fputs(p->rules_.format_errors().c_str(), stderr);
        std::fprintf(stderr, "sctrace: %zu error(s) in the rules; nothing was run\n",
                     p->rules_.errors().size());
        return nullptr;
    }
    if (!enable_only_named(p->rules_, options.only, "sctrace")) return nullptr;
    if (options.entries_only) {
        for (const auto& rule : p->rules_.rules()) {
            if (!rule->enabled) continue;
            const auto types = rule->event_types();
            if (types && *types == std::set<std::string>{"thread_sample"}) continue;
            rule->enabled = false;
            p->inactive_.push_back(rule->id);
        }
    }
    std::vector<rules::FindingSink*> sinks;
    p->text_ = std::make_unique<TextFindingsWriter>(stderr, "stderr", options.text_style);
    sinks.push_back(p->text_.get());
    if (!options.findings_path.empty()) {
        p->findings_file_.reset(
            ::open(options.findings_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!p->findings_file_) {
            std::fprintf(stderr, "sctrace: --findings %s: %s\n", options.findings_path.c_str(),
                         std::strerror(errno));
            return nullptr;
        }
        p->jsonl_ =
            std::make_unique<JsonlFindingsWriter>(p->findings_file_.get(), options.findings_path);
        sinks.push_back(p->jsonl_.get());
    }
    sinks.insert(sinks.end(), extra_sinks.begin(), extra_sinks.end());
    p->stories_ = std::make_unique<StoryLinks>(rule_docs_dir(), std::move(sinks));
    p->engine_ = std::make_unique<rules::RuleEngine>(
        p->rules_, std::vector<rules::FindingSink*>{p->stories_.get()}, describe_event,
        options.engine);
    return p;
}

bool enable_only_named(rules::RuleSet& rules, const std::vector<std::string>& ids,
                       const char* program) {
    if (ids.empty()) return true;
    const std::vector<std::string> unknown = rules.enable_only(ids);
    for (const std::string& id : unknown) {
        std::fprintf(stderr,
                     "%s: --rule %s: no loaded rule has this id (sctrace rules list shows them)\n",
                     program, id.c_str());
    }
    return unknown.empty();
}

void report_ring_coverage(const rules::RuleEngine& engine, const char* program) {
    const RingCoverage c = engine.state().ring_coverage();
    if (c.empty()) return;
    const auto count = [](std::uint64_t n, const char* one, const char* many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::string parts;
    const auto add = [&parts](const std::string& part) {
        parts += (parts.empty() ? "" : "; ") + part;
    };
    if (c.unseen) {
        add(count(c.unseen, "submission", "submissions") +
            " had no completion the trace saw (the process closed its ring, exec'd or was killed "
            "first, or had not ended when the trace did)");
    }
    if (c.not_followed) {
        add(count(c.not_followed, "submission was", "submissions were") +
            " not followed (4096 already in flight on its ring)");
    }
    if (c.ambiguous) {
        add(count(c.ambiguous, "submission", "submissions") +
            " shared a user_data with a different one in flight, so which completion was whose "
            "is unknown");
    }
    if (c.skip_success) {
        add(count(c.skip_success,
                  "submission asked for no completion when it succeeded "
                  "(IOSQE_CQE_SKIP_SUCCESS), so whether it did is unknown",
                  "submissions asked for no completion when they succeeded "
                  "(IOSQE_CQE_SKIP_SUCCESS), so whether they did is unknown"));
    }
    std::fprintf(stderr, "%s: io_uring: %s: the rules could not judge what those operations did\n",
                 program, parts.c_str());
}

SyscallSet RulePipeline::needed_syscalls() const {
    return syscalls_needed_by(rules_);
}

SyscallSet syscalls_needed_by(const rules::RuleSet& rules) {
    SyscallSet set;
    const bool any_enabled = std::any_of(rules.rules().begin(), rules.rules().end(),
                                         [](const auto& rule) { return rule->enabled; });
    if (!any_enabled) return set;
    const auto needs = rules.needs();
    if (needs.all_syscalls) return SyscallSet::all();
    for (const auto& name : needs.syscalls) {
        if (const auto nr = syscall_number(Arch::X86_64, name)) set.add(*nr);
    }
    for (const std::string_view name : state_syscalls()) {
        if (const auto nr = syscall_number(Arch::X86_64, name)) set.add(*nr);
    }
    return set;
}

std::vector<NarrowedCall> RulePipeline::narrowed_calls(const SyscallSet& named) const {
    std::vector<NarrowedCall> narrowed;
    if (needed_syscalls().empty()) return narrowed;
    const auto needs = rules_.needs();
    if (needs.all_syscalls) return narrowed;
    for (const std::string_view name : state_syscalls()) {
        const SyscallInfo* info = syscall_info(Arch::X86_64, name);
        if (!info || info->traits.tracked_if_arg < 0) continue;
        const int nr = syscall_number_of(Arch::X86_64, *info);
        if (needs.syscalls.count(std::string(name)) || named.contains_native(nr)) continue;
        const auto& values = info->traits.tracked_if;
        narrowed.push_back({nr,
                            info->traits.tracked_if_arg,
                            {values.begin(), values.begin() + info->traits.tracked_if_count}});
    }
    return narrowed;
}

bool RulePipeline::needs_watchdog() const {
    for (const auto& rule : rules_.rules()) {
        if (!rule->enabled) continue;
        for (const rules::Condition* condition : rule->conditions()) {
            const auto& types = condition->event_types();
            if (types && types->count("thread_sample")) return true;
        }
    }
    return false;
}

void RulePipeline::close_outputs() {
    // close() can report a deferred write error (NFS, quota).
    if (findings_file_ && ::close(findings_file_.release()) != 0) jsonl_->output().fail(errno);
}

bool RulePipeline::output_lost() const {
    return text_->output().lost() || (jsonl_ && jsonl_->output().lost());
}

bool RulePipeline::failed(rules::Severity threshold) const {
    const auto worst = engine_->worst();
    return worst && *worst >= threshold;
}

}  // namespace sctrace
