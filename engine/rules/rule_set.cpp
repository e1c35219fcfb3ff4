#include "engine/rules/rule_set.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "base/duration.h"
#include "engine/rules/rule_files.h"
#include "model/syscall_table.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
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

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Where character `offset` of a scalar's value is in the file, the scalar's
// node starting at (mark_line, mark_column), both 0-based. YAML only adds,
// drops or folds whitespace between the file and the value (indentation,
// line breaks turned into spaces by `>`, kept by `|`, folded in plain
// multi-line scalars), so each non-blank character of the value is the next
// non-blank character of the file. A block scalar's content starts on the
// line after its `>-`/`|` indicator; a quoted one after its quote. Empty
// when the two part ways (an escape in a quoted scalar, a condition built
// by `append:`): the caller falls back to searching for the token.
std::optional<SourceLocation> map_offset(const std::string& file,
                                         const std::vector<std::string>& lines, int mark_line,
                                         int mark_column, const std::string& value,
                                         std::size_t offset) {
    if (mark_line < 0 || mark_column < 0 || static_cast<std::size_t>(mark_line) >= lines.size()) {
        return std::nullopt;
    }
    std::size_t l = static_cast<std::size_t>(mark_line), c = static_cast<std::size_t>(mark_column);
    const char style = c < lines[l].size() ? lines[l][c] : '\0';
    if (style == '>' || style == '|') {
        ++l;
        c = 0;
    } else if (style == '"' || style == '\'') {
        ++c;
    }
    std::size_t target = offset;
    while (target < value.size() && is_blank(value[target])) ++target;
    // Past the end ("the condition ends too early"): just after the last
    // character.
    bool past_end = false;
    if (target >= value.size()) {
        target = value.find_last_not_of(" \t\r\n");
        if (target == std::string::npos) return std::nullopt;
        past_end = true;
    }
    for (std::size_t i = 0; i <= target; ++i) {
        if (is_blank(value[i])) continue;
        while (l < lines.size() && (c >= lines[l].size() || is_blank(lines[l][c]))) {
            if (c >= lines[l].size()) {
                ++l;
                c = 0;
            } else {
                ++c;
            }
        }
        if (l >= lines.size() || lines[l][c] != value[i]) return std::nullopt;
        if (i == target) {
            return SourceLocation{file, static_cast<int>(l) + 1,
                                  static_cast<int>(c) + (past_end ? 2 : 1)};
        }
        ++c;
    }
    return std::nullopt;
}

// Where in the file a condition's error is: mapped from its offset in the
// value (map_offset), else the offending token searched for from the
// condition's own line on.
SourceLocation locate(const std::string& file, const std::vector<std::string>& lines, int mark_line,
                      int mark_column, const std::string& condition, std::size_t offset) {
    if (auto mapped = map_offset(file, lines, mark_line, mark_column, condition, offset)) {
        return *mapped;
    }
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
            std::string list_name;
            const bool bracket = j < text.size() && text[j] == '[';
            if (field_takes_list(field->id) && (bracket || !field_list_optional(field->id))) {
                const std::size_t close = text.find(']', j);
                if (j >= text.size() || text[j] != '[' || close == std::string::npos) {
                    *error = "'%" + name + "' needs a list in brackets (%" + name + "[LIST])";
                    return out;
                }
                list_name = text.substr(j + 1, close - j - 1);
                j = close + 1;
            }
            if (!literal.empty())
                out.segments.push_back({std::move(literal), std::nullopt, {}, {}});
            literal.clear();
            out.segments.push_back({"", field->id, std::move(list_name), {}});
            i = j;
            continue;
        }
        literal += text[i++];
    }
    if (!literal.empty()) out.segments.push_back({std::move(literal), std::nullopt, {}, {}});
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

using ErrorAt = std::function<void(const YAML::Node&, std::string, std::string)>;

ConditionSource source_of(const std::string& file, const YAML::Node& node) {
    return {node.as<std::string>(), {file, node.Mark().line + 1, node.Mark().column + 1}};
}

// Keys of a block (`sequence:` ...) other than `allowed` are errors: a typo
// such as `maxspn:` would otherwise silently mean "no time limit".
bool only_keys(const YAML::Node& block, std::string_view what,
               const std::vector<std::string_view>& allowed, const ErrorAt& error) {
    bool ok = true;
    for (const auto& entry : block) {
        const std::string key = entry.first.as<std::string>();
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        const std::string guess = closest(key, allowed);
        std::string list;
        for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error(entry.first, "unknown key '" + key + "' in " + std::string(what),
              guess.empty() ? "the keys are " + list : "did you mean '" + guess + "'?");
        ok = false;
    }
    return ok;
}

bool parse_window(const YAML::Node& node, DurationSpec& out, bool allow_zero,
                  const ErrorAt& error) {
    const std::string text = node.as<std::string>();
    std::string settings;
    for (const auto name : kDurationSettings) {
        settings += (settings.empty() ? "" : ", ") + std::string(name);
        if (text == name) {
            out.setting = text;
            out.given = true;
            return true;
        }
    }
    const auto d = parse_duration(text);
    if (!d || (!allow_zero && d->count() == 0)) {
        error(node, "'" + text + "' is not a duration" + (d ? " above zero" : ""),
              "write one such as 30s, 1.5s, 500ms or 2m, or name a setting: " + settings);
        return false;
    }
    out.literal = d->count();
    out.given = true;
    return true;
}

bool parse_by(const YAML::Node& node, std::vector<FieldId>& out, const ErrorAt& error) {
    if (!node.IsSequence() && !node.IsScalar()) {
        error(node, "by: is a list of fields", "e.g. by: [proc.pid, fd.num]");
        return false;
    }
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
        for (const auto& i : node) items.push_back(i);
    } else {
        items.push_back(node);
    }
    if (items.empty() || items.size() > kMaxKeyFields) {
        error(node, "by: names 1 to " + std::to_string(kMaxKeyFields) + " fields",
              "e.g. by: [proc.pid, fd.num]");
        return false;
    }
    out.clear();
    for (const auto& item : items) {
        const std::string name = item.as<std::string>();
        const FieldInfo* field = find_field(name);
        if (!field) {
            std::vector<std::string_view> names;
            for (const FieldInfo& f : all_fields()) names.push_back(f.name);
            const std::string guess = closest(name, names);
            error(item, "unknown field '" + name + "' in by:",
                  guess.empty() ? "run 'sctrace rules fields' for the list"
                                : "did you mean '" + guess + "'?");
            return false;
        }
        out.push_back(field->id);
    }
    return true;
}

// `dedup: none|fd|process`. False when an error was recorded.
bool parse_dedup(const YAML::Node& item, Rule& rule, const ErrorAt& error) {
    const YAML::Node dedup = item["dedup"];
    if (!dedup) return true;
    const std::string s = dedup.as<std::string>();
    if (s == "none") {
        rule.dedup = Dedup::None;
    } else if (s == "fd") {
        rule.dedup = Dedup::Fd;
    } else if (s == "process") {
        rule.dedup = Dedup::Process;
    } else {
        error(dedup, "dedup: is none, fd or process, not '" + s + "'", "");
        return false;
    }
    return true;
}

