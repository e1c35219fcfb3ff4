#include "cli/command_docs.h"

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace sctrace {

namespace {

using Apps = std::vector<const CLI::App*>;
using Options = std::vector<const CLI::Option*>;

Apps subcommands(const CLI::App* app) {
    return app->get_subcommands([](const CLI::App*) { return true; });
}

// Options in the group "" are hidden from --help (CLI11's convention): the
// build-time ones, --help-man and --completion. They stay hidden here too.
Options named_options(const CLI::App* app) {
    return app->get_options(
        [](const CLI::Option* o) { return o->nonpositional() && !o->get_group().empty(); });
}

Options operands(const CLI::App* app) {
    return app->get_options([](const CLI::Option* o) { return !o->nonpositional(); });
}

std::vector<std::string> names_of(const CLI::Option* o) {
    std::vector<std::string> names;
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    return names;
}

// A flag takes no value: CLI11 gives it no type name.
bool is_flag(const CLI::Option* o) {
    return o->get_type_size() == 0 || o->get_type_name().empty();
}
bool is_repeatable(const CLI::Option* o) {
    return o->get_expected_max() > 1;
}

// What an option's value is: CLI11's type name ("FILE", or "TEXT" with a
// validator's description: "TEXT:{text,jsonl,strace}").
struct Value {
    std::string name;
    std::vector<std::string> choices;
};

Value value_of(const CLI::Option* o) {
    Value v;
    const std::string type = o->get_type_name();
    v.name = type.substr(0, type.find(':'));
    const auto open = type.find('{');
    const auto close = type.find('}', open);
    if (open != std::string::npos && close != std::string::npos) {
        const std::string list = type.substr(open + 1, close - open - 1);
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto comma = list.find(',', start);
            const auto end = comma == std::string::npos ? list.size() : comma;
            if (end > start) v.choices.push_back(list.substr(start, end - start));
            start = end + 1;
        }
    }
    return v;
}

// How a shell completes a value: a file, a rule id, one of the choices, or
// nothing it can know.
enum class Completes { Nothing, File, Rule, Choice, Command };

Completes completes(const CLI::Option* o) {
    const Value v = value_of(o);
    if (!v.choices.empty()) return Completes::Choice;
    static const std::set<std::string> files = {"FILE", "PATH", "PREFIX", "DIR", "PASS", "FAIL"};
    const std::string name = o->nonpositional() ? v.name : o->get_name();
    if (files.count(name)) return Completes::File;
    if (name == "ID" || name == "RULE") return Completes::Rule;
    if (name == "COMMAND") return Completes::Command;
    return Completes::Nothing;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// The usage lines CLI11 prints for `app` called `name`, without "Usage: ".
std::vector<std::string> usage_lines(const CLI::App* app, const std::string& name) {
    const auto formatter = std::dynamic_pointer_cast<CLI::Formatter>(app->get_formatter());
    const std::string usage = formatter ? formatter->make_usage(app, name) : name;
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < usage.size()) {
        auto end = usage.find('\n', start);
        if (end == std::string::npos) end = usage.size();
        std::string line = usage.substr(start, end - start);
        start = end + 1;
        const auto first = line.find_first_not_of(' ');
        if (first == std::string::npos) continue;
        line.erase(0, first);
        if (line.starts_with("Usage:")) line.erase(0, line.find_first_not_of(' ', 6));
        lines.push_back(line);
    }
    return lines;
}

// ---- roff

// Text as roff reads it literally: backslashes and hyphens escaped (a
// hyphen in an option must stay an ASCII minus, to be copied and typed),
// other than ASCII as \[uXXXX]. Long unbreakable words (a fault-injection
// spec) get break points after their punctuation, so no line overflows.
std::string roff_escape(std::string_view s) {
    std::string out;
    std::size_t word = 0;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        word = c == ' ' ? 0 : word + 1;
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            if (word > 24 && (c == ']' || c == '|' || c == ',' || c == '/')) {
                out += "\\:";
            }
        } else {
            int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
            unsigned code = c & (0x3f >> extra);
            std::size_t j = i + 1;
            for (; extra > 0 && j < s.size(); --extra, ++j) {
                code = (code << 6) | (static_cast<unsigned char>(s[j]) & 0x3f);
            }
            char buffer[16];
            std::snprintf(buffer, sizeof buffer, "\\[u%04X]", code);
            out += buffer;
            i = j;
            continue;
        }
        ++i;
    }
    return out;
}

