// The rule language's time constructs (watch `for:`, sequence, absence,
// count), fed synthetic events through a RuleEngine: no tracer, no log.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "model/syscall_table.h"
#include "report/evidence_text.h"

namespace sctrace::rules {
namespace {

constexpr Nanos kSecond = 1'000'000'000;
constexpr Nanos kT0 = 1'700'000'000 * kSecond;

Event call(pid_t pid, pid_t tid, Nanos t, std::string_view name,
           std::initializer_list<std::uint64_t> args, std::int64_t ret = 0, int err = 0) {
    Event e;
    e.kind = EventKind::SyscallExit;
    e.time = kT0 + t;
    e.pid = pid;
    e.tid = tid;
    SyscallEvent c;
    c.name = name;
    c.nr = syscall_number(Arch::X86_64, name).value_or(-1);
    std::size_t i = 0;
    for (const auto a : args) c.args[i++] = a;
    c.ret = err ? -1 : ret;
    c.err = err;
    c.has_result = true;
    c.entry_time = e.time;
    e.data = c;
    return e;
}

Event sample(pid_t pid, pid_t tid, Nanos t, bool end_of_trace = false) {
    Event e;
    e.kind = EventKind::ThreadSample;
    e.time = kT0 + t;
    e.pid = pid;
    e.tid = tid;
    ThreadSampleEvent s;
    s.state = 'D';
    s.end_of_trace = end_of_trace;
    e.data = s;
    return e;
}

Event process_exit(pid_t pid, Nanos t) {
    Event e;
    e.kind = EventKind::Exit;
    e.time = kT0 + t;
    e.pid = pid;
    e.tid = pid;
    ExitEvent x;
    x.whole_process = true;
    e.data = x;
    return e;
}

struct Collect final : FindingSink {
    std::vector<Finding> findings;
    void on_finding(const Finding& f) override { findings.push_back(f); }
};

// A rule file, an engine over it and the findings it made.
struct Harness {
    RuleSet set;
    Collect sink;
    std::unique_ptr<RuleEngine> engine;

    explicit Harness(const std::string& yaml, EngineOptions options = {}) {
        set.load_text("t.yaml", yaml);
        EXPECT_TRUE(set.errors().empty()) << set.format_errors();
        engine = std::make_unique<RuleEngine>(
            set, std::vector<FindingSink*>{&sink},
            [](const Event& e) {
                return std::string(e.syscall() ? e.syscall()->name : event_kind_name(e.kind));
            },
            options);
    }
    Harness& operator<<(const Event& e) {
        engine->on_event(e);
        return *this;
    }
    const std::vector<Finding>& findings() const { return sink.findings; }
};

// --- watch --------------------------------------------------------------

// A read that keeps failing with EAGAIN stands for "the thread is stuck";
// a read that succeeds is the relevant event on which it stops holding.
const char* kWatch = R"(
- rule: stuck
  condition: evt.type = read and evt.failed = true
  for: 2s
  output: thread %thread.tid stuck for %evt.held_for
)";

TEST(TemporalRules, WatchFiresOnceTheConditionHeldForTheDuration) {
    Harness h(kWatch);
    h << call(1, 1, 0, "read", {3}, 0, EAGAIN) << call(1, 1, kSecond, "read", {3}, 0, EAGAIN);
    EXPECT_TRUE(h.findings().empty()) << "held 1 s of 2 s";
    h << call(1, 1, 2 * kSecond + kSecond / 2, "read", {3}, 0, EAGAIN);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].rule, "stuck");
    EXPECT_EQ(h.findings()[0].message, "thread 1 stuck for 2.5s");
}

