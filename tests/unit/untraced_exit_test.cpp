// Which exits a live run may skip (RuleEngine::wants_exit), what the state
// takes from an entry whose exit is skipped, and how a thread left "inside"
// such a call is asked after before a rule counts it. Events are built as
// the live tracer makes them: x86_64 numbers, raw registers, no decoding.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "decode_test_util.h"
#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "engine/state.h"
#include "model/syscall_table.h"
#include "rule_pack.h"

namespace sctrace {
namespace {

constexpr pid_t kPid = 100;

Event call_event(EventKind kind, pid_t tid, std::string_view name, std::vector<std::uint64_t> args,
                 std::int64_t ret = 0, int err = 0) {
    SyscallEvent call = testing::make_call(name, std::move(args), ret, err);
    if (kind == EventKind::SyscallEntry) call = SyscallEvent{call.arch, call.nr, name, call.args};
    static Nanos clock = 1'000'000'000;
    clock += 1000;
    call.entry_time = clock;
    return Event{kind, clock, kPid, tid, call};
}

// An engine over the whole bundled pack (or one rule file's text), with a
// /proc answer the test sets per thread.
struct Live {
    rules::RuleSet rules;
    CollectFindings findings;
    std::map<pid_t, bool> inside;  // still_in_call's answer, per thread
    int asked = 0;
    std::unique_ptr<rules::RuleEngine> engine;

    explicit Live(bool probe = true, const std::string& rule_text = "") {
        if (rule_text.empty()) {
            std::vector<std::string> paths;
            for (const char* f : {"macros.yaml", "crashes.yaml", "descriptors.yaml", "hangs.yaml",
                                  "io_uring.yaml", "libc.yaml", "network.yaml"}) {
                paths.push_back(std::string(SCTRACE_RULES_DIR) + "/" + f);
            }
            rules.load(paths);
        } else {
            const std::string macros = std::string(SCTRACE_RULES_DIR) + "/macros.yaml";
            std::ifstream in(macros);
            rules.add_text(macros, std::string(std::istreambuf_iterator<char>(in), {}));
            rules.add_text("test.yaml", rule_text);
            rules.compile();
        }
        EXPECT_TRUE(rules.errors().empty()) << rules.format_errors();
        rules::EngineOptions options;
        if (probe) {
            options.still_in_call = [this](pid_t, pid_t tid, std::int32_t, std::uint64_t) {
                ++asked;
                return inside[tid];
            };
        }
        engine = std::make_unique<rules::RuleEngine>(
            rules, std::vector<rules::FindingSink*>{&findings}, describe_event, options);
    }