// A line of running text: one starting with . or ' would be a request.
std::string roff_line(const std::string& escaped) {
    if (!escaped.empty() && (escaped[0] == '.' || escaped[0] == '\'')) return "\\&" + escaped;
    return escaped;
}

// Markdown's inline marks: `code` in bold, *word* in italics, links as
// their text.
std::string inline_markdown(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '`') {
            const auto end = s.find('`', i + 1);
            if (end != std::string_view::npos) {
                out += "\\fB" + roff_escape(s.substr(i + 1, end - i - 1)) + "\\fR";
                i = end + 1;
                continue;
            }
        }
        if (s[i] == '*' && i + 1 < s.size() && s[i + 1] != ' ' && s[i + 1] != '*') {
            const auto end = s.find('*', i + 1);
            if (end != std::string_view::npos) {
                out += "\\fI" + roff_escape(s.substr(i + 1, end - i - 1)) + "\\fR";
                i = end + 1;
                continue;
            }
        }
        if (s[i] == '[') {
            const auto close = s.find("](", i);
            const auto end = close == std::string_view::npos ? close : s.find(')', close);
            if (end != std::string_view::npos && s.substr(i, close - i).find('\n') == s.npos) {
                out += inline_markdown(s.substr(i + 1, close - i - 1));
                i = end + 1;
                continue;
            }
        }
        out += roff_escape(s.substr(i, 1));
        ++i;
    }
    return roff_line(out);
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> table_cells(const std::string& row) {
    std::vector<std::string> cells;
    std::string cell;
    bool code = false;
    for (std::size_t i = 1; i < row.size(); ++i) {
        const char c = row[i];
        if (c == '`') code = !code;
        if (c == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
            cell += '|';
            ++i;
        } else if (c == '|' && !code) {
            cells.push_back(trim(cell));
            cell.clear();
        } else {
            cell += c;
        }
    }
    if (!trim(cell).empty()) cells.push_back(trim(cell));
    return cells;
}

// One "## SECTION" of the prose: paragraphs, lists ("- "), tables (a
// two-column tag/text list), code blocks indented by four spaces.
std::string section_roff(const std::vector<std::string>& lines) {
    std::string out;
    std::string paragraph;
    bool in_table = false;
    const auto flush = [&] {
        if (!paragraph.empty()) out += ".PP\n" + inline_markdown(paragraph) + "\n";
        paragraph.clear();
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (trim(line).empty()) {
            flush();
            in_table = false;
            continue;
        }
        if (line.starts_with("    ")) {
            flush();
            out += ".PP\n.RS 4\n.nf\n";
            for (; i < lines.size() && (lines[i].starts_with("    ") || trim(lines[i]).empty());
                 ++i) {
                if (trim(lines[i]).empty() &&
                    (i + 1 >= lines.size() || !lines[i + 1].starts_with("    "))) {
                    break;
                }
                out += roff_line(roff_escape(lines[i].substr(4))) + "\n";
            }
            out += ".fi\n.RE\n";
            if (i < lines.size() && !trim(lines[i]).empty()) --i;
            continue;
        }
        if (line.starts_with("|")) {
            flush();
            const auto cells = table_cells(line);
            const bool rule =
                !cells.empty() && cells[0].find_first_not_of("-: ") == std::string::npos;
            if (!in_table || rule) {  // the header row, then the --- row
                in_table = true;
                continue;
            }
            out += ".TP\n" + inline_markdown(cells.empty() ? "" : cells[0]) + "\n";
            std::vector<std::string> rest(cells.begin() + (cells.empty() ? 0 : 1), cells.end());
            out += inline_markdown(join(rest, " ")) + "\n";
            continue;
        }
        if (line.starts_with("- ")) {
            flush();
            std::string item = line.substr(2);
            while (i + 1 < lines.size() && lines[i + 1].starts_with("  ") &&
                   !trim(lines[i + 1]).empty()) {
                item += "\n" + trim(lines[++i]);
            }
            out += ".IP \\(bu 2\n" + inline_markdown(item) + "\n";
            continue;
        }
        paragraph += (paragraph.empty() ? "" : "\n") + trim(line);
    }
    flush();
    return out;
}