TEST(TemporalRules, WatchIsResetByARelevantNonMatchingEventOfTheSameKey) {
    Harness h(kWatch);
    h << call(1, 1, 0, "read", {3}, 0, EAGAIN) << call(1, 1, kSecond, "read", {3}, 5)
      << call(1, 1, 2 * kSecond, "read", {3}, 0, EAGAIN)
      << call(1, 1, 3 * kSecond, "read", {3}, 0, EAGAIN);
    EXPECT_TRUE(h.findings().empty()) << "held again only since 2 s";
    // Another thread's success, or another call of this thread, is not
    // relevant to thread 1's key.
    h << call(1, 2, 3 * kSecond, "read", {3}, 5) << call(1, 1, 3 * kSecond, "write", {3}, 5)
      << call(1, 1, 4 * kSecond, "read", {3}, 0, EAGAIN);
    EXPECT_EQ(h.findings().size(), 1u);
}

TEST(TemporalRules, WatchUsesTheHangAfterSetting) {
    const char* yaml = R"(
- rule: hung
  condition: evt.type = thread_sample
  for: hang_after
)";
    EngineOptions options;
    options.hang_after = 10 * kSecond;
    Harness h(yaml, options);
    h << sample(1, 7, 0) << sample(1, 7, 9 * kSecond);
    EXPECT_TRUE(h.findings().empty());
    h << sample(1, 7, 10 * kSecond);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].tid, 7);

    Harness defaults(yaml);  // 30 s
    defaults << sample(1, 7, 0) << sample(1, 7, 29 * kSecond);
    EXPECT_TRUE(defaults.findings().empty());
}

TEST(TemporalRules, WatchFiresOnAnEndOfTraceSampleThatStillMatches) {
    Harness h(R"(
- rule: hung
  condition: evt.type = thread_sample
  for: 30s
  output: held %evt.held_for
)");
    h << sample(1, 7, 0) << sample(1, 7, kSecond, /*end_of_trace=*/true);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].message, "held 1.0s");
}

TEST(TemporalRules, AnEndOfTraceSampleAloneHeldSinceItsThreadEnteredItsCall) {
    Harness h(R"(
- rule: hung
  condition: evt.type = thread_sample
  for: 30s
  output: held %evt.held_for
)");
    Event entry = call(1, 7, 0, "futex", {0x1000, 0});
    entry.kind = EventKind::SyscallEntry;
    std::get<SyscallEvent>(entry.data).has_result = false;
    h << entry << sample(1, 7, 42 * kSecond, /*end_of_trace=*/true);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].message, "held 42.0s");
}

TEST(TemporalRules, WatchForgetsAProcessThatExited) {
    Harness h(kWatch);
    h << call(1, 1, 0, "read", {3}, 0, EAGAIN) << process_exit(1, kSecond)
      << call(1, 1, 3 * kSecond, "read", {3}, 0, EAGAIN);
    EXPECT_TRUE(h.findings().empty()) << "pid 1 was reused: its watch starts again";
}

// Records what the engine asks of the live source and answers with a note.
struct RecordingStackTaker final : StackTaker {
    std::vector<std::string> asked;  // "thread 1", "process 1"
    ThreadStack thread_stack(pid_t tid, std::size_t /*max_frames*/ = kStackFrames) override {
        asked.push_back("thread " + std::to_string(tid));
        return ThreadStack{tid, "taken", {}};
    }
    std::vector<ThreadStack> process_stacks(pid_t pid) override {
        asked.push_back("process " + std::to_string(pid));
        return {ThreadStack{pid, "taken", {}}, ThreadStack{pid + 1, "taken", {}}};
    }
};