// The time keys of a rule item: `for:`/`by:` next to a condition, or one of
// the `sequence:`, `absence:`, `count:` blocks. False when an error was
// recorded (the rule is then left out).
bool parse_timing(const std::string& file, const YAML::Node& item, Rule& rule,
                  const ErrorAt& error) {
    if (const YAML::Node stacks = item["stacks"]) {
        const std::string s = stacks.as<std::string>();
        if (s == "thread") {
            rule.stacks = StackScope::Thread;
        } else if (s == "process") {
            rule.stacks = StackScope::Process;
        } else if (s == "none") {
            rule.stacks = StackScope::None;
        } else {
            error(stacks, "stacks: is thread, process or none, not '" + s + "'", "");
            return false;
        }
    }
    const char* blocks[] = {"sequence", "absence", "count"};
    int given = item["condition"] ? 1 : 0;
    for (const char* b : blocks) given += item[b] ? 1 : 0;
    if (given > 1) {
        error(item,
              "rule '" + rule.id +
                  "' has more than one of condition:, sequence:, "
                  "absence:, count:",
              "a rule matches one pattern; split it into two rules");
        return false;
    }
    if (item["condition"]) {
        if (item["for"]) {
            rule.kind = RuleKind::Watch;
            if (!parse_window(item["for"], rule.window, true, error)) return false;
            rule.by = {FieldId::ThreadTid};
            if (item["by"] && !parse_by(item["by"], rule.by, error)) return false;
        } else if (item["by"]) {
            error(item["by"], "by: keys a time construct, and this rule has none",
                  "add for: DURATION, or use sequence:, absence: or count:");
            return false;
        }
        return true;
    }
    if (item["for"]) {
        error(item["for"], "for: goes with a condition:", "");
        return false;
    }
    if (const YAML::Node seq = item["sequence"]) {
        rule.kind = RuleKind::Sequence;
        if (!seq.IsMap()) {
            error(seq, "sequence: is a map with steps:", "see docs/rules.md, 'Sequences'");
            return false;
        }
        if (!only_keys(seq, "sequence", {"by", "maxspan", "steps", "until"}, error)) return false;
        const YAML::Node steps = seq["steps"];
        if (!steps || !steps.IsSequence() || steps.size() < 2) {
            error(steps ? steps : seq, "a sequence has at least two steps:",
                  "steps: [<first condition>, <second condition>]");
            return false;
        }
        if (steps.size() > kMaxSequenceSteps) {
            error(steps, "a sequence has at most " + std::to_string(kMaxSequenceSteps) + " steps",
                  "");
            return false;
        }
        for (const auto& step : steps) rule.step_sources.push_back(source_of(file, step));
        if (seq["until"]) rule.until_source = source_of(file, seq["until"]);
        // Both checked, so one run of `rules check` shows both mistakes.
        bool ok = !seq["maxspan"] || parse_window(seq["maxspan"], rule.window, false, error);
        ok = (!seq["by"] || parse_by(seq["by"], rule.by, error)) && ok;
        if (!ok) return false;
        rule.where = rule.step_sources.front().where;
        for (std::size_t i = 0; i < rule.step_sources.size(); ++i) {
            rule.condition_text += (i ? " then [" : "[") + rule.step_sources[i].text + "]";
        }
        if (!rule.until_source.text.empty()) {
            rule.condition_text += " until [" + rule.until_source.text + "]";
        }
        return true;
    }
    if (const YAML::Node absence = item["absence"]) {
        rule.kind = RuleKind::Absence;
        if (!absence.IsMap()) {
            error(absence,
                  "absence: is a map with after: and missing:", "see docs/rules.md, 'Absence'");
            return false;
        }
        if (!only_keys(absence, "absence", {"by", "after", "missing", "until"}, error)) {
            return false;
        }
        if (!absence["after"] || !absence["missing"]) {
            error(absence, "absence: needs after: and missing:",
                  "after: <what starts the wait>, missing: <what should follow>");
            return false;
        }
        const ConditionSource after = source_of(file, absence["after"]);
        rule.condition_text = after.text;
        rule.where = after.where;
        rule.missing_source = source_of(file, absence["missing"]);
        if (const YAML::Node until = absence["until"]) {
            if (until.as<std::string>() != "exit" &&
                !parse_window(until, rule.window, false, error)) {
                return false;
            }
        }
        if (absence["by"] && !parse_by(absence["by"], rule.by, error)) return false;
        if (rule.by.empty()) rule.by = {FieldId::ProcPid};
        return true;
    }
    if (const YAML::Node count = item["count"]) {
        rule.kind = RuleKind::Count;
        if (!count.IsMap()) {
            error(count, "count: is a map with condition:, threshold: and within:",
                  "see docs/rules.md, 'Counts'");
            return false;
        }
        if (!only_keys(count, "count", {"by", "condition", "threshold", "within"}, error)) {
            return false;
        }
        if (!count["condition"] || !count["threshold"] || !count["within"]) {
            error(count, "count: needs condition:, threshold: and within:",
                  "e.g. threshold: 100, within: 1s");
            return false;
        }
        const ConditionSource condition = source_of(file, count["condition"]);
        rule.condition_text = condition.text;
        rule.where = condition.where;
        const std::string t = count["threshold"].as<std::string>();
        long long threshold = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), threshold);
        if (ec != std::errc{} || end != t.data() + t.size() || threshold < 1 ||
            threshold > static_cast<long long>(kMaxCountThreshold)) {
            error(count["threshold"],
                  "threshold: '" + t + "' is not a count from 1 to " +
                      std::to_string(kMaxCountThreshold),
                  "");
            return false;
        }
        rule.threshold = static_cast<std::uint32_t>(threshold);
        if (!parse_window(count["within"], rule.window, false, error)) return false;
        if (count["by"] && !parse_by(count["by"], rule.by, error)) return false;
        if (rule.by.empty()) rule.by = {FieldId::ProcPid};
        return true;
    }
    return true;
}

// Where a text stops being what YAML reads: UTF-8 with no control
// characters but tab and line breaks. yaml-cpp must not see the rest: a
// few malformed UTF-8 sequences in a comment keep it busy for minutes,
// allocating gigabytes. Returns the offset of the first bad byte, or npos.
std::size_t first_non_yaml_byte(std::string_view text, std::string* what) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                *what = "a control character (byte " + std::to_string(c) + ")";
                return i;
            }
            ++i;
            continue;
        }
        // The length a lead byte announces, and the range its first
        // continuation byte must be in (no overlong forms, no surrogates,
        // nothing above U+10FFFF).
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            length = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            if (c == 0xe0) low = 0xa0;
            if (c == 0xed) high = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            if (c == 0xf0) low = 0x90;
            if (c == 0xf4) high = 0x8f;
        }
        bool ok = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; ok && k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            ok = k == 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
        }
        if (!ok) {
            *what = "bytes that are not UTF-8";
            return i;
        }
        i += length;
    }
    return std::string_view::npos;
}

// The line where the second document of a file starts: its `---` marker
// (a file may open with one), else where yaml-cpp says its content is.
int second_document_line(const std::vector<std::string>& lines, const YAML::Mark& second) {
    bool content = false;
    for (std::size_t l = 0; l < lines.size(); ++l) {
        const std::string& line = lines[l];
        const bool marker =
            line.starts_with("---") && (line.size() == 3 || is_blank(line[3]) || line[3] == '#');
        if (marker && content) return static_cast<int>(l) + 1;
        const auto first = line.find_first_not_of(" \t\r");
        if (!marker && first != std::string::npos && line[first] != '#') content = true;
    }
    return second.line >= 0 ? second.line + 1 : 1;
}

// Where a text's second YAML document with content starts, if it has one.
// Every document is parsed, so a syntax error in a later one is still
// reported where it is. YAML::LoadAll is not used: yaml-cpp 0.7 hands it an
// endless run of documents, allocating, for a quoted scalar followed by ", "
// in block context ("'a', b 'c"). A real document past the first starts at a
// `---` or `...` line, so the walk stops after as many as the text has.
class SecondDocument : public YAML::EventHandler {
public:
    explicit SecondDocument(const std::string& text) {
        std::size_t limit = 2;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);)
            if (line.starts_with("---") || line.starts_with("...")) ++limit;
        std::istringstream in(text);
        YAML::Parser parser(in);
        for (std::size_t document = 0; document < limit; ++document) {
            content_ = false;
            if (!parser.HandleNextDocument(*this)) return;
            if (document > 0 && content_ && !found_) {
                found_ = true;
                second_ = start_;
            }
        }
    }
    bool found() const { return found_; }
    const YAML::Mark& mark() const { return second_; }

    void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override { content_ = true; }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        content_ = true;
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        content_ = true;
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        content_ = true;
    }
    void OnMapEnd() override {}

private:
    YAML::Mark start_ = YAML::Mark::null_mark();
    YAML::Mark second_ = YAML::Mark::null_mark();
    bool content_ = false;
    bool found_ = false;
};

