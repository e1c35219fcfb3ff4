// The stream writers on synthetic events: no tracer needed.
#include "report/event_writer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "model/syscall_table.h"

namespace sctrace {
namespace {

// Runs `events` through a writer of type W into a pipe and returns the bytes.
template <typename W>
std::string write_all(const std::vector<Event>& events, SyscallSet display = SyscallSet::all()) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    {
        W writer(fds[1], display);
        for (const Event& e : events) writer.on_event(e);
        writer.on_end();
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    return out;
}

std::vector<nlohmann::json> parse_lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

Event syscall_event(EventKind kind, pid_t tid, const char* name, Nanos time) {
    SyscallEvent call;
    call.nr = *syscall_number(Arch::X86_64, name);
    call.name = name;
    call.args = {3, 0x7ffc0000, 16, 0, 0, 0};
    call.entry_time = 1000;
    if (kind == EventKind::SyscallExit) {
        call.has_result = true;
        call.ret = -1;
        call.err = 115;  // EINPROGRESS
    }
    return Event{kind, time, 100, tid, call};
}

TEST(JsonlWriter, ACallThatReturnsAtOnceIsOneLine) {
    const auto lines = parse_lines(write_all<JsonlWriter>({
        syscall_event(EventKind::SyscallEntry, 100, "connect", 1000),
        syscall_event(EventKind::SyscallExit, 100, "connect", 2000),
    }));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["type"], "syscall_exit");
    EXPECT_EQ(lines[0]["syscall"], "connect");
    EXPECT_EQ(lines[0]["nr"], 42);
    EXPECT_EQ(lines[0]["ret"], -1);
    EXPECT_EQ(lines[0]["errno"], "EINPROGRESS");
    EXPECT_EQ(lines[0]["args"][0], 3);
    EXPECT_EQ(lines[0]["time"], 2000);
    EXPECT_EQ(lines[0]["entry_time"], 1000);
}

TEST(JsonlWriter, AnOvertakenCallIsWrittenAsEntryThenExit) {
    const auto lines = parse_lines(write_all<JsonlWriter>({
        syscall_event(EventKind::SyscallEntry, 101, "read", 1000),
        syscall_event(EventKind::SyscallEntry, 102, "close", 1100),
        syscall_event(EventKind::SyscallExit, 102, "close", 1200),
        syscall_event(EventKind::SyscallExit, 101, "read", 1300),
    }));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["type"], "syscall_entry");
    EXPECT_EQ(lines[0]["tid"], 101);
    EXPECT_FALSE(lines[0].contains("ret"));
    EXPECT_EQ(lines[1]["type"], "syscall_exit");
    EXPECT_EQ(lines[1]["syscall"], "close");
    EXPECT_EQ(lines[2]["type"], "syscall_exit");
    EXPECT_EQ(lines[2]["tid"], 101);
}

TEST(JsonlWriter, ACallCutByExitHasNullResult) {
    Event cut = syscall_event(EventKind::SyscallExit, 100, "exit_group", 5);
    std::get<SyscallEvent>(cut.data).has_result = false;
    const auto lines = parse_lines(write_all<JsonlWriter>({cut}));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0]["ret"].is_null());
    EXPECT_TRUE(lines[0]["errno"].is_null());
}

TEST(JsonlWriter, OtherEventsCarryTheirFields) {
    ExitEvent killed;
    killed.whole_process = true;
    killed.signaled = true;
    killed.signo = SIGSEGV;
    SignalEvent segv;
    segv.signo = SIGSEGV;
    segv.code = 1;
    segv.addr = 0xbbadbeef;
    const auto lines = parse_lines(write_all<JsonlWriter>({
        Event{EventKind::Exec, 1, 100, 100, ExecEvent{"/bin/\"odd\"\npath", 101}},
        Event{EventKind::Signal, 2, 100, 100, segv},
        Event{EventKind::Exit, 3, 100, 100, killed},
    }));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["path"], "/bin/\"odd\"\npath");  // escaped, and parses back
    EXPECT_EQ(lines[0]["former_tid"], 101);
    EXPECT_EQ(lines[1]["signo"], "SIGSEGV");
    EXPECT_EQ(lines[1]["addr"], 0xbbadbeef);
    EXPECT_EQ(lines[2]["signaled"], true);
    EXPECT_EQ(lines[2]["signo"], "SIGSEGV");
}

TEST(EventWriter, SyscallsOutsideTheDisplaySetAreSkipped) {
    SyscallSet display;
    display.add(*syscall_number(Arch::X86_64, "connect"));
    const auto lines = parse_lines(write_all<JsonlWriter>(
        {
            syscall_event(EventKind::SyscallEntry, 100, "read", 1),
            syscall_event(EventKind::SyscallExit, 100, "read", 2),
            syscall_event(EventKind::SyscallEntry, 100, "connect", 3),
            syscall_event(EventKind::SyscallExit, 100, "connect", 4),
        },
        display));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["syscall"], "connect");
}

