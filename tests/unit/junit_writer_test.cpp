// --junit: a report CI test reporters accept. The output is parsed back by a
// small strict XML reader (well-formedness: balanced tags, quoted attributes,
// known entities, only XML 1.0 characters), and by xmllint when installed.
#include "report/junit_writer.h"
#include "engine/rules/rule_set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "evidence_test_util.h"

namespace sctrace {
namespace {

struct Element {
    std::string name;
    std::map<std::string, std::string> attrs;
    std::string text;  // character data directly inside, entities decoded
    std::vector<Element> children;

    std::vector<const Element*> all(const std::string& child) const {
        std::vector<const Element*> out;
        for (const auto& c : children) {
            if (c.name == child) out.push_back(&c);
        }
        return out;
    }
    const Element* first(const std::string& child) const {
        const auto v = all(child);
        return v.empty() ? nullptr : v.front();
    }
};

// A strict reader for the subset the writer uses (declaration, elements,
// attributes in double quotes, character data, entity and character
// references). Any violation fails the parse with a reason.
class XmlReader {
public:
    explicit XmlReader(std::string_view text) : s_(text) {}

    std::optional<Element> parse(std::string* error) {
        if (!check_characters(error)) return std::nullopt;
        if (s_.starts_with("<?xml")) {
            const auto end = s_.find("?>");
            if (end == std::string_view::npos) return fail(error, "unterminated declaration");
            i_ = end + 2;
        }
        skip_space();
        auto root = element(error, 0);
        if (!root) return std::nullopt;
        skip_space();
        if (i_ != s_.size()) return fail(error, "content after the root element");
        return root;
    }

private:
    std::nullopt_t fail(std::string* error, const std::string& why) {
        *error = why + " at offset " + std::to_string(i_);
        return std::nullopt;
    }

    // XML 1.0 Char: no C0 controls but tab/LF/CR, valid UTF-8, no U+FFFE/F.
    bool check_characters(std::string* error) {
        for (std::size_t k = 0; k < s_.size();) {
            const auto c = static_cast<unsigned char>(s_[k]);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                *error = "control character " + std::to_string(c) + " at " + std::to_string(k);
                return false;
            }
            std::size_t n = c < 0x80                 ? 1
                            : c >= 0xc2 && c <= 0xdf ? 2
                            : c >= 0xe0 && c <= 0xef ? 3
                            : c >= 0xf0 && c <= 0xf4 ? 4
                                                     : 0;
            if (n == 0 || k + n > s_.size()) {
                *error = "invalid UTF-8 at " + std::to_string(k);
                return false;
            }
            for (std::size_t j = 1; j < n; ++j) {
                if ((static_cast<unsigned char>(s_[k + j]) & 0xc0) != 0x80) {
                    *error = "invalid UTF-8 at " + std::to_string(k);
                    return false;
                }
            }
            if (n == 3 && c == 0xef && static_cast<unsigned char>(s_[k + 1]) == 0xbf &&
                static_cast<unsigned char>(s_[k + 2]) >= 0xbe) {
                *error = "non-character at " + std::to_string(k);
                return false;
            }
            k += n;
        }
        return true;
    }

    void skip_space() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }

