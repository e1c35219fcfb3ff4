#include "engine/rules/rule_set.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sctrace::rules {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string line_at(const std::vector<std::string>& lines, int line) {
    return line >= 1 && static_cast<std::size_t>(line) <= lines.size() ? lines[line - 1] : "";
}

// Where in the file a condition's error is: the offending token searched for
// from the condition's own line on (block scalars fold lines, so offsets into
// the folded text do not map to columns directly).
SourceLocation locate(const std::string& file, const std::vector<std::string>& lines, int mark_line,
                      int mark_column, const std::string& condition, std::size_t offset) {
    struct {
        int line, column;
    } mark{mark_line, mark_column};
    SourceLocation where{file, mark.line + 1, mark.column + 1};
    std::string token = condition.substr(std::min(offset, condition.size()));
    const auto end = token.find_first_of(" \t\n()");
    token = token.substr(0, end == std::string::npos ? token.size() : end);
    if (token.empty()) return where;
    for (std::size_t l = static_cast<std::size_t>(mark.line); l < lines.size(); ++l) {
        const std::size_t from =
            l == static_cast<std::size_t>(mark.line) ? static_cast<std::size_t>(mark.column) : 0;
        const auto at = lines[l].find(token, from);
        if (at != std::string::npos) {
            where.line = static_cast<int>(l) + 1;
            where.column = static_cast<int>(at) + 1;
            return where;
        }
    }
    return where;
}

OutputTemplate parse_output(const std::string& text, std::string* error) {
    OutputTemplate out;
    std::string literal;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '%' && i + 1 < text.size() &&
            std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
            std::size_t j = i + 1;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                                       text[j] == '.' || text[j] == '_')) {
                ++j;
            }
            // A trailing '.' ends the sentence, not the field name.
            while (j > i + 1 && text[j - 1] == '.') --j;
            const std::string name = text.substr(i + 1, j - i - 1);
            const FieldInfo* field = find_field(name);
            if (!field) {
                *error = "unknown field '%" + name + "' in output";
                return out;
            }
            if (!literal.empty()) out.segments.push_back({std::move(literal), std::nullopt});
            literal.clear();
            out.segments.push_back({"", field->id});
            i = j;
            continue;
        }
        literal += text[i++];
    }
    if (!literal.empty()) out.segments.push_back({std::move(literal), std::nullopt});
    return out;
}

std::vector<std::string> string_list(const YAML::Node& node) {
    std::vector<std::string> items;
    if (!node) return items;  // the key is absent
    if (node.IsSequence()) {
        for (const auto& item : node) items.push_back(item.as<std::string>());
    } else if (node.IsScalar()) {
        items.push_back(node.as<std::string>());
    }
    return items;
}

}  // namespace

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::Info:
            return "info";
        case Severity::Warning:
            return "warning";
        case Severity::Error:
            return "error";
        case Severity::Critical:
            return "critical";
    }
    return "warning";
}

std::optional<Severity> severity_from_name(std::string_view name) {
    if (name == "info") return Severity::Info;
    if (name == "warning") return Severity::Warning;
    if (name == "error") return Severity::Error;
    if (name == "critical") return Severity::Critical;
    return std::nullopt;
}

const Rule* RuleSet::find(std::string_view id) const {
    for (const auto& r : rules_) {
        if (r->id == id) return r.get();
    }
    return nullptr;
}

void RuleSet::load(const std::vector<std::string>& paths) {
    namespace fs = std::filesystem;
    for (const std::string& path : paths) {
        std::vector<std::string> files;
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            for (const auto& entry : fs::directory_iterator(path, ec)) {
                const auto ext = entry.path().extension();
                if (ext == ".yaml" || ext == ".yml") files.push_back(entry.path().string());
            }
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(path);
        }
        for (const std::string& file : files) {
            std::ifstream in(file);
            if (!in) {
                errors_.push_back({{file, 0, 0}, "cannot read the rule file", "", ""});
                continue;
            }
            std::stringstream text;
            text << in.rdbuf();
            parse_text(file, text.str());
        }
    }
    compile_all();
}

