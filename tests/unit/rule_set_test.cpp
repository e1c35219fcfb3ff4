// Rule files: loading, overrides, needs, and errors that point at the text.
#include "engine/rules/rule_set.h"

#include <gtest/gtest.h>

#include <tuple>

namespace sctrace::rules {
namespace {

TEST(RuleSet, LoadsRulesMacrosListsFromAnyFileOrder) {
    RuleSet set;
    set.add_text("a.yaml", R"(
- rule: r1
  desc: uses things defined later
  condition: evt.type in (net_calls) and at_exit
  output: "%evt.type on fd %fd.num"
  severity: error
  tags: [network]
)");
    set.add_text("b.yaml", R"(
- list: net_calls
  items: [connect, accept]
- macro: at_exit
  condition: evt.dir = <
)");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    const Rule* r = set.find("r1");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->severity, Severity::Error);
    EXPECT_EQ(r->tags, std::vector<std::string>{"network"});
    const auto needs = set.needs();
    EXPECT_FALSE(needs.all_syscalls);
    EXPECT_EQ(needs.syscalls, (std::set<std::string>{"accept", "connect"}));
}

// A rule about ring operations is judged on their twins (a ring READ's
// completion is a read), so it is indexed under the twins' calls; but it
// stops no read(2): the ring's own calls bring those events.
TEST(RuleSet, ARuleOnlyAboutRingOperationsStopsNoSyscallOfItsOwn) {
    RuleSet set;
    set.load_text("ring.yaml", R"(
- rule: ring-eagain
  condition: evt.via_ring = true and evt.errno = EAGAIN
- rule: ring-read
  condition: evt.type = read and evt.via_ring = true
- rule: any-read
  condition: evt.type = write or (evt.type = read and evt.via_ring = true)
)");
    set.compile();
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_TRUE(set.warnings().empty()) << "a ring rule names its calls through the twin table\n"
                                        << set.format_warnings();
    const auto types = set.find("ring-eagain")->event_types();
    ASSERT_TRUE(types.has_value());
    EXPECT_TRUE(types->count("read") && types->count("close") && types->count("sendto"));
    EXPECT_EQ(types->count("connect"), 0u) << "a ring CONNECT is shown to the state only";
    EXPECT_EQ(set.find("ring-read")->event_types(), (std::set<std::string>{"read"}));
    const auto needs = set.needs();
    EXPECT_FALSE(needs.all_syscalls);
    // Only the rule that also matches a write(2) stops anything.
    EXPECT_EQ(needs.syscalls, (std::set<std::string>{"read", "write"}));
}

TEST(RuleSet, ALaterFileDisablesAppendsOrReplaces) {
    RuleSet set;
    set.load_text("base.yaml", R"(
- rule: one
  condition: evt.type = close
- rule: two
  condition: evt.type = close
- rule: three
  condition: evt.type = close
)");
    set.load_text("local.yaml", R"(
- rule: one
  enabled: false
- rule: two
  append: true
  condition: evt.failed = true
- rule: three
  condition: evt.type = connect
  severity: critical
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_FALSE(set.find("one")->enabled);
    EXPECT_EQ(set.find("two")->condition_text, "(evt.type = close) and (evt.failed = true)");
    EXPECT_EQ(set.find("three")->severity, Severity::Critical);
    EXPECT_EQ(set.find("three")->condition_text, "evt.type = connect");
}

TEST(RuleSet, APlantedErrorIsReportedAtItsLineAndColumnWithACaret) {
    RuleSet set;
    set.load_text("planted.yaml",
                  "- rule: fine\n"
                  "  condition: evt.type = close\n"
                  "- rule: broken\n"
                  "  desc: a typo in a field name\n"
                  "  condition: evt.type = connect and fd.nonblock = true\n");
    ASSERT_EQ(set.errors().size(), 1u) << set.format_errors();
    const RuleError& e = set.errors()[0];
    EXPECT_EQ(e.where.file, "planted.yaml");
    EXPECT_EQ(e.where.line, 5);
    EXPECT_EQ(e.where.column, 37);
    EXPECT_EQ(e.hint, "did you mean 'fd.nonblocking'?");
    const std::string text = set.format_errors();
    EXPECT_NE(text.find("planted.yaml:5:37: error: rule 'broken': unknown field or macro "
                        "'fd.nonblock'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\n  " + std::string(36, ' ') + "^ did you mean"), std::string::npos)
        << text;
    // The broken rule is left out; the fine one loads.
    EXPECT_NE(set.find("fine"), nullptr);
    EXPECT_EQ(set.find("broken"), nullptr);
}

// A condition over several lines, in each YAML style: the error points at
// the token on its own line, not at the `>-` nor at an earlier look-alike
// (fd.nonblocking on the first line contains the misspelt fd.nonblock).
TEST(RuleSet, AnErrorInAMultiLineConditionIsReportedAtItsOwnLineAndColumn) {
    const std::string second = "fd.num > 2 and fd.nonblock = true";
    for (const std::string style : {">-", ">", "|", "|-", ""}) {
        SCOPED_TRACE("style '" + style + "'");
        const std::string first = "evt.type = close and fd.nonblocking = true and";
        const std::string text =
            "- rule: fine\n"
            "  condition: evt.type = close\n"
            "- rule: folded\n" +
            (style.empty() ? "  condition: " + first + "\n"
                           : "  condition: " + style + "\n    " + first + "\n") +
            "      " + second + "\n" + "  severity: error\n";
        RuleSet set;
        set.load_text("folded.yaml", text);
        ASSERT_EQ(set.errors().size(), 1u) << set.format_errors();
        const RuleError& e = set.errors()[0];
        const int line = style.empty() ? 5 : 6;
        const int column = 7 + static_cast<int>(second.find("fd.nonblock"));
        EXPECT_EQ(e.where.line, line);
        EXPECT_EQ(e.where.column, column);
        EXPECT_EQ(e.text, "      " + second);
        const std::string shown = set.format_errors();
        const std::string where = "folded.yaml:" + std::to_string(line) + ":" +
                                  std::to_string(column) + ": error: rule 'folded': unknown field";
        EXPECT_NE(shown.find(where), std::string::npos) << shown;
        // The caret sits under the token in the quoted line.
        EXPECT_NE(shown.find("\n        " + second + "\n  " +
                             std::string(static_cast<std::size_t>(column - 1), ' ') +
                             "^ did you mean 'fd.nonblocking'?"),
                  std::string::npos)
            << shown;
    }
}

TEST(RuleSet, YamlAndShapeErrorsHavePositionsToo) {
    RuleSet bad_yaml;
    bad_yaml.load_text("y.yaml", "- rule: x\n  condition: [unclosed\n");
    ASSERT_EQ(bad_yaml.errors().size(), 1u);
    EXPECT_EQ(bad_yaml.errors()[0].where.file, "y.yaml");
    EXPECT_GE(bad_yaml.errors()[0].where.line, 2);
    EXPECT_NE(bad_yaml.errors()[0].message.find("not valid YAML"), std::string::npos);

    RuleSet shape;
    shape.load_text("s.yaml",
                    "- rule: x\n"
                    "  condition: evt.type = close\n"
                    "  severity: urgent\n"
                    "- rule: y\n"
                    "  output: \"%fd.nom\"\n"
                    "  condition: evt.type = close\n"
                    "- macro: m\n"
                    "  condition: evt.type ==\n"
                    "- something: else\n");
    ASSERT_EQ(shape.errors().size(), 4u) << shape.format_errors();
    EXPECT_EQ(shape.errors()[0].where.line, 3);
    EXPECT_NE(shape.errors()[0].message.find("unknown severity 'urgent'"), std::string::npos);
    EXPECT_EQ(shape.errors()[1].where.line, 5);
    EXPECT_NE(shape.errors()[1].message.find("unknown field '%fd.nom'"), std::string::npos);
    EXPECT_EQ(shape.errors()[2].where.line, 8);
    EXPECT_EQ(shape.errors()[3].where.line, 9);
}

// A SIGSEGV page-table miss (SEGV_MAPERR: a fault, which has an address) at `addr`.
SignalEvent segv_at(std::uint64_t addr) {
    SignalEvent sig;
    sig.signo = 11;
    sig.code = 1;
    sig.addr = addr;
    return sig;
}

TEST(RuleSet, OutputTemplatesFillFields) {
    RuleSet set;
    set.load_text("o.yaml",
                  "- rule: x\n  condition: evt.type = signal\n"
                  "  output: \"%signal.name at %signal.addr in %proc.pid.\"\n");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    StateTracker state;
    SignalEvent sig = segv_at(0xbbadbeef);
    const Event event{EventKind::Signal, 1, 42, 42, sig};
    EvalContext ctx{event, state};
    EXPECT_EQ(render_output(set.find("x")->output, ctx), "SIGSEGV at 0xbbadbeef in 42.");
    // A kill() (SI_USER) has a sender, not a fault address.
    sig.code = 0;
    const Event kill_event{EventKind::Signal, 1, 42, 42, sig};
    EvalContext kill_ctx{kill_event, state};
    EXPECT_EQ(render_output(set.find("x")->output, kill_ctx), "SIGSEGV at <NA> in 42.");
}

// What a fault address means is rule data: a list names the addresses, and a
// field without the list knows only the NULL page.
TEST(RuleSet, APoisonAddressListExplainsAFaultAddress) {
    RuleSet set;
    set.load_text("o.yaml",
                  "- list: poison\n  items: [\"0xbbadbeef WebKit's WTFCrash poison address\", "
                  "\"0xfeed not a thing\", \"nonsense\"]\n"
                  "- rule: named\n  condition: evt.type = signal\n"
                  "  output: \"%signal.origin[poison]|%signal.poison[poison]\"\n"
                  "- rule: plain\n  condition: evt.type = signal\n"
                  "  output: \"%signal.origin|%signal.poison\"\n"
                  "- rule: cond\n  condition: evt.type = signal and signal.poison[poison] != \"\"\n"
                  "  output: x\n");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    StateTracker state;
    const Event event{EventKind::Signal, 1, 42, 42, segv_at(0xbbadbeef)};
    EvalContext ctx{event, state};
    const std::string note = "(WebKit's WTFCrash poison address 0xbbadbeef)";
    EXPECT_EQ(render_output(set.find("named")->output, ctx),
              "si_code=SEGV_MAPERR si_addr=0xbbadbeef " + note + "|" + note);
    // An empty field renders as "?", as every output does.
    EXPECT_EQ(render_output(set.find("plain")->output, ctx),
              "si_code=SEGV_MAPERR si_addr=0xbbadbeef|?");
    EXPECT_TRUE(set.find("cond")->condition.matches(ctx));
    // A list of addresses is not a list of calls to trace.
    EXPECT_EQ(set.needs().syscalls.count("nonsense"), 0u);
    const Event null_event{EventKind::Signal, 1, 42, 42, segv_at(8)};
    EvalContext null_ctx{null_event, state};
    EXPECT_EQ(render_output(set.find("plain")->output, null_ctx),
              "si_code=SEGV_MAPERR si_addr=0x8 (a NULL pointer dereference: address below 4096)|"
              "(a NULL pointer dereference: address below 4096)");
}

}  // namespace
}  // namespace sctrace::rules

namespace sctrace::rules {
namespace {

// What each rule needs a log to vouch for, from its kind, window, keys and
// the fields its conditions read (analyze leaves out what a log cannot show).
TEST(RuleSet, DemandsComeFromKindWindowKeysAndFields) {
    RuleSet set;
    set.load_text("d.yaml", R"(
- rule: one-thread
  desc: d
  condition: evt.type = signal and signal.name = SIGSEGV and proc.name = x
  output: o
  severity: error
- rule: fd-state
  desc: d
  condition: evt.type = write and fd.state = connecting
  output: o
  severity: warning
- rule: overlap
  desc: d
  condition: evt.type = write and fd.concurrent_writers > 0
  output: o
  severity: warning
- list: waits
  items: [read, accept]
- rule: blocked-on-file
  desc: d
  condition: evt.type = close and evt.dir = > and fd.others_in[waits] > 0
  output: o
  severity: error
- rule: burst
  desc: d
  count:
    by: [thread.tid]
    condition: evt.type = fsync
    threshold: 10
    within: 1s
  output: o
  severity: warning
- rule: per-process-sequence
  desc: d
  sequence:
    by: [proc.pid]
    steps:
      - evt.type = connect
      - evt.type = write
  output: o
  severity: warning
- rule: timed-absence
  desc: d
  absence:
    by: [thread.tid]
    after: evt.type = connect
    missing: evt.type = poll
    until: 5s
  output: o
  severity: warning
- rule: watch
  desc: d
  condition: evt.type = thread_sample and proc.all_threads_in = futex
  for: hang_after
  by: [proc.pid]
  output: o
  severity: error
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    const auto demands = [&](const char* id) {
        const Rule* r = set.find(id);
        EXPECT_NE(r, nullptr) << id;
        const RuleDemands d = demands_of(*r);
        return std::make_tuple(d.times, d.thread_order, d.overlap);
    };
    EXPECT_EQ(demands("one-thread"), std::make_tuple(false, false, false));
    EXPECT_EQ(demands("fd-state"), std::make_tuple(false, true, false));
    EXPECT_EQ(demands("overlap"), std::make_tuple(false, true, true));
    EXPECT_EQ(demands("blocked-on-file"), std::make_tuple(false, true, true));
    EXPECT_EQ(demands("burst"), std::make_tuple(true, false, false));
    EXPECT_EQ(demands("per-process-sequence"), std::make_tuple(false, true, false));
    EXPECT_EQ(demands("timed-absence"), std::make_tuple(true, false, false));
    EXPECT_EQ(demands("watch"), std::make_tuple(false, false, false));
}

}  // namespace
}  // namespace sctrace::rules