std::string bold(const std::string& s) {
    return "\\fB" + roff_escape(s) + "\\fR";
}
std::string italic(const std::string& s) {
    return "\\fI" + roff_escape(s) + "\\fR";
}

std::string option_roff(const CLI::Option* o) {
    std::string tag;
    if (o->nonpositional()) {
        for (const auto& name : names_of(o)) tag += (tag.empty() ? "" : ", ") + bold(name);
        if (!is_flag(o)) {
            const Value v = value_of(o);
            tag += " " + italic(v.choices.empty() ? v.name : join(v.choices, "|"));
        }
    } else {
        tag = italic(o->get_name());
    }
    std::string text = o->get_description();
    if (!o->get_default_str().empty()) text += " (default: " + o->get_default_str() + ")";
    return ".TP\n" + roff_line(tag) + "\n" + roff_line(roff_escape(text)) + "\n";
}

// The operands, then the options group by group, as --help orders them.
std::string options_roff(const Apps& apps) {
    std::string out;
    for (const CLI::App* app : apps) {
        for (const CLI::Option* o : operands(app)) out += option_roff(o);
    }
    std::vector<std::string> groups;
    std::map<std::string, Options> by_group;
    for (const CLI::App* app : apps) {
        for (const CLI::Option* o : named_options(app)) {
            if (!by_group.count(o->get_group())) groups.push_back(o->get_group());
            by_group[o->get_group()].push_back(o);
        }
    }
    for (const std::string& group : groups) {
        if (groups.size() > 1) out += ".PP\n" + bold(group + ":") + "\n";
        for (const CLI::Option* o : by_group[group]) out += option_roff(o);
    }
    return out;
}

const VerbatimCommand* verbatim_named(const CommandTree& tree, const std::string& name) {
    for (const auto& v : tree.verbatim) {
        if (v.name == name) return &v;
    }
    return nullptr;
}

std::string command_roff(const CommandTree& tree, const CLI::App* app, const std::string& name) {
    std::string out = ".SS \"" + roff_escape(name) + "\"\n";
    out += ".PP\n" + roff_line(roff_escape(app->get_description())) + "\n";
    if (const VerbatimCommand* v = verbatim_named(tree, app->get_name())) {
        out += ".PP\n.nf\n";
        for (const auto& line : lines_of(v->help)) out += roff_line(roff_escape(line)) + "\n";
        return out + ".fi\n";
    }
    out += ".PP\n.nf\n";
    for (const auto& line : usage_lines(app, name)) out += roff_line(roff_escape(line)) + "\n";
    out += ".fi\n";
    if (app == tree.default_command) {
        return out + ".PP\nThe default command: its options are under OPTIONS.\n";
    }
    out += options_roff({app});
    for (const CLI::App* sub : subcommands(app)) {
        out += command_roff(tree, sub, name + " " + sub->get_name());
    }
    return out;
}

std::string synopsis_roff(const CommandTree& tree) {
    std::string out = ".SH SYNOPSIS\n.nf\n";
    for (const auto& line : usage_lines(tree.default_command, "sctrace")) {
        out += roff_line(roff_escape(line)) + "\n";
    }
    for (const CLI::App* sub : subcommands(tree.top)) {
        if (sub == tree.default_command) continue;
        if (const VerbatimCommand* v = verbatim_named(tree, sub->get_name())) {
            for (const auto& line : lines_of(v->help)) {
                const std::string usage = trim(line);
                if (!line.starts_with("Usage:") && !usage.starts_with("sctrace ")) break;
                out += roff_line(roff_escape(trim(usage.substr(usage.find("sctrace"))))) + "\n";
            }
            continue;
        }
        for (const auto& line : usage_lines(sub, "sctrace " + sub->get_name())) {
            out += roff_line(roff_escape(line)) + "\n";
        }
    }
    return out + ".fi\n";
}

