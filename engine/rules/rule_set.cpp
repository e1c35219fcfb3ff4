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
    if (target >= value.size()) return std::nullopt;
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
        if (i == target)
            return SourceLocation{file, static_cast<int>(l) + 1, static_cast<int>(c) + 1};
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
            if (!literal.empty()) out.segments.push_back({std::move(literal), std::nullopt, {}, {}});
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
        "rule",     "desc",       "condition",  "output", "severity", "tags",
        "enabled",  "references", "also_trace", "stacks", "for",      "by",
        "sequence", "absence",    "count",      "append", "dedup"};
    static const std::vector<std::string_view> macro = {"macro", "condition", "append"};
    static const std::vector<std::string_view> list = {"list", "items", "traits", "append"};
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
            if (item["list"]) {
                const std::string name = item["list"].as<std::string>();
                auto& items = lists_[name];
                if (!item["append"] || !item["append"].as<bool>()) items.clear();
                for (const auto& i : string_list(item["items"])) items.push_back(i);
                if (item["traits"]) append_syscalls_with(item["traits"], items, error);
                continue;
            }
            if (item["macro"]) {
                const std::string name = item["macro"].as<std::string>();
                if (!item["condition"]) {
                    error(item, "macro '" + name + "' has no condition");
                    continue;
                }
                const std::string body = item["condition"].as<std::string>();
                if (item["append"] && item["append"].as<bool>() && macros_.count(name)) {
                    macros_[name] = "(" + macros_[name] + ") and (" + body + ")";
                } else {
                    macros_[name] = body;
                }
                // Checked where it is used, and here, the text this item
                // wrote on its own, so a broken macro is reported at its
                // definition (the macros it names were checked at theirs).
                ConditionCompiler compiler(macros_, lists_);
                if (const auto e = compiler.check(body)) {
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
            const bool has_body =
                has_condition || item["sequence"] || item["absence"] || item["count"];
            const bool append = item["append"] && item["append"].as<bool>();
            // An override: change a rule an earlier file defined.
            if (existing != rules_.end() && (!has_body || append)) {
                Rule& rule = **existing;
                if (item["enabled"]) rule.enabled = item["enabled"].as<bool>();
                if (append && has_condition && rule.kind == RuleKind::Sequence) {
                    error(item["condition"],
                          "rule '" + id +
                              "' is a sequence: append: adds to a "
                              "condition, and a sequence has steps instead",
                          "redefine the rule in full");
                    continue;
                }
                if (append && has_condition) {
                    rule.condition_text = "(" + rule.condition_text + ") and (" +
                                          item["condition"].as<std::string>() + ")";
                }
                continue;
            }
            if (!has_body) {
                error(item, "rule '" + id + "' has no condition",
                      "give it a condition:, sequence:, absence: or count:");
                continue;
            }
            auto rule = std::make_unique<Rule>();
            rule->id = id;
            rule->where = {file, mark.line + 1, mark.column + 1};
            rule->desc = item["desc"] ? item["desc"].as<std::string>() : "";
            rule->condition_text = has_condition ? item["condition"].as<std::string>() : "";
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
            if (has_condition) {
                rule->where.line = item["condition"].Mark().line + 1;
                rule->where.column = item["condition"].Mark().column + 1;
            }
            if (!parse_dedup(item, *rule, error)) continue;
            if (!parse_timing(file, item, *rule, error)) continue;
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
    // One compiler for every rule: each macro compiles once, however many
    // rules use it.
    ConditionCompiler compiler(macros_, lists_);
    for (auto& rule : rules_) {
        if (too_many_errors(rule->where.file)) break;
        // One condition of the rule; false (an error recorded) when it does
        // not compile.
        const auto compile_one = [&](const ConditionSource& source, std::string_view what,
                                     Condition& out) {
            auto compiled = compiler.compile(source.text);
            if (auto* e = std::get_if<ConditionError>(&compiled)) {
                const std::vector<std::string>& lines = sources_[source.where.file];
                const SourceLocation where =
                    locate(source.where.file, lines, source.where.line - 1, source.where.column - 1,
                           source.text, e->offset);
                errors_.push_back(
                    {where, "rule '" + rule->id + "'" + std::string(what) + ": " + e->message,
                     line_at(lines, where.line), e->hint});
                return false;
            }
            out = std::get<Condition>(std::move(compiled));
            return true;
        };
        bool ok = true;
        if (rule->kind == RuleKind::Sequence) {
            rule->steps.assign(rule->step_sources.size(), Condition{});
            for (std::size_t i = 0; i < rule->step_sources.size(); ++i) {
                ok = compile_one(rule->step_sources[i], ", step " + std::to_string(i + 1),
                                 rule->steps[i]) &&
                     ok;
            }
            if (!rule->until_source.text.empty()) {
                Condition until;
                if (compile_one(rule->until_source, ", until", until)) {
                    rule->until = std::move(until);
                } else {
                    ok = false;
                }
            }
        } else {
            ok = compile_one({rule->condition_text, rule->where},
                             rule->kind == RuleKind::Absence ? ", after" : "", rule->condition);
            if (rule->kind == RuleKind::Absence) {
                ok = compile_one(rule->missing_source, ", missing", rule->missing) && ok;
            }
        }
        for (OutputTemplate::Segment& segment : rule->output.segments) {
            if (segment.list_name.empty()) continue;
            const auto list = lists_.find(segment.list_name);
            if (list == lists_.end()) {
                errors_.push_back(
                    {rule->where,
                     "rule '" + rule->id + "', output: unknown list '" + segment.list_name + "'",
                     "", "define it with '- list: " + segment.list_name + "'"});
                ok = false;
                break;
            }
            segment.list = FieldList(list->second);
        }
        if (ok) kept.push_back(std::move(rule));
    }
    rules_ = std::move(kept);
}

std::vector<const Condition*> Rule::conditions() const {
    std::vector<const Condition*> out;
    if (kind != RuleKind::Sequence) out.push_back(&condition);
    for (const Condition& step : steps) out.push_back(&step);
    if (until) out.push_back(&*until);
    if (kind == RuleKind::Absence) out.push_back(&missing);
    return out;
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

std::string RuleSet::format_errors() const {
    std::string out;
    for (const RuleError& e : errors_) {
        // A file that could not be read has no line to point at.
        out += e.where.file +
               (e.where.line > 0
                    ? ":" + std::to_string(e.where.line) + ":" + std::to_string(e.where.column)
                    : std::string()) +
               ": error: " + e.message + "\n";
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