TEST(TemporalRules, StacksAreAskedForAsTheRuleOrMinusKSays) {
    const char* yaml = R"(
- rule: proc-stacks
  condition: evt.type = kill
  stacks: process
- rule: no-stacks
  condition: evt.type = tkill
)";
    EngineOptions live;
    live.source_takes_stacks = true;
    {
        Harness h(yaml, live);
        RecordingStackTaker taker;
        h << call(1, 1, 0, "kill", {2, 9}) << call(1, 1, 0, "tkill", {2, 9});
        // Both wait for the safe point: the second keeps its place behind the first.
        EXPECT_TRUE(h.findings().empty());
        h.engine->at_safe_point(taker);
        ASSERT_EQ(h.findings().size(), 2u);
        EXPECT_EQ(h.findings()[0].rule, "proc-stacks");
        EXPECT_EQ(h.findings()[0].stacks.size(), 2u);
        EXPECT_TRUE(h.findings()[1].stacks.empty());
        EXPECT_EQ(taker.asked, std::vector<std::string>{"process 1"});
        // A finding that wants none goes out at once when nothing waits.
        h << call(2, 2, 0, "tkill", {3, 9});
        EXPECT_EQ(h.findings().size(), 3u);
    }
    {
        live.stack_every_finding = true;  // -k
        Harness h(yaml, live);
        RecordingStackTaker taker;
        h << call(1, 1, 0, "tkill", {2, 9});
        h.engine->at_safe_point(taker);
        EXPECT_EQ(taker.asked, std::vector<std::string>{"thread 1"});
        ASSERT_EQ(h.findings().size(), 1u);
        ASSERT_EQ(h.findings()[0].stacks.size(), 1u);
        EXPECT_EQ(h.findings()[0].stacks[0].note, "taken");
    }
    {
        // Post-mortem: no safe point ever comes; findings go out at once, bare.
        Harness h(yaml);
        h << call(1, 1, 0, "kill", {2, 9});
        ASSERT_EQ(h.findings().size(), 1u);
        EXPECT_TRUE(h.findings()[0].stacks.empty());
    }
    {
        // A live trace that ends with a finding waiting delivers it.
        Harness h(yaml, live);
        h << call(1, 1, 0, "kill", {2, 9});
        h.engine->on_end();
        EXPECT_EQ(h.findings().size(), 1u);
    }
}

// --- sequence -------------------------------------------------------------

const char* kSequence = R"(
- rule: write-before-wait
  sequence:
    by: [proc.pid, fd.num]
    maxspan: 1s
    steps:
      - evt.type = connect and evt.errno = EINPROGRESS
      - evt.type = write
    until: evt.type = getsockopt
  output: write on fd %fd.num before waiting
)";

TEST(TemporalRules, SequenceFiresWithEveryStepAsEvidence) {
    Harness h(kSequence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS) << call(1, 1, 0, "write", {4}, 1)
      << call(2, 2, 0, "write", {3}, 1);
    EXPECT_TRUE(h.findings().empty()) << "other fd, other process";
    h << call(1, 2, kSecond / 2, "write", {3}, 1);
    ASSERT_EQ(h.findings().size(), 1u);
    const Finding& f = h.findings()[0];
    EXPECT_EQ(f.message, "write on fd 3 before waiting");
    EXPECT_EQ(f.tid, 2);
    ASSERT_GE(f.evidence.size(), 2u);
    // The steps as data: which step, when, which thread, the event.
    EXPECT_EQ(f.evidence[0].kind, EvidenceItem::Kind::Step);
    EXPECT_EQ(f.evidence[0].label, "step 1");
    EXPECT_EQ(f.evidence[0].time, kT0);
    EXPECT_EQ(f.evidence[0].tid, 1);
    EXPECT_EQ(f.evidence[0].text, "connect");
    EXPECT_EQ(f.evidence[1].label, "step 2");
    EXPECT_EQ(f.evidence[1].time, kT0 + kSecond / 2);
    EXPECT_EQ(f.evidence[1].tid, 2);
    // And in words: times are the local clock face, as findings print theirs.
    const std::vector<std::string> lines = evidence_lines(f);
    EXPECT_EQ(lines[0], "step 1 at " + format_clock_time(kT0) + " tid 1: connect");
    EXPECT_EQ(lines[1], "step 2 at " + format_clock_time(kT0 + kSecond / 2) + " tid 2: write");
    EXPECT_NE(lines[1].find(".500000 tid 2"), std::string::npos) << lines[1];
}

