// --sarif: the document GitHub code scanning and SARIF viewers import. No
// schema validator is assumed; the parts importers rely on are checked
// directly (required keys, levels, rules/ruleIndex coherence, locations).
#include "report/sarif_writer.h"
#include "engine/rules/rule_set.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include "evidence_test_util.h"

namespace sctrace {
namespace {

// A frame as an unwinder with debug information finds it.
StackFrame frame(std::uint64_t pc, std::string module, std::uint64_t module_offset,
                 std::string function, std::uint64_t function_offset, std::string file, int line) {
    StackFrame f;
    f.pc = pc;
    f.module = std::move(module);
    f.module_offset = module_offset;
    f.function = std::move(function);
    f.function_offset = function_offset;
    f.file = std::move(file);
    f.line = line;
    return f;
}

using nlohmann::json;

constexpr const char* kRules = R"(
- rule: double-close
  desc: >-
    close(fd) failed with EBADF after a successful close of that fd. If another
    thread opened something in between, the second close closed that.
  condition: evt.type = close
  output: "fd closed twice"
  severity: error
  tags: [descriptors, threads]
  references: [https://man7.org/linux/man-pages/man2/close.2.html]
- rule: note-only
  desc: Something worth knowing
  condition: evt.type = close
  severity: info
- rule: wedged
  desc: A thread cannot be killed. It is stuck in the kernel.
  condition: evt.type = close
  severity: critical
- rule: racy
  desc: Two writers at once.
  condition: evt.type = close
  severity: warning
  enabled: false
)";

rules::RuleSet load_rules() {
    rules::RuleSet set;
    set.load_text("test.yaml", kRules);
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    return set;
}

rules::Finding finding(std::string rule, rules::Severity severity) {
    rules::Finding f;
    f.rule = std::move(rule);
    f.severity = severity;
    f.pid = 4711;
    f.tid = 4712;
    f.time = 1'700'000'000'123'456'789;
    f.message = "fd 8 was closed twice";
    f.desc = "close(fd) failed with EBADF.";
    f.exe = "/usr/bin/flaky";
    f.evidence = {event_evidence("tid 4712 close(8) = 0"),
                  evidence_item(rules::EvidenceItem::Kind::Earlier, 4712, 8, "close = 0")};
    f.evidence.back().repeated = 1;
    f.doc = "docs/rules/" + f.rule + ".md";
    return f;
}

json render(const SarifWriter& writer, const rules::RuleSet& set) {
    RunSummary run;
    run.command = {"ctest", "-R", "flaky"};
    run.exit_status = 1;
    run.start_time = 1'700'000'000'000'000'000;
    run.duration = 2'500'000'000;
    const std::string text = writer.render(set.infos(), run);
    json doc = json::parse(text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << text;
    return doc;
}

TEST(SarifWriter, DocumentHasTheRequiredShapeAndListsEveryRule) {
    const auto set = load_rules();
    SarifWriter writer("1.2.3", "/src/project");
    const json doc = render(writer, set);

    EXPECT_EQ(doc.at("version"), "2.1.0");
    EXPECT_TRUE(doc.at("$schema").get<std::string>().starts_with("https://"));
    ASSERT_EQ(doc.at("runs").size(), 1u);
    const json& run = doc["runs"][0];
    const json& driver = run.at("tool").at("driver");
    EXPECT_EQ(driver.at("name"), "sctrace");
    EXPECT_EQ(driver.at("version"), "1.2.3");
    // No findings: results present and empty, rules still listed (a
    // dashboard shows what was checked).
    EXPECT_TRUE(run.at("results").is_array());
    EXPECT_TRUE(run.at("results").empty());

    const json& rules = driver.at("rules");
    ASSERT_EQ(rules.size(), set.rules().size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const json& r = rules[i];
        EXPECT_EQ(r.at("id"), set.rules()[i]->id);
        EXPECT_FALSE(r.at("name").get<std::string>().empty());
        EXPECT_FALSE(r.at("shortDescription").at("text").get<std::string>().empty());
        EXPECT_FALSE(r.at("fullDescription").at("text").get<std::string>().empty());
        EXPECT_FALSE(r.at("help").at("text").get<std::string>().empty());
        EXPECT_TRUE(r.at("properties").at("tags").is_array());
    }
    EXPECT_EQ(rules[0]["defaultConfiguration"]["level"], "error");
    EXPECT_EQ(rules[1]["defaultConfiguration"]["level"], "note");
    EXPECT_EQ(rules[2]["defaultConfiguration"]["level"], "error");
    EXPECT_EQ(rules[3]["defaultConfiguration"]["level"], "warning");
    EXPECT_EQ(rules[3]["defaultConfiguration"]["enabled"], false);
    EXPECT_EQ(rules[0]["shortDescription"]["text"],
              "close(fd) failed with EBADF after a successful close of that fd.");
    EXPECT_EQ(rules[0]["properties"]["tags"], (json{"descriptors", "threads"}));
    EXPECT_NE(rules[0]["help"]["text"].get<std::string>().find("docs/rules/double-close.md"),
              std::string::npos);

    const json& invocation = run.at("invocations").at(0);
    EXPECT_EQ(invocation.at("executionSuccessful"), true);
    EXPECT_EQ(invocation.at("commandLine"), "ctest -R flaky");
    EXPECT_EQ(invocation.at("properties").at("commandExitStatus"), 1);
    EXPECT_TRUE(invocation.at("startTimeUtc").get<std::string>().ends_with("Z"));
}

TEST(SarifWriter, ResultsPointAtTheirRuleWithTheRightLevel) {
    const auto set = load_rules();
    SarifWriter writer("1.2.3", "/src/project");
    writer.on_finding(finding("wedged", rules::Severity::Critical));
    writer.on_finding(finding("note-only", rules::Severity::Info));
    writer.on_finding(finding("double-close", rules::Severity::Error));
    const json doc = render(writer, set);
    const json& run = doc["runs"][0];
    const json& rules = run["tool"]["driver"]["rules"];
    const json& results = run.at("results");
    ASSERT_EQ(results.size(), 3u);
    const std::vector<std::string> levels = {"error", "note", "error"};
    for (std::size_t i = 0; i < results.size(); ++i) {
        const json& r = results[i];
        const std::size_t index = r.at("ruleIndex").get<std::size_t>();
        ASSERT_LT(index, rules.size());
        EXPECT_EQ(rules[index]["id"], r.at("ruleId"));
        EXPECT_EQ(r.at("level"), levels[i]);
        const std::string text = r.at("message").at("text");
        EXPECT_NE(text.find("fd 8 was closed twice"), std::string::npos);
        EXPECT_NE(text.find("close(fd) failed with EBADF."), std::string::npos);
        const json& props = r.at("properties");
        EXPECT_EQ(props.at("pid"), 4711);
        EXPECT_EQ(props.at("tid"), 4712);
        EXPECT_EQ(props.at("time"), 1'700'000'000'123'456'789);
        // The evidence in words, and as data.
        ASSERT_EQ(props.at("evidence").size(), 3u);
        EXPECT_EQ(props.at("evidence")[1], "fd 8 earlier: tid 4712 close = 0");
        EXPECT_EQ(props.at("evidence")[2], "… and 1 more like it");
        ASSERT_EQ(props.at("evidence_items").size(), 2u);
        const json& earlier = props.at("evidence_items")[1];
        EXPECT_EQ(earlier.at("kind"), "earlier");
        EXPECT_EQ(earlier.at("fd"), 8);
        EXPECT_EQ(earlier.at("tid"), 4712);
        EXPECT_EQ(earlier.at("text"), "close = 0");
        EXPECT_EQ(earlier.at("repeated"), 1);
    }
    EXPECT_EQ(results[0]["properties"]["severity"], "critical");
}

TEST(SarifWriter, ProcessIsALogicalLocationAndTheExecutableThePhysicalOneWithoutStacks) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    writer.on_finding(finding("double-close", rules::Severity::Error));
    const json doc = render(writer, set);
    const json& location = doc["runs"][0]["results"][0].at("locations").at(0);
    const json& logical = location.at("logicalLocations").at(0);
    EXPECT_EQ(logical.at("name"), "flaky");
    const std::string qualified = logical.at("fullyQualifiedName");
    EXPECT_NE(qualified.find("/usr/bin/flaky"), std::string::npos);
    EXPECT_NE(qualified.find("4711"), std::string::npos);
    EXPECT_NE(qualified.find("4712"), std::string::npos);
    // Code scanning rejects a result with no physical location.
    EXPECT_EQ(location.at("physicalLocation").at("artifactLocation").at("uri"),
              "file:///usr/bin/flaky");
    EXPECT_FALSE(doc["runs"][0]["results"][0].contains("stacks"));
}

TEST(SarifWriter, FirstSourceFrameOfTheFindingsThreadIsThePhysicalLocation) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    rules::Finding f = finding("double-close", rules::Severity::Error);
    ThreadStack other{
        4713, "", {frame(0x10, "/lib/libc.so.6", 0x10, "read", 4, "/src/project/other.c", 9)}};
    ThreadStack own;
    own.tid = 4712;
    own.frames.push_back(frame(0x7f00, "/lib/libc.so.6", 0x1e53e, "__close", 0x14,
                               "../sysdeps/unix/sysv/linux/close.c", 27));
    own.frames.push_back(
        frame(0x4010, "/usr/bin/flaky", 0x10, "teardown", 0x22, "/src/project/src/net io.c", 42));
    own.frames.push_back(
        frame(0x4020, "/usr/bin/flaky", 0x20, "main", 0x5, "/src/project/main.c", 7));
    f.stacks = {other, own};
    writer.on_finding(f);
    const json doc = render(writer, set);
    const json& run = doc["runs"][0];
    const json& result = run["results"][0];
    const json& physical = result["locations"][0].at("physicalLocation");
    // The innermost frame in the project (not libc's, whose file is
    // relative to glibc's build), relative to the source root,
    // percent-encoded, against %SRCROOT%.
    EXPECT_EQ(physical.at("artifactLocation").at("uri"), "src/net%20io.c");
    EXPECT_EQ(physical.at("artifactLocation").at("uriBaseId"), "%SRCROOT%");
    EXPECT_EQ(physical.at("region").at("startLine"), 42);
    EXPECT_EQ(run.at("originalUriBaseIds").at("%SRCROOT%").at("uri"), "file:///src/project/");

