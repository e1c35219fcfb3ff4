#include "report/junit_writer.h"

#include <ctime>
#include <map>

#include <fmt/format.h>

#include "base/text_escape.h"
#include "report/event_writer.h"
#include "report/findings_writer.h"

namespace sctrace {

namespace {

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
        // Valid UTF-8, less U+FFFE and U+FFFF, which XML 1.0 cannot carry.
        std::size_t n = u < 0x20 || u == 0x7f ? 0 : utf8_sequence_length(text, i);
        if (n == 3 && u == 0xef && static_cast<unsigned char>(text[i + 1]) == 0xbf &&
            static_cast<unsigned char>(text[i + 2]) >= 0xbe) {
            n = 0;
        }
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

std::string JunitWriter::render(const std::vector<rules::RuleInfo>& rule_set,
                                const RunSummary& run) const {
    struct Case {
        std::string name;
        std::vector<const rules::Finding*> failing;
        std::vector<const rules::Finding*> passing;
    };
    std::vector<Case> cases;
    std::map<std::string, std::size_t, std::less<>> index;
    for (const rules::RuleInfo& rule : rule_set) {
        if (!rule.enabled) continue;
        index.emplace(rule.id, cases.size());
        cases.push_back({rule.id, {}, {}});
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

    // --repeat: the command failed when every run did; when some passed it
    // is flaky, which Surefire writes as a test that passed with
    // <flakyFailure>s, one per failing run.
    std::vector<RunSummary::Attempt> failed_runs;
    for (const RunSummary::Attempt& a : run.attempts) {
        if (a.exit_status != 0) failed_runs.push_back(a);
    }
    const bool flaky = !failed_runs.empty() && failed_runs.size() < run.attempts.size();
    const bool command_failed = !run.command.empty() && !flaky &&
                                (run.attempts.empty() ? run.exit_status > 0 : !failed_runs.empty());
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
            std::string message = escaped(c.failing.front()->message);
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
    if (!run.attempts.empty()) {
        out += ">\n";
        const auto attempt_text = [&](const RunSummary::Attempt& a) {
            return fmt::format("run {} of {}: {}", a.run, run.attempts.size(),
                               status_text(a.exit_status));
        };
        for (std::size_t i = 0; i < failed_runs.size(); ++i) {
            const std::string text = attempt_text(failed_runs[i]);
            const std::string body = run_target(run) + "\n" + text + "\n";
            if (flaky) {
                out += fmt::format(
                    "      <flakyFailure message=\"{}\" type=\"exit-status\"><stackTrace>{}"
                    "</stackTrace></flakyFailure>\n",
                    xml_escape(text, true), xml_escape(body, false));
            } else if (i == 0) {
                out +=
                    fmt::format("      <failure message=\"{}\" type=\"exit-status\">{}</failure>\n",
                                xml_escape(text, true), xml_escape(body, false));
            } else {
                out += fmt::format(
                    "      <rerunFailure message=\"{}\" type=\"exit-status\"><stackTrace>{}"
                    "</stackTrace></rerunFailure>\n",
                    xml_escape(text, true), xml_escape(body, false));
            }
        }
        std::string verdict;
        if (failed_runs.empty()) {
            verdict = fmt::format("passed all {} runs", run.attempts.size());
        } else {
            std::string list;
            for (const auto& a : failed_runs)
                list += (list.empty() ? "" : ", ") + std::to_string(a.run);
            verdict = fmt::format("{}failed {} of {} runs (run{} {})", flaky ? "flaky: " : "",
                                  failed_runs.size(), run.attempts.size(),
                                  failed_runs.size() == 1 ? "" : "s", list);
        }
        std::string text = verdict + "\n";
        if (!run.differences.empty()) text += "\n" + run.differences;
        out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(text, false));
        out += "    </testcase>\n";
    } else if (command_failed) {
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