TEST(TemporalRules, SequenceDoesNotFireOutsideMaxspan) {
    Harness h(kSequence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS) << call(1, 1, 2 * kSecond, "write", {3}, 1);
    EXPECT_TRUE(h.findings().empty());
}

TEST(TemporalRules, SequenceUntilCancelsAPartialMatch) {
    Harness h(kSequence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS) << call(1, 1, 10, "getsockopt", {3}, 0)
      << call(1, 1, 20, "write", {3}, 1);
    EXPECT_TRUE(h.findings().empty());
}

TEST(TemporalRules, ClosingTheFdEndsPartialMatchesKeyedOnIt) {
    Harness h(kSequence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS) << call(1, 1, 10, "close", {3})
      << call(1, 1, 20, "write", {3}, 1);
    EXPECT_TRUE(h.findings().empty()) << "fd 3 after the close is another file";
    h << call(1, 1, 30, "connect", {3}, 0, EINPROGRESS) << call(1, 1, 40, "close", {3}, 0, EBADF)
      << call(1, 1, 50, "write", {3}, 1);
    EXPECT_EQ(h.findings().size(), 1u) << "a failed close closed nothing";
}

TEST(TemporalRules, SequenceNeedsEveryStepsSyscalls) {
    RuleSet set;
    set.load_text("t.yaml", kSequence);
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    const auto needs = set.needs();
    EXPECT_FALSE(needs.all_syscalls);
    EXPECT_EQ(needs.syscalls, (std::set<std::string>{"connect", "getsockopt", "write"}));
}

// --- absence ----------------------------------------------------------------

const char* kAbsence = R"(
- rule: never-waited
  absence:
    by: [proc.pid, fd.num]
    after: evt.type = connect and evt.errno = EINPROGRESS
    missing: evt.type = getsockopt
  output: connect on fd %fd.num never waited for
)";

TEST(TemporalRules, AbsenceFiresWhenTheProcessExits) {
    Harness h(kAbsence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS)
      << call(1, 1, 10, "connect", {4}, 0, EINPROGRESS) << call(1, 1, 20, "getsockopt", {4}, 0);
    EXPECT_TRUE(h.findings().empty());
    h << process_exit(1, kSecond);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].message, "connect on fd 3 never waited for");
    EXPECT_EQ(h.findings()[0].time, kT0 + kSecond);
    const EvidenceItem& missing = h.findings()[0].evidence.back();
    EXPECT_EQ(missing.kind, EvidenceItem::Kind::Missing);
    EXPECT_EQ(missing.text, "evt.type = getsockopt");
    EXPECT_EQ(missing.label, "process exit");
    EXPECT_EQ(evidence_lines(h.findings()[0]).back(),
              "missing: evt.type = getsockopt, and none before the process exited");
}

TEST(TemporalRules, AbsenceFiresAtTheEndOfTheTrace) {
    Harness h(kAbsence);
    h << call(1, 1, 0, "connect", {3}, 0, EINPROGRESS);
    EXPECT_TRUE(h.findings().empty());
    h.engine->on_end();
    ASSERT_EQ(h.findings().size(), 1u);
}

TEST(TemporalRules, AbsenceWithAWindowFiresOnceItPassed) {
    Harness h(R"(
- rule: no-reply
  absence:
    after: evt.type = sendto
    missing: evt.type = recvfrom
    until: 1s
)");
    h << call(1, 1, 0, "sendto", {3}) << call(1, 1, kSecond / 2, "getpid", {});
    EXPECT_TRUE(h.findings().empty());
    h << call(1, 1, 2 * kSecond, "getpid", {});
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].time, kT0 + kSecond);
    h.engine->on_end();
    EXPECT_EQ(h.findings().size(), 1u);

    Harness answered(R"(
- rule: no-reply
  absence: {after: evt.type = sendto, missing: evt.type = recvfrom, until: 1s}
)");
    answered << call(1, 1, 0, "sendto", {3}) << call(1, 1, kSecond / 2, "recvfrom", {3})
             << call(1, 1, 2 * kSecond, "getpid", {});
    answered.engine->on_end();
    EXPECT_TRUE(answered.findings().empty());
}