    const json& stacks = result.at("stacks");
    ASSERT_EQ(stacks.size(), 2u);
    const json& frames = stacks[1].at("frames");
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].at("module"), "/lib/libc.so.6");
    EXPECT_EQ(frames[0].at("threadId"), 4712);
    EXPECT_EQ(frames[0]["location"]["logicalLocations"][0]["name"], "__close");
    EXPECT_EQ(frames[0]["location"]["physicalLocation"]["region"]["startLine"], 27);
    EXPECT_EQ(frames[1]["location"]["physicalLocation"]["region"]["startLine"], 42);
    EXPECT_NE(stacks[1]["message"]["text"].get<std::string>().find("4712"), std::string::npos);
}

TEST(SarifWriter, FindingOfAnUnlistedRuleGetsADescriptorSoRuleIndexStaysValid) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    writer.on_finding(finding("from-elsewhere", rules::Severity::Warning));
    const json doc = render(writer, set);
    const json& rules = doc["runs"][0]["tool"]["driver"]["rules"];
    const json& result = doc["runs"][0]["results"][0];
    ASSERT_EQ(rules.size(), set.rules().size() + 1);
    EXPECT_EQ(rules[result["ruleIndex"].get<std::size_t>()]["id"], "from-elsewhere");
}

TEST(SarifWriter, HostileTextStillParses) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    rules::Finding f = finding("double-close", rules::Severity::Error);
    f.message = std::string("path \"</a>&b'\x01\x1f\t\n") + "\xff\xc3(" + " end";
    f.exe = std::string("/tmp/\xfe weird\"exe");
    f.evidence = {event_evidence(std::string("open(\"\x80\x81\") = 3"))};
    writer.on_finding(f);
    const json doc = render(writer, set);
    ASSERT_TRUE(doc.is_object());
    const json& result = doc["runs"][0]["results"][0];
    // What a CI page shows is escaped as on stderr: no control byte, no
    // line of the tracee's, and bytes that are not UTF-8 as octal rather
    // than lost to U+FFFD.
    const std::string text = result["message"]["text"];
    EXPECT_NE(text.find("path \"</a>&b'\\1\\37\\t\\n\\377\\303( end"), std::string::npos) << text;
    EXPECT_EQ(text.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_EQ(result["properties"]["exe"], "/tmp/\\376 weird\"exe");
    EXPECT_EQ(result["properties"]["evidence"][0], "open(\"\\200\\201\") = 3");
    EXPECT_EQ(result["properties"]["evidence_items"][0]["text"], "open(\"\\200\\201\") = 3");
    EXPECT_EQ(result["locations"][0]["logicalLocations"][0]["name"], "\\376 weird\"exe");
}

