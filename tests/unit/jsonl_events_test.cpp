// sctrace's JSONL event log read back (sources/jsonl/): every field checked,
// each event's arguments its own.
#include "sources/jsonl/jsonl_events.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "model/arg_text.h"
#include "model/arg_tree.h"
#include "report/event_writer.h"
#include "report/strace_format.h"
#include "sources/strace/strace_line.h"

namespace sctrace::jsonl {
namespace {

// What each event looked like while it was delivered.
struct Recorded {
    EventKind kind;
    pid_t tid;
    std::string name;
    std::string args;  // the decoded arguments in strace's notation, all of them
    std::uint16_t entry_arg_count = 0;
    bool entry_complete = false;
};

struct Recorder final : EventSink {
    std::vector<Recorded> events;
    void on_event(const Event& e) override {
        Recorded r{e.kind, e.tid, {}, {}};
        if (const SyscallEvent* call = e.syscall()) {
            r.name = std::string(call->name);
            if (call->decoded) {
                fmt::memory_buffer out;
                append_strace_args(out, *call->decoded, 0, ArgTree::kMaxNodes);
                r.args = fmt::to_string(out);
                r.entry_arg_count = call->decoded->entry_arg_count;
                r.entry_complete = call->decoded->entry_complete;
            }
        }
        events.push_back(r);
    }
};

// Lines a writer of sctrace's wrote for two threads: 101 blocked in read
// while 102 opened a file.
const char* kReadEntry =
    R"({"type":"syscall_entry","time":1000,"pid":101,"tid":101,"syscall":"read","nr":0,)"
    R"("arch":"x86_64","args":[3,0,4096,0,0,0],"entry_time":1000,"decoded":"3",)"
    R"("entry_complete":false})";
const char* kOpenatExit =
    R"({"type":"syscall_exit","time":2000,"pid":102,"tid":102,"syscall":"openat","nr":257,)"
    R"("arch":"x86_64","args":[0,0,0,0,0,0],"entry_time":1500,)"
    R"("decoded":"AT_FDCWD, \"/etc/hosts\", O_RDONLY","ret":4,"errno":null})";
const char* kReadExit =
    R"({"type":"syscall_exit","time":3000,"pid":101,"tid":101,"syscall":"read","nr":0,)"
    R"("arch":"x86_64","args":[3,0,4096,0,0,0],"entry_time":1000,)"
    R"("decoded":"3, \"hello\\n\", 4096","ret":6,"errno":null})";

TEST(JsonlEvents, AnExitSaysWhereItsEntryHalfEnded) {
    Recorder rec;
    JsonlEventReader reader(rec);
    std::string error;
    for (const char* line : {kReadEntry, kOpenatExit, kReadExit}) {
        ASSERT_TRUE(reader.feed(line, &error)) << error;
    }
    // The openat's exit came alone: its entry is given back first.
    ASSERT_EQ(rec.events.size(), 4u);
    EXPECT_EQ(rec.events[0].kind, EventKind::SyscallEntry);
    EXPECT_EQ(rec.events[0].args, "3");
    EXPECT_EQ(rec.events[0].entry_arg_count, 1);
    EXPECT_FALSE(rec.events[0].entry_complete);
    EXPECT_EQ(rec.events[1].kind, EventKind::SyscallEntry);
    EXPECT_EQ(rec.events[1].name, "openat");
    EXPECT_EQ(rec.events[3].kind, EventKind::SyscallExit);
    EXPECT_EQ(rec.events[3].args, "3, \"hello\\n\", 4096");
    EXPECT_EQ(rec.events[3].entry_arg_count, 1);
    EXPECT_FALSE(rec.events[3].entry_complete);
}

std::string strace_lines(const std::vector<const char*>& lines) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    {
        StraceWriter writer(fds[1], SyscallSet::all());
        JsonlEventReader reader(writer);
        std::string error;
        for (const char* line : lines) EXPECT_TRUE(reader.feed(line, &error)) << error;
        writer.on_end();
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    return out;
}

TEST(JsonlEvents, AnOvertakenReadPrintsItsOwnArgumentsAndItsBuffer) {
    EXPECT_EQ(strace_lines({kReadEntry, kOpenatExit, kReadExit}),
              "101   read(3,  <unfinished ...>\n"
              "102   openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4\n"
              "101   <... read resumed>\"hello\\n\", 4096) = 6\n");
}