void RuleSet::parse_text(const std::string& file, const std::string& text) {
    sources_[file] = split_lines(text);
    const std::vector<std::string>& lines = sources_[file];
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        errors_.push_back({{file, e.mark.line + 1, e.mark.column + 1},
                           "not valid YAML: " + e.msg,
                           line_at(lines, e.mark.line + 1),
                           ""});
        return;
    }
    if (doc.IsNull()) return;
    if (!doc.IsSequence()) {
        errors_.push_back({{file, doc.Mark().line + 1, doc.Mark().column + 1},
                           "a rule file is a list of '- rule:', '- macro:' and '- list:' items",
                           line_at(lines, doc.Mark().line + 1),
                           ""});
        return;
    }
    for (const YAML::Node& item : doc) {
        const YAML::Mark mark = item.Mark();
        const auto error = [&](const YAML::Node& at, std::string message, std::string hint = "") {
            const YAML::Mark m = at.IsDefined() ? at.Mark() : mark;
            errors_.push_back({{file, m.line + 1, m.column + 1},
                               std::move(message),
                               line_at(lines, m.line + 1),
                               std::move(hint)});
        };
        try {
            if (!item.IsMap()) {
                error(item, "expected '- rule:', '- macro:' or '- list:'");
                continue;
            }
            if (item["list"]) {
                const std::string name = item["list"].as<std::string>();
                auto& items = lists_[name];
                if (!item["append"] || !item["append"].as<bool>()) items.clear();
                for (const auto& i : string_list(item["items"])) items.push_back(i);
                continue;
            }
            if (item["macro"]) {
                const std::string name = item["macro"].as<std::string>();
                if (!item["condition"]) {
                    error(item, "macro '" + name + "' has no condition");
                    continue;
                }
                std::string body = item["condition"].as<std::string>();
                if (item["append"] && item["append"].as<bool>() && macros_.count(name)) {
                    body = "(" + macros_[name] + ") and (" + body + ")";
                }
                macros_[name] = body;
                // Checked where it is used, and here on its own so a broken
                // macro is reported at its definition.
                ConditionCompiler compiler(macros_, lists_);
                auto compiled = compiler.compile(body);
                if (auto* e = std::get_if<ConditionError>(&compiled)) {
                    const SourceLocation where =
                        locate(file, lines, item["condition"].Mark().line,
                               item["condition"].Mark().column, body, e->offset);
                    errors_.push_back({where, "in macro '" + name + "': " + e->message,
                                       line_at(lines, where.line), e->hint});
                }
                continue;
            }
            if (!item["rule"]) {
                error(item, "expected '- rule:', '- macro:' or '- list:'",
                      "a rule starts with 'rule: its-id'");
                continue;
            }
            const std::string id = item["rule"].as<std::string>();
            auto existing = std::find_if(rules_.begin(), rules_.end(),
                                         [&](const auto& r) { return r->id == id; });
            const bool has_condition = static_cast<bool>(item["condition"]);
            const bool append = item["append"] && item["append"].as<bool>();
            // An override: change a rule an earlier file defined.
            if (existing != rules_.end() && (!has_condition || append)) {
                Rule& rule = **existing;
                if (item["enabled"]) rule.enabled = item["enabled"].as<bool>();
                if (append && has_condition) {
                    rule.condition_text = "(" + rule.condition_text + ") and (" +
                                          item["condition"].as<std::string>() + ")";
                }
                continue;
            }
            if (!has_condition) {
                error(item, "rule '" + id + "' has no condition");
                continue;
            }
            auto rule = std::make_unique<Rule>();
            rule->id = id;
            rule->where = {file, mark.line + 1, mark.column + 1};
            rule->desc = item["desc"] ? item["desc"].as<std::string>() : "";
            rule->condition_text = item["condition"].as<std::string>();
            rule->tags = string_list(item["tags"]);
            rule->references = string_list(item["references"]);
            rule->also_trace = string_list(item["also_trace"]);
            rule->enabled = !item["enabled"] || item["enabled"].as<bool>();
            if (item["severity"]) {
                const auto severity = severity_from_name(item["severity"].as<std::string>());
                if (!severity) {
                    error(item["severity"],
                          "unknown severity '" + item["severity"].as<std::string>() + "'",
                          "one of info, warning, error, critical");
                    continue;
                }
                rule->severity = *severity;
            }
            rule->output_text = item["output"] ? item["output"].as<std::string>() : rule->desc;
            std::string output_error;
            rule->output = parse_output(rule->output_text, &output_error);
            if (!output_error.empty()) {
                error(item["output"], output_error, "run 'sctrace rules fields' for the list");
                continue;
            }
            // Where the condition is, for errors found when compiling.
            rule->where.line = item["condition"].Mark().line + 1;
            rule->where.column = item["condition"].Mark().column + 1;
            if (existing != rules_.end()) {
                *existing = std::move(rule);  // a full redefinition replaces
            } else {
                rules_.push_back(std::move(rule));
            }
        } catch (const YAML::Exception& e) {
            // Conversion errors carry no position of their own: use the item's.
            const int line = e.mark.line >= 0 ? e.mark.line : mark.line;
            const int column = e.mark.line >= 0 ? e.mark.column : mark.column;
            errors_.push_back({{file, line + 1, column + 1},
                               e.msg,
                               line_at(lines, line + 1),
                               "check the value's type (text, list, true/false)"});
        }
    }
}