// --- count -------------------------------------------------------------------

const char* kCount = R"(
- rule: eagain-storm
  count:
    by: [thread.tid]
    condition: evt.type = read and evt.errno = EAGAIN
    threshold: 3
    within: 1s
  output: thread %thread.tid spins on EAGAIN
)";

TEST(TemporalRules, CountFiresAtTheThresholdWithinTheWindow) {
    Harness h(kCount);
    h << call(1, 1, 0, "read", {3}, 0, EAGAIN) << call(1, 2, 10, "read", {3}, 0, EAGAIN)
      << call(1, 1, 20, "read", {3}, 0, EAGAIN);
    EXPECT_TRUE(h.findings().empty()) << "two per thread";
    h << call(1, 1, kSecond, "read", {3}, 0, EAGAIN);
    ASSERT_EQ(h.findings().size(), 1u);
    EXPECT_EQ(h.findings()[0].message, "thread 1 spins on EAGAIN");
}

TEST(TemporalRules, CountDoesNotFireWhenMatchesAreSpreadOut) {
    Harness h(kCount);
    for (int i = 0; i < 10; ++i) h << call(1, 1, i * kSecond * 6 / 10, "read", {3}, 0, EAGAIN);
    EXPECT_TRUE(h.findings().empty()) << "never 3 within 1 s";
}

// --- the file format ---------------------------------------------------------

TEST(TemporalRules, BadDurationsKeysAndFieldsAreErrorsAtTheirPlace) {
    RuleSet set;
    set.load_text("bad.yaml", R"(- rule: a
  condition: evt.type = read
  for: 30 seconds
- rule: b
  sequence:
    by: [proc.pid, fd.numb]
    steps: [evt.type = connect, evt.type = write]
- rule: c
  sequence:
    maxspn: 1s
    steps: [evt.type = connect, evt.type = wirte]
- rule: d
  count: {condition: evt.type = read, threshold: 0, within: 1s}
- rule: e
  sequence:
    steps: [evt.type = connect, fd.nonblock = true]
)");
    const auto& errors = set.errors();
    ASSERT_EQ(errors.size(), 5u) << set.format_errors();
    EXPECT_EQ(errors[0].where.line, 3);
    EXPECT_EQ(errors[0].where.column, 8);
    EXPECT_NE(errors[0].hint.find("hang_after"), std::string::npos);
    EXPECT_EQ(errors[1].where.line, 6);
    EXPECT_EQ(errors[1].where.column, 20);
    EXPECT_EQ(errors[1].hint, "did you mean 'fd.num'?");
    EXPECT_EQ(errors[2].where.line, 10);
    EXPECT_EQ(errors[2].hint, "did you mean 'maxspan'?");
    EXPECT_EQ(errors[3].where.line, 13);
    EXPECT_EQ(errors[4].where.line, 16);
    EXPECT_EQ(errors[4].where.column, 33);
    EXPECT_NE(errors[4].message.find("step 2"), std::string::npos);
    EXPECT_TRUE(set.rules().empty());
}

TEST(TemporalRules, TimingTextSaysWhatListAndExplainShow) {
    RuleSet set;
    set.load_text("t.yaml", std::string(kWatch) + kSequence + kAbsence + kCount);
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    EXPECT_EQ(set.find("stuck")->timing_text(), "for 2s by [thread.tid]");
    EXPECT_EQ(set.find("write-before-wait")->timing_text(),
              "sequence of 2 steps by [proc.pid, fd.num] maxspan 1s until [evt.type = getsockopt]");
    EXPECT_EQ(set.find("never-waited")->timing_text(),
              "absence of [evt.type = getsockopt] by [proc.pid, fd.num] until exit");
    EXPECT_EQ(set.find("eagain-storm")->timing_text(), "count >= 3 within 1s by [thread.tid]");
}

}  // namespace
}  // namespace sctrace::rules