    void call(pid_t tid, std::string_view name, std::vector<std::uint64_t> args, std::int64_t ret,
              int err = 0) {
        engine->on_event(call_event(EventKind::SyscallEntry, tid, name, args));
        engine->on_event(call_event(EventKind::SyscallExit, tid, name, args, ret, err));
    }
    // An entry, then the exit skipped when the engine does not want it;
    // returns whether it did.
    bool enter(pid_t tid, std::string_view name, std::vector<std::uint64_t> args) {
        const Event entry = call_event(EventKind::SyscallEntry, tid, name, args);
        engine->on_event(entry);
        const bool wanted = engine->wants_exit(entry);
        if (!wanted) engine->on_exit_untraced(entry);
        return wanted;
    }
    // A connected TCP socket on `fd`.
    void connected_socket(int fd) {
        call(kPid, "socket", {AF_INET, SOCK_STREAM, 0}, fd);
        call(kPid, "connect", {static_cast<std::uint64_t>(fd), 0, 16}, 0);
    }
    std::size_t count(const std::string& rule) const {
        std::size_t n = 0;
        for (const auto& f : findings.findings) n += f.rule == rule;
        return n;
    }
    const StateTracker& state() const { return engine->state(); }
};

TEST(UntracedExit, AReadOrWriteOnAConnectedSocketNeedsNoExit) {
    Live live;
    live.connected_socket(3);
    EXPECT_FALSE(live.enter(kPid, "write", {3, 0, 64}));
    EXPECT_FALSE(live.enter(kPid, "read", {3, 0, 64}));
    EXPECT_FALSE(live.enter(kPid, "epoll_wait", {3, 0, 8, 0}));
}

TEST(UntracedExit, EveryExitIsWantedWhenTheSourceCannotAskAfterThreads) {
    Live live(/*probe=*/false);
    live.connected_socket(3);
    EXPECT_TRUE(live.enter(kPid, "read", {3, 0, 64}));
}

TEST(UntracedExit, ACallOnAClosedDescriptorNeedsItsExit) {
    // Its EBADF is what fd-use-after-close is about.
    Live live;
    live.connected_socket(3);
    live.call(kPid, "close", {3}, 0);
    EXPECT_TRUE(live.enter(kPid, "write", {3, 0, 64}));
    live.engine->on_event(call_event(EventKind::SyscallExit, kPid, "write", {3, 0, 64}, -1, EBADF));
    EXPECT_EQ(live.count("fd-use-after-close"), 1u);
}

TEST(UntracedExit, DataOnAnInheritedDescriptorNeedsNoExitButItsCloseDoes) {
    // stdout, never seen opened: its writes teach nothing, and no rule
    // judges a descriptor never seen closed. A close of a number the state
    // does not know may fail with EBADF (a daemon closing every number):
    // taken for a close, the next one would look like a double close.
    Live live;
    EXPECT_FALSE(live.enter(kPid, "write", {1, 0, 2}));
    EXPECT_TRUE(live.enter(kPid, "close", {9}));
}

TEST(UntracedExit, AConnectingSocketNeedsTheExitsThatTellItConnected) {
    Live live;
    live.call(kPid, "socket", {AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0}, 3);
    live.call(kPid, "connect", {3, 0, 16}, 0, EINPROGRESS);
    EXPECT_TRUE(live.enter(kPid, "poll", {0, 1, 100}));
    EXPECT_TRUE(live.enter(kPid, "write", {3, 0, 64}));
}

TEST(UntracedExit, CallsThatMakeOrChangeDescriptorsAlwaysNeedTheirExit) {
    Live live;
    live.connected_socket(3);
    EXPECT_TRUE(live.enter(kPid, "socket", {AF_INET, SOCK_STREAM, 0}));
    EXPECT_TRUE(live.enter(kPid, "connect", {3, 0, 16}));
    EXPECT_TRUE(live.enter(kPid, "dup", {3}));
    EXPECT_TRUE(live.enter(kPid, "fcntl", {3, 4 /* F_SETFL */, 04000}));
}

// The pack watches io_uring_setup, so a live run also stops at the calls
// the io_uring tracker follows a ring through. The state and the rules take
// nothing from their results (what they say of a ring comes as ring
// events); the session keeps their exits in a process that owns a ring.
TEST(UntracedExit, CallsStoppedAtToFollowRingsNeedNoExitOfTheRules) {
    Live live;
    EXPECT_FALSE(live.enter(kPid, "mmap", {0, 4096, 3, 0x22, static_cast<std::uint64_t>(-1), 0}));
    EXPECT_FALSE(live.enter(kPid, "munmap", {0x7f0000000000, 4096}));
    EXPECT_FALSE(live.enter(kPid, "io_uring_enter", {3, 1, 0, 0, 0, 8}));
    EXPECT_TRUE(live.enter(kPid, "io_uring_setup", {8, 0x7ffd0000}))
        << "its result is the ring's fd";
    EXPECT_TRUE(live.enter(kPid, "io_uring_register", {3, 2 /* IORING_REGISTER_FILES */, 0, 1}))
        << "the state reads the files it registered";
}

TEST(UntracedExit, AnUntracedCloseClosesAndASecondCloseStillFires) {
    Live live;
    live.connected_socket(3);
    EXPECT_FALSE(live.enter(kPid, "close", {3}));
    EXPECT_EQ(live.state().fd(kPid, 3), nullptr);
    ASSERT_NE(live.state().closed_fd(kPid, 3), nullptr);
    // The number is no longer open: the second close's EBADF is needed.
    const Event again = call_event(EventKind::SyscallEntry, kPid, "close", {3});
    live.engine->on_event(again);
    EXPECT_TRUE(live.engine->wants_exit(again));
    live.engine->on_event(call_event(EventKind::SyscallExit, kPid, "close", {3}, -1, EBADF));
    EXPECT_EQ(live.count("double-close"), 1u);
}

TEST(UntracedExit, TheHistoryShowsTheCallWithItsResultNotTraced) {
    Live live;
    live.connected_socket(3);
    ASSERT_FALSE(live.enter(kPid, "write", {3, 0, 64}));
    const FdState* fd = live.state().fd(kPid, 3);
    ASSERT_NE(fd, nullptr);
    ASSERT_GE(fd->history_size(), 1u);
    EXPECT_EQ(fd->history(fd->history_size() - 1).text(), "write = (not traced)");
}

TEST(UntracedExit, ARuleThatReadsTheResultKeepsTheExit) {
    Live live(true, R"(
- rule: short-read
  desc: a read returned nothing
  condition: evt.type = read and at_exit and evt.res = 0
  output: short read on %fd.num
  severity: info
)");
    live.connected_socket(3);
    EXPECT_TRUE(live.enter(kPid, "read", {3, 0, 64}));
    // A rule on the entry alone needs no exit.
    EXPECT_FALSE(live.enter(kPid, "write", {3, 0, 64}));
}

TEST(UntracedExit, ARuleFalseWhateverTheResultNeedsNoExit) {
    // Kleene's logic: `not (unknown and false)` is true, so the exit counts;
    // `unknown and false` is false whatever the result.
    Live needed(true, R"(
- rule: r
  desc: d
  condition: evt.type = read and not (evt.res = 0 and fd.nonblocking = true)
  output: o
  severity: info
)");
    needed.connected_socket(3);
    EXPECT_TRUE(needed.enter(kPid, "read", {3, 0, 64}));
    Live not_needed(true, R"(
- rule: r
  desc: d
  condition: evt.type = read and evt.res = 0 and fd.nonblocking = true
  output: o
  severity: info
)");
    not_needed.connected_socket(3);
    EXPECT_FALSE(not_needed.enter(kPid, "read", {3, 0, 64}));
}

// The server shape: a worker wrote to a connection and its exit was
// skipped, so the state still has it "in write"; the event loop then closes
// the connection. Only /proc can say whether the worker is still inside.
TEST(UntracedExit, AThreadThatLeftAnUntracedCallIsNotCountedAsBlocked) {
    Live live;
    live.connected_socket(3);
    ASSERT_FALSE(live.enter(101, "read", {3, 0, 64}));
    live.inside[101] = false;
    live.call(kPid, "close", {3}, 0);
    EXPECT_EQ(live.count("close-while-blocked"), 0u);
    EXPECT_EQ(live.asked, 1);
    // Taken out of the call: not asked again.
    live.connected_socket(4);
    live.call(kPid, "close", {4}, 0);
    EXPECT_EQ(live.asked, 1);
}

TEST(UntracedExit, AThreadStillBlockedInAnUntracedCallIsCounted) {
    Live live;
    live.connected_socket(3);
    ASSERT_FALSE(live.enter(101, "read", {3, 0, 64}));
    live.inside[101] = true;
    live.call(kPid, "close", {3}, 0);
    EXPECT_EQ(live.count("close-while-blocked"), 1u);
}

TEST(UntracedExit, AThreadsNextTracedCallEndsItsUntracedOne) {
    Live live;
    live.connected_socket(3);
    ASSERT_FALSE(live.enter(101, "read", {3, 0, 64}));
    live.call(101, "getsockopt", {5, 1, 4, 0, 0}, 0);
    live.call(kPid, "close", {3}, 0);
    EXPECT_EQ(live.asked, 0);
    EXPECT_EQ(live.count("close-while-blocked"), 0u);
}

}  // namespace
}  // namespace sctrace