// Option descriptions are written for --help, not for justified text: a
// long spec (--inject's) would leave a line that cannot be adjusted, so
// these sections are set ragged-right.
std::string commands_and_options_roff(const CommandTree& tree) {
    std::string out = ".SH COMMANDS\n.ad l\n";
    for (const CLI::App* sub : subcommands(tree.top)) {
        out += command_roff(tree, sub, "sctrace " + sub->get_name());
    }
    out += ".SH OPTIONS\n";
    out += options_roff({tree.top, tree.default_command});
    return out + ".ad b\n";
}

// ---- shells

// One command of the tree as a shell completes it: "" (sctrace itself,
// which is run with its options), "run", "rules", "rules list" ...
struct Node {
    std::string path;
    Options options;
    std::vector<const CLI::App*> commands;
    Completes operand = Completes::Nothing;
    bool program = false;  // its operand is the command to trace
};

std::vector<Node> nodes_of(const CommandTree& tree) {
    std::vector<Node> nodes;
    Node top;
    // sctrace's own options, then run's, but for those it has too (--help).
    top.options = named_options(tree.top);
    std::set<std::string> taken;
    for (const CLI::Option* o : top.options) {
        for (const auto& name : names_of(o)) taken.insert(name);
    }
    for (const CLI::Option* o : named_options(tree.default_command)) {
        if (!taken.count(names_of(o).front())) top.options.push_back(o);
    }
    top.commands = subcommands(tree.top);
    top.program = true;
    nodes.push_back(top);
    std::vector<std::pair<std::string, const CLI::App*>> todo;
    for (const CLI::App* sub : subcommands(tree.top)) todo.emplace_back(sub->get_name(), sub);
    for (std::size_t i = 0; i < todo.size(); ++i) {
        const auto [path, app] = todo[i];
        Node node;
        node.path = path;
        node.options = named_options(app);
        node.commands = subcommands(app);
        node.program = app == tree.default_command || verbatim_named(tree, app->get_name());
        const Options ops = operands(app);
        if (!ops.empty()) node.operand = completes(ops.front());
        for (const CLI::App* sub : node.commands) {
            todo.emplace_back(path + " " + sub->get_name(), sub);
        }
        nodes.push_back(std::move(node));
    }
    return nodes;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> command_names(const std::vector<const CLI::App*>& apps) {
    std::vector<std::string> names;
    for (const CLI::App* app : apps) names.push_back(app->get_name());
    return names;
}

std::string words(const Options& options, bool (*keep)(const CLI::Option*)) {
    std::vector<std::string> out;
    for (const CLI::Option* o : options) {
        if (!keep(o)) continue;
        for (const auto& name : names_of(o)) out.push_back(name);
    }
    return join(out, " ");
}

}  // namespace