TEST(TextWriter, UnfinishedAndResumedLikeStrace) {
    const std::string text = write_all<TextWriter>({
        syscall_event(EventKind::SyscallEntry, 101, "read", 1000),
        syscall_event(EventKind::SyscallEntry, 102, "close", 1100),
        syscall_event(EventKind::SyscallExit, 102, "close", 1200),
        syscall_event(EventKind::SyscallExit, 101, "read", 1300),
    });
    EXPECT_NE(text.find("100/101 read(3, 0x7ffc0000, 16 <unfinished ...>\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("100/102 close(3) = -1 EINPROGRESS (Operation now in progress)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("100/101 <... read resumed>) = -1 EINPROGRESS"), std::string::npos) << text;
}

// Times read from logs or JSONL can be any int64: before 1970, INT64_MIN,
// INT64_MAX. The clock face keeps its microseconds in [0, 999999], and a
// negative duration prints with its sign in front.
TEST(TextWriter, AnyInt64TimeOrDurationPrintsAsItIs) {
    constexpr Nanos kMin = std::numeric_limits<Nanos>::min();
    constexpr Nanos kMax = std::numeric_limits<Nanos>::max();
    // A call on thread 100 entered at `entry`, returned at `exit`.
    const auto complete = [](Nanos entry, Nanos exit) {
        SyscallEvent call = *syscall_event(EventKind::SyscallExit, 100, "close", exit).syscall();
        call.entry_time = entry;
        SyscallEvent start = call;
        start.has_result = false;
        return std::vector<Event>{Event{EventKind::SyscallEntry, entry, 100, 100, start},
                                  Event{EventKind::SyscallExit, exit, 100, 100, call}};
    };
    // 0.19 s before the epoch: the second before it, 810000 us in.
    std::string text = write_all<TextWriter>(complete(-190'000'000, -190'000'000));
    EXPECT_NE(text.find(":59.810000 100 close(3)"), std::string::npos) << text;
    EXPECT_EQ(text.find(".-"), std::string::npos) << text;
    // Exit 1.5 s before entry: "<-1.500000>", not "<-1.-500000>".
    text = write_all<TextWriter>(complete(3'000'000'000, 1'500'000'000));
    EXPECT_NE(text.find(" <-1.500000>\n"), std::string::npos) << text;
    // The extremes: a difference that does not fit saturates.
    text = write_all<TextWriter>(complete(kMax, kMin));
    EXPECT_NE(text.find(" <-9223372036.854775>\n"), std::string::npos) << text;
    EXPECT_NE(text.find(".145224 100 close(3)"), std::string::npos) << text;  // INT64_MIN's us
    text = write_all<TextWriter>(complete(kMin, kMax));
    EXPECT_NE(text.find(" <9223372036.854775>\n"), std::string::npos) << text;
    EXPECT_NE(text.find(".854775 100 close(3)"), std::string::npos) << text;
}

// The exec's ignored set travels in JSONL, by name, only when it is known.
TEST(JsonlWriter, AnExecSaysWhichSignalsItStartsWithIgnored) {
    ExecEvent known{"/bin/prog", 100};
    known.signals_known = true;
    known.ignored_signals = (1ull << (SIGPIPE - 1)) | (1ull << (SIGIO - 1));
    ExecEvent unknown{"/bin/prog", 100};
    const auto lines =
        parse_lines(write_all<JsonlWriter>({Event{EventKind::Exec, 1000, 100, 100, known},
                                            Event{EventKind::Exec, 2000, 100, 100, unknown}}));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["ignored_signals"], nlohmann::json::array({"SIGPIPE", "SIGIO"})) << lines[0];
    EXPECT_FALSE(lines[1].contains("ignored_signals")) << lines[1];
}

// --format strace writes what strace writes for a SIGIO, and analyze reads
// it back (tests/unit/strace_line_test.cpp).
TEST(StraceWriter, SigioIsSpelledAsStraceDoes) {
    SignalEvent sig;
    sig.signo = SIGIO;
    sig.code = POLL_IN;
    sig.band = 65;
    sig.fd = 5;
    const std::string text =
        write_all<StraceWriter>({Event{EventKind::Signal, 1000, 100, 100, sig}});
    EXPECT_NE(text.find("--- SIGIO {si_signo=SIGIO, si_code=POLL_IN, si_band=65, si_fd=5} ---"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("SIGPOLL"), std::string::npos) << text;
}

}  // namespace
}  // namespace sctrace

namespace sctrace {
namespace {

TEST(Json, EveryStringIsValidJsonEvenFromBinaryBytes) {
    fmt::memory_buffer out;
    const std::string bytes = std::string("caf\xc3\xa9 \xff\xfe\x80 ok\x01", 13);
    append_json_string(out, bytes);
    const std::string text = fmt::to_string(out);
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << text;
    // Valid UTF-8 passes through; stray bytes keep their value as U+00XX.
    EXPECT_EQ(parsed.get<std::string>(), "caf\xc3\xa9 \xc3\xbf\xc3\xbe\xc2\x80 ok\x01");
}

}  // namespace
}  // namespace sctrace
