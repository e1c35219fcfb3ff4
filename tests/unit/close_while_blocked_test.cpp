// close-while-blocked and the state it reads: an identity per open file
// (FdState::generation), the file a thread's call started on, and the pack's
// own rule over strace lines fed through the log converter (the same events
// a live run gives). The Chromium shape: a thread still inside close(N)
// while another thread's open gets N back and a third closes the new file.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "engine/state.h"
#include "report/evidence_text.h"
#include "report/findings_writer.h"
#include "rule_pack.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

// Threads 101..104 of process 100, as strace -f shows their creation;
// `stamp`: the lines' -ttt time, for a log with times.
std::vector<std::string> threads_of_100(const std::string& stamp = "") {
    std::vector<std::string> lines;
    for (int tid = 101; tid <= 104; ++tid) {
        lines.push_back(
            "100 " + stamp +
            "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
            "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
            "child_tid=0x7f82fefa9990, parent_tid=0x7f82fefa9990, exit_signal=0, "
            "stack=0x7f82fe7a9000, stack_size=0x7fff80, tls=0x7f82fefa96c0} => {parent_tid=[" +
            std::to_string(tid) + "]}, 88) = " + std::to_string(tid));
    }
    return lines;
}

struct Applier final : EventSink {
    StateTracker state;
    void on_event(const Event& e) override { state.apply(e); }
};

struct StateHistory {
    Applier sink;
    strace_text::StraceLogConverter converter{sink};
    StateHistory() {
        converter.begin_file("state.log", 0, 0);
        for (const auto& line : threads_of_100()) *this << line;
    }
    StateHistory& operator<<(const std::string& line) {
        EXPECT_TRUE(converter.feed(line)) << line;
        return *this;
    }
    const StateTracker& state() const { return sink.state; }
};

TEST(OpenFileIdentity, AReusedNumberIsANewOpenFile) {
    StateHistory h;
    h << "100 openat(AT_FDCWD, \"/tmp/a\", O_RDONLY) = 5";
    const std::uint64_t a = h.state().fd(100, 5)->generation;
    h << "100 close(5) = 0"
      << "100 openat(AT_FDCWD, \"/tmp/b\", O_RDONLY) = 5";
    EXPECT_NE(h.state().fd(100, 5)->generation, a);
    EXPECT_NE(a, 0u);
}

TEST(OpenFileIdentity, AThreadRemembersTheFileItsCallStartedOn) {
    StateHistory h;
    h << "100 openat(AT_FDCWD, \"/tmp/a\", O_RDONLY) = 5"
      << "101 read(5,  <unfinished ...>";
    EXPECT_EQ(h.state().thread(101)->call_fd_generation, h.state().fd(100, 5)->generation);
}

// The kernel frees the number when close() starts; the close's own end, seen
// after another thread's open got the number, must not close the new file.
TEST(OpenFileIdentity, ACloseThatEndsAfterTheNumberWasReusedLeavesTheNewFileOpen) {
    StateHistory h;
    h << "100 openat(AT_FDCWD, \"/tmp/old\", O_RDONLY) = 58"
      << "101 close(58 <unfinished ...>"
      << "102 openat(AT_FDCWD, \"/tmp/new\", O_RDONLY) = 58"
      << "101 <... close resumed>) = 0";
    const FdState* fd = h.state().fd(100, 58);
    ASSERT_NE(fd, nullptr) << "the late end of the old file's close closed the new file";
    EXPECT_EQ(fd->path, "/tmp/new");
    // Its history is its own: the old file's close is not in it.
    for (std::size_t i = 0; i < fd->history_size(); ++i) {
        EXPECT_NE(fd->history(i).text(), "close = 0");
    }
}

TEST(OpenFileIdentity, ACloseWithNoReuseClosesAsBefore) {
    StateHistory h;
    h << "100 openat(AT_FDCWD, \"/tmp/a\", O_RDONLY) = 7"
      << "101 close(7 <unfinished ...>"
      << "101 <... close resumed>) = 0";
    EXPECT_EQ(h.state().fd(100, 7), nullptr);
    EXPECT_NE(h.state().closed_fd(100, 7), nullptr);
}

// --- the pack's rule ------------------------------------------------------

// The bundled rules that matter here.
struct Pack : RulePack {
    explicit Pack(const std::string& stamp = "") : RulePack({"macros.yaml", "descriptors.yaml"}) {
        for (const auto& line : threads_of_100(stamp)) *this << line;
    }
};