// yaml-cpp keeps both entries of a map that names a key twice and answers
// lookups with the first, so a second `condition:` would be ignored
// silently. Every map of the document is checked, nested ones too.
bool no_duplicate_keys(const std::string& file, const std::vector<std::string>& lines,
                       const YAML::Node& doc, std::vector<RuleError>& errors) {
    bool ok = true;
    std::vector<YAML::Node> todo{doc};
    while (!todo.empty()) {
        const YAML::Node node = todo.back();
        todo.pop_back();
        if (node.IsSequence()) {
            for (const auto& child : node) todo.push_back(child);
            continue;
        }
        if (!node.IsMap()) continue;
        std::map<std::string, YAML::Mark> seen;
        for (const auto& entry : node) {
            todo.push_back(entry.second);
            if (!entry.first.IsScalar()) continue;
            const auto [first, fresh] = seen.emplace(entry.first.Scalar(), entry.first.Mark());
            if (fresh) continue;
            const YAML::Mark m = entry.first.Mark();
            errors.push_back({{file, m.line + 1, m.column + 1},
                              "duplicate key '" + entry.first.Scalar() + "' (first at line " +
                                  std::to_string(first->second.line + 1) + ")",
                              line_at(lines, m.line + 1),
                              "a key appears once in a map; remove one of them"});
            ok = false;
        }
    }
    return ok;
}

// A list's `traits: [writes]`: every syscall whose table row has all the
// traits named (model/syscall_traits.in), so that a rule and the engine read
// the same answer instead of two copies of it.
void append_syscalls_with(const YAML::Node& node, std::vector<std::string>& items,
                          const ErrorAt& error) {
    std::uint32_t bits = 0;
    for (const std::string& word : string_list(node)) {
        const auto bit = syscall_trait_by_name(word);
        if (!bit) {
            std::string known;
            for (const std::string_view t : syscall_trait_names()) {
                known += (known.empty() ? "" : ", ") + std::string(t);
            }
            error(node, "unknown syscall trait '" + word + "'", "the traits are " + known);
            return;
        }
        bits |= *bit;
    }
    if (bits == 0) {
        error(node, "traits: names no trait", "e.g. traits: [writes]");
        return;
    }
    for (const std::string_view name : syscalls_with(bits)) items.emplace_back(name);
}

// The keys each kind of item takes: any other is an error, so a misspelt
// `conditon:` or an invented `colour:` cannot be ignored silently.
const std::vector<std::string_view>& item_keys(std::string_view kind) {
    static const std::vector<std::string_view> rule = {
        "rule",       "desc",          "condition",
        "output",     "severity",      "priority",
        "tags",       "enabled",       "references",
        "also_trace", "stacks",        "for",
        "by",         "sequence",      "absence",
        "count",      "append",        "override",
        "exceptions", "warn_evttypes", "skip-if-unknown-filter",
        "source",     "dedup"};
    static const std::vector<std::string_view> macro = {"macro", "condition", "append", "override"};
    static const std::vector<std::string_view> list = {"list", "items", "traits", "append",
                                                       "override"};
    return kind == "rule" ? rule : kind == "macro" ? macro : list;
}

bool known_keys(const YAML::Node& item, std::string_view kind, const ErrorAt& error) {
    return only_keys(item, "a " + std::string(kind), item_keys(kind), error);
}

// A rule, macro or list is named by a non-empty text: `rule: ''` or
// `rule: ~` names nothing a finding, an override or a condition could use.
bool named(const YAML::Node& item, std::string_view kind, const ErrorAt& error) {
    const YAML::Node name = item[std::string(kind)];
    if (name.IsScalar() && !name.Scalar().empty()) return true;
    // A null's mark can be the next line (`rule:` with nothing after it):
    // point at the item instead.
    error(name.IsNull() ? item : name,
          std::string(name.IsScalar() || name.IsNull() ? "an empty " : "a non-text ") +
              std::string(kind) + " name",
          "'" + std::string(kind) + ": its-name'");
    return false;
}

// `key: true|false`, with an error naming the key and the value otherwise
// (yaml-cpp's own is "bad conversion").
std::optional<bool> bool_of(const YAML::Node& node, std::string_view key, const ErrorAt& error) {
    bool value = false;
    if (node.IsScalar() && YAML::convert<bool>::decode(node, value)) return value;
    error(node,
          std::string(key) + ": is true or false, not '" +
              (node.IsScalar() ? node.Scalar() : std::string("a list or map")) + "'",
          "");
    return std::nullopt;
}

// A condition with `added` appended: Falco's files append text that goes on
// where the old one stopped (`and not proc.name = x`), sctrace's a condition
// of its own that must hold too; the first is joined as written, the second
// ANDed. `*at` is where `added` starts in the result; `*wrapped` says
// whether `base` moved one character right, into parentheses.
std::string join_condition(const std::string& base, const std::string& added, std::size_t* at,
                           bool* wrapped) {
    const auto first = added.find_first_not_of(" \t\r\n");
    const std::string_view rest =
        first == std::string::npos ? std::string_view() : std::string_view(added).substr(first);
    const auto starts_with_word = [&](std::string_view w) {
        return rest.starts_with(w) &&
               (rest.size() == w.size() || is_blank(rest[w.size()]) || rest[w.size()] == '(');
    };
    if (starts_with_word("and") || starts_with_word("or")) {
        *at = base.size() + 1;
        *wrapped = false;
        return base + " " + added;
    }
    *at = base.size() + 8;  // "(" base ") and ("
    *wrapped = true;
    return "(" + base + ") and (" + added + ")";
}

// Falco's priority names, any case, as sctrace's four severities.
std::optional<Severity> severity_of_priority(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "emergency" || name == "alert" || name == "critical") return Severity::Critical;
    if (name == "error") return Severity::Error;
    if (name == "warning") return Severity::Warning;
    if (name == "notice" || name == "informational" || name == "info" || name == "debug") {
        return Severity::Info;
    }
    return std::nullopt;
}

// `severity:` (sctrace's names) or `priority:` (Falco's); nullopt with an
// error recorded when it names no level, a null Severity when neither key is
// there.
std::optional<std::optional<Severity>> severity_of(const YAML::Node& item, const ErrorAt& error) {
    if (item["severity"] && item["priority"]) {
        error(item["priority"], "a rule has severity: or priority:, not both",
              "priority: is Falco's name for severity:; keep one");
        return std::nullopt;
    }
    if (const YAML::Node s = item["severity"]) {
        const std::string text = s.as<std::string>();
        if (const auto severity = severity_from_name(text))
            return std::optional<Severity>(*severity);
        const auto falco = severity_of_priority(text);
        error(s, "unknown severity '" + text + "'",
              falco ? "severity: is info, warning, error or critical; Falco's '" + text +
                          "' is priority: " + text
                    : "one of info, warning, error, critical");
        return std::nullopt;
    }
    if (const YAML::Node p = item["priority"]) {
        const std::string text = p.as<std::string>();
        if (const auto severity = severity_of_priority(text))
            return std::optional<Severity>(*severity);
        const std::vector<std::string_view> names = {"emergency",     "alert",   "critical",
                                                     "error",         "warning", "notice",
                                                     "informational", "debug"};
        std::string lower = text;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::string guess = closest(lower, names);
        error(p, "unknown priority '" + text + "'",
              guess.empty() ? "one of emergency, alert, critical, error, warning, notice, "
                              "informational, debug"
                            : "did you mean '" + guess + "'?");
        return std::nullopt;
    }
    return std::optional<std::optional<Severity>>(std::in_place);  // neither key: no change
}

// The comparisons an exception may use: the condition language's operators.
const std::vector<std::string_view>& exception_comps() {
    static const std::vector<std::string_view> comps = {
        "=",        "!=",        "<",          "<=",       ">",    ">=",    "in",
        "contains", "icontains", "startswith", "endswith", "glob", "pmatch"};
    return comps;
}

// The comparisons whose value is a list: `in (a, b)`, `pmatch (a, b)`.
bool takes_list(std::string_view comp) {
    return comp == "in" || comp == "pmatch";
}

// An exception's value as condition text: quoted for a text field (an
// exception value may hold spaces, as a command line does), as written for
// a number or a bool. False when no quote can hold it.
bool exception_value_text(const FieldInfo& field, const std::string& value, std::string* out) {
    if (field.type != FieldType::String) {
        *out = value;
        return true;
    }
    const char quote = value.find('"') == std::string::npos    ? '"'
                       : value.find('\'') == std::string::npos ? '\''
                                                               : '\0';
    if (!quote) return false;
    *out = quote + value + quote;
    return true;
}

