#include "report/github_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "base/nanos_math.h"
#include "base/text_escape.h"
#include "report/clock_face.h"
#include "report/evidence_text.h"
#include "report/source_location.h"

namespace sctrace {

namespace {

// How much of a finding an annotation or a summary entry shows.
constexpr std::size_t kEvidenceLines = 6;
constexpr std::size_t kFramesShown = 12;
// $GITHUB_STEP_SUMMARY takes up to 1 MiB per step; sctrace leaves room for
// the step's other writers.
constexpr std::size_t kMaxMarkdown = 256 * 1024;

const char* kind_of(rules::Severity severity) {
    switch (severity) {
        case rules::Severity::Critical:
        case rules::Severity::Error:
            return "error";
        case rules::Severity::Warning:
            return "warning";
        case rules::Severity::Info:
            return "notice";
    }
    return "warning";
}

std::string when(Nanos time) {
    if (!rules::is_wall_clock_time(time)) return "-";  // a log without times
    return ClockFace().with_micros(time);
}

// Text inside a Markdown table cell or a <summary>: no line breaks, no
// table pipes, no HTML.
std::string markdown_inline(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '|':
                out += "\\|";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '`':
                out += "'";
                break;
            case '\n':
            case '\r':
                out += ' ';
                break;
            default:
                out += c;
        }
    }
    return out;
}

// Text inside a fenced code block: a fence inside it would end the block.
std::string markdown_code(std::string text) {
    for (std::size_t at = text.find("```"); at != std::string::npos; at = text.find("```", at)) {
        text.replace(at, 3, "'''");
    }
    return text;
}

std::string process_text(const rules::Finding& f) {
    const std::string exe = escaped(f.exe, EscapeMode::Name);
    return fmt::format("pid {}{} tid {}", f.pid, exe.empty() ? "" : " (" + exe + ")", f.tid);
}

}  // namespace

std::string markdown_code_block(std::string text) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    return "```text\n" + markdown_code(std::move(text)) + "```\n";
}