TEST(CloseWhileBlocked, FiresOnACloseUnderABlockedReadAndNamesTheOtherThread) {
    Pack p("1700000000.000000 ");
    p << "100 1700000000.100000 openat(AT_FDCWD, \"/tmp/data\", O_RDONLY) = 5"
      << "101 1700000000.200000 read(5,  <unfinished ...>"
      << "100 1700000001.700000 close(5) = 0";
    const auto found = p.of("close-while-blocked");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].message.find("closed fd 5 (file /tmp/data)"), std::string::npos)
        << found[0].message;
    ASSERT_EQ(found[0].others.size(), 1u);
    EXPECT_EQ(found[0].others[0].tid, 101);
    EXPECT_EQ(found[0].others[0].call, "read");
    EXPECT_TRUE(found[0].others[0].same_file);
    EXPECT_EQ(found[0].others[0].file, "/tmp/data");
    EXPECT_EQ(found[0].others[0].since, 1'700'000'000'200'000'000);
    bool named = false;
    for (const auto& line : evidence_lines(found[0])) {
        if (line.find("other thread: tid 101 read(5) in progress since") != std::string::npos &&
            line.find("(1.500s before), on this file (/tmp/data)") != std::string::npos) {
            named = true;
        }
    }
    EXPECT_TRUE(named) << finding_text(found[0]);
}

// The Chromium false alarm: the "blocked" thread was inside close() of the
// earlier file that had the number.
TEST(CloseWhileBlocked, SilentWhenTheOtherThreadIsInsideCloseOfAnEarlierFileWithTheNumber) {
    Pack p;
    p << "100 openat(AT_FDCWD, \"/dev/shm/old\", O_RDWR) = 58"
      << "101 close(58 <unfinished ...>"
      << "102 openat(AT_FDCWD, \"/dev/shm/new\", O_RDWR) = 58"
      << "103 close(58) = 0"
      << "101 <... close resumed>) = 0";
    EXPECT_TRUE(p.of("close-while-blocked").empty()) << finding_text(p.sink.findings.at(0));
}

// A thread inside close(N) is not blocked on N, even on the same file.
TEST(CloseWhileBlocked, SilentWhenTheOtherThreadIsInsideCloseOfTheSameFile) {
    Pack p;
    p << "100 openat(AT_FDCWD, \"/tmp/a\", O_RDONLY) = 9"
      << "101 close(9 <unfinished ...>"
      << "102 close(9) = -1 EBADF (Bad file descriptor)"
      << "101 <... close resumed>) = 0";
    EXPECT_TRUE(p.of("close-while-blocked").empty());
}

// A read blocked on the file that had the number before dup2() put another
// file there: closing the new file is not closing the read's.
TEST(CloseWhileBlocked, SilentWhenTheBlockedCallIsOnAnEarlierFileWithTheNumber) {
    Pack p;
    p << "100 pipe2([5, 6], 0) = 0"
      << "100 openat(AT_FDCWD, \"/tmp/log\", O_WRONLY) = 7"
      << "101 read(5,  <unfinished ...>"
      << "100 dup2(7, 5) = 5"
      << "102 close(5) = 0";
    EXPECT_TRUE(p.of("close-while-blocked").empty());
}

// The same open file under two numbers: closing the dup frees nothing the
// blocked read uses.
TEST(CloseWhileBlocked, SilentWhenADupOfTheBlockedFileIsClosed) {
    Pack p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5"
      << "101 read(5,  <unfinished ...>"
      << "100 dup(5) = 6"
      << "100 close(6) = 0";
    EXPECT_TRUE(p.of("close-while-blocked").empty());
}

// A descriptor the trace never saw created (attached late) is one file as
// far as anyone knows: the rule still fires.
TEST(CloseWhileBlocked, FiresOnADescriptorOpenedBeforeTheTraceStarted) {
    Pack p;
    p << "101 recvfrom(4,  <unfinished ...>"
      << "100 close(4) = 0";
    EXPECT_EQ(p.of("close-while-blocked").size(), 1u);
}

TEST(CloseWhileBlocked, TheEarlierFilesCloserIsEvidenceButNotCounted) {
    Pack p;
    p << "100 openat(AT_FDCWD, \"/tmp/old\", O_RDONLY) = 8"
      << "101 close(8 <unfinished ...>"
      << "102 openat(AT_FDCWD, \"/tmp/new\", O_RDONLY) = 8"
      << "104 read(8,  <unfinished ...>"
      << "103 close(8) = 0";
    const auto found = p.of("close-while-blocked");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].message.find("(file /tmp/new) while 1 other thread(s)"), std::string::npos)
        << found[0].message;
    ASSERT_EQ(found[0].others.size(), 2u);
    EXPECT_EQ(found[0].others[0].tid, 104);  // the one on this file first
    EXPECT_TRUE(found[0].others[0].same_file);
    EXPECT_EQ(found[0].others[1].tid, 101);
    EXPECT_EQ(found[0].others[1].call, "close");
    EXPECT_FALSE(found[0].others[1].same_file);
    const std::string text = finding_text(found[0]);
    EXPECT_NE(text.find("other thread: tid 101 close(8) in progress since an unknown time, on "
                        "an earlier file that had fd 8 (not this one)"),
              std::string::npos)
        << text;
}