// One `- name:` item of `exceptions:`. `known` holds the rule's exceptions
// so far: an item naming one of them adds values to it (Falco's append),
// and may leave fields: and comps: out.
std::optional<RuleException> parse_exception(const std::string& file, const YAML::Node& node,
                                             const std::vector<RuleException>& known,
                                             const ErrorAt& error) {
    if (!node.IsMap()) {
        error(node, "an exception is a map with name:, fields:, comps: and values:",
              "- name: known_writers\n    fields: [proc.name]\n    values: [[mydaemon]]");
        return std::nullopt;
    }
    if (!only_keys(node, "an exception", {"name", "fields", "comps", "values"}, error)) {
        return std::nullopt;
    }
    RuleException e;
    e.where = {file, node.Mark().line + 1, node.Mark().column + 1};
    if (!node["name"] || !node["name"].IsScalar() || node["name"].Scalar().empty()) {
        error(node, "an exception needs a name:", "name: its-name");
        return std::nullopt;
    }
    e.name = node["name"].Scalar();
    const auto earlier = std::find_if(known.begin(), known.end(),
                                      [&](const RuleException& k) { return k.name == e.name; });
    if (const YAML::Node fields = node["fields"]) {
        e.single_field = fields.IsScalar();
        e.fields = string_list(fields);
        if (e.fields.empty()) {
            error(fields, "exception '" + e.name + "': fields: names no field",
                  "fields: [proc.name, fd.name]");
            return std::nullopt;
        }
        for (std::size_t i = 0; i < e.fields.size(); ++i) {
            if (find_field(e.fields[i])) continue;
            std::vector<std::string_view> names;
            for (const FieldInfo& f : all_fields()) names.push_back(f.name);
            const std::string guess = closest(e.fields[i], names);
            error(e.single_field ? fields : fields[i],
                  "exception '" + e.name + "': unknown field '" + e.fields[i] + "'",
                  guess.empty() ? "run 'sctrace rules fields' for the list"
                                : "did you mean '" + guess + "'?");
            return std::nullopt;
        }
    } else if (earlier != known.end()) {
        e.fields = earlier->fields;
        e.single_field = earlier->single_field;
        e.comps = earlier->comps;
    } else {
        error(node, "exception '" + e.name + "' has no fields:",
              "fields: [proc.name] (an exception of an earlier definition may leave it out)");
        return std::nullopt;
    }
    if (const YAML::Node comps = node["comps"]) {
        e.comps = string_list(comps);
        if (e.comps.size() != e.fields.size()) {
            error(comps,
                  "exception '" + e.name + "': " + std::to_string(e.comps.size()) + " comps for " +
                      std::to_string(e.fields.size()) + " fields",
                  "one comparison per field, in order");
            return std::nullopt;
        }
        for (std::size_t i = 0; i < e.comps.size(); ++i) {
            const auto& ok = exception_comps();
            if (std::find(ok.begin(), ok.end(), e.comps[i]) != ok.end()) continue;
            std::string list;
            for (const auto c : ok) list += (list.empty() ? "" : " ") + std::string(c);
            error(comps.IsSequence() ? comps[i] : comps,
                  "exception '" + e.name + "': '" + e.comps[i] + "' is no comparison sctrace has",
                  "the comparisons are " + list);
            return std::nullopt;
        }
    } else if (e.comps.empty()) {
        // Falco's defaults: a list of values for one field, equality per
        // field of a tuple.
        e.comps.assign(e.fields.size(), e.single_field ? "in" : "=");
    }
    const YAML::Node values = node["values"];
    if (!values) return e;  // values may come in a later file
    if (!values.IsSequence()) {
        error(values, "exception '" + e.name + "': values: is a list",
              e.single_field ? "values: [a, b]" : "values: [[a, b], [c, d]]");
        return std::nullopt;
    }
    for (const YAML::Node& tuple : values) {
        std::vector<std::string> row;
        if (e.single_field) {
            // Each value is one field's; a tuple of one is accepted too.
            row.push_back(tuple.IsSequence() && tuple.size() == 1 ? tuple[0].as<std::string>()
                                                                  : tuple.as<std::string>());
        } else {
            if (!tuple.IsSequence() || tuple.size() != e.fields.size()) {
                error(tuple,
                      "exception '" + e.name + "': each value is a list of " +
                          std::to_string(e.fields.size()) + " (one per field)",
                      "");
                return std::nullopt;
            }
            for (std::size_t i = 0; i < e.fields.size(); ++i) {
                if (takes_list(e.comps[i])) {
                    std::string items;
                    for (const std::string& v : string_list(tuple[i])) {
                        items += (items.empty() ? "" : "\n") + v;
                    }
                    row.push_back(items);
                } else {
                    row.push_back(tuple[i].as<std::string>());
                }
            }
        }
        for (std::size_t i = 0; i < e.fields.size(); ++i) {
            const FieldInfo& field = *find_field(e.fields[i]);
            std::istringstream items(row[i]);
            for (std::string v; std::getline(items, v);) {
                std::string text;
                if (!exception_value_text(field, v, &text)) {
                    error(tuple, "exception '" + e.name + "': a value holds both kinds of quote",
                          "");
                    return std::nullopt;
                }
            }
        }
        e.values.push_back(std::move(row));
    }
    return e;
}

// The exceptions' clause: what makes the rule not fire, "" when nothing does.
std::string exceptions_clause(const std::vector<RuleException>& exceptions) {
    std::string out;
    const auto value = [](const std::string& field, const std::string& v) {
        std::string text;
        exception_value_text(*find_field(field), v, &text);
        return text;
    };
    for (const RuleException& e : exceptions) {
        if (e.values.empty()) continue;
        std::string any;
        if (e.single_field && takes_list(e.comps[0])) {
            std::string items;
            for (const auto& row : e.values) {
                items += (items.empty() ? "" : ", ") + value(e.fields[0], row[0]);
            }
            any = e.fields[0] + " " + e.comps[0] + " (" + items + ")";
        } else {
            for (const auto& row : e.values) {
                std::string all;
                for (std::size_t i = 0; i < e.fields.size(); ++i) {
                    std::string cmp;
                    if (takes_list(e.comps[i])) {
                        std::istringstream items(row[i]);
                        for (std::string v; std::getline(items, v);) {
                            cmp += (cmp.empty() ? "" : ", ") + value(e.fields[i], v);
                        }
                        cmp = e.fields[i] + " " + e.comps[i] + " (" + cmp + ")";
                    } else {
                        cmp = e.fields[i] + " " + e.comps[i] + " " + value(e.fields[i], row[i]);
                    }
                    all += (all.empty() ? "" : " and ") + cmp;
                }
                any += (any.empty() ? "(" : " or (") + all + ")";
            }
        }
        out += (out.empty() ? "(" : " or (") + any + ")";
    }
    return out;
}

// Adds `added` to a rule's exceptions: values to the one of the same name,
// else a new exception.
bool merge_exceptions(std::vector<RuleException>& into, std::vector<RuleException> added,
                      const YAML::Node& at, const ErrorAt& error) {
    for (RuleException& e : added) {
        const auto same = std::find_if(into.begin(), into.end(),
                                       [&](const RuleException& k) { return k.name == e.name; });
        if (same == into.end()) {
            into.push_back(std::move(e));
            continue;
        }
        if (same->fields != e.fields || same->comps != e.comps) {
            error(at,
                  "exception '" + e.name + "' is defined with other fields or comps at " +
                      same->where.file + ":" + std::to_string(same->where.line),
                  "leave fields: and comps: out to add values to it");
            return false;
        }
        same->values.insert(same->values.end(), e.values.begin(), e.values.end());
    }
    return true;
}

}  // namespace

std::vector<RuleInfo> RuleSet::infos() const {
    std::vector<RuleInfo> out;
    out.reserve(rules_.size());
    for (const auto& r : rules_) out.push_back(*r);
    return out;
}

const Rule* RuleSet::find(std::string_view id) const {
    for (const auto& r : rules_) {
        if (r->id == id) return r.get();
    }
    return nullptr;
}

