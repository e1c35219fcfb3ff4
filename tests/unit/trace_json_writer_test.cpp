// --trace-json: Chrome's trace event format, as Perfetto and chrome://tracing
// open it. Synthetic events in, the file parsed back.
#include "report/trace_json_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include "evidence_test_util.h"

namespace sctrace {
namespace {

using nlohmann::json;

constexpr Nanos kT0 = 1'700'000'000'000'000'000;

// An unlinked temporary file: the writer's fd, read back by the test.
class TempFile {
public:
    TempFile() {
        char path[] = "/tmp/trace_json_test_XXXXXX";
        fd_ = ::mkstemp(path);
        EXPECT_GE(fd_, 0);
        ::unlink(path);
    }
    ~TempFile() { ::close(fd_); }
    int fd() const { return fd_; }
    off_t size() const {
        struct stat st {};
        ::fstat(fd_, &st);
        return st.st_size;
    }
    std::string read() const {
        std::string text(static_cast<std::size_t>(size()), '\0');
        EXPECT_EQ(::pread(fd_, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
        return text;
    }
    json parse() const {
        const std::string text = read();
        json doc = json::parse(text, nullptr, false);
        EXPECT_FALSE(doc.is_discarded()) << text.substr(0, 2000);
        return doc;
    }

private:
    int fd_ = -1;
};

Event entry(Nanos t, pid_t pid, pid_t tid, std::string_view name) {
    SyscallEvent call;
    call.name = name;
    call.entry_time = t;
    return Event{EventKind::SyscallEntry, t, pid, tid, call};
}

Event exit_of(Nanos entry_time, Nanos t, pid_t pid, pid_t tid, std::string_view name,
              std::int64_t ret, int err) {
    SyscallEvent call;
    call.name = name;
    call.entry_time = entry_time;
    call.ret = ret;
    call.err = err;
    call.has_result = true;
    return Event{EventKind::SyscallExit, t, pid, tid, call};
}

std::vector<json> named(const json& doc, const std::string& name) {
    std::vector<json> out;
    for (const json& e : doc) {
        if (e.value("name", "") == name) out.push_back(e);
    }
    return out;
}

TEST(TraceJsonWriter, SyscallsAreCompleteEventsInMicroseconds) {
    TempFile file;
    {
        TraceJsonWriter writer(file.fd());
        writer.on_event(entry(kT0, 100, 101, "connect"));
        writer.on_event(exit_of(kT0, kT0 + 2'500'123, 100, 101, "connect", -1, EINPROGRESS));
        writer.on_event(entry(kT0 + 3'000'000, 100, 101, "write"));
        writer.on_event(exit_of(kT0 + 3'000'000, kT0 + 3'001'000, 100, 101, "write", 5, 0));
        writer.on_end();
        EXPECT_TRUE(writer.finish());
    }
    const json doc = file.parse();
    const auto connects = named(doc, "connect");
    ASSERT_EQ(connects.size(), 1u);
    const json& c = connects[0];
    EXPECT_EQ(c.at("ph"), "X");
    EXPECT_EQ(c.at("pid"), 100);
    EXPECT_EQ(c.at("tid"), 101);
    EXPECT_DOUBLE_EQ(c.at("ts").get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(c.at("dur").get<double>(), 2500.123);
    EXPECT_EQ(c.at("args").at("ret"), -1);
    EXPECT_EQ(c.at("args").at("errno"), "EINPROGRESS");
    const auto writes = named(doc, "write");
    ASSERT_EQ(writes.size(), 1u);
    EXPECT_DOUBLE_EQ(writes[0].at("ts").get<double>(), 3000.0);
    EXPECT_DOUBLE_EQ(writes[0].at("dur").get<double>(), 1.0);
    EXPECT_EQ(writes[0].at("args").at("ret"), 5);
    EXPECT_FALSE(writes[0].at("args").contains("errno"));
    // The absolute start: the first record, on the first event's thread.
    ASSERT_TRUE(doc.is_array() && !doc.empty());
    EXPECT_EQ(doc[0].at("name"), "sctrace");
    EXPECT_EQ(doc[0].at("ph"), "M");
    EXPECT_EQ(doc[0].at("tid"), 101);
    EXPECT_EQ(doc[0].at("args").at("start_time_ns"), kT0);
}

// Times from logs or JSONL can be any int64: the file still parses, with
// each value exact (saturated where the difference does not fit).
TEST(TraceJsonWriter, AnyInt64TimePrintsAsANumber) {
    constexpr Nanos kMin = std::numeric_limits<Nanos>::min();
    constexpr Nanos kMax = std::numeric_limits<Nanos>::max();
    TempFile file;
    {
        TraceJsonWriter writer(file.fd());
        writer.on_event(entry(1'000, 100, 101, "read"));  // the base: ts 0
        writer.on_event(exit_of(1'000, kMax, 100, 101, "read", 1, 0));
        writer.on_event(entry(-1'500, 100, 101, "write"));
        writer.on_event(exit_of(-1'500, -1'000, 100, 101, "write", 1, 0));
        writer.on_event(entry(kMin, 100, 101, "close"));
        writer.on_event(exit_of(kMin, kMax, 100, 101, "close", 0, 0));
        writer.on_end();
        EXPECT_TRUE(writer.finish());
    }
    const std::string text = file.read();
    EXPECT_NE(text.find(R"("ts":0.000,"dur":9223372036854774.807)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("ts":-2.500,"dur":0.500)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("ts":-9223372036854775.808,"dur":9223372036854775.807)"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find(".-"), std::string::npos) << text;
    const json doc = file.parse();
    EXPECT_EQ(named(doc, "close").size(), 1u);
}

TEST(TraceJsonWriter, CallsStillInProgressEndAtTheLastEvent) {
    TempFile file;
    {
        TraceJsonWriter writer(file.fd());
        writer.on_event(entry(kT0, 100, 102, "futex"));
        writer.on_event(entry(kT0 + 1'000, 100, 101, "getpid"));
        writer.on_event(exit_of(kT0 + 1'000, kT0 + 9'000'000, 100, 101, "getpid", 100, 0));
        writer.on_end();
        EXPECT_TRUE(writer.finish());
    }
    const json doc = file.parse();
    const auto futex = named(doc, "futex");
    ASSERT_EQ(futex.size(), 1u);
    EXPECT_EQ(futex[0].at("ph"), "X");
    EXPECT_DOUBLE_EQ(futex[0].at("dur").get<double>(), 9000.0);
    EXPECT_TRUE(futex[0].at("args").at("ret").is_null());
    EXPECT_EQ(futex[0].at("args").at("unfinished"), true);
}

TEST(TraceJsonWriter, SignalsExitsAndFindingsAreInstantsAndNamesAreMetadata) {
    TempFile file;
    {
        TraceJsonWriter writer(file.fd());
        writer.on_event(Event{EventKind::Exec, kT0, 100, 100, ExecEvent{"/usr/bin/flaky", 100}});
        SignalEvent sig;
        sig.signo = 11;
        sig.code = 1;
        sig.addr = 0x10;
        writer.on_event(Event{EventKind::Signal, kT0 + 1'000, 100, 101, sig});
        ThreadSampleEvent sample;
        sample.state = 'D';
        writer.on_event(Event{EventKind::ThreadSample, kT0 + 2'000, 100, 101, sample});
        rules::Finding f;
        f.rule = "fatal-signal";
        f.severity = rules::Severity::Error;
        f.pid = 100;
        f.tid = 101;
        f.time = kT0 + 1'000;
        f.message = "SIGSEGV at 0x10";
        f.evidence = {event_evidence("tid 101 --- SIGSEGV ---")};
        f.doc = "docs/rules/fatal-signal.md";
        writer.finding_sink().on_finding(f);
        ExitEvent exit;
        exit.whole_process = true;
        exit.signaled = true;
        exit.signo = 11;
        exit.core_dumped = true;
        writer.on_event(Event{EventKind::Exit, kT0 + 3'000, 100, 100, exit});
        writer.on_end();
        EXPECT_TRUE(writer.finish());
    }
    const json doc = file.parse();

    const auto sigs = named(doc, "SIGSEGV");
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_EQ(sigs[0].at("ph"), "i");
    EXPECT_EQ(sigs[0].at("s"), "t");
    EXPECT_EQ(sigs[0].at("tid"), 101);
    EXPECT_NE(sigs[0].at("args").at("siginfo").get<std::string>().find("SEGV_MAPERR"),
              std::string::npos);

    const auto findings = named(doc, "finding: fatal-signal");
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].at("ph"), "i");
    EXPECT_EQ(findings[0].at("s"), "p");
    EXPECT_EQ(findings[0].at("pid"), 100);
    EXPECT_EQ(findings[0].at("args").at("severity"), "error");
    EXPECT_EQ(findings[0].at("args").at("message"), "SIGSEGV at 0x10");
    EXPECT_EQ(findings[0].at("args").at("evidence").size(), 1u);

    const auto exits = named(doc, "killed by SIGSEGV (core dumped)");
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_EQ(exits[0].at("s"), "p");

    // The process is named after its executable; both threads are named.
    std::string process_name;
    std::set<int> named_threads;
    for (const json& e : doc) {
        EXPECT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("tid")) << e;
        if (e.at("ph") != "M") {
            EXPECT_TRUE(e.contains("ts")) << e;
        }
        if (e.at("ph") == "M" && e.at("name") == "process_name" && e.at("pid") == 100) {
            process_name = e.at("args").at("name");
        }
        if (e.at("ph") == "M" && e.at("name") == "thread_name") {
            named_threads.insert(e.at("tid").get<int>());
        }
    }
    EXPECT_EQ(process_name, "flaky");  // the last one wins
    EXPECT_EQ(named_threads, (std::set<int>{100, 101}));
    // Thread samples are the watchdog's, not the program's: not on the timeline.
    for (const json& e : doc) EXPECT_NE(e.value("ts", -1.0), 2.0) << e;
}

TEST(TraceJsonWriter, EveryEventIsInTheFileAsSoonAsItIsSeen) {
    TempFile file;
    TraceJsonWriter writer(file.fd());
    for (int i = 0; i < 20'000; ++i) {
        const Nanos t = kT0 + i * 1'000;
        writer.on_event(entry(t, 100, 101, "read"));
        writer.on_event(exit_of(t, t + 500, 100, 101, "read", 0, 0));
    }
    // Nothing is held back: finishing adds only the closing bracket.
    const off_t before = file.size();
    EXPECT_GT(before, 1'000'000);
    EXPECT_TRUE(writer.finish());
    EXPECT_EQ(file.read().substr(static_cast<std::size_t>(before)), "\n]\n");
    EXPECT_EQ(named(file.parse(), "read").size(), 20'000u);
}

// What a run killed without warning (SIGKILL) leaves: the file as it is
// between two events, never finished. Chrome's JSON Array Format makes the
// closing bracket optional; a strict parser needs it appended, nothing more.
TEST(TraceJsonWriter, AFileCutBetweenEventsIsATraceWithoutItsClosingBracket) {
    TempFile file;
    TraceJsonWriter writer(file.fd());
    EXPECT_EQ(file.read(), "[\n");  // a cut before any event is an empty trace
    EXPECT_TRUE(json::parse(file.read() + "]").empty());
    writer.on_event(entry(kT0, 100, 101, "connect"));
    writer.on_event(exit_of(kT0, kT0 + 1'000, 100, 101, "connect", 0, 0));
    writer.on_event(entry(kT0 + 2'000, 100, 101, "read"));  // still in progress
    rules::Finding f;
    f.rule = "double-close";
    f.time = kT0 + 1'500;
    f.pid = 100;
    f.tid = 101;
    writer.finding_sink().on_finding(f);

    const std::string cut = file.read();
    EXPECT_TRUE(json::parse(cut, nullptr, false).is_discarded()) << "not cut after all: " << cut;
    const json doc = json::parse(cut + "]", nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << cut;
    EXPECT_EQ(named(doc, "connect").size(), 1u);
    EXPECT_EQ(named(doc, "finding: double-close").size(), 1u);
    EXPECT_TRUE(named(doc, "read").empty());  // written when it ends, or at the end of the run
}

TEST(TraceJsonWriter, HostileNamesAndPathsStillParse) {
    TempFile file;
    {
        TraceJsonWriter writer(file.fd());
        const std::string path = std::string("/tmp/\"evil\"\\\n\x01\xff\xc3(.bin");
        writer.on_event(Event{EventKind::Exec, kT0, 100, 100, ExecEvent{path, 100}});
        rules::Finding f;
        f.rule = "r\"<&>";
        f.time = kT0;
        f.pid = 100;
        f.tid = 100;
        f.message = std::string("bad \x02 bytes \x80");
        writer.finding_sink().on_finding(f);
    }  // destroyed without finish(): still a complete document
    const json doc = file.parse();
    EXPECT_EQ(named(doc, "finding: r\"<&>").size(), 1u);
}

TEST(TraceJsonWriter, WriteFailureIsReported) {
    const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) GTEST_SKIP() << "no /dev/full";
    {
        TraceJsonWriter writer(fd);
        writer.on_event(entry(kT0, 1, 1, "read"));
        EXPECT_FALSE(writer.finish());
        EXPECT_EQ(writer.output().error(), ENOSPC);
        EXPECT_TRUE(writer.output().lost());
    }
    ::close(fd);
}

}  // namespace
}  // namespace sctrace
