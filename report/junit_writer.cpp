#include "report/junit_writer.h"

#include <ctime>
#include <map>

#include <fmt/format.h>

namespace sctrace {

namespace {

// The length of the valid UTF-8 sequence at text[i] (1 for ASCII), or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t n;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
    }
    // Overlong forms, surrogates, code points past U+10FFFF.
    if (n == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;
    if (n == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;
    if (n == 4 && c == 0xf0 && byte(i + 1) < 0x90) return 0;
    if (n == 4 && c == 0xf4 && byte(i + 1) >= 0x90) return 0;
    // U+FFFE and U+FFFF are not XML characters.
    if (n == 3 && c == 0xef && byte(i + 1) == 0xbf && byte(i + 2) >= 0xbe) return 0;
    return n;
}

// "2026-11-23T17:07:31": the JUnit schema's timestamp has no zone; like Ant,
// local time.
std::string local_timestamp(Nanos time) {
    const std::time_t seconds = static_cast<std::time_t>(time / 1'000'000'000);
    std::tm tm{};
    localtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string seconds(Nanos duration) {
    if (duration < 0) duration = 0;
    return fmt::format("{}.{:03}", duration / 1'000'000'000,
                       (duration % 1'000'000'000) / 1'000'000);
}

std::string clock_time(Nanos time) {
    const std::time_t s = static_cast<std::time_t>(time / 1'000'000'000);
    std::tm tm{};
    localtime_r(&s, &tm);
    return fmt::format("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                       (time % 1'000'000'000) / 1000);
}

void append_frame(std::string& out, std::size_t n, const StackFrame& f) {
    out += fmt::format("      #{:<2} {:#018x} ", n, f.pc);
    out += f.function.empty() ? "??" : fmt::format("{}+{:#x}", f.function, f.function_offset);
    if (!f.module.empty()) out += fmt::format(" ({}+{:#x})", f.module, f.module_offset);
    if (!f.file.empty())
        out += f.line > 0 ? fmt::format(" at {}:{}", f.file, f.line) : " at " + f.file;
    if (f.inlined) out += " [inlined]";
    out += '\n';
}

// Status 128+N is death by signal N (run's convention).
std::string status_text(int status) {
    if (status > 128 && status < 128 + 65) {
        return fmt::format("exited with status {} (killed by signal {})", status, status - 128);
    }
    return fmt::format("exited with status {}", status);
}

}  // namespace

std::string xml_escape(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '&':
                out += "&amp;";
                ++i;
                continue;
            case '<':
                out += "&lt;";
                ++i;
                continue;
            case '>':
                out += "&gt;";
                ++i;
                continue;
            case '"':
                out += attribute ? "&quot;" : "\"";
                ++i;
                continue;
            case '\'':
                out += attribute ? "&apos;" : "'";
                ++i;
                continue;
            case '\t':
                out += attribute ? "&#9;" : "\t";
                ++i;
                continue;
            case '\n':
                out += attribute ? "&#10;" : "\n";
                ++i;
                continue;
            case '\r':
                out += "&#13;";
                ++i;
                continue;  // a bare CR would become LF
            default:
                break;
        }
        const std::size_t n = u < 0x20 || u == 0x7f ? 0 : utf8_length(text, i);
        if (n == 0) {
            out += fmt::format("\\x{:02x}", u);
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string finding_text(const rules::Finding& f) {
    std::string out = fmt::format(
        "{} [{}] pid {}{} tid {} at {}\n  {}\n", rules::severity_name(f.severity), f.rule, f.pid,
        f.exe.empty() ? "" : " (" + f.exe + ")", f.tid, clock_time(f.time), f.message);
    if (!f.desc.empty()) out += "  why: " + f.desc + "\n";
    if (!f.evidence.empty()) {
        out += "  evidence:\n";
        for (const auto& e : f.evidence) out += "    " + e + "\n";
    }
    for (const ThreadStack& s : f.stacks) {
        out += fmt::format("  stack of thread {}{}\n", s.tid, s.note.empty() ? "" : ": " + s.note);
        for (std::size_t i = 0; i < s.frames.size(); ++i) append_frame(out, i, s.frames[i]);
    }
    if (!f.doc.empty()) out += "  see " + f.doc + "\n";
    return out;
}

std::string JunitWriter::render(const rules::RuleSet& rule_set, const RunSummary& run) const {
    struct Case {
        std::string name;
        std::vector<const rules::Finding*> failing;
        std::vector<const rules::Finding*> passing;
    };
    std::vector<Case> cases;
    std::map<std::string, std::size_t, std::less<>> index;
    for (const auto& rule : rule_set.rules()) {
        if (!rule->enabled) continue;
        index.emplace(rule->id, cases.size());
        cases.push_back({rule->id, {}, {}});
    }
    for (const rules::Finding& f : findings_) {
        auto it = index.find(f.rule);
        if (it == index.end()) {
            it = index.emplace(f.rule, cases.size()).first;
            cases.push_back({f.rule, {}, {}});
        }
        Case& c = cases[it->second];
        (f.severity >= threshold_ ? c.failing : c.passing).push_back(&f);
    }

    const bool command_failed = !run.command.empty() && run.exit_status > 0;
    std::size_t failures = command_failed ? 1 : 0;
    for (const Case& c : cases) failures += c.failing.empty() ? 0 : 1;
    const std::size_t tests = cases.size() + 1;
    const std::string time = seconds(run.duration);

    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        "<testsuites name=\"sctrace\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
        tests, failures, time);
    out += fmt::format(
        "  <testsuite name=\"sctrace\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" "
        "time=\"{}\" timestamp=\"{}\">\n",
        tests, failures, time, local_timestamp(run.start_time));
    out += "    <properties>\n";
    out += fmt::format("      <property name=\"target\" value=\"{}\"/>\n",
                       xml_escape(run_target(run), true));
    out += fmt::format("      <property name=\"fail-on\" value=\"{}\"/>\n",
                       rules::severity_name(threshold_));
    out += "    </properties>\n";

    for (const Case& c : cases) {
        out += fmt::format("    <testcase classname=\"sctrace.rules\" name=\"{}\" time=\"0\"",
                           xml_escape(c.name, true));
        if (c.failing.empty() && c.passing.empty()) {
            out += "/>\n";
            continue;
        }
        out += ">\n";
        if (!c.failing.empty()) {
            rules::Severity worst = c.failing.front()->severity;
            std::string body;
            for (const rules::Finding* f : c.failing) {
                if (f->severity > worst) worst = f->severity;
                body += finding_text(*f);
            }
            std::string message = c.failing.front()->message;
            if (c.failing.size() > 1) {
                message += fmt::format(" (and {} more)", c.failing.size() - 1);
            }
            out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                               xml_escape(message, true), rules::severity_name(worst),
                               xml_escape(body, false));
        }
        if (!c.passing.empty()) {
            std::string body =
                fmt::format("below --fail-on {}:\n", rules::severity_name(threshold_));
            for (const rules::Finding* f : c.passing) body += finding_text(*f);
            out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(body, false));
        }
        out += "    </testcase>\n";
    }

    // The traced command (or what was analyzed), so a red command shows up
    // next to the patterns that explain it.
    const std::string kind = !run.command.empty()    ? "command"
                             : !run.attached.empty() ? "attach"
                                                     : "analyze";
    const std::string target = kind == "analyze" ? shell_join(run.inputs) : run_target(run);
    out += fmt::format("    <testcase classname=\"sctrace.{}\" name=\"{}\" time=\"{}\"", kind,
                       xml_escape(kind + ": " + target, true), time);
    if (command_failed) {
        out += fmt::format(
            ">\n      <failure message=\"{}\" type=\"exit-status\">{}</failure>\n",
            xml_escape(status_text(run.exit_status), true),
            xml_escape(run_target(run) + "\n" + status_text(run.exit_status) + "\n", false));
        out += "    </testcase>\n";
    } else {
        out += "/>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    return out;
}

}  // namespace sctrace