void RuleSet::load(const std::vector<std::string>& paths) {
    RuleFiles read = read_rule_files(paths);
    for (RuleFileProblem& p : read.problems) {
        RuleError e{{std::move(p.path), 0, 0}, std::move(p.message), "", ""};
        e.unreadable = true;
        errors_.push_back(std::move(e));
    }
    for (const RuleFileText& file : read.files) parse_text(file.path, file.text);
    compile_all();
}

// Past kMaxErrors the rest is not checked: a file of ten thousand broken
// rules needs its first errors fixed, not a hint computed for each of them.
bool RuleSet::too_many_errors(const std::string& file) {
    if (errors_.size() < kMaxErrors) return false;
    if (!gave_up_) {
        errors_.push_back(
            {{file, 0, 0},
             "too many errors (" + std::to_string(kMaxErrors) + "): what follows was not checked",
             "",
             ""});
        gave_up_ = true;
    }
    return true;
}

bool RuleSet::unreadable() const {
    return std::any_of(errors_.begin(), errors_.end(),
                       [](const RuleError& e) { return e.unreadable; });
}

void RuleSet::parse_text(const std::string& file, const std::string& text) {
    sources_[file] = split_lines(text);
    const std::vector<std::string>& lines = sources_[file];
    std::string what;
    if (const std::size_t bad = first_non_yaml_byte(text, &what); bad != std::string::npos) {
        const std::size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
        const std::size_t column =
            line_start == std::string::npos || bad == 0 ? bad : bad - line_start - 1;
        const int line = static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n')) + 1;
        errors_.push_back({{file, line, static_cast<int>(column) + 1},
                           "not a YAML text: " + what,
                           "",
                           "a rule file is UTF-8 text"});
        return;
    }
    // yaml-cpp 0.7 loops forever, allocating, on a ',' opening a line in
    // the first column after a block map ("- a: b\n,\n"). Legal YAML only
    // has one there inside a flow list or a quoted text continued in the
    // first column, which indenting it keeps legal.
    for (std::size_t l = 0; l < lines.size(); ++l) {
        if (!lines[l].starts_with(',')) continue;
        errors_.push_back({{file, static_cast<int>(l) + 1, 1},
                           "not valid YAML here: a line starts with ',' in the first column",
                           lines[l],
                           "indent it (inside [...] or quotes), or remove the ','"});
        return;
    }
    YAML::Node doc;
    std::optional<YAML::Mark> second_document;
    try {
        if (const SecondDocument second(text); second.found()) second_document = second.mark();
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        errors_.push_back({{file, e.mark.line + 1, e.mark.column + 1},
                           "not valid YAML: " + e.msg,
                           line_at(lines, e.mark.line + 1),
                           ""});
        return;
    }
    if (second_document) {
        // A rule file is one list, as Falco's are; what follows a second
        // `---` would otherwise be dropped unread, errors and all.
        const int line = second_document_line(lines, *second_document);
        errors_.push_back({{file, line, 1},
                           "a rule file is one YAML document, and a second one starts here",
                           line_at(lines, line),
                           "remove the '---', or move what follows to a file of its own"});
        return;
    }
    if (!doc.IsDefined() || doc.IsNull()) return;
    if (!no_duplicate_keys(file, lines, doc, errors_)) return;
    if (!doc.IsSequence()) {
        errors_.push_back({{file, doc.Mark().line + 1, doc.Mark().column + 1},
                           "a rule file is a list of '- rule:', '- macro:' and '- list:' items",
                           line_at(lines, doc.Mark().line + 1),
                           ""});
        return;
    }
    for (const YAML::Node& item : doc) {
        if (too_many_errors(file)) return;
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
            const char* kind = item["rule"]    ? "rule"
                               : item["macro"] ? "macro"
                               : item["list"]  ? "list"
                                               : nullptr;
            if (kind && !known_keys(item, kind, error)) continue;
            if (kind && !named(item, kind, error)) continue;
            // Falco's version gates: its engine's versions mean nothing here.
            if (!kind && (item["required_engine_version"] || item["required_plugin_versions"])) {
                continue;
            }
            if (kind && std::string_view(kind) != "rule") {
                // How the item changes an earlier definition of the name:
                // "" defines it, else "append" or "replace".
                const std::string content =
                    std::string_view(kind) == "list" ? "items" : "condition";
                std::string how;
                if (const YAML::Node a = item["append"]) {
                    const auto append = bool_of(a, "append", error);
                    if (!append) continue;
                    if (*append) how = "append";
                }
                if (const YAML::Node o = item["override"]) {
                    if (!how.empty()) {
                        error(o, "an item has append: or override:, not both", "");
                        continue;
                    }
                    const YAML::Node value = o.IsMap() ? o[content] : YAML::Node();
                    const std::size_t keys = o.IsMap() ? o.size() : 0;
                    how = value && value.IsScalar() ? value.Scalar() : "";
                    if (keys != 1 || (how != "append" && how != "replace")) {
                        error(o,
                              "a " + std::string(kind) + "'s override: is {" + content +
                                  ": append} or {" + content + ": replace}",
                              "");
                        continue;
                    }
                }
                const std::string name = item[kind].as<std::string>();
                const bool known = std::string_view(kind) == "list" ? lists_.contains(name)
                                                                    : macros_.contains(name);
                if (!how.empty() && !known) {
                    std::vector<std::string_view> names;
                    if (std::string_view(kind) == "list") {
                        for (const auto& [l, items] : lists_) names.push_back(l);
                    } else {
                        for (const auto& [m, body] : macros_) names.push_back(m);
                    }
                    const std::string guess = closest(name, names);
                    error(item[kind],
                          std::string(kind) + " '" + name + "' is changed here (" +
                              (item["override"] ? "override:" : "append: true") +
                              "), and no file loaded before this one defines it",
                          guess.empty()
                              ? "define it first, or drop the " +
                                    std::string(item["override"] ? "override:" : "append:")
                              : "did you mean '" + guess + "'?");
                    continue;
                }
                if (std::string_view(kind) == "list") {
                    auto& items = lists_[name];
                    if (how != "append") items.clear();
                    for (const auto& i : string_list(item["items"])) items.push_back(i);
                    if (item["traits"]) append_syscalls_with(item["traits"], items, error);
                    continue;
                }
                if (!item["condition"]) {
                    error(item, "macro '" + name + "' has no condition");
                    continue;
                }
                const std::string body = item["condition"].as<std::string>();
                std::size_t at = 0;
                bool wrapped = false;
                const std::string text =
                    how == "append" ? join_condition(macros_[name], body, &at, &wrapped) : body;
                macros_[name] = text;
                // Checked where it is used, and here, the text this item
                // wrote (with what it appends to), so a broken macro is
                // reported at its definition (the macros it names were
                // checked at theirs).
                ConditionCompiler compiler(macros_, lists_);
                if (const auto e = compiler.check(text)) {
                    const YAML::Node c = item["condition"];
                    const SourceLocation where =
                        e->offset >= at
                            ? locate(file, lines, c.Mark().line, c.Mark().column, body,
                                     e->offset - at)
                            : SourceLocation{file, c.Mark().line + 1, c.Mark().column + 1};
                    errors_.push_back({where,
                                       "in macro '" + name + "'" +
                                           (e->offset >= at ? "" : " (as appended to)") + ": " +
                                           e->message,
                                       line_at(lines, where.line), e->hint});
                }
                continue;
            }
            if (!item["rule"]) {
                error(item, "expected '- rule:', '- macro:' or '- list:'",
                      "a rule starts with 'rule: its-id'");
                continue;
            }
            parse_rule(file, item, error);
        } catch (const YAML::Exception& e) {
            // Conversion errors carry no position of their own: use the item's.
            const int line = e.mark.line >= 0 ? e.mark.line : mark.line;
            const int column = e.mark.line >= 0 ? e.mark.column : mark.column;
            // yaml-cpp's "bad conversion" says neither which key nor what
            // it wanted.
            errors_.push_back(
                {{file, line + 1, column + 1},
                 e.msg == "bad conversion" ? "this value has the wrong type for its key" : e.msg,
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
    // One compiler for every rule: each macro compiles once, however many
    // rules use it.
    ConditionCompiler compiler(macros_, lists_);
    for (auto& rule : rules_) {
        if (too_many_errors(rule->where.file)) break;
        const bool ok = compile_rule(compiler, *rule);
        if (ok) kept.push_back(std::move(rule));
    }
    rules_ = std::move(kept);
}

namespace {

// The keys `override:` may name, and how (Falco's sets, with sctrace's own
// keys that only make sense replaced).
bool override_allows(std::string_view key, std::string_view how) {
    static const std::vector<std::string_view> append = {"condition", "output",     "desc",
                                                         "tags",      "exceptions", "also_trace"};
    static const std::vector<std::string_view> replace = {
        "condition",  "output",     "desc",    "priority",      "severity",
        "tags",       "exceptions", "enabled", "warn_evttypes", "skip-if-unknown-filter",
        "references", "also_trace", "stacks",  "dedup"};
    const auto& keys = how == "append" ? append : replace;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string location_text(const SourceLocation& where) {
    return where.file + ":" + std::to_string(where.line);
}

}  // namespace

void RuleSet::parse_rule(const std::string& file, const YAML::Node& item, const ErrorAt& error) {
    const std::string id = item["rule"].as<std::string>();
    auto existing =
        std::find_if(rules_.begin(), rules_.end(), [&](const auto& r) { return r->id == id; });
    const bool has_body = item["condition"] || item["sequence"] || item["absence"] || item["count"];
    const auto other_ids = [&] {
        std::vector<std::string_view> ids;
        for (const auto& r : rules_) ids.push_back(r->id);
        const std::string guess = closest(id, ids);
        return guess.empty() ? std::string("'sctrace rules list' shows the loaded rules")
                             : "did you mean '" + guess + "'?";
    };
    bool append = false;
    if (const YAML::Node a = item["append"]) {
        const auto value = bool_of(a, "append", error);
        if (!value) return;
        append = *value;
    }
    if (item["override"] && append) {
        error(item["append"], "a rule item has append: or override:, not both",
              "override: {condition: append} is Falco's newer spelling of append: true");
        return;
    }
    if (item["override"] || append) {
        if (existing == rules_.end()) {
            error(item["rule"],
                  "rule '" + id + "' is changed here (" + (append ? "append: true" : "override:") +
                      "), and no file loaded before this one defines it",
                  other_ids());
            return;
        }
        change_rule(file, **existing, item, error);
        return;
    }
    if (!has_body) {
        if (existing == rules_.end()) {
            error(item, "rule '" + id + "' has no condition, and no file loaded before defines it",
                  item["enabled"] ? other_ids()
                                  : "give it a condition:, sequence:, absence: or count:");
            return;
        }
        // Falco's shorthand for switching a rule: `- rule: X` and `enabled:`.
        // Anything else would be dropped silently: it needs override:.
        for (const auto& entry : item) {
            const std::string key = entry.first.as<std::string>();
            if (key == "rule" || key == "enabled" || key == "append") continue;
            error(entry.first,
                  "rule '" + id + "' (defined at " + location_text((*existing)->where) +
                      ") is changed here without override:, and '" + key + ":' would be dropped",
                  "add override: {" + key + ": " +
                      (override_allows(key, "append") ? "append|replace" : "replace") + "}");
            return;
        }
        const auto enabled = bool_of(item["enabled"], "enabled", error);
        if (!enabled) return;
        (*existing)->enabled = *enabled;
        (*existing)->changed_at.push_back({file, item.Mark().line + 1, item.Mark().column + 1});
        return;
    }
    auto rule = std::make_unique<Rule>();
    rule->id = id;
    rule->where = {file, item.Mark().line + 1, item.Mark().column + 1};
    rule->desc = item["desc"] ? item["desc"].as<std::string>() : "";
    rule->condition_text = item["condition"] ? item["condition"].as<std::string>() : "";
    rule->tags = string_list(item["tags"]);
    rule->references = string_list(item["references"]);
    rule->also_trace = string_list(item["also_trace"]);
    if (const YAML::Node e = item["enabled"]) {
        const auto enabled = bool_of(e, "enabled", error);
        if (!enabled) return;
        rule->enabled = *enabled;
    }
    for (const char* key : {"warn_evttypes", "skip-if-unknown-filter"}) {
        const YAML::Node node = item[key];
        if (!node) continue;
        const auto value = bool_of(node, key, error);
        if (!value) return;
        (std::string_view(key) == "warn_evttypes" ? rule->warn_evttypes
                                                  : rule->skip_if_unknown_filter) = *value;
    }
    if (const YAML::Node source = item["source"]) {
        if (source.as<std::string>() != "syscall") {
            error(source, "source: '" + source.as<std::string>() + "' is not one sctrace reads",
                  "sctrace judges syscalls: source: syscall, or leave it out");
            return;
        }
    }
    const auto severity = severity_of(item, error);
    if (!severity) return;
    if (*severity) rule->severity = **severity;
    // Without output: the desc says it; without either, a finding still
    // names the call that matched rather than printing an empty line.
    rule->output_text = item["output"]        ? item["output"].as<std::string>()
                        : !rule->desc.empty() ? rule->desc
                                              : std::string("%evt.type matched");
    std::string output_error;
    rule->output = parse_output(rule->output_text, &output_error);
    if (!output_error.empty()) {
        error(item["output"], output_error, "run 'sctrace rules fields' for the list");
        return;
    }
    // Where the condition is, for errors found when compiling.
    if (item["condition"]) {
        rule->where.line = item["condition"].Mark().line + 1;
        rule->where.column = item["condition"].Mark().column + 1;
    }
    if (!parse_dedup(item, *rule, error)) return;
    if (!parse_timing(file, item, *rule, error)) return;
    if (const YAML::Node exceptions = item["exceptions"]) {
        if (rule->kind == RuleKind::Sequence) {
            error(exceptions, "exceptions: applies to a condition, and a sequence has steps",
                  "add 'and not ...' to the first step instead");
            return;
        }
        if (!exceptions.IsSequence()) {
            error(exceptions, "exceptions: is a list of '- name:' items", "");
            return;
        }
        for (const YAML::Node& e : exceptions) {
            auto parsed = parse_exception(file, e, rule->exceptions, error);
            if (!parsed) return;
            if (!merge_exceptions(rule->exceptions, {std::move(*parsed)}, e, error)) return;
        }
    }
    if (rule->kind != RuleKind::Sequence) {
        rule->condition_parts = {{0, {rule->condition_text, rule->where}}};
    }
    if (existing != rules_.end()) {
        *existing = std::move(rule);  // a full redefinition replaces
    } else {
        rules_.push_back(std::move(rule));
    }
}

// append: true (Falco's older form: condition and exceptions are added) or
// override: {KEY: append|replace, ...} (its newer one) on a loaded rule.
void RuleSet::change_rule(const std::string& file, Rule& rule, const YAML::Node& item,
                          const ErrorAt& error) {
    std::vector<std::pair<std::string, std::string>> changes;  // key, how
    if (const YAML::Node o = item["override"]) {
        if (!o.IsMap()) {
            error(o, "override: is a map of keys to append or replace",
                  "override: {condition: append}");
            return;
        }
        for (const auto& entry : o) {
            const std::string key = entry.first.as<std::string>();
            const std::string how = entry.second.IsScalar() ? entry.second.Scalar() : "";
            if (how != "append" && how != "replace") {
                error(entry.second,
                      "override: " + key + ": is append or replace, not '" + how + "'", "");
                return;
            }
            if (!override_allows(key, how)) {
                error(entry.first,
                      "override: cannot " + how + " '" + key + "'" +
                          (override_allows(key, "replace") ? ", only replace it" : ""),
                      how == "append" ? "append takes condition, output, desc, tags, exceptions, "
                                        "also_trace"
                                      : "a rule's time keys (for:, sequence: ...) change by "
                                        "defining the rule again in full");
                return;
            }
            if (!item[key]) {
                error(entry.first,
                      "override: names '" + key + "', and the item has no " + key + ":",
                      "give the new " + key + ": beside override:");
                return;
            }
            changes.emplace_back(key, how);
        }
        for (const auto& entry : item) {
            const std::string key = entry.first.as<std::string>();
            if (key == "rule" || key == "override" || o[key]) continue;
            error(entry.first, "'" + key + ":' is not named in override:, so it would be dropped",
                  "add " + key + ": append or " + key + ": replace to override:");
            return;
        }
    } else {
        for (const auto& entry : item) {
            const std::string key = entry.first.as<std::string>();
            if (key == "rule" || key == "append") continue;
            if (key == "condition" || key == "exceptions") {
                changes.emplace_back(key, "append");
            } else if (key == "enabled") {
                changes.emplace_back(key, "replace");
            } else {
                error(entry.first,
                      "append: true adds a condition: or exceptions:, not '" + key + ":'",
                      "use override: {" + key + ": " +
                          (override_allows(key, "append") ? "append" : "replace") + "}");
                return;
            }
        }
    }
    // Checked in full before anything changes: a rule is changed by the
    // whole item or not at all.
    Rule changed = rule;
    for (const auto& [key, how] : changes) {
        const YAML::Node node = item[key];
        if (key == "condition") {
            if (changed.kind == RuleKind::Sequence) {
                error(node,
                      "rule '" + changed.id +
                          "' is a sequence: a condition cannot be appended or replaced, as its "
                          "steps are its conditions",
                      "define the rule again in full");
                return;
            }
            const ConditionSource source = source_of(file, node);
            if (how == "append") {
                std::size_t at = 0;
                bool wrapped = false;
                changed.condition_text =
                    join_condition(changed.condition_text, source.text, &at, &wrapped);
                if (wrapped) {
                    for (auto& part : changed.condition_parts) ++part.offset;
                }
                changed.condition_parts.push_back({at, source});
            } else {
                changed.condition_text = source.text;
                changed.condition_parts = {{0, source}};
            }
        } else if (key == "exceptions") {
            if (changed.kind == RuleKind::Sequence) {
                error(node, "exceptions: applies to a condition, and a sequence has steps", "");
                return;
            }
            if (!node.IsSequence()) {
                error(node, "exceptions: is a list of '- name:' items", "");
                return;
            }
            if (how == "replace") changed.exceptions.clear();
            for (const YAML::Node& e : node) {
                auto parsed = parse_exception(file, e, changed.exceptions, error);
                if (!parsed) return;
                if (!merge_exceptions(changed.exceptions, {std::move(*parsed)}, e, error)) return;
            }
        } else if (key == "output" || key == "desc") {
            std::string& text = key == "output" ? changed.output_text : changed.desc;
            text = how == "append" ? text + " " + node.as<std::string>() : node.as<std::string>();
            if (key == "output") {
                std::string output_error;
                changed.output = parse_output(changed.output_text, &output_error);
                if (!output_error.empty()) {
                    error(node, output_error, "run 'sctrace rules fields' for the list");
                    return;
                }
            }
        } else if (key == "tags" || key == "also_trace" || key == "references") {
            std::vector<std::string>& list = key == "tags"         ? changed.tags
                                             : key == "also_trace" ? changed.also_trace
                                                                   : changed.references;
            if (how == "replace") list.clear();
            for (const std::string& t : string_list(node)) {
                if (std::find(list.begin(), list.end(), t) == list.end()) list.push_back(t);
            }
        } else if (key == "priority" || key == "severity") {
            YAML::Node only(YAML::NodeType::Map);
            only[key] = node;
            const auto severity =
                severity_of(only, [&](const YAML::Node&, std::string message, std::string hint) {
                    error(node, std::move(message), std::move(hint));
                });
            if (!severity) return;
            changed.severity = **severity;
        } else if (key == "enabled" || key == "warn_evttypes" || key == "skip-if-unknown-filter") {
            const auto value = bool_of(node, key, error);
            if (!value) return;
            (key == "enabled"         ? changed.enabled
             : key == "warn_evttypes" ? changed.warn_evttypes
                                      : changed.skip_if_unknown_filter) = *value;
        } else if (key == "stacks") {
            YAML::Node only(YAML::NodeType::Map);
            only["stacks"] = node;
            Rule probe;
            if (!parse_timing(file, only, probe, error)) return;
            changed.stacks = probe.stacks;
        } else if (key == "dedup") {
            YAML::Node only(YAML::NodeType::Map);
            only["dedup"] = node;
            if (!parse_dedup(only, changed, error)) return;
        }
    }
    changed.changed_at.push_back({file, item.Mark().line + 1, item.Mark().column + 1});
    rule = std::move(changed);
}

// compile() runs again after each file load_text() adds: a rule that
// warned once is not warned about twice.
void RuleSet::warn(RuleError warning) {
    const bool seen = std::any_of(warnings_.begin(), warnings_.end(), [&](const RuleError& w) {
        return w.where.file == warning.where.file && w.where.line == warning.where.line &&
               w.where.column == warning.where.column && w.message == warning.message;
    });
    if (!seen) warnings_.push_back(std::move(warning));
}

std::string Rule::compiled_text() const {
    const std::string clause = exceptions_clause(exceptions);
    return clause.empty() ? condition_text : "(" + condition_text + ") and not (" + clause + ")";
}

// Compiles one rule's conditions; false, with errors recorded, when one
// does not compile (or, for skip-if-unknown-filter, a warning).
bool RuleSet::compile_rule(ConditionCompiler& compiler, Rule& rule) {
    // An error at `offset` of `text`: where in the files it is, blaming the
    // part of an appended condition that brought it.
    const auto report = [&](const ConditionError& e, const ConditionSource& source,
                            std::string_view what) {
        if (rule.skip_if_unknown_filter && e.unknown_field) {
            warn({source.where,
                  "rule '" + rule.id + "' is skipped (skip-if-unknown-filter): " + e.message,
                  line_at(sources_[source.where.file], source.where.line), ""});
            return;
        }
        const std::vector<std::string>& lines = sources_[source.where.file];
        const SourceLocation where = locate(source.where.file, lines, source.where.line - 1,
                                            source.where.column - 1, source.text, e.offset);
        errors_.push_back({where, "rule '" + rule.id + "'" + std::string(what) + ": " + e.message,
                           line_at(lines, where.line), e.hint});
    };
    const auto compile_one = [&](const ConditionSource& source, std::string_view what,
                                 Condition& out) {
        auto compiled = compiler.compile(source.text);
        if (auto* e = std::get_if<ConditionError>(&compiled)) {
            report(*e, source, what);
            return false;
        }
        out = std::get<Condition>(std::move(compiled));
        return true;
    };
    // The main condition: its parts (definition, appends), then with the
    // exceptions' clause.
    const auto compile_main = [&](std::string_view what) {
        auto alone = compiler.compile(rule.condition_text);
        if (auto* e = std::get_if<ConditionError>(&alone)) {
            const Rule::ConditionPart* part =
                rule.condition_parts.empty() ? nullptr : &rule.condition_parts.front();
            for (const auto& p : rule.condition_parts) {
                if (p.offset <= e->offset) part = &p;
            }
            if (!part) {
                report(*e, {rule.condition_text, rule.where}, what);
                return false;
            }
            std::string appended;
            if (part != &rule.condition_parts.front()) {
                appended = " (appended to the rule of " +
                           location_text(rule.condition_parts.front().source.where) + ")";
            }
            ConditionError local = *e;
            local.offset = e->offset - part->offset;
            report(local, part->source, std::string(what) + appended);
            return false;
        }
        if (rule.exceptions.empty()) {
            rule.condition = std::get<Condition>(std::move(alone));
            return true;
        }
        auto compiled = compiler.compile(rule.compiled_text());
        if (auto* c = std::get_if<Condition>(&compiled)) {
            rule.condition = std::move(*c);
            return true;
        }
        // Name the first exception whose clause does not compile.
        const ConditionError& e = std::get<ConditionError>(compiled);
        for (const RuleException& x : rule.exceptions) {
            const auto clause = exceptions_clause({x});
            if (clause.empty()) continue;
            const auto one = compiler.compile(clause);
            if (const auto* bad = std::get_if<ConditionError>(&one)) {
                errors_.push_back(
                    {x.where, "rule '" + rule.id + "', exception '" + x.name + "': " + bad->message,
                     line_at(sources_[x.where.file], x.where.line), bad->hint});
                return false;
            }
        }
        report(e, {rule.condition_text, rule.where}, what);
        return false;
    };
    bool ok = true;
    if (rule.kind == RuleKind::Sequence) {
        rule.steps.assign(rule.step_sources.size(), Condition{});
        for (std::size_t i = 0; i < rule.step_sources.size(); ++i) {
            ok = compile_one(rule.step_sources[i], ", step " + std::to_string(i + 1),
                             rule.steps[i]) &&
                 ok;
        }
        if (!rule.until_source.text.empty()) {
            Condition until;
            if (compile_one(rule.until_source, ", until", until)) {
                rule.until = std::move(until);
            } else {
                ok = false;
            }
        }
    } else {
        ok = compile_main(rule.kind == RuleKind::Absence ? ", after" : "");
        if (rule.kind == RuleKind::Absence) {
            ok = compile_one(rule.missing_source, ", missing", rule.missing) && ok;
        }
    }
    for (OutputTemplate::Segment& segment : rule.output.segments) {
        if (segment.list_name.empty()) continue;
        const auto list = lists_.find(segment.list_name);
        if (list == lists_.end()) {
            errors_.push_back(
                {rule.where,
                 "rule '" + rule.id + "', output: unknown list '" + segment.list_name + "'", "",
                 "define it with '- list: " + segment.list_name + "'"});
            ok = false;
            break;
        }
        segment.list = FieldList(list->second);
    }
    if (!ok) return false;
    const auto types = rule.event_types();
    if (types && types->empty()) {
        errors_.push_back(
            {rule.where,
             "rule '" + rule.id + "' can match no event: its evt.type tests exclude each other",
             line_at(sources_[rule.where.file], rule.where.line),
             "an event has one type: 'evt.type = a and evt.type = b' never holds; "
             "use evt.type in (a, b)"});
        return false;
    }
    if (!types && rule.warn_evttypes) {
        warn({rule.where,
              "rule '" + rule.id +
                  "' names no evt.type: it is judged at every event, and a run stops the "
                  "traced program at every syscall",
              line_at(sources_[rule.where.file], rule.where.line),
              "add evt.type = CALL or evt.type in (LIST); warn_evttypes: false keeps it as it is"});
    }
    return true;
}

std::vector<const Condition*> Rule::conditions() const {
    std::vector<const Condition*> out;
    if (kind != RuleKind::Sequence) out.push_back(&condition);
    for (const Condition& step : steps) out.push_back(&step);
    if (until) out.push_back(&*until);
    if (kind == RuleKind::Absence) out.push_back(&missing);
    return out;
}

bool Rule::only_ring_twins() const {
    const auto all = conditions();
    return !all.empty() && std::all_of(all.begin(), all.end(),
                                       [](const Condition* c) { return c->only_ring_twins(); });
}

std::optional<std::set<std::string>> Rule::event_types() const {
    std::set<std::string> types;
    for (const Condition* c : conditions()) {
        if (!c->event_types()) return std::nullopt;
        types.insert(c->event_types()->begin(), c->event_types()->end());
    }
    return types;
}

std::string DurationSpec::text() const {
    if (!setting.empty()) return setting;
    char buffer[32];
    if (literal % 1'000'000'000 == 0) {
        std::snprintf(buffer, sizeof buffer, "%llds",
                      static_cast<long long>(literal / 1'000'000'000));
    } else if (literal % 1'000'000 == 0) {
        std::snprintf(buffer, sizeof buffer, "%lldms", static_cast<long long>(literal / 1'000'000));
    } else {
        std::snprintf(buffer, sizeof buffer, "%.3fs", static_cast<double>(literal) / 1e9);
    }
    return buffer;
}

std::string_view rule_kind_name(RuleKind kind) {
    switch (kind) {
        case RuleKind::Single:
            return "single";
        case RuleKind::Watch:
            return "watch";
        case RuleKind::Sequence:
            return "sequence";
        case RuleKind::Absence:
            return "absence";
        case RuleKind::Count:
            return "count";
    }
    return "single";
}

std::string Rule::timing_text() const {
    std::string keys;
    for (const FieldId f : by) {
        keys += (keys.empty() ? "" : ", ") +
                std::string(all_fields()[static_cast<std::size_t>(f)].name);
    }
    keys = " by [" + keys + "]";
    switch (kind) {
        case RuleKind::Single:
            return "";
        case RuleKind::Watch:
            return "for " + window.text() + keys;
        case RuleKind::Sequence:
            return "sequence of " + std::to_string(steps.size()) + " steps" + keys +
                   (window.given ? " maxspan " + window.text() : "") +
                   (until ? " until [" + until_source.text + "]" : "");
        case RuleKind::Absence:
            return "absence of [" + missing_source.text + "]" + keys + " until " +
                   (window.given ? window.text() : "exit");
        case RuleKind::Count:
            return "count >= " + std::to_string(threshold) + " within " + window.text() + keys;
    }
    return "";
}

RuleDemands demands_of(const Rule& rule) {
    RuleDemands d;
    switch (rule.kind) {
        case RuleKind::Count:
            d.times = true;
            break;
        case RuleKind::Sequence:
        case RuleKind::Absence:
            d.times = rule.window.given;
            break;
        case RuleKind::Single:
        case RuleKind::Watch:
            break;
    }
    for (const Condition* c : rule.conditions()) {
        for (const FieldId f : c->fields()) {
            const FieldScope scope = all_fields()[static_cast<std::size_t>(f)].scope;
            d.thread_order = d.thread_order || scope != FieldScope::Event;
            d.overlap = d.overlap || scope == FieldScope::OtherThreads;
        }
    }
    // Memory across events, keyed by something wider than a thread, joins
    // events of different threads in the order they were seen.
    if (rule.kind != RuleKind::Single && rule.kind != RuleKind::Watch &&
        std::find(rule.by.begin(), rule.by.end(), FieldId::ThreadTid) == rule.by.end()) {
        d.thread_order = true;
    }
    // A watch over a log judges the picture the log ends with (every thread
    // in its last unfinished call), which reading the threads' files in any
    // order leaves the same.
    if (rule.kind == RuleKind::Watch) d.thread_order = false;
    return d;
}

RuleSet::Needs RuleSet::needs() const {
    Needs needs;
    for (const auto& rule : rules_) {
        if (!rule->enabled) continue;
        needs.syscalls.insert(rule->also_trace.begin(), rule->also_trace.end());
        // Calls other threads must be seen inside (fd.others_in[LIST]).
        for (const Condition* condition : rule->conditions()) {
            const auto calls = condition->list_calls();
            needs.syscalls.insert(calls.begin(), calls.end());
        }
        // A rule about ring operations is judged on their twins, which the
        // ring's own calls bring (the state traces those): their syscalls
        // need no stops of their own.
        if (rule->only_ring_twins()) continue;
        const auto types = rule->event_types();
        if (!types) {
            needs.all_syscalls = true;
            continue;
        }
        needs.syscalls.insert(types->begin(), types->end());
    }
    return needs;
}

std::vector<std::string> RuleSet::enable_only(const std::vector<std::string>& ids) {
    std::vector<std::string> unknown;
    for (const std::string& id : ids) {
        if (!find(id) && std::find(unknown.begin(), unknown.end(), id) == unknown.end()) {
            unknown.push_back(id);
        }
    }
    for (auto& rule : rules_) {
        rule->enabled = std::find(ids.begin(), ids.end(), rule->id) != ids.end();
    }
    return unknown;
}

namespace {

std::string format_problems(const std::vector<RuleError>& problems, std::string_view kind) {
    std::string out;
    for (const RuleError& e : problems) {
        // A file that could not be read has no line to point at.
        out += e.where.file +
               (e.where.line > 0
                    ? ":" + std::to_string(e.where.line) + ":" + std::to_string(e.where.column)
                    : std::string()) +
               ": " + std::string(kind) + ": " + e.message + "\n";
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

}  // namespace

std::string RuleSet::format_errors() const {
    return format_problems(errors_, "error");
}

std::string RuleSet::format_warnings() const {
    return format_problems(warnings_, "warning");
}

std::string render_output(const OutputTemplate& output, EvalContext& ctx) {
    std::string out;
    for (const auto& segment : output.segments) {
        if (!segment.field) {
            out += segment.text;
            continue;
        }
        const FieldValue v = read_field(*segment.field, ctx,
                                        field_takes_list(*segment.field) ? &segment.list : nullptr);
        if (!v.present) {
            out += "<NA>";
        } else if (v.type == FieldType::Int && (*segment.field == FieldId::SignalAddr ||
                                                *segment.field == FieldId::SignalHandler)) {
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
