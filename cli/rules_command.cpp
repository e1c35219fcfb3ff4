// sctrace rules list|check|explain|fields [-r PATH ...] [RULE] [--json]
#include "cli/rules_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
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

int rules_main(int argc, char** argv) {
    CLI::App app{"sctrace rules: list, check and explain rule files", "sctrace rules"};
    std::vector<std::string> paths;
    bool json = false;
    app.add_option("-r,--rules", paths,
                   "Rule file or folder (repeatable; default: the bundled pack)")
        ->type_name("PATH")
        ->allow_extra_args(false);
    app.add_flag("--json", json, "Machine-readable output");
    app.require_subcommand(1);
    auto* list = app.add_subcommand("list", "Each rule: id, severity, the syscalls it needs");
    auto* check = app.add_subcommand("check", "Parse and type-check; errors as file:line:col");
    auto* explain = app.add_subcommand("explain", "A rule's description, condition, references");
    std::string id;
    explain->add_option("RULE", id, "The rule id")->required();
    auto* fields = app.add_subcommand("fields", "The fields conditions and outputs can use");
    for (auto* sub : {list, check, explain, fields}) {
        sub->add_option("-r,--rules", paths, "Rule file or folder")->allow_extra_args(false);
        sub->add_flag("--json", json, "Machine-readable output");
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    if (fields->parsed()) {
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
    set.load(paths.empty() ? std::vector<std::string>{default_rules_path()} : paths);

    if (check->parsed()) {
        if (json) {
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
            out["rules"] = set.rules().size();
            std::printf("%s\n", out.dump(2).c_str());
        } else if (set.errors().empty()) {
            std::printf("%zu rule(s) OK\n", set.rules().size());
        } else {
            std::fputs(set.format_errors().c_str(), stderr);
        }
        // A path that is not a rule file at all is unusable input (2), as
        // for analyze; rules that do not check are findings of check (1).
        return set.unreadable() ? 2 : set.errors().empty() ? 0 : 1;
    }
    if (!set.errors().empty()) {
        std::fputs(set.format_errors().c_str(), stderr);
        return 2;
    }
    if (list->parsed()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& rule : set.rules()) {
            const auto types = rule->event_types();  // every step's, for sequences
            std::string needs = types ? join(*types) : "all";
            const std::string timing = rule->timing_text();
            if (json) {
                out.push_back({{"id", rule->id},
                               {"severity", rules::severity_name(rule->severity)},
                               {"enabled", rule->enabled},
                               {"syscalls", needs},
                               {"timing", timing},
                               {"file", rule->where.file}});
            } else {
                std::printf("%-36s %-9s %-8s %s%s%s\n", rule->id.c_str(),
                            std::string(rules::severity_name(rule->severity)).c_str(),
                            rule->enabled ? "enabled" : "disabled", needs.c_str(),
                            timing.empty() ? "" : "  ", timing.c_str());
            }
        }
        if (json) std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    // explain
    const rules::Rule* rule = set.find(id);
    if (!rule) {
        std::fprintf(stderr, "sctrace rules explain: no rule '%s' (see 'sctrace rules list')\n",
                     id.c_str());
        return 2;
    }
    std::printf("%s (%s)\n  %s:%d\n\n%s\n\ncondition:\n  %s\n\noutput:\n  %s\n", rule->id.c_str(),
                std::string(rules::severity_name(rule->severity)).c_str(), rule->where.file.c_str(),
                rule->where.line, rule->desc.c_str(), rule->condition_text.c_str(),
                rule->output_text.c_str());
    if (const std::string timing = rule->timing_text(); !timing.empty()) {
        std::printf("\ntiming:\n  %s\n", timing.c_str());
    }
    if (!rule->references.empty()) {
        std::printf("\nreferences:\n");
        for (const auto& r : rule->references) std::printf("  %s\n", r.c_str());
    }
    std::printf("\nstory: docs/rules/%s.md\n", rule->id.c_str());
    return 0;
}

}  // namespace sctrace