    std::string name() {
        const std::size_t start = i_;
        while (i_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                s_[i_] == '_' || s_[i_] == ':' || s_[i_] == '.')) {
            ++i_;
        }
        return std::string(s_.substr(start, i_ - start));
    }

    // Decodes up to `stop`; '<' and a bare '&' are errors.
    bool decode(char stop, std::string& out, std::string* error) {
        while (i_ < s_.size() && s_[i_] != stop) {
            const char c = s_[i_];
            if (c == '<' && stop == '"') return fail(error, "'<' in an attribute"), false;
            if (c == '&') {
                const auto semi = s_.find(';', i_);
                if (semi == std::string_view::npos) return fail(error, "bare '&'"), false;
                const std::string_view ent = s_.substr(i_ + 1, semi - i_ - 1);
                if (ent == "amp")
                    out += '&';
                else if (ent == "lt")
                    out += '<';
                else if (ent == "gt")
                    out += '>';
                else if (ent == "quot")
                    out += '"';
                else if (ent == "apos")
                    out += '\'';
                else if (ent.starts_with("#") && ent.size() > 1) {
                    const long v = std::strtol(std::string(ent.substr(1)).c_str(), nullptr, 10);
                    if (v != 9 && v != 10 && v != 13 && (v < 0x20 || v > 0x7e)) {
                        return fail(error, "reference to a character XML cannot hold"), false;
                    }
                    out += static_cast<char>(v);
                } else {
                    return fail(error, "unknown entity"), false;
                }
                i_ = semi + 1;
                continue;
            }
            out += c;
            ++i_;
        }
        return true;
    }

    std::optional<Element> element(std::string* error, int depth) {
        if (depth > 32) return fail(error, "too deep");
        if (i_ >= s_.size() || s_[i_] != '<') return fail(error, "expected '<'");
        ++i_;
        Element e;
        e.name = name();
        if (e.name.empty()) return fail(error, "empty element name");
        while (true) {
            skip_space();
            if (i_ >= s_.size()) return fail(error, "unterminated tag");
            if (s_.substr(i_, 2) == "/>") {
                i_ += 2;
                return e;
            }
            if (s_[i_] == '>') {
                ++i_;
                break;
            }
            const std::string attr = name();
            if (attr.empty() || i_ + 1 >= s_.size() || s_[i_] != '=' || s_[i_ + 1] != '"') {
                return fail(error, "malformed attribute");
            }
            i_ += 2;
            std::string value;
            if (!decode('"', value, error)) return std::nullopt;
            if (i_ >= s_.size()) return fail(error, "unterminated attribute");
            ++i_;
            if (!e.attrs.emplace(attr, value).second) return fail(error, "duplicate attribute");
        }
        while (true) {
            if (!decode('<', e.text, error)) return std::nullopt;
            if (i_ >= s_.size()) return fail(error, "unclosed <" + e.name + ">");
            if (s_.substr(i_, 2) == "</") {
                i_ += 2;
                if (name() != e.name) return fail(error, "mismatched end tag for " + e.name);
                skip_space();
                if (i_ >= s_.size() || s_[i_] != '>') return fail(error, "malformed end tag");
                ++i_;
                return e;
            }
            auto child = element(error, depth + 1);
            if (!child) return std::nullopt;
            e.children.push_back(std::move(*child));
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

Element parse_or_fail(const std::string& xml) {
    std::string error;
    auto root = XmlReader(xml).parse(&error);
    EXPECT_TRUE(root.has_value()) << error << "\n" << xml;
    // A second opinion when the system has one.
    if (::access("/usr/bin/xmllint", X_OK) == 0) {
        char path[] = "/tmp/junit_test_XXXXXX";
        const int fd = ::mkstemp(path);
        if (fd >= 0) {
            EXPECT_EQ(::write(fd, xml.data(), xml.size()), static_cast<ssize_t>(xml.size()));
            ::close(fd);
            const std::string cmd = std::string("/usr/bin/xmllint --noout ") + path;
            EXPECT_EQ(std::system(cmd.c_str()), 0) << xml;
            ::unlink(path);
        }
    }
    return root.value_or(Element{});
}

constexpr const char* kRules = R"(
- rule: double-close
  desc: fd closed twice.
  condition: evt.type = close
  severity: error
- rule: racy-writes
  desc: Two writers.
  condition: evt.type = close
  severity: warning
- rule: switched-off
  condition: evt.type = close
  enabled: false
- rule: quiet
  condition: evt.type = close
  severity: info
)";

rules::RuleSet load_rules() {
    rules::RuleSet set;
    set.load_text("test.yaml", kRules);
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    return set;
}

rules::Finding finding(std::string rule, rules::Severity severity, std::string message) {
    rules::Finding f;
    f.rule = std::move(rule);
    f.severity = severity;
    f.pid = 4711;
    f.tid = 4712;
    f.time = 1'700'000'000'000'000'000;
    f.message = std::move(message);
    f.desc = "why it matters";
    f.exe = "/usr/bin/flaky";
    f.evidence = {event_evidence("tid 4712 close(8) = -1 EBADF")};
    f.doc = "docs/rules/" + f.rule + ".md";
    return f;
}

RunSummary command_run(int status) {
    RunSummary run;
    run.command = {"ctest", "-R", "flaky"};
    run.exit_status = status;
    run.start_time = 1'700'000'000'000'000'000;
    run.duration = 1'250'000'000;
    return run;
}

const Element* testcase(const Element& suite, const std::string& name) {
    for (const Element* c : suite.all("testcase")) {
        if (c->attrs.at("name") == name) return c;
    }
    return nullptr;
}

TEST(JunitWriter, OneTestCasePerEnabledRulePlusTheCommand) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    const Element root = parse_or_fail(writer.render(set.infos(), command_run(0)));
    EXPECT_EQ(root.name, "testsuites");
    const Element* suite = root.first("testsuite");
    ASSERT_NE(suite, nullptr);
    EXPECT_EQ(suite->attrs.at("name"), "sctrace");
    EXPECT_EQ(suite->attrs.at("tests"), "4");  // three enabled rules + the command
    EXPECT_EQ(suite->attrs.at("failures"), "0");
    EXPECT_EQ(suite->attrs.at("errors"), "0");
    EXPECT_EQ(suite->attrs.at("time"), "1.250");
    EXPECT_EQ(suite->attrs.at("timestamp").size(), std::string("2023-11-14T22:13:20").size());
    EXPECT_NE(testcase(*suite, "double-close"), nullptr);
    EXPECT_EQ(testcase(*suite, "double-close")->attrs.at("classname"), "sctrace.rules");
    EXPECT_EQ(testcase(*suite, "switched-off"), nullptr);
    const Element* command = testcase(*suite, "command: ctest -R flaky");
    ASSERT_NE(command, nullptr);
    EXPECT_EQ(command->first("failure"), nullptr);
}