std::string man_page(const CommandTree& tree, std::string_view prose) {
    std::map<std::string, std::vector<std::string>> sections;
    std::vector<std::string> order;
    std::string current;
    for (const std::string& line : lines_of(prose)) {
        if (line.starts_with("## ")) {
            current = trim(line.substr(3));
            order.push_back(current);
            sections[current];
        } else if (!current.empty()) {
            sections[current].push_back(line);
        }
    }
    if (!sections.count("DESCRIPTION")) {
        throw std::runtime_error("the manual's prose has no '## DESCRIPTION' section");
    }
    std::string out =
        ".\\\" sctrace(1), written by `sctrace --help-man` from sctrace's command\n"
        ".\\\" line definitions and docs/sctrace.1.md: edit those, not this.\n";
    out += ".TH SCTRACE 1 \"\" \"sctrace " + roff_escape(tree.version) + "\" \"User Commands\"\n";
    // Options and paths must not be split at a hyphen of the typesetter's.
    out += ".nh\n";
    // "sctrace: a syscall tracer ..." says what it is after its name.
    std::string what = tree.top->get_description();
    if (const auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
    out += ".SH NAME\nsctrace \\- " + roff_escape(what) + "\n";
    out += synopsis_roff(tree);
    for (const std::string& name : order) {
        if (name == "NAME" || name == "SYNOPSIS") continue;
        out += ".SH " + roff_escape(name) + "\n" + section_roff(sections[name]);
        if (name == "DESCRIPTION") out += commands_and_options_roff(tree);
    }
    return out;
}

std::string bash_completion(const CommandTree& tree) {
    const std::vector<Node> nodes = nodes_of(tree);
    std::string out =
        "# bash completion for sctrace(1) " + tree.version +
        ", written by `sctrace --completion bash`\n"
        "# from sctrace's command line definitions: commands, options and their values.\n"
        "\n"
        "# The ids of the rules sctrace loads with no -r (the bundled pack, "
        "$SCTRACE_RULES).\n"
        "_sctrace_rule_ids() {\n"
        "    \"${COMP_WORDS[0]}\" rules list --json 2>/dev/null |\n"
        "        sed -n 's/^ *\"id\": *\"\\([^\"]*\\)\".*/\\1/p'\n"
        "}\n"
        "\n"
        "# Sets what the command PATH (\"\", \"analyze\", \"rules list\" ...) takes.\n"
        "_sctrace_node() {\n"
        "    opts= commands= valued= files= rule_ids= operand= program=\n"
        "    case $1 in\n";
    for (const Node& node : nodes) {
        out += "    " + shell_quote(node.path) + ")\n";
        out += "        opts=" +
               shell_quote(words(node.options, [](const CLI::Option*) { return true; })) + "\n";
        out +=
            "        valued=" +
            shell_quote(
                " " + words(node.options, [](const CLI::Option* o) { return !is_flag(o); }) + " ") +
            "\n";
        out += "        files=" +
               shell_quote(" " +
                           words(node.options,
                                 [](const CLI::Option* o) {
                                     return !is_flag(o) && completes(o) == Completes::File;
                                 }) +
                           " ") +
               "\n";
        out += "        rule_ids=" +
               shell_quote(" " +
                           words(node.options,
                                 [](const CLI::Option* o) {
                                     return !is_flag(o) && completes(o) == Completes::Rule;
                                 }) +
                           " ") +
               "\n";
        out += "        commands=" + shell_quote(join(command_names(node.commands), " ")) + "\n";
        const char* operand = node.program                         ? "program"
                              : node.operand == Completes::File    ? "file"
                              : node.operand == Completes::Rule    ? "rule"
                              : node.operand == Completes::Command ? "command"
                                                                   : "";
        out += std::string("        operand=") + operand + " ;;\n";
    }
    out +=
        "    esac\n}\n\n# The choices of option $2 of command $1.\n_sctrace_choices() {\n"
        "    case \"$1|$2\" in\n";
    for (const Node& node : nodes) {
        for (const CLI::Option* o : node.options) {
            const Value v = value_of(o);
            if (v.choices.empty()) continue;
            std::vector<std::string> cases;
            for (const auto& name : names_of(o))
                cases.push_back(shell_quote(node.path + "|" + name));
            out +=
                "    " + join(cases, "|") + ") echo " + shell_quote(join(v.choices, " ")) + " ;;\n";
        }
    }
    out += "    esac\n}\n\n";
    out +=
        "_sctrace() {\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
        "    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
        "    local opts commands valued files rule_ids operand program\n"
        "    local path= i w operands=0 dashdash=0 skip=0\n"
        "    _sctrace_node \"$path\"\n"
        "    for (( i = 1; i < COMP_CWORD; i++ )); do\n"
        "        w=${COMP_WORDS[i]}\n"
        "        if (( skip )); then skip=0; continue; fi\n"
        "        if (( !dashdash )) && [[ $w == -- ]]; then dashdash=1; continue; fi\n"
        "        if (( !dashdash )) && [[ $w == -?* ]]; then\n"
        "            [[ $valued == *\" $w \"* ]] && skip=1\n"
        "            continue\n"
        "        fi\n"
        "        # Only the first word names a command of sctrace's; any other\n"
        "        # word there is the command to run.\n"
        "        if (( operands == 0 )) && [[ \" $commands \" == *\" $w \"* ]] &&\n"
        "            { [[ -n $path ]] || (( i == 1 )); }; then\n"
        "            path=${path:+$path }$w\n"
        "            _sctrace_node \"$path\"\n"
        "            continue\n"
        "        fi\n"
        "        operands=$((operands + 1))\n"
        "        # The traced command's own arguments: bash's default (files).\n"
        "        [[ $operand == program ]] && return 0\n"
        "    done\n"
        "    if (( skip )); then\n"
        "        if [[ $files == *\" $prev \"* ]]; then\n"
        "            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
        "        elif [[ $rule_ids == *\" $prev \"* ]]; then\n"
        "            COMPREPLY=($(compgen -W \"$(_sctrace_rule_ids)\" -- \"$cur\"))\n"
        "        else\n"
        "            COMPREPLY=($(compgen -W \"$(_sctrace_choices \"$path\" \"$prev\")\" -- "
        "\"$cur\"))\n"
        "        fi\n"
        "        return 0\n"
        "    fi\n"
        "    if (( !dashdash )) && [[ $cur == -* ]]; then\n"
        "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
        "        return 0\n"
        "    fi\n"
        "    local here=\n"
        "    if (( operands == 0 && !dashdash )) && { [[ -n $path ]] || (( COMP_CWORD == 1 "
        ")); }; then\n"
        "        here=$commands\n"
        "    fi\n"
        "    case $operand in\n"
        "    program) COMPREPLY=($(compgen -W \"$here\" -- \"$cur\") $(compgen -c -- "
        "\"$cur\")) ;;\n"
        "    rule) COMPREPLY=($(compgen -W \"$here $(_sctrace_rule_ids)\" -- \"$cur\")) ;;\n"
        "    command) COMPREPLY=($(compgen -W \"$here " +
        join(command_names(subcommands(tree.top)), " ") +
        "\" -- \"$cur\")) ;;\n"
        "    file) COMPREPLY=($(compgen -W \"$here\" -- \"$cur\") $(compgen -f -- \"$cur\")) "
        ";;\n"
        "    *) COMPREPLY=($(compgen -W \"$here\" -- \"$cur\")) ;;\n"
        "    esac\n"
        "    return 0\n"
        "}\n"
        "complete -F _sctrace -o bashdefault -o default sctrace\n";
    return out;
}

namespace {

// An _arguments spec's description: in brackets, single-quoted.
std::string zsh_description(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '[' || c == ']') out += '\\';
        if (c == '\'') {
            out += "'\\''";
            continue;
        }
        out += c;
    }
    return out;
}

