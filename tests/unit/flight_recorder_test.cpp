// The flight recorder (report/flight_recorder.h) and the per-run file names
// of --repeat (cli/repeated_runs.h), on synthetic events: no tracer needed.
#include "report/flight_recorder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/repeated_runs.h"
#include "model/arg_tree.h"
#include "model/syscall_table.h"

namespace sctrace {
namespace {

class FlightRecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/sctrace-flight-XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string prefix() const { return dir_ + "/rec"; }
    static std::string slurp(const std::string& path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    static std::vector<nlohmann::json> jsonl(const std::string& path) {
        std::vector<nlohmann::json> lines;
        std::istringstream in(slurp(path));
        for (std::string line; std::getline(in, line);)
            lines.push_back(nlohmann::json::parse(line));
        return lines;
    }
    bool exists(const std::string& path) const { return ::access(path.c_str(), F_OK) == 0; }

    std::string dir_;
};

// A write(fd, "payload N") that returned, decoded as the live tracer does:
// the buffer's text lives in storage the source reuses for the next call.
struct WriteCall {
    std::string buffer;  // the source's storage
    ArgTree tree;
    Event event;

    WriteCall(pid_t pid, pid_t tid, int fd, int n, Nanos time) {
        buffer = "payload " + std::to_string(n);
        tree.add_int(tree.root(), fd);
        tree.add_str(tree.root(), std::span<const char>(buffer.data(), buffer.size()), false);
        tree.add_uint(tree.root(), buffer.size());
        tree.entry_arg_count = 3;
        tree.entry_complete = true;
        SyscallEvent call;
        call.nr = *syscall_number(Arch::X86_64, "write");
        call.name = "write";
        call.args = {static_cast<std::uint64_t>(fd), 0x1000, buffer.size(), 0, 0, 0};
        call.entry_time = time - 10'000;
        call.has_result = true;
        call.ret = static_cast<std::int64_t>(buffer.size());
        call.decoded = &tree;
        event = Event{EventKind::SyscallExit, time, pid, tid, call};
    }
};

// Each call is two events, its entry and its exit, as a live source sees it.
void record_writes(FlightRecorder& recorder, pid_t pid, pid_t tid, int first, int count,
                   Nanos& time) {
    for (int n = first; n < first + count; ++n) {
        WriteCall call(pid, tid, 1, n, time += 100'000);
        Event entry = call.event;
        entry.kind = EventKind::SyscallEntry;
        entry.time = call.event.syscall()->entry_time;
        recorder.on_event(entry);
        recorder.on_event(call.event);
        // The source's storage is reused at once: the recording must not
        // point into it.
        call.buffer.assign(call.buffer.size(), 'X');
    }
}

TEST_F(FlightRecorderTest, KeepsTheLastNEventsOfEachThreadInOrder) {
    FlightRecorderOptions options;
    options.events_per_thread = 4;  // two calls
    options.path_prefix = prefix();
    FlightRecorder recorder(options);
    Nanos time = 1'000'000'000'000'000'000;
    record_writes(recorder, 100, 100, 0, 10, time);  // 0..9: keeps 8, 9
    record_writes(recorder, 100, 101, 20, 2, time);  // 20, 21
    record_writes(recorder, 100, 100, 10, 1, time);  // 10: keeps 9, 10
    ASSERT_TRUE(recorder.write_now());

    const auto lines = jsonl(prefix() + ".jsonl");
    std::vector<std::string> seen;
    for (const auto& line : lines) {
        seen.push_back(std::to_string(line["tid"].get<int>()) + " " +
                       line["decoded"].get<std::string>());
    }
    EXPECT_EQ(seen,
              (std::vector<std::string>{"100 1, \"payload 9\", 9", "101 1, \"payload 20\", 10",
                                        "101 1, \"payload 21\", 10", "100 1, \"payload 10\", 10"}));
    const std::string strace = slurp(prefix() + ".strace");
    EXPECT_NE(strace.find("write(1, \"payload 21\", 10) = 10 <0.000010>"), std::string::npos)
        << strace;
    EXPECT_EQ(strace.find("payload 8"), std::string::npos) << strace;
    EXPECT_EQ(recorder.written(),
              (std::vector<std::string>{prefix() + ".jsonl", prefix() + ".strace"}));
}

TEST_F(FlightRecorderTest, GivesUpTheRingOfTheThreadHeardFromLeastRecently) {
    FlightRecorderOptions options;
    options.events_per_thread = 4;
    options.max_threads = 2;
    options.path_prefix = prefix();
    FlightRecorder recorder(options);
    Nanos time = 1'000'000'000'000'000'000;
    record_writes(recorder, 100, 100, 0, 1, time);
    record_writes(recorder, 200, 200, 1, 1, time);
    record_writes(recorder, 100, 100, 2, 1, time);  // 200 is now the quietest
    record_writes(recorder, 300, 300, 3, 1, time);
    ASSERT_TRUE(recorder.write_now());
    std::vector<int> tids;
    for (const auto& line : jsonl(prefix() + ".jsonl")) tids.push_back(line["tid"]);
    EXPECT_EQ(tids, (std::vector<int>{100, 100, 300}));
    EXPECT_EQ(recorder.evicted_threads(), 1u);
}

TEST_F(FlightRecorderTest, WritesAtTheFirstFindingAtTheThresholdAndNotForLesserOnes) {
    FlightRecorderOptions options;
    options.events_per_thread = 8;
    options.path_prefix = prefix();
    options.finding_threshold = rules::Severity::Error;
    FlightRecorder recorder(options);
    Nanos time = 1'000'000'000'000'000'000;
    record_writes(recorder, 100, 100, 0, 2, time);
    rules::Finding finding;
    finding.rule = "double-close";
    finding.severity = rules::Severity::Warning;
    recorder.on_finding(finding);
    EXPECT_FALSE(exists(prefix() + ".first-finding.jsonl"));
    finding.severity = rules::Severity::Error;
    recorder.on_finding(finding);
    ASSERT_TRUE(exists(prefix() + ".first-finding.jsonl"));
    EXPECT_EQ(jsonl(prefix() + ".first-finding.jsonl").size(), 2u);
    // Only the first: the events that led to it stay as they were written.
    record_writes(recorder, 100, 100, 2, 2, time);
    recorder.on_finding(finding);
    EXPECT_EQ(jsonl(prefix() + ".first-finding.jsonl").size(), 2u);
    EXPECT_FALSE(exists(prefix() + ".jsonl"));
}

TEST_F(FlightRecorderTest, LeavesTheWatchdogsSamplesOut) {
    FlightRecorderOptions options;
    options.events_per_thread = 4;
    options.path_prefix = prefix();
    FlightRecorder recorder(options);
    Nanos time = 1'000'000'000'000'000'000;
    record_writes(recorder, 100, 100, 0, 2, time);
    for (int i = 0; i < 5; ++i) {
        ThreadSampleEvent sample;
        sample.state = 'S';
        recorder.on_event(Event{EventKind::ThreadSample, time += 100, 100, 100, sample});
    }
    ASSERT_TRUE(recorder.write_now());
    EXPECT_EQ(jsonl(prefix() + ".jsonl").size(), 2u);
}

TEST_F(FlightRecorderTest, SaysWhichFileItCouldNotWrite) {
    FlightRecorderOptions options;
    options.events_per_thread = 2;
    options.path_prefix = dir_ + "/no/such/dir/rec";
    FlightRecorder recorder(options);
    Nanos time = 1'000'000'000'000'000'000;
    record_writes(recorder, 100, 100, 0, 1, time);
    ::testing::internal::CaptureStderr();
    EXPECT_FALSE(recorder.write_now());
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(
        err.find("sctrace: --flight-recorder: " + dir_ + "/no/such/dir/rec.jsonl: No such file"),
        std::string::npos)
        << err;
    EXPECT_TRUE(recorder.written().empty());
}

TEST(RunFilePath, PutsTheRunNumberBeforeTheExtension) {
    EXPECT_EQ(run_file_path("/nonexistent-dir/report.xml", 7), "/nonexistent-dir/report.run7.xml");
    EXPECT_EQ(run_file_path("out/trace", 12), "out/trace.run12");
    EXPECT_EQ(run_file_path("a.b/trace", 3), "a.b/trace.run3");
    EXPECT_EQ(run_file_path(".hidden", 2), ".hidden.run2");
    EXPECT_EQ(run_file_path("events.tar.gz", 2), "events.tar.run2.gz");
}

TEST(RunFilePath, LeavesDevicesAsTheyAre) {
    EXPECT_EQ(run_file_path("/dev/null", 4), "/dev/null");
    EXPECT_EQ(run_file_path("/dev/stderr", 4), "/dev/stderr");
    EXPECT_EQ(run_file_path("", 4), "");
}

TEST(RunFilePath, NamesEveryFileOfARun) {
    RunFiles named;
    named.junit = "/nonexistent-dir/report.xml";
    named.output = "/dev/null";
    named.flight_prefix = "/nonexistent-dir/flight";
    const RunFiles files = files_for_run(named, 5);
    EXPECT_EQ(files.junit, "/nonexistent-dir/report.run5.xml");
    EXPECT_EQ(files.output, "/dev/null");
    EXPECT_EQ(files.sarif, "");
    EXPECT_EQ(files.flight_prefix, "/nonexistent-dir/flight.run5");
}

}  // namespace
}  // namespace sctrace
