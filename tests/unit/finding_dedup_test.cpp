// One finding per rule, process and fd by default, where "process" is the
// process instance, not the number: a pid the kernel hands out again after
// an exit belongs to a new process, whose repeat of the pattern is a new
// finding. A rule's `dedup:` asks for once per process, or every match.
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "model/syscall_table.h"

namespace sctrace::rules {
namespace {

Event failed_close(pid_t pid, Nanos t, int fd) {
    Event e;
    e.kind = EventKind::SyscallExit;
    e.time = t;
    e.pid = e.tid = pid;
    SyscallEvent c;
    c.name = "close";
    c.nr = syscall_number(Arch::X86_64, "close").value_or(-1);
    c.args[0] = static_cast<std::uint64_t>(fd);
    c.ret = -1;
    c.err = EBADF;
    c.has_result = true;
    c.entry_time = t;
    e.data = c;
    return e;
}

Event process_exit(pid_t pid, Nanos t) {
    Event e;
    e.kind = EventKind::Exit;
    e.time = t;
    e.pid = e.tid = pid;
    ExitEvent x;
    x.whole_process = true;
    e.data = x;
    return e;
}

struct Collect final : FindingSink {
    std::vector<Finding> findings;
    void on_finding(const Finding& f) override { findings.push_back(f); }
};

struct Harness {
    RuleSet set;
    Collect sink;
    std::unique_ptr<RuleEngine> engine;

    // `dedup`: the rule's dedup: line, none for the default.
    explicit Harness(const std::string& dedup = "") {
        set.load_text("t.yaml", R"(
- rule: bad-close
  condition: evt.type = close and evt.failed = true
  output: close of fd %fd.num failed in %proc.pid
  severity: error
)" + (dedup.empty() ? std::string() : "  dedup: " + dedup + "\n"));
        EXPECT_TRUE(set.errors().empty()) << set.format_errors();
        engine = std::make_unique<RuleEngine>(
            set, std::vector<FindingSink*>{&sink},
            [](const Event& e) { return std::string(event_kind_name(e.kind)); });
    }
    Harness& operator<<(const Event& e) {
        engine->on_event(e);
        return *this;
    }
};

TEST(FindingDedup, ARepeatInOneProcessIsOneFinding) {
    Harness h;
    h << failed_close(100, 1, 3) << failed_close(100, 2, 3) << failed_close(100, 3, 3);
    EXPECT_EQ(h.sink.findings.size(), 1u);
}

TEST(FindingDedup, ANewProcessOnAReusedPidGetsItsOwnFinding) {
    Harness h;
    h << failed_close(100, 1, 3) << process_exit(100, 2);
    // The kernel gives pid 100 to another process, which repeats the pattern.
    h << failed_close(100, 3, 3) << failed_close(100, 4, 3);
    ASSERT_EQ(h.sink.findings.size(), 2u);
    EXPECT_EQ(h.sink.findings[0].time, 1);
    EXPECT_EQ(h.sink.findings[1].time, 3);
}

TEST(FindingDedup, AnotherFdOfTheSameProcessIsAnotherFinding) {
    Harness h;
    h << failed_close(100, 1, 3) << failed_close(100, 2, 4);
    EXPECT_EQ(h.sink.findings.size(), 2u);
}

// `dedup:` lets a rule say how often it reports a repeat: the default is
// once per process and fd (above), as `dedup: fd` says.
TEST(FindingDedup, DedupFdIsTheDefault) {
    Harness h("fd");
    EXPECT_EQ(h.set.find("bad-close")->dedup, Dedup::Fd);
    EXPECT_EQ(Harness().set.find("bad-close")->dedup, Dedup::Fd);
    h << failed_close(100, 1, 3) << failed_close(100, 2, 3) << failed_close(100, 3, 4);
    EXPECT_EQ(h.sink.findings.size(), 2u);
}

TEST(FindingDedup, DedupProcessReportsOncePerProcess) {
    Harness h("process");
    h << failed_close(100, 1, 3) << failed_close(100, 2, 4) << failed_close(101, 3, 3)
      << failed_close(101, 4, 5);
    ASSERT_EQ(h.sink.findings.size(), 2u);
    EXPECT_EQ(h.sink.findings[0].pid, 100);
    EXPECT_EQ(h.sink.findings[1].pid, 101);
    // A new process on the reused pid is another process.
    h << process_exit(100, 5) << failed_close(100, 6, 3);
    EXPECT_EQ(h.sink.findings.size(), 3u);
}

TEST(FindingDedup, DedupNoneReportsEveryMatchUpToABound) {
    Harness h("none");
    h << failed_close(100, 1, 3) << failed_close(100, 2, 3) << failed_close(100, 3, 3);
    EXPECT_EQ(h.sink.findings.size(), 3u);
    const std::size_t cap = RuleEngine::kMaxUndeduplicatedFindings;
    for (std::size_t i = 3; i < cap + 5; ++i) {
        h << failed_close(100, static_cast<Nanos>(i + 1), 3);
    }
    ASSERT_EQ(h.sink.findings.size(), cap) << "memory and output stay bounded";
    EXPECT_EQ(h.engine->unreported_matches(), 5u);
    // The last one says that later ones are not reported; the others do not.
    EXPECT_NE(h.sink.findings.back().message.find("later matches are not reported"),
              std::string::npos)
        << h.sink.findings.back().message;
    EXPECT_EQ(h.sink.findings[cap - 2].message.find("later matches"), std::string::npos);
}

TEST(FindingDedup, AnUnknownDedupIsAnErrorAtItsPlace) {
    RuleSet set;
    set.load_text("d.yaml",
                  "- rule: r\n"
                  "  condition: evt.type = close\n"
                  "  dedup: maybe\n");
    ASSERT_EQ(set.errors().size(), 1u) << set.format_errors();
    EXPECT_NE(set.format_errors().find("d.yaml:3:10: error: dedup: is none, fd or process, not "
                                       "'maybe'"),
              std::string::npos)
        << set.format_errors();
}

}  // namespace
}  // namespace sctrace::rules
