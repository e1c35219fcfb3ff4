// sctrace rules list|check|explain|fields|traced [-r PATH ...] [RULE] [--json]
#include "cli/rules_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/rule_pipeline.h"
#include "engine/rules/fields.h"
#include "engine/rules/rule_set.h"

namespace sctrace {

namespace {

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

}  // namespace

RulesCommand::RulesCommand(CLI::App& sctrace)
    : Command(sctrace.add_subcommand("rules", "List, check and explain rule files")) {
    app_->add_option("-r,--rules", paths_,
                     "Rule file or folder, loaded after the bundled pack (repeatable)")
        ->type_name("PATH")
        ->allow_extra_args(false);
    app_->add_flag("--json", json_, "Machine-readable output");
    app_->require_subcommand(1);
    list_ = app_->add_subcommand("list", "Each rule: id, severity, the syscalls it needs");
    check_ = app_->add_subcommand("check", "Parse and type-check; errors as file:line:col");
    explain_ = app_->add_subcommand("explain", "A rule's description, condition, references");
    explain_->add_option("RULE", rule_id_, "The rule id")->required();
    fields_ = app_->add_subcommand("fields", "The fields conditions and outputs can use");
    traced_ = app_->add_subcommand(
        "traced", "The syscalls a run with these rules stops at (its seccomp filter's set)");
    traced_->add_option("--rule", only_, "Only this rule (repeatable), as run's --rule")
        ->type_name("ID")
        ->allow_extra_args(false);
    app_->add_flag("--no-default-rules", no_default_rules_,
                   "Leave the bundled pack out: only the -r files");
    for (auto* sub : {list_, check_, explain_, fields_, traced_}) {
        sub->add_option("-r,--rules", paths_, "Rule file or folder, loaded after the bundled pack")
            ->allow_extra_args(false);
        sub->add_flag("--no-default-rules", no_default_rules_,
                      "Leave the bundled pack out: only the -r files");
        sub->add_flag("--json", json_, "Machine-readable output");
    }
}

int RulesCommand::execute() {
    if (fields_->parsed()) {
        for (const auto& f : rules::all_fields()) {
            const char* type = f.type == rules::FieldType::Int    ? "number"
                               : f.type == rules::FieldType::Bool ? "bool"
                                                                  : "text";
            std::printf("%-20s %-7s %.*s\n", std::string(f.name).c_str(), type,
                        static_cast<int>(f.description.size()), f.description.data());
        }
        return 0;
    }

    rules::RuleSet set;
    const auto paths = rule_files_to_load(paths_, no_default_rules_, "sctrace rules");
    if (!paths) return 2;
    set.load(*paths);

    if (check_->parsed()) {
        if (json_) {
            nlohmann::json out = {{"ok", set.errors().empty()},
                                  {"errors", nlohmann::json::array()}};
            for (const auto& e : set.errors()) {
                out["errors"].push_back({{"file", e.where.file},
                                         {"line", e.where.line},
                                         {"column", e.where.column},
                                         {"message", e.message},
                                         {"text", e.text},
                                         {"hint", e.hint}});
            }
            out["warnings"] = nlohmann::json::array();
            for (const auto& w : set.warnings()) {
                out["warnings"].push_back({{"file", w.where.file},
                                           {"line", w.where.line},
                                           {"column", w.where.column},
                                           {"message", w.message},
                                           {"text", w.text},
                                           {"hint", w.hint}});
            }
            out["rules"] = set.rules().size();
            std::printf("%s\n", out.dump(2).c_str());
        } else {
            std::fputs(set.format_errors().c_str(), stderr);
            report_rule_warnings(set);
            if (set.errors().empty()) {
                std::printf(
                    "%zu rule(s) OK%s\n", set.rules().size(),
                    set.warnings().empty()
                        ? ""
                        : (" (" + std::to_string(set.warnings().size()) + " warning(s))").c_str());
            }
        }
        // A path that is not a rule file at all is unusable input (2), as
        // for analyze; rules that do not check are findings of check (1).
        return set.unreadable() ? 2 : set.errors().empty() ? 0 : 1;
    }
    if (!set.errors().empty()) {
        std::fputs(set.format_errors().c_str(), stderr);
        return 2;
    }
    if (traced_->parsed()) {
        if (!enable_only_named(set, only_, "sctrace rules traced")) return 2;
        // What `sctrace -- COMMAND` with these rules and no -e stops at,
        // the calls rings are followed through included; -e, -o and
        // --inject add their own calls to it.
        SyscallSet stops = syscalls_needed_by(set);
        stops |= ring_followers(stops);
        const std::vector<std::string_view> names = stops.names(Arch::X86_64);
        if (json_) {
            std::printf("%s\n", nlohmann::json(names).dump().c_str());
        } else {
            std::string line;
            for (const std::string_view name : names) {
                if (!line.empty()) line += ',';
                line += name;
            }
            std::printf("%s\n", line.c_str());
        }
        return 0;
    }
    if (list_->parsed()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& rule : set.rules()) {
            const auto types = rule->event_types();  // every step's, for sequences
            std::string needs = types ? join(*types) : "all";
            const std::string timing = rule->timing_text();
            // Where it came from: its definition, and the later items
            // that appended to it, overrode it or switched it.
            std::string from = rule->where.file + ":" + std::to_string(rule->where.line);
            nlohmann::json changed = nlohmann::json::array();
            for (const auto& c : rule->changed_at) {
                const std::string at = c.file + ":" + std::to_string(c.line);
                from += ", changed at " + at;
                changed.push_back({{"file", c.file}, {"line", c.line}});
            }
            if (json_) {
                out.push_back({{"id", rule->id},
                               {"severity", rules::severity_name(rule->severity)},
                               {"enabled", rule->enabled},
                               {"syscalls", needs},
                               {"timing", timing},
                               {"file", rule->where.file},
                               {"line", rule->where.line},
                               {"changed_at", changed}});
            } else {
                std::printf("%-36s %-9s %-8s %s%s%s  (%s)\n", rule->id.c_str(),
                            std::string(rules::severity_name(rule->severity)).c_str(),
                            rule->enabled ? "enabled" : "disabled", needs.c_str(),
                            timing.empty() ? "" : "  ", timing.c_str(), from.c_str());
            }
        }
        if (json_) std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    // explain
    const rules::Rule* rule = set.find(rule_id_);
    if (!rule) {
        std::fprintf(stderr, "sctrace rules explain: no rule '%s' (see 'sctrace rules list')\n",
                     rule_id_.c_str());
        return 2;
    }
    std::printf("%s (%s)\n  %s:%d\n\n%s\n\ncondition:\n  %s\n\noutput:\n  %s\n", rule->id.c_str(),
                std::string(rules::severity_name(rule->severity)).c_str(), rule->where.file.c_str(),
                rule->where.line, rule->desc.c_str(), rule->compiled_text().c_str(),
                rule->output_text.c_str());
    if (const std::string timing = rule->timing_text(); !timing.empty()) {
        std::printf("\ntiming:\n  %s\n", timing.c_str());
    }
    if (!rule->references.empty()) {
        std::printf("\nreferences:\n");
        for (const auto& r : rule->references) std::printf("  %s\n", r.c_str());
    }
    // Its story, where this sctrace finds the bundled ones (a user's own
    // rule has none): what goes wrong, how it is found, how to fix it.
    if (const std::string story = rule_story_path(rule_docs_dir(), rule->id); !story.empty()) {
        std::ifstream in(story);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in.is_open() || in.bad()) {
            std::fprintf(stderr, "sctrace rules explain: %s: cannot read the rule's story\n",
                         story.c_str());
            return 2;
        }
        std::string body = text.str();
        if (!body.empty() && body.back() != '\n') body += '\n';
        std::printf("\nstory: %s\n\n%s", story.c_str(), body.c_str());
    }
    return 0;
}

}  // namespace sctrace