TEST(SarifWriter, TheToolAndEveryRuleSayWhereToLearnMore) {
    rules::RuleSet set;
    set.load_text("/pack/rules/descriptors.yaml", kRules);
    set.load_text("/home/me/my-rules.yaml", R"(
- rule: mine
  desc: My own pattern.
  condition: evt.type = close
  severity: warning
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    SarifWriter writer(
        "1", "/src/project",
        {"https://example.org/sctrace", "https://example.org/sctrace/rules", "/pack/rules", ""});
    const json doc = render(writer, set);
    const json& driver = doc["runs"][0]["tool"]["driver"];
    EXPECT_EQ(driver["informationUri"], "https://example.org/sctrace");
    for (const json& rule : driver["rules"]) {
        ASSERT_TRUE(rule.contains("helpUri")) << rule.dump(2);
        if (rule["id"] == "mine") {
            // A user's rule: its own file.
            EXPECT_EQ(rule["helpUri"], "file:///home/me/my-rules.yaml");
        } else {
            EXPECT_EQ(rule["helpUri"],
                      "https://example.org/sctrace/rules/" + rule["id"].get<std::string>() + ".md");
        }
    }
}

TEST(SarifWriter, KeepsWhatCodeScanningTakesTheMostSevereFirstAndSaysWhatWasLeftOut) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    const std::size_t n = kSarifMaxResults + 250;
    for (std::size_t i = 0; i < n; ++i) {
        // One error in every 40; the rest notes.
        rules::Finding f = finding(i % 40 == 7 ? "double-close" : "note-only",
                                   i % 40 == 7 ? rules::Severity::Error : rules::Severity::Info);
        f.time += static_cast<Nanos>(i);
        writer.on_finding(f);
    }
    const json doc = render(writer, set);
    const json& run = doc["runs"][0];
    ASSERT_EQ(run["results"].size(), kSarifMaxResults);
    std::size_t errors = 0;
    for (const json& r : run["results"]) errors += r["ruleId"] == "double-close";
    EXPECT_EQ(errors, (n + 32) / 40) << "every error kept";
    EXPECT_EQ(run["properties"]["resultsOmitted"], 250);
    EXPECT_NE(run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
                  .get<std::string>()
                  .find("250 finding(s) were left out"),
              std::string::npos);
}