TEST(CloseWhileBlocked, RepeatedEvidenceLinesCollapse) {
    Pack p;
    p << "100 openat(AT_FDCWD, \"/tmp/data\", O_RDONLY) = 5";
    for (int i = 0; i < 5; ++i) p << "102 read(5, \"0123456789\", 10) = 10";
    p << "101 read(5,  <unfinished ...>"
      << "100 close(5) = 0";
    const auto found = p.of("close-while-blocked");
    ASSERT_EQ(found.size(), 1u);
    const auto& items = found[0].evidence;
    const auto read = std::find_if(items.begin(), items.end(), [](const rules::EvidenceItem& i) {
        return i.kind == rules::EvidenceItem::Kind::Earlier && i.tid == 102 &&
               i.text == "read = 10";
    });
    ASSERT_NE(read, items.end()) << finding_text(found[0]);
    EXPECT_EQ(read->fd, 5);
    EXPECT_EQ(read->repeated, 4u);
    const std::vector<std::string> ev = evidence_lines(found[0]);
    const auto at = std::find(ev.begin(), ev.end(), "fd 5 earlier: tid 102 read = 10");
    ASSERT_NE(at, ev.end()) << finding_text(found[0]);
    ASSERT_NE(at + 1, ev.end());
    EXPECT_EQ(*(at + 1), "… and 4 more like it");
    EXPECT_EQ(std::count(ev.begin(), ev.end(), *at), 1);
}

// --- the field that takes a list -------------------------------------------

TEST(FieldWithAList, NeedsAKnownListAndDrivesTheTracedCalls) {
    rules::RuleSet missing;
    missing.load_text("t.yaml", R"(
- rule: r
  condition: evt.type = close and fd.others_in > 0
  output: x
)");
    ASSERT_EQ(missing.errors().size(), 1u);
    EXPECT_NE(missing.errors()[0].message.find("fd.others_in needs a list in brackets"),
              std::string::npos)
        << missing.format_errors();

    rules::RuleSet unknown;
    unknown.load_text("t.yaml", R"(
- list: blocking
  items: [read]
- rule: r
  condition: evt.type = close and fd.others_in[blockin] > 0
  output: x
)");
    ASSERT_EQ(unknown.errors().size(), 1u);
    EXPECT_NE(unknown.errors()[0].message.find("unknown list 'blockin'"), std::string::npos);
    EXPECT_NE(unknown.errors()[0].hint.find("blocking"), std::string::npos);

    rules::RuleSet not_a_list_field;
    not_a_list_field.load_text("t.yaml", R"(
- list: blocking
  items: [read]
- rule: r
  condition: evt.type = close and fd.num[blocking] > 0
  output: x
)");
    ASSERT_EQ(not_a_list_field.errors().size(), 1u);
    EXPECT_NE(not_a_list_field.errors()[0].message.find("fd.num takes no list"), std::string::npos);

    rules::RuleSet good;
    good.load_text("t.yaml", R"(
- list: blocking
  items: [recvmsg, accept4]
- rule: r
  condition: evt.type = close and fd.others_in[blocking] > 0
  output: "%fd.others_in[blocking] blocked"
)");
    ASSERT_TRUE(good.errors().empty()) << good.format_errors();
    const auto needs = good.needs();
    EXPECT_TRUE(needs.syscalls.count("recvmsg"));
    EXPECT_TRUE(needs.syscalls.count("accept4"));
}

TEST(FieldWithAList, CountsOnlyTheCallsTheListNames) {
    rules::RuleSet set;
    set.load_text("t.yaml", R"(
- list: only_accept
  items: [accept]
- rule: r
  condition: evt.type = close and evt.dir = > and fd.others_in[only_accept] > 0
  output: "%fd.others_in[only_accept] in accept"
  severity: error
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    CollectFindings sink;
    rules::RuleEngine engine(set, {&sink}, describe_event);
    strace_text::StraceLogConverter converter(engine);
    converter.begin_file("t.log", 0, 0);
    for (const auto& line : threads_of_100()) converter.feed(line);
    converter.feed("100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3");
    converter.feed("101 read(3,  <unfinished ...>");
    converter.feed("100 close(3) = 0");
    EXPECT_TRUE(sink.findings.empty());
    converter.feed("100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4");
    converter.feed("102 accept(4,  <unfinished ...>");
    converter.feed("100 close(4) = 0");
    ASSERT_EQ(sink.findings.size(), 1u);
    EXPECT_EQ(sink.findings[0].message, "1 in accept");
}

}  // namespace
}  // namespace sctrace