// The function name of the command PATH: _sctrace_rules_list.
std::string zsh_function(const std::string& path) {
    if (path.empty()) return "_sctrace_default";
    std::string name = "_sctrace_";
    for (const char c : path) name += (c == ' ' || c == '-') ? '_' : c;
    return name;
}

std::string zsh_option(const CLI::Option* o) {
    const std::vector<std::string> names = names_of(o);
    std::string exclusive = is_repeatable(o) ? "*" : "(" + join(names, " ") + ")";
    std::string spec;
    if (names.size() == 1) {
        spec = "'" + exclusive + names[0];
    } else {
        spec = "'" + exclusive + "'{" + join(names, ",") + "}'";
    }
    spec += "[" + zsh_description(o->get_description()) + "]";
    if (!is_flag(o)) {
        const Value v = value_of(o);
        const std::string message = v.name.empty() ? "value" : v.name;
        switch (completes(o)) {
            case Completes::File:
                spec += ":" + message + ":_files";
                break;
            case Completes::Rule:
                spec += ":" + message + ":_sctrace_rule_ids";
                break;
            case Completes::Choice:
                spec += ":" + message + ":(" + join(v.choices, " ") + ")";
                break;
            default:
                spec += ":" + message + ": ";
                break;
        }
    }
    return spec + "'";
}

}  // namespace