TEST(SarifWriter, AFileOverTheSizeCodeScanningTakesLosesItsBulkFirst) {
    const auto set = load_rules();
    SarifWriter writer("1", "/src/project");
    // 1,000 findings, each with a deep stack: far over 10 MB with them.
    ThreadStack deep;
    deep.tid = 4712;
    for (int i = 0; i < 64; ++i) {
        StackFrame frame;
        frame.module = "/usr/bin/flaky";
        frame.function = std::string(200, 'f') + std::to_string(i);
        frame.file = "/src/project/deep.c";
        frame.line = i + 1;
        deep.frames.push_back(frame);
    }
    for (int i = 0; i < 1000; ++i) {
        rules::Finding f = finding("double-close", rules::Severity::Error);
        f.stacks = {deep};
        writer.on_finding(f);
    }
    RunSummary run;
    run.command = {"x"};
    const std::string text = writer.render(set.infos(), run);
    EXPECT_LE(text.size(), kSarifMaxBytes);
    const json doc = json::parse(text);
    const json& out = doc["runs"][0];
    EXPECT_EQ(out["results"].size(), 1000u) << "the results stay, without their stacks";
    EXPECT_FALSE(out["results"][0].contains("stacks"));
    EXPECT_EQ(out["properties"]["resultsSlimmed"], true);
    EXPECT_EQ(out["properties"]["resultsOmitted"], 0);
}

TEST(SarifWriter, FirstSentenceFoldsWhitespaceAndStopsAtTheFirstPeriodAndSpace) {
    EXPECT_EQ(first_sentence("One  line\n  folded. Second one."), "One line folded.");
    EXPECT_EQ(first_sentence("connect() returned 0x10.\n"), "connect() returned 0x10.");
    EXPECT_EQ(first_sentence("No period"), "No period");
}

}  // namespace
}  // namespace sctrace
