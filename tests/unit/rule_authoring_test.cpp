// Writing rules as a Falco user would: each habit that carries over works
// (priority:, exceptions:, override:, append:, skip-if-unknown-filter:,
// warn_evttypes:), and each mistake that used to pass silently is an error
// or a warning at file:line:col with its exact message and a hint.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/rules/rule_set.h"
#include "tests/unit/condition_matches.h"

namespace sctrace::rules {
namespace {

// A base file shaped like the bundled pack: a list, a macro and a rule a
// user's file builds on.
const char* const kPack = R"(- list: write_calls
  items: [write, writev, sendto]
- macro: at_exit
  condition: evt.dir = <
- rule: closes
  desc: every close
  condition: evt.type = close and at_exit
  output: close of fd %fd.num
  severity: warning
)";

// The one error of loading `user` after kPack; fails the test if there is
// not exactly one.
RuleError only_error(const std::string& user) {
    RuleSet set;
    set.add_text("pack.yaml", kPack);
    set.add_text("user.yaml", user);
    set.compile();
    EXPECT_EQ(set.errors().size(), 1u) << set.format_errors();
    return set.errors().empty() ? RuleError{} : set.errors().front();
}

std::string where(const RuleError& e) {
    return e.where.file + ":" + std::to_string(e.where.line) + ":" + std::to_string(e.where.column);
}

const std::vector<std::string> kCloses = {
    "100 socket(AF_UNIX, SOCK_STREAM, 0) = 5",
    "100 socket(AF_UNIX, SOCK_STREAM, 0) = 6",
    "100 socket(AF_UNIX, SOCK_STREAM, 0) = 7",
    "100 close(5) = 0",
    "100 close(6) = 0",
    "100 close(7) = 0",
};

TEST(RuleAuthoring, AMisspeltSyscallIsAnErrorWithTheCallItMeant) {
    const RuleError e = only_error("- rule: r\n  condition: evt.type = conect and at_exit\n");
    EXPECT_EQ(where(e), "user.yaml:2:25");
    EXPECT_EQ(e.message, "rule 'r': 'conect' is no syscall or event kind");
    EXPECT_EQ(e.hint, "did you mean 'connect'?");
}

TEST(RuleAuthoring, AMisspeltListInsideInIsAnErrorWithTheListItMeant) {
    const RuleError e = only_error("- rule: r\n  condition: evt.type in (wrte_calls)\n");
    EXPECT_EQ(where(e), "user.yaml:2:27");
    EXPECT_EQ(e.message, "rule 'r': 'wrte_calls' is no syscall or event kind (nor a list)");
    EXPECT_EQ(e.hint, "did you mean 'write_calls'?");
}

TEST(RuleAuthoring, AListItemThatIsNoSyscallIsAnErrorWhereTheListIsUsedForEvtType) {
    const RuleError e = only_error(
        "- list: my_calls\n  items: [read, wrte]\n"
        "- rule: r\n  condition: evt.type in (my_calls)\n");
    EXPECT_EQ(where(e), "user.yaml:4:27");
    EXPECT_EQ(e.message,
              "rule 'r': list 'my_calls' has 'wrte', which is no syscall or event kind, so "
              "evt.type cannot match it");
    EXPECT_EQ(e.hint, "did you mean 'write'?");
}

TEST(RuleAuthoring, EventKindsAndI386CallsAreEventTypes) {
    RuleSet set;
    set.load_text("k.yaml",
                  "- rule: r\n  condition: evt.type in (signal, exit, thread_sample, "
                  "socketcall, _llseek)\n");
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
}

TEST(RuleAuthoring, UnknownKeysSayTheKeyTheyMeant) {
    const RuleError e =
        only_error("- rule: r\n  condition: evt.type = close\n  severty: warning\n");
    EXPECT_EQ(where(e), "user.yaml:3:3");
    EXPECT_EQ(e.message, "unknown key 'severty' in a rule");
    EXPECT_EQ(e.hint, "did you mean 'severity'?");
}

TEST(RuleAuthoring, PriorityTakesFalcosLevelsInAnyCase) {
    RuleSet set;
    set.load_text("p.yaml", R"(
- rule: emergency
  condition: evt.type = close
  priority: EMERGENCY
- rule: alert
  condition: evt.type = close
  priority: Alert
- rule: error
  condition: evt.type = close
  priority: ERROR
- rule: warning
  condition: evt.type = close
  priority: WARNING
- rule: notice
  condition: evt.type = close
  priority: NOTICE
- rule: informational
  condition: evt.type = close
  priority: informational
- rule: debug
  condition: evt.type = close
  priority: DEBUG
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(set.find("emergency")->severity, Severity::Critical);
    EXPECT_EQ(set.find("alert")->severity, Severity::Critical);
    EXPECT_EQ(set.find("error")->severity, Severity::Error);
    EXPECT_EQ(set.find("warning")->severity, Severity::Warning);
    EXPECT_EQ(set.find("notice")->severity, Severity::Info);
    EXPECT_EQ(set.find("informational")->severity, Severity::Info);
    EXPECT_EQ(set.find("debug")->severity, Severity::Info);
}

TEST(RuleAuthoring, PriorityMistakesAreErrors) {
    RuleError e = only_error("- rule: r\n  condition: evt.type = close\n  priority: WARN1NG\n");
    EXPECT_EQ(where(e), "user.yaml:3:13");
    EXPECT_EQ(e.message, "unknown priority 'WARN1NG'");
    EXPECT_EQ(e.hint, "did you mean 'warning'?");
    e = only_error(
        "- rule: r\n  condition: evt.type = close\n  priority: ERROR\n  severity: error\n");
    EXPECT_EQ(e.message, "a rule has severity: or priority:, not both");
    e = only_error("- rule: r\n  condition: evt.type = close\n  severity: NOTICE\n");
    EXPECT_EQ(e.message, "unknown severity 'NOTICE'");
    EXPECT_EQ(e.hint,
              "severity: is info, warning, error or critical; Falco's 'NOTICE' is "
              "priority: NOTICE");
}

TEST(RuleAuthoring, ABadTrueOrFalseNamesItsKeyAndValue) {
    const RuleError e = only_error("- rule: r\n  condition: evt.type = close\n  enabled: maybe\n");
    EXPECT_EQ(where(e), "user.yaml:3:12");
    EXPECT_EQ(e.message, "enabled: is true or false, not 'maybe'");
}

TEST(RuleAuthoring, ARuleNamingNoEvtTypeWarnsThatItStopsEverySyscall) {
    RuleSet set;
    set.load_text("w.yaml",
                  "- rule: everything\n  condition: proc.pid = 1\n"
                  "- rule: quiet\n  condition: proc.pid = 2\n  warn_evttypes: false\n");
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    ASSERT_EQ(set.warnings().size(), 1u) << set.format_warnings();
    EXPECT_EQ(where(set.warnings()[0]), "w.yaml:2:14");
    EXPECT_EQ(set.warnings()[0].message,
              "rule 'everything' names no evt.type: it is judged at every event, and a run "
              "stops the traced program at every syscall");
    EXPECT_NE(set.format_warnings().find("w.yaml:2:14: warning: rule 'everything'"),
              std::string::npos)
        << set.format_warnings();
    EXPECT_NE(set.find("everything"), nullptr) << "a warning does not drop the rule";
    set.load_text("later.yaml", "- rule: later\n  condition: evt.type = close\n");
    EXPECT_EQ(set.warnings().size(), 1u) << "compiling again warns once\n" << set.format_warnings();
}

TEST(RuleAuthoring, EvtTypesThatExcludeEachOtherAreAnError) {
    const RuleError e =
        only_error("- rule: r\n  condition: evt.type = close and evt.type = write\n");
    EXPECT_EQ(e.message, "rule 'r' can match no event: its evt.type tests exclude each other");
}

TEST(RuleAuthoring, CaretsPointAtAnUnclosedParenthesisNotTheConditionsStart) {
    RuleError e = only_error("- rule: r\n  condition: evt.type = close and (fd.num = 1\n");
    EXPECT_EQ(where(e), "user.yaml:2:35");
    EXPECT_EQ(e.message, "rule 'r': this '(' is never closed");
    e = only_error("- rule: r\n  condition: evt.type = close and fd.num in (1, 2\n");
    EXPECT_EQ(where(e), "user.yaml:2:45");
    // A condition that stops short is blamed just past its last word.
    e = only_error("- rule: r\n  condition: evt.type = close and fd.num =\n");
    EXPECT_EQ(where(e), "user.yaml:2:43");
    EXPECT_EQ(e.message, "rule 'r': expected a value for fd.num");
}

// Falco's exceptions: tuples, comps, and the single-field form.
TEST(RuleAuthoring, ExceptionsKeepTheRuleFromFiringOnTheirValues) {
    RuleSet set;
    set.add_text("pack.yaml", kPack);
    set.add_text("user.yaml", R"(
- rule: closes-but-known
  condition: evt.type = close and at_exit
  exceptions:
    - name: known_fds
      fields: [proc.pid, fd.num]
      comps: [=, in]
      values:
        - [100, [5, 6]]
    - name: other_pid
      fields: proc.pid
      values: [200, 300]
- rule: closes-but-text
  condition: evt.type = close
  exceptions:
    - name: unix
      fields: [fd.family, fd.num]
      comps: [=, ">"]
      values: [[AF_UNIX, 5]]
)");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(matches(set.find("closes-but-known")->condition, kCloses), 1)
        << "fd 7 only: " << set.find("closes-but-known")->compiled_text();
    EXPECT_EQ(matches(set.find("closes-but-text")->condition, kCloses), 1)
        << "fd 5 only: " << set.find("closes-but-text")->compiled_text();
}

TEST(RuleAuthoring, ALaterFileAddsExceptionValuesByName) {
    RuleSet set;
    set.add_text("pack.yaml", std::string(kPack) + R"(  exceptions:
    - name: known_fds
      fields: [fd.num]
      values: [[5]]
)");
    set.add_text("user.yaml", R"(
- rule: closes
  exceptions:
    - name: known_fds
      values: [[6]]
  append: true
- rule: closes
  exceptions:
    - name: more
      fields: fd.num
      values: [7]
  override:
    exceptions: append
)");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(matches(set.find("closes")->condition, kCloses), 0)
        << set.find("closes")->compiled_text();
    EXPECT_EQ(set.find("closes")->changed_at.size(), 2u);
}

TEST(RuleAuthoring, ExceptionMistakesAreErrorsAtTheException) {
    RuleError e = only_error(R"(- rule: r
  condition: evt.type = close
  exceptions:
    - name: x
      fields: [proc.nme]
      values: [[a]]
)");
    EXPECT_EQ(where(e), "user.yaml:5:16");
    EXPECT_EQ(e.message, "exception 'x': unknown field 'proc.nme'");
    EXPECT_EQ(e.hint, "did you mean 'proc.name'?");
    e = only_error(R"(- rule: r
  condition: evt.type = close
  exceptions:
    - name: x
      fields: [proc.name, fd.num]
      values: [[a]]
)");
    EXPECT_EQ(e.message, "exception 'x': each value is a list of 2 (one per field)");
    e = only_error(R"(- rule: r
  condition: evt.type = close
  exceptions:
    - name: x
      fields: [proc.name]
      comps: [intersects]
      values: [[a]]
)");
    EXPECT_EQ(e.message, "exception 'x': 'intersects' is no comparison sctrace has");
    e = only_error(R"(- rule: r
  condition: evt.type = close
  exceptions:
    - name: x
      fields: [fd.num]
      values: [[five]]
)");
    EXPECT_EQ(where(e), "user.yaml:4:7");
    EXPECT_EQ(e.message, "rule 'r', exception 'x': fd.num is a number; 'five' is not");
}

// Falco's override: each key says append or replace, and every key given
// must be named in it.
TEST(RuleAuthoring, OverrideAppendsOrReplacesTheKeysItNames) {
    RuleSet set;
    set.add_text("pack.yaml", kPack);
    set.add_text("user.yaml", R"(
- rule: closes
  condition: and fd.num != 5
  output: (a user's note)
  priority: NOTICE
  override:
    condition: append
    output: append
    priority: replace
- macro: at_exit
  condition: and fd.num != 6
  override:
    condition: append
)");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    const Rule& r = *set.find("closes");
    EXPECT_EQ(r.condition_text, "evt.type = close and at_exit and fd.num != 5");
    EXPECT_EQ(r.output_text, "close of fd %fd.num (a user's note)");
    EXPECT_EQ(r.severity, Severity::Info);
    EXPECT_EQ(matches(r.condition, kCloses), 1) << "fd 7 only";

    RuleSet replaced;
    replaced.add_text("pack.yaml", kPack);
    replaced.add_text("user.yaml",
                      "- rule: closes\n  condition: evt.type = write\n  enabled: false\n"
                      "  override:\n    condition: replace\n    enabled: replace\n");
    replaced.compile();
    ASSERT_TRUE(replaced.errors().empty()) << replaced.format_errors();
    EXPECT_EQ(replaced.find("closes")->condition_text, "evt.type = write");
    EXPECT_FALSE(replaced.find("closes")->enabled);
}

TEST(RuleAuthoring, OverrideMistakesAreErrors) {
    RuleError e = only_error(
        "- rule: closes\n  condition: and fd.num = 1\n  output: x\n"
        "  override:\n    condition: append\n");
    EXPECT_EQ(where(e), "user.yaml:3:3");
    EXPECT_EQ(e.message, "'output:' is not named in override:, so it would be dropped");
    e = only_error("- rule: closes\n  override:\n    condition: append\n");
    EXPECT_EQ(e.message, "override: names 'condition', and the item has no condition:");
    e = only_error("- rule: closes\n  enabled: false\n  override:\n    enabled: append\n");
    EXPECT_EQ(e.message, "override: cannot append 'enabled', only replace it");
    e = only_error(
        "- rule: closse\n  condition: and fd.num = 1\n  override:\n    condition: append\n");
    EXPECT_EQ(where(e), "user.yaml:1:9");
    EXPECT_EQ(e.message,
              "rule 'closse' is changed here (override:), and no file loaded before this one "
              "defines it");
    EXPECT_EQ(e.hint, "did you mean 'closes'?");
    e = only_error("- list: wrte_calls\n  items: [pwrite64]\n  append: true\n");
    EXPECT_EQ(e.message,
              "list 'wrte_calls' is changed here (append: true), and no file loaded before this "
              "one defines it");
    EXPECT_EQ(e.hint, "did you mean 'write_calls'?");
}

// A later file's item that changes a rule with keys other than enabled:
// and no override: would lose them silently.
TEST(RuleAuthoring, ChangingARuleWithoutOverrideIsAnErrorNotADroppedKey) {
    const RuleError e = only_error("- rule: closes\n  severity: info\n");
    EXPECT_EQ(where(e), "user.yaml:2:3");
    EXPECT_EQ(e.message,
              "rule 'closes' (defined at pack.yaml:7) is changed here without override:, and "
              "'severity:' would be dropped");
    EXPECT_EQ(e.hint, "add override: {severity: replace}");
    const RuleError typo = only_error("- rule: clses\n  enabled: false\n");
    EXPECT_EQ(typo.message, "rule 'clses' has no condition, and no file loaded before defines it");
    EXPECT_EQ(typo.hint, "did you mean 'closes'?");
}

// An append that breaks the rule is the appending file's mistake.
TEST(RuleAuthoring, ABrokenAppendIsBlamedOnTheFileThatAppended) {
    RuleError e = only_error("- rule: closes\n  append: true\n  condition: fd.nmu = 3\n");
    EXPECT_EQ(where(e), "user.yaml:3:14");
    EXPECT_EQ(e.message,
              "rule 'closes' (appended to the rule of pack.yaml:7): unknown field or macro "
              "'fd.nmu'");
    EXPECT_EQ(e.hint, "did you mean 'fd.num'?");
    e = only_error(
        "- rule: closes\n  condition: and (fd.num = 3\n  override:\n    condition: append\n");
    EXPECT_EQ(where(e), "user.yaml:2:18");
    EXPECT_EQ(e.message,
              "rule 'closes' (appended to the rule of pack.yaml:7): this '(' is never "
              "closed");
}

TEST(RuleAuthoring, SkipIfUnknownFilterSkipsTheRuleWithAWarning) {
    RuleSet set;
    set.load_text("s.yaml",
                  "- rule: newer\n  condition: evt.type = open and container.id != host\n"
                  "  skip-if-unknown-filter: true\n"
                  "- rule: kept\n  condition: evt.type = close\n");
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(set.find("newer"), nullptr);
    EXPECT_NE(set.find("kept"), nullptr);
    ASSERT_EQ(set.warnings().size(), 1u);
    EXPECT_EQ(set.warnings()[0].message,
              "rule 'newer' is skipped (skip-if-unknown-filter): unknown field or macro "
              "'container.id'");
}

TEST(RuleAuthoring, FalcosVersionItemsAndSyscallSourceLoad) {
    RuleSet set;
    set.load_text("f.yaml",
                  "- required_engine_version: 0.26.0\n"
                  "- rule: r\n  condition: evt.type = close\n  source: syscall\n");
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    const RuleError e =
        only_error("- rule: r\n  condition: evt.type = close\n  source: k8s_audit\n");
    EXPECT_EQ(e.message, "source: 'k8s_audit' is not one sctrace reads");
}

// Falco's text comparisons beyond sctrace's first ones.
TEST(RuleAuthoring, IcontainsGlobAndPmatchCompareAsInFalco) {
    const std::vector<std::string> opens = {
        "100 openat(AT_FDCWD, \"/usr/bin/LS\", O_RDONLY) = 3",
        "100 openat(AT_FDCWD, \"/usr/binary\", O_RDONLY) = 4",
        "100 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 5",
    };
    RuleSet set;
    set.load_text("o.yaml", R"(
- rule: icontains
  condition: evt.type = openat and evt.path icontains /bin/ls
- rule: glob
  condition: evt.type = openat and evt.path glob "/usr/bin*"
- rule: pmatch
  condition: evt.type = openat and evt.path pmatch (/usr/bin, /etc/)
- rule: excepted
  condition: evt.type = openat
  exceptions:
    - name: system
      fields: [evt.path]
      comps: [pmatch]
      values: [[[/usr/bin, /etc]]]
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(matches(set.find("icontains")->condition, opens), 1);
    EXPECT_EQ(matches(set.find("glob")->condition, opens), 2);
    EXPECT_EQ(matches(set.find("pmatch")->condition, opens), 2) << "not /usr/binary";
    EXPECT_EQ(matches(set.find("excepted")->condition, opens), 1)
        << set.find("excepted")->compiled_text();
}

// A finding's message is the output:, else the desc:; a rule with
// neither still names the call rather than an empty line.
TEST(RuleAuthoring, ARuleWithoutOutputSaysItsDescElseTheCall) {
    RuleSet set;
    set.add_text("user.yaml",
                 "- rule: bare\n  condition: evt.type = connect\n"
                 "- rule: described\n  desc: a connect\n  condition: evt.type = connect\n");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(set.find("bare")->output_text, "%evt.type matched");
    EXPECT_EQ(set.find("described")->output_text, "a connect");
}

}  // namespace
}  // namespace sctrace::rules
