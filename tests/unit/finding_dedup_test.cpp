// One finding per rule, process and fd, where "process" is the process
// instance, not the number: a pid the kernel hands out again after an exit
// belongs to a new process, whose repeat of the pattern is a new finding.
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

    Harness() {
        set.load_text("t.yaml", R"(
- rule: bad-close
  condition: evt.type = close and evt.failed = true
  output: close of fd %fd.num failed in %proc.pid
  severity: error
)");
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

}  // namespace
}  // namespace sctrace::rules