std::string github_escape_data(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string github_escape_property(std::string_view text) {
    std::string out;
    for (const char c : github_escape_data(text)) {
        switch (c) {
            case ':':
                out += "%3A";
                break;
            case ',':
                out += "%2C";
                break;
            default:
                out += c;
        }
    }
    return out;
}

GithubWriter::GithubWriter(std::string source_root) : root_(std::move(source_root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

void GithubWriter::on_finding(const rules::Finding& f) {
    std::string file;
    int line = 0;
    if (const StackFrame* at = user_code_frame(f, root_)) {
        file = project_path(at->file, root_);
        line = at->line;
    }
    const std::string place = file.empty() ? "exe " + f.exe : file + ":" + std::to_string(line);
    const bool first_of_rule = firsts_.find(f.rule) == firsts_.end();
    if (first_of_rule) firsts_[f.rule].place = file.empty() ? "" : place;
    tally_.add(f);
    const std::string key = f.rule + '\x1f' + place;
    if (const auto found = by_place_.find(key); found != by_place_.end()) {
        ++kept_[found->second].count;
        return;
    }
    if (kept_.size() >= kMaxKept) {
        ++dropped_;
        return;
    }
    by_place_[key] = kept_.size();
    if (first_of_rule) firsts_[f.rule].kept_index = kept_.size();
    kept_.push_back({f, file, line, 1});
}

std::string GithubWriter::annotation(const Kept& k, const char* kind) const {
    const rules::Finding& f = k.finding;
    std::string title =
        "sctrace: " + f.rule + " (" + std::string(rules::severity_name(f.severity)) + ")";
    if (k.count > 1) title += fmt::format(", {} times", k.count);
    std::string message = escaped(f.message);
    const std::vector<std::string> evidence = evidence_lines(f);
    for (std::size_t i = 0; i < evidence.size() && i < kEvidenceLines; ++i) {
        message += "\n  " + escaped(evidence[i]);
    }
    if (evidence.size() > kEvidenceLines) {
        message +=
            fmt::format("\n  ... {} more evidence line(s)", evidence.size() - kEvidenceLines);
    }
    message += "\n" + process_text(f);
    if (!f.doc.empty()) message += "\nsee " + f.doc;
    std::string out = fmt::format("::{} ", kind);
    if (!k.file.empty()) {
        out += "file=" + github_escape_property(k.file);
        if (k.line > 0) out += fmt::format(",line={}", k.line);
        out += ",";
    }
    return out + "title=" + github_escape_property(title) + "::" + github_escape_data(message) +
           "\n";
}

std::string GithubWriter::annotations() const {
    // Most severe first; of those, the ones that point at a line (they show
    // in the pull request's diff); then the earliest.
    std::vector<const Kept*> order;
    for (const Kept& k : kept_) order.push_back(&k);
    std::stable_sort(order.begin(), order.end(), [](const Kept* a, const Kept* b) {
        if (a->finding.severity != b->finding.severity)
            return a->finding.severity > b->finding.severity;
        if (a->file.empty() != b->file.empty()) return !a->file.empty();
        return a->finding.time < b->finding.time;
    });
    std::string out;
    for (const char* kind : {"error", "warning", "notice"}) {
        std::vector<const Kept*> of_kind;
        for (const Kept* k : order) {
            if (std::string_view(kind_of(k->finding.severity)) == kind) of_kind.push_back(k);
        }
        // A kind with more places than GitHub shows: the last one it shows
        // says how many findings were left out.
        const std::size_t shown = of_kind.size() <= kPerKind ? of_kind.size() : kPerKind - 1;
        for (std::size_t i = 0; i < shown; ++i) out += annotation(*of_kind[i], kind);
        if (shown < of_kind.size()) {
            std::uint64_t rest = 0;
            for (std::size_t i = shown; i < of_kind.size(); ++i) rest += of_kind[i]->count;
            out += fmt::format(
                "::{} title={}::{}\n", kind, github_escape_property("sctrace: more findings"),
                github_escape_data(fmt::format(
                    "{} more finding(s) at this level were not annotated (GitHub shows {} per "
                    "step): see the job summary or the SARIF report",
                    rest, kPerKind)));
        }
    }
    if (dropped_ > 0) {
        out += fmt::format(
            "::notice title={}::{}\n", github_escape_property("sctrace: more places"),
            github_escape_data(fmt::format("{} finding(s) at more than {} places were only counted",
                                           dropped_, kMaxKept)));
    }
    return out;
}

std::string GithubWriter::markdown(const RunSummary& run) const {
    const std::uint64_t total = tally_.total();
    std::map<rules::Severity, std::uint64_t> by_severity;
    for (const FindingsTally::Rule& t : tally_.rules()) by_severity[t.severity] += t.count;
    std::string out = "### sctrace: ";
    if (total == 0) {
        out += "no findings";
    } else {
        out += fmt::format("{} finding{}", total, total == 1 ? "" : "s");
        std::string parts;
        for (auto it = by_severity.rbegin(); it != by_severity.rend(); ++it) {
            parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", it->second,
                                 rules::severity_name(it->first));
        }
        out += " (" + parts + ")";
    }
    out += "\n\n`" + markdown_inline(escaped(run_target(run))) + "`";
    if (run.exit_status > 128 && !run.command.empty()) {
        out += fmt::format(" was killed by signal {}.\n\n", run.exit_status - 128);
    } else if (run.exit_status >= 0) {
        out += fmt::format(" exited with status {}.\n\n", run.exit_status);
    } else {
        out += "\n\n";
    }
    if (total == 0) return out;

    // Rules by severity, then count.
    const std::vector<const FindingsTally::Rule*> rows = tally_.by_severity();
    out += "| rule | severity | count | first seen | where | processes |\n";
    out += "| --- | --- | ---: | --- | --- | --- |\n";
    for (const FindingsTally::Rule* t : rows) {
        const std::string& place = firsts_.at(t->id).place;
        out += fmt::format(
            "| `{}` | {} | {} | {} | {} | {} |\n", markdown_inline(t->id),
            rules::severity_name(t->severity), t->count, t->timed ? when(t->first) : "-",
            place.empty() ? "-" : "`" + markdown_inline(place) + "`", pid_list(*t, ", "));
    }
    out += "\n";
    for (const FindingsTally::Rule* t : rows) {
        const std::string& id = t->id;
        const rules::Finding& f = kept_[firsts_.at(id).kept_index].finding;
        std::string body = escaped(f.message) + "\n" + process_text(f) + "\n";
        for (const std::string& line : evidence_lines(f)) body += "  " + escaped(line) + "\n";
        for (const ThreadStack& s : f.stacks) {
            body += fmt::format("stack of thread {}:\n", s.tid);
            for (std::size_t i = 0; i < s.frames.size() && i < kFramesShown; ++i) {
                body += "  " + escaped(format_frame(s.frames[i])) + "\n";
            }
        }
        if (!f.doc.empty()) body += "see " + f.doc + "\n";
        std::string entry = fmt::format(
            "<details><summary><b>{}</b> ({}): {}</summary>\n\n```text\n{}```\n</details>\n\n",
            markdown_inline(id), rules::severity_name(f.severity),
            markdown_inline(escaped(f.message)), markdown_code(body));
        if (out.size() + entry.size() > kMaxMarkdown) {
            out +=
                "(the other rules' first findings are left out: the summary has a size limit; "
                "the SARIF and JUnit reports have them all)\n";
            break;
        }
        out += entry;
    }
    return out;
}

}  // namespace sctrace