TEST(JsonlEvents, MissingAndMistypedFieldsRejectTheLine) {
    Recorder rec;
    JsonlEventReader reader(rec);
    const std::string head = R"({"type":"syscall_exit","time":1,"pid":7,"tid":7,"syscall":"close")";
    const std::pair<std::string, std::string> bad[] = {
        {"[1,2]", "not a JSON event object"},
        {R"({"time":1,"pid":7,"tid":7})", "field 'type': missing"},
        {R"({"type":"syscall_exit","pid":7,"tid":7,"syscall":"close","ret":0})",
         "field 'time': missing"},
        {R"({"type":"syscall_exit","time":1,"pid":7,"tid":7,"ret":0})", "field 'syscall': missing"},
        {head + "}", "field 'ret': missing"},
        {head + R"(,"ret":1.5})", "field 'ret': not an integer or null"},
        {head + R"(,"ret":18446744073709551615})", "field 'ret': not an integer or null"},
        {head + R"(,"ret":-1,"errno":"ENOTANERRNO"})", "field 'errno': not an errno name"},
        {head + R"(,"ret":0,"errno":7})", "field 'errno': not a string"},
        {head + R"(,"ret":0,"args":[1,2,3,4,5,6,7]})",
         "field 'args': not an array of at most 6 integers"},
        {head + R"(,"ret":0,"args":[-1]})", "field 'args': not an array of at most 6 integers"},
        {head + R"(,"ret":0,"arch":"sparc"})", "field 'arch': not x86_64, i386, x32 or unknown"},
        {head + R"(,"ret":0,"nr":4294967296})", "field 'nr': not an integer in range"},
        {R"({"type":"syscall_exit","time":1,"pid":2147483648,"tid":7,"syscall":"x","ret":0})",
         "field 'pid': not an integer in range"},
        {R"({"type":"signal","time":1,"pid":7,"tid":7})", "field 'signo': missing"},
        {R"({"type":"signal","time":1,"pid":7,"tid":7,"signo":"SIGNOPE"})",
         "field 'signo': not a signal name"},
        {R"({"type":"exit","time":1,"pid":7,"tid":7,"signaled":true})", "field 'signo': missing"},
        {R"({"type":"exit","time":1,"pid":7,"tid":7,"signaled":"yes"})",
         "field 'signaled': not true or false"},
        {R"({"type":"stop","time":1,"pid":7,"tid":7,"signo":null})", "field 'signo': not a string"},
        {R"({"type":"spawn","time":1,"pid":7,"tid":7,"kind":"spoon"})",
         "field 'kind': not fork, vfork, thread or clone"},
        {R"({"type":"exec","time":1,"pid":7,"tid":7,"path":3})", "field 'path': not a string"},
        {R"({"type":"exec","time":1,"pid":7,"tid":7,"ignored_signals":[1]})",
         "field 'ignored_signals': not an array of signal names"},
        {R"({"type":"io_uring_submit","time":1,"pid":7,"tid":7})", "field 'opcode': missing"},
        {R"({"type":"io_uring_submit","time":1,"pid":7,"tid":7,"opcode":300})",
         "field 'opcode': not an integer in range"},
        {R"({"type":"io_uring_submit","time":1,"pid":7,"tid":7,"opcode":"IORING_OP_NOPE"})",
         "field 'opcode': not an io_uring opcode"},
        {R"({"type":"io_uring_submit","time":1,"pid":7,"tid":7,"opcode":0,"sockaddr":"0g"})",
         "field 'sockaddr': not hex bytes"},
        {R"({"type":"io_uring_complete","time":1,"pid":7,"tid":7,"res":"x"})",
         "field 'res': not an integer in range"},
        {R"({"type":"thread_sample","time":1,"pid":7,"tid":7,"wchan":[]})",
         "field 'wchan': not a string"},
        {R"({"type":"teleport","time":1,"pid":7,"tid":7})",
         "field 'type': not an event type sctrace writes"},
        {R"({"type":"syscall_entry","time":1,"pid":7,"tid":7,"syscall":"read",)"
         R"("decoded":"{{{\"unterminated"})",
         "field 'decoded': "},
    };
    for (const auto& [line, message] : bad) {
        std::string error;
        EXPECT_FALSE(reader.feed(line, &error)) << line;
        EXPECT_EQ(error.substr(0, message.size()), message) << line;
    }
    EXPECT_TRUE(rec.events.empty()) << "a rejected line emits nothing";
}

TEST(JsonlEvents, AnEntryWhoseArgumentsFailedLeavesItsExitWhole) {
    // The entry is rejected; its exit then stands alone, with its own
    // arguments, and nothing of the failed text survives.
    Recorder rec;
    JsonlEventReader reader(rec);
    std::string error;
    EXPECT_FALSE(reader.feed(
        R"({"type":"syscall_entry","time":1,"pid":7,"tid":7,"syscall":"read","decoded":"3, [[[\"x"})",
        &error));
    ASSERT_TRUE(reader.feed(R"({"type":"syscall_exit","time":2,"pid":7,"tid":7,"syscall":"read",)"
                            R"("decoded":"3, \"ok\", 10","ret":2,"errno":null})",
                            &error))
        << error;
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[1].args, "3, \"ok\", 10");
}

TEST(JsonlEvents, ParseArgumentsLeavesNothingBehindWhenItFails) {
    ArgTree tree;
    std::string error;
    EXPECT_FALSE(arg_text::parse_arguments("3, \"abc\", {x=[1, 2", tree, &error));
    EXPECT_EQ(tree.node_count(), 1u) << "only the root";
    {
        std::string text = "3, \"abc\"";
        ASSERT_TRUE(arg_text::parse_arguments(text, tree, &error)) << error;
        text.assign(text.size(), 'X');  // the tree holds its own copy
    }
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    EXPECT_EQ(fmt::to_string(out), "3, \"abc\"");
}

}  // namespace
}  // namespace sctrace::jsonl