TEST(JunitWriter, FindingsAtOrAboveTheThresholdFailTheirRuleOthersGoToSystemOut) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    writer.on_finding(finding("double-close", rules::Severity::Error, "fd 8 was closed twice"));
    writer.on_finding(finding("double-close", rules::Severity::Error, "fd 9 was closed twice"));
    writer.on_finding(finding("racy-writes", rules::Severity::Warning, "two writers on fd 5"));
    const Element root = parse_or_fail(writer.render(set.infos(), command_run(0)));
    const Element& suite = *root.first("testsuite");
    EXPECT_EQ(suite.attrs.at("failures"), "1");
    EXPECT_EQ(root.attrs.at("failures"), "1");

    const Element* failed = testcase(suite, "double-close");
    ASSERT_NE(failed, nullptr);
    ASSERT_EQ(failed->all("failure").size(), 1u);
    const Element& failure = *failed->first("failure");
    EXPECT_EQ(failure.attrs.at("type"), "error");
    EXPECT_EQ(failure.attrs.at("message"), "fd 8 was closed twice (and 1 more)");
    // The body is the readable report of every failing finding.
    for (const char* part : {"fd 8 was closed twice", "fd 9 was closed twice", "why it matters",
                             "close(8) = -1 EBADF", "docs/rules/double-close.md", "pid 4711"}) {
        EXPECT_NE(failure.text.find(part), std::string::npos) << part;
    }

    const Element* below = testcase(suite, "racy-writes");
    ASSERT_NE(below, nullptr);
    EXPECT_EQ(below->first("failure"), nullptr);
    ASSERT_NE(below->first("system-out"), nullptr);
    EXPECT_NE(below->first("system-out")->text.find("two writers on fd 5"), std::string::npos);
}

TEST(JunitWriter, TheCommandFailsWithItsExitStatus) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    const Element root = parse_or_fail(writer.render(set.infos(), command_run(3)));
    const Element& suite = *root.first("testsuite");
    EXPECT_EQ(suite.attrs.at("failures"), "1");
    const Element* command = testcase(suite, "command: ctest -R flaky");
    ASSERT_NE(command, nullptr);
    ASSERT_NE(command->first("failure"), nullptr);
    EXPECT_EQ(command->first("failure")->attrs.at("message"), "exited with status 3");

    JunitWriter killed(rules::Severity::Error);
    const Element root2 = parse_or_fail(killed.render(set.infos(), command_run(128 + 9)));
    const Element* c2 = testcase(*root2.first("testsuite"), "command: ctest -R flaky");
    ASSERT_NE(c2, nullptr);
    EXPECT_NE(c2->first("failure")->attrs.at("message").find("signal 9"), std::string::npos);
}

TEST(JunitWriter, AFlakyCommandIsAPassingTestCaseWithAFlakyFailurePerFailingRunAsSurefireWrites) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    RunSummary run = command_run(1);  // the first failing run's
    run.attempts = {{1, 0}, {2, 1}, {3, 0}, {4, 128 + 6}};
    const Element root = parse_or_fail(writer.render(set.infos(), run));
    const Element& suite = *root.first("testsuite");
    EXPECT_EQ(suite.attrs.at("failures"), "0");
    const Element* command = testcase(suite, "command: ctest -R flaky");
    ASSERT_NE(command, nullptr);
    EXPECT_EQ(command->first("failure"), nullptr);
    const auto flaky = command->all("flakyFailure");
    ASSERT_EQ(flaky.size(), 2u);
    EXPECT_EQ(flaky[0]->attrs.at("message"), "run 2 of 4: exited with status 1");
    EXPECT_EQ(flaky[0]->attrs.at("type"), "exit-status");
    EXPECT_NE(flaky[0]->first("stackTrace"), nullptr);
    EXPECT_NE(flaky[1]->attrs.at("message").find(
                  "run 4 of 4: exited with status 134 (killed by signal 6)"),
              std::string::npos)
        << flaky[1]->attrs.at("message");
    ASSERT_NE(command->first("system-out"), nullptr);
    EXPECT_EQ(command->first("system-out")->text, "flaky: failed 2 of 4 runs (runs 2, 4)\n");
}