void RuleSet::add_text(const std::string& file, const std::string& text) {
    parse_text(file, text);
}

void RuleSet::compile() {
    compile_all();
}

void RuleSet::load_text(const std::string& file, const std::string& text) {
    parse_text(file, text);
    compile_all();
}

// Compiles every rule once all files are read, so a rule may use a macro or
// list that a later file defines. A rule that does not compile is left out.
void RuleSet::compile_all() {
    std::vector<std::unique_ptr<Rule>> kept;
    for (auto& rule : rules_) {
        ConditionCompiler compiler(macros_, lists_);
        auto compiled = compiler.compile(rule->condition_text);
        if (auto* e = std::get_if<ConditionError>(&compiled)) {
            const std::vector<std::string>& lines = sources_[rule->where.file];
            const SourceLocation where =
                locate(rule->where.file, lines, rule->where.line - 1, rule->where.column - 1,
                       rule->condition_text, e->offset);
            errors_.push_back({where, "rule '" + rule->id + "': " + e->message,
                               line_at(lines, where.line), e->hint});
            continue;
        }
        rule->condition = std::get<Condition>(std::move(compiled));
        kept.push_back(std::move(rule));
    }
    rules_ = std::move(kept);
}

RuleSet::Needs RuleSet::needs() const {
    Needs needs;
    for (const auto& rule : rules_) {
        if (!rule->enabled) continue;
        needs.syscalls.insert(rule->also_trace.begin(), rule->also_trace.end());
        const auto& types = rule->condition.event_types();
        if (!types) {
            needs.all_syscalls = true;
            continue;
        }
        for (const auto& t : *types) needs.syscalls.insert(t);
    }
    return needs;
}

std::string RuleSet::format_errors() const {
    std::string out;
    for (const RuleError& e : errors_) {
        out += e.where.file + ":" + std::to_string(e.where.line) + ":" +
               std::to_string(e.where.column) + ": error: " + e.message + "\n";
        if (!e.text.empty()) {
            out += "  " + e.text + "\n  ";
            out += std::string(static_cast<std::size_t>(std::max(0, e.where.column - 1)), ' ');
            out += "^";
            if (!e.hint.empty()) out += " " + e.hint;
            out += "\n";
        } else if (!e.hint.empty()) {
            out += "  " + e.hint + "\n";
        }
    }
    return out;
}

std::string render_output(const OutputTemplate& output, EvalContext& ctx) {
    std::string out;
    for (const auto& segment : output.segments) {
        if (!segment.field) {
            out += segment.text;
            continue;
        }
        const FieldValue v = read_field(*segment.field, ctx);
        if (!v.present) {
            out += "<NA>";
        } else if (v.type == FieldType::Int && *segment.field == FieldId::SignalAddr) {
            char hex[24];
            std::snprintf(hex, sizeof hex, "%#llx", static_cast<unsigned long long>(v.i));
            out += hex;
        } else if (v.type == FieldType::Int) {
            out += std::to_string(v.i);
        } else if (v.type == FieldType::Bool) {
            out += v.b ? "true" : "false";
        } else {
            out += v.s.empty() ? std::string_view("?") : v.s;  // "to ?", not "to  "
        }
    }
    return out;
}

}  // namespace sctrace::rules