std::string zsh_completion(const CommandTree& tree) {
    const std::vector<Node> nodes = nodes_of(tree);
    std::string out =
        "#compdef sctrace\n"
        "# zsh completion for sctrace(1) " +
        tree.version +
        ", written by `sctrace --completion zsh`\n"
        "# from sctrace's command line definitions: commands, options and their "
        "values.\n\n"
        "# The ids of the rules sctrace loads with no -r (the bundled pack, "
        "$SCTRACE_RULES).\n"
        "_sctrace_rule_ids() {\n"
        "  local -a ids\n"
        "  ids=(${(f)\"$(${_sctrace_self:-sctrace} rules list --json 2>/dev/null |\n"
        "    sed -n 's/^ *\"id\": *\"\\([^\"]*\\)\".*/\\1/p')\"})\n"
        "  _describe -t rules 'rule id' ids\n"
        "}\n";
    for (const Node& node : nodes) {
        out += "\n" + zsh_function(node.path) + "() {\n";
        if (!node.commands.empty() && !node.program) {
            out += "  local -a sctrace_commands\n  sctrace_commands=(\n";
            for (const CLI::App* sub : node.commands) {
                std::string entry = sub->get_name() + ":" + sub->get_description();
                out += "    " + shell_quote(entry) + "\n";
            }
            out += "  )\n";
            out +=
                "  if (( CURRENT == 2 )); then\n"
                "    _describe -t commands 'command' sctrace_commands\n"
                "    _arguments -s";
            for (const CLI::Option* o : node.options) out += " \\\n      " + zsh_option(o);
            out += "\n    return\n  fi\n";
            out +=
                "  local sub=${words[2]}\n"
                "  case $sub in\n";
            for (const CLI::App* sub : node.commands) {
                const std::string path =
                    node.path.empty() ? sub->get_name() : node.path + " " + sub->get_name();
                out += "  " + shell_quote(sub->get_name()) +
                       ")\n"
                       "    shift words; (( CURRENT-- ))\n"
                       "    " +
                       zsh_function(path) + " ;;\n";
            }
            out += "  *)\n    _arguments -s";
            for (const CLI::Option* o : node.options) out += " \\\n      " + zsh_option(o);
            out += "\n    ;;\n  esac\n}\n";
            continue;
        }
        out += "  _arguments -s -S";
        for (const CLI::Option* o : node.options) out += " \\\n    " + zsh_option(o);
        if (node.program) {
            out += " \\\n    '(-):command:_command_names -e' \\\n    '*::arguments:_normal'";
        } else if (node.operand == Completes::File) {
            out += " \\\n    '*:file:_files'";
        } else if (node.operand == Completes::Rule) {
            out += " \\\n    ':rule:_sctrace_rule_ids'";
        } else if (node.operand == Completes::Command) {
            out += " \\\n    ':command:(" + join(command_names(subcommands(tree.top)), " ") + ")'";
        }
        out += "\n}\n";
    }
    // sctrace itself: a command of its own as the first word, else run's
    // command line (options, then the command to trace).
    out +=
        "\n_sctrace() {\n"
        "  # The sctrace being completed, for the rule ids (words shifts below).\n"
        "  local _sctrace_self=${words[1]}\n"
        "  # Not 'commands': that is zsh's table of commands, which _command_names reads.\n"
        "  local -a sctrace_commands\n  sctrace_commands=(\n";
    for (const CLI::App* sub : subcommands(tree.top)) {
        out += "    " + shell_quote(sub->get_name() + ":" + sub->get_description()) + "\n";
    }
    out +=
        "  )\n"
        "  if (( CURRENT > 2 )) && [[ -n ${(M)sctrace_commands:#${words[2]}:*} ]]; then\n"
        "    local sub=${words[2]}\n"
        "    shift words; (( CURRENT-- ))\n"
        "    case $sub in\n";
    for (const CLI::App* sub : subcommands(tree.top)) {
        out +=
            "    " + shell_quote(sub->get_name()) + ") " + zsh_function(sub->get_name()) + " ;;\n";
    }
    out +=
        "    esac\n"
        "    return\n"
        "  fi\n"
        "  if (( CURRENT == 2 )) && [[ ${words[2]} != -* ]]; then\n"
        "    _describe -t commands 'sctrace command' sctrace_commands\n"
        "  fi\n"
        "  _sctrace_default\n"
        "}\n"
        "\n"
        "_sctrace \"$@\"\n";
    return out;
}

}  // namespace sctrace