TEST(JunitWriter, ACommandThatFailedEveryRunFailsOnceWithARerunFailurePerOtherRun) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    RunSummary run = command_run(2);
    run.attempts = {{1, 2}, {2, 2}, {3, 3}};
    const Element root = parse_or_fail(writer.render(set.infos(), run));
    const Element& suite = *root.first("testsuite");
    EXPECT_EQ(suite.attrs.at("failures"), "1");
    const Element* command = testcase(suite, "command: ctest -R flaky");
    ASSERT_NE(command, nullptr);
    ASSERT_EQ(command->all("failure").size(), 1u);
    EXPECT_EQ(command->first("failure")->attrs.at("message"), "run 1 of 3: exited with status 2");
    const auto reruns = command->all("rerunFailure");
    ASSERT_EQ(reruns.size(), 2u);
    EXPECT_EQ(reruns[1]->attrs.at("message"), "run 3 of 3: exited with status 3");
    EXPECT_EQ(command->all("flakyFailure").size(), 0u);
}

TEST(JunitWriter, RunsThatAllPassedSaySo) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Error);
    RunSummary run = command_run(0);
    run.attempts = {{1, 0}, {2, 0}};
    const Element root = parse_or_fail(writer.render(set.infos(), run));
    const Element* command = testcase(*root.first("testsuite"), "command: ctest -R flaky");
    ASSERT_NE(command, nullptr);
    EXPECT_EQ(command->first("failure"), nullptr);
    EXPECT_EQ(command->first("system-out")->text, "passed all 2 runs\n");
}

TEST(JunitWriter, AnalyzeNamesItsInputsAndHasNoExitStatusToFail) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Warning);
    RunSummary run;
    run.inputs = {"logs/a.log", "b c.log"};
    const Element root = parse_or_fail(writer.render(set.infos(), run));
    const Element* c = testcase(*root.first("testsuite"), "analyze: logs/a.log 'b c.log'");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->first("failure"), nullptr);
}

TEST(JunitWriter, HostileTextIsEscapedAndStaysWellFormed) {
    const auto set = load_rules();
    JunitWriter writer(rules::Severity::Warning);
    const std::string hostile =
        std::string("a\"b'c<d>e&f]]>g\x01h\x1bi\x7fj") + "\xff\xc3(" + "\xef\xbf\xbe" + "\r\n\tend";
    rules::Finding f = finding("double-close", rules::Severity::Error, hostile);
    f.exe = "/tmp/</testcase>";
    f.evidence = {event_evidence(std::string("open(\"\x80\") = 3 &amp;"))};
    writer.on_finding(f);
    writer.on_finding(finding("rule\"<&>", rules::Severity::Critical, "odd rule id"));
    RunSummary run = command_run(1);
    run.command = {"sh", "-c", "echo \"<&>\" \x02"};
    const std::string xml = writer.render(set.infos(), run);
    const Element root = parse_or_fail(xml);
    const Element& suite = *root.first("testsuite");
    const Element* c = testcase(suite, "double-close");
    ASSERT_NE(c, nullptr);
    ASSERT_NE(c->first("failure"), nullptr);
    const std::string& message = c->first("failure")->attrs.at("message");
    // Markup characters come back as they were; controls and bytes that
    // are not UTF-8 are escaped as on stderr (a CI page shows them as
    // text); what is UTF-8 but not XML becomes visible \xNN text.
    EXPECT_EQ(message.substr(0, 17), "a\"b'c<d>e&f]]>g\\1");
    EXPECT_NE(message.find("\\1h\\33i\\177j\\377\\303(\\xef\\xbf\\xbe"), std::string::npos)
        << message;
    EXPECT_NE(message.find("\\r\\n\\tend"), std::string::npos);
    EXPECT_NE(c->first("failure")->text.find("/tmp/</testcase>"), std::string::npos);
    EXPECT_NE(c->first("failure")->text.find("open(\"\\200\") = 3 &amp;"), std::string::npos);
    EXPECT_NE(testcase(suite, "rule\"<&>"), nullptr);
    EXPECT_NE(testcase(suite, "command: sh -c 'echo \"<&>\" \\x02'"), nullptr);
}

TEST(JunitWriter, XmlEscapeKeepsValidUtf8) {
    EXPECT_EQ(xml_escape("h\xc3\xa9llo \xe2\x9c\x93", false), "h\xc3\xa9llo \xe2\x9c\x93");
    EXPECT_EQ(xml_escape("a\nb", true), "a&#10;b");
    EXPECT_EQ(xml_escape("a\nb", false), "a\nb");
    EXPECT_EQ(xml_escape("\xed\xa0\x80", false), "\\xed\\xa0\\x80");  // a surrogate
}

}  // namespace
}  // namespace sctrace
