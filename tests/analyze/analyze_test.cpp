// sctrace analyze on logs made here: by strace itself (when installed) and by
// sctrace's own JSONL writer. Exit codes and messages are what scripts and
// people rely on.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Result {
    int status = -1;
    std::string out, err;
};

// Runs a shell command line; stdout and stderr captured through files.
Result sh(const std::string& command) {
    const fs::path dir = fs::temp_directory_path();
    // Per process: ctest -j runs this suite's cases side by side.
    const std::string tag = std::to_string(getpid());
    const std::string out = dir / ("analyze-test-" + tag + ".out"),
                      err = dir / ("analyze-test-" + tag + ".err");
    const int rc = std::system((command + " >" + out + " 2>" + err).c_str());
    Result r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    std::ifstream o(out), e(err);
    std::stringstream so, se;
    so << o.rdbuf();
    se << e.rdbuf();
    r.out = so.str();
    r.err = se.str();
    return r;
}

class Analyze : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("sctrace-analyze-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name)) << text;
    }
    static bool have_strace() { return sh("command -v strace").status == 0; }

    fs::path dir_;
};

std::size_t count_lines_with(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) n += l.find(needle) != std::string::npos;
    return n;
}

TEST_F(Analyze, SomethingThatIsNotALogIsAnErrorWithExit2) {
    write("notes.txt", "dear diary,\ntoday I traced nothing.\n");
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("notes.txt"));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("notes.txt: not an strace log"), std::string::npos) << r.err;
}

TEST_F(Analyze, AMissingFileIsAnErrorWithExit2) {
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("nope.log"));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("nope.log: no such file"), std::string::npos) << r.err;
}

TEST_F(Analyze, BadLinesAreReportedWithFileAndLineAndCounted) {
    write("cut.log",
          "100 close(3) = 0\n"
          "100 connect(3, {sa_family=AF_INET, sin_port=htons(80\n"
          "100 close(4) = 0\n");
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("cut.log") + " -o " +
                        path("out.jsonl") + " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("cut.log:2: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 line(s) could not be parsed"), std::string::npos) << r.err;
    std::ifstream in(path("out.jsonl"));
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_EQ(count_lines_with(s.str(), "\"syscall_exit\""), 2u);
}

// Input that is not a log at all must end with a clear error in bounded
// memory: /dev/zero is one endless line. The memory cap proves the bound
// (a run that held the line would be killed, not exit 2); `timeout` only
// keeps a regression from hanging the suite.
std::string memory_capped(const std::string& command) {
#if SCTRACE_SANITIZED
    // ASan reserves terabytes of address space, so ulimit -v cannot cap it;
    // its own resident-memory limit does. Its quarantine (256 MB by default)
    // keeps freed blocks resident, so the buffers a growing line left behind
    // would count against the cap although the program holds them no more;
    // a small quarantine makes the cap measure the program.
    return "(ASAN_OPTIONS=hard_rss_limit_mb=400:quarantine_size_mb=16:${ASAN_OPTIONS:-} "
           "timeout 120 " +
           command + ")";
#else
    return "(ulimit -v 400000 && timeout 120 " + command + ")";
#endif
}

TEST_F(Analyze, DevZeroEndsOnItsOwnWithAClearErrorInBoundedMemory) {
    const Result r = sh(memory_capped(std::string(SCTRACE_BIN) + " analyze /dev/zero"));
    EXPECT_EQ(r.status, 2) << r.err;  // not 124 (timeout), not killed
    EXPECT_NE(r.err.find("/dev/zero: not an strace log"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("longer than 64 MiB"), std::string::npos) << r.err;
}

TEST_F(Analyze, FiftyMegabytesOfZerosOnStdinAreNotALog) {
    const Result r =
        sh("head -c 50M /dev/zero | " + memory_capped(std::string(SCTRACE_BIN) + " analyze -"));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("not an strace log"), std::string::npos) << r.err;
}

TEST_F(Analyze, AnOverlongLineIsSkippedCountedAndNamedAndTheRestIsRead) {
    const Result r =
        sh("{ echo '100 close(3) = 0'; head -c 70M /dev/zero; echo; "
           "echo '100 close(4) = 0'; } > " +
           path("long.log") + " && " +
           memory_capped(std::string(SCTRACE_BIN) + " analyze " + path("long.log") + " -o " +
                         path("out.jsonl") + " --format jsonl"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("long.log:2: the line is longer than 64 MiB"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 line(s) could not be parsed"), std::string::npos) << r.err;
    std::ifstream in(path("out.jsonl"));
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_EQ(count_lines_with(s.str(), "\"syscall_exit\""), 2u);
}

// A line within the limit that needs more memory than the process may have
// is a clear error about the input (exit 2), not "internal error:
// std::bad_alloc" (70).
TEST_F(Analyze, RunningOutOfMemoryOnTheInputIsExit2NamingIt) {
#if SCTRACE_SANITIZED
    GTEST_SKIP() << "ASan reports running out of memory itself instead of throwing bad_alloc";
#endif
    const Result r =
        sh("{ printf '100 write(1, \"'; head -c 60M /dev/zero | tr '\\0' a; "
           "printf '\", 5) = 5\\n'; } > " +
           path("big.log") + " && (ulimit -v 100000 && " + SCTRACE_BIN + " analyze " +
           path("big.log") + ")");
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("big.log: out of memory"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

TEST_F(Analyze, TimesBeyondInt64AreBadLinesNotWrappedClockFaces) {
    write("times.log",
          "100 9223372036.854775807 close(3) = 0 <1.000000>\n"
          "100 1795447436.100000 close(4) = 0 <0.000010>\n"
          "100 99999999999999999999.000000 close(5) = 0\n");
    const Result r =
        sh(std::string(SCTRACE_BIN) + " analyze " + path("times.log") + " -o " + path("out.txt"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("times.log:1: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("times.log:3: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2 line(s) could not be parsed"), std::string::npos) << r.err;
    std::ifstream in(path("out.txt"));
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_NE(s.str().find(".100010 100 close(4) = 0 <0.000010>"), std::string::npos) << s.str();
    EXPECT_EQ(s.str().find(".-"), std::string::npos) << s.str();
}

// strace -v and -X verbose print comments after values ("0x2 /* AF_INET */",
// "{tv_sec=...} /* 2026-... */", "[2 /* INT */ 15 /* TERM */]"), -X raw only
// numbers. Real logs of each parse whole, and what rules read comes out as
// from a log without them.
TEST_F(Analyze, VerboseAndRawLogsParseWholeWithTheirValues) {
    const auto analyze = [&](const std::string& log) {
        const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + DATA_DIR + "/" + log + " -o " +
                            path(log + ".out") + " --format strace");
        EXPECT_EQ(r.status, 0) << log << ": " << r.err;
        EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << log << ": " << r.err;
        std::ifstream in(path(log + ".out"));
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    std::string out = analyze("curl-refused.f-tt-T-y-v-Xverbose.log");
    EXPECT_NE(out.find("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5"), std::string::npos) << out;
    EXPECT_NE(out.find("connect(5, {sa_family=AF_INET, sin_port=htons(18931), "
                       "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("getsockopt(5, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0"),
              std::string::npos)
        << out;
    out = analyze("ls-l.f-tt-T-y-v-Xverbose.log");
    EXPECT_NE(out.find("statx(AT_FDCWD</tmp/lp-logs>, \"/etc\", "
                       "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("rt_sigprocmask(SIG_BLOCK, [INT TERM CHLD], [], 8) = 0"), std::string::npos)
        << out;
    out = analyze("ls-l.f-tt-T-y-v.log");
    EXPECT_NE(out.find("statx(AT_FDCWD</tmp/lp-logs>, \"/etc\""), std::string::npos) << out;
    out = analyze("curl-refused.f-tt-T-yy-Xraw.log");
    EXPECT_NE(out.find("connect(5, {sa_family=0x2, "), std::string::npos) << out;
    EXPECT_NE(out.find("= -1 EINPROGRESS"), std::string::npos) << out;
    EXPECT_NE(out.find("getsockopt(5, 0x1, 0x4, [111], [4]) = 0"), std::string::npos) << out;
}

TEST_F(Analyze, StdinGzipAndFfSetsAreRead) {
    write("t.log",
          "100 close(3) = 0\n100 rt_sigreturn({mask=[]}) = 14184149890077264647\n"
          "100 +++ exited with 0 +++\n");
    Result r = sh("cat " + path("t.log") + " | " + SCTRACE_BIN + " analyze - -o " + path("a.txt") +
                  " --format strace");
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(sh("gzip -k " + path("t.log")).status, 0);
    r = sh(std::string(SCTRACE_BIN) + " analyze " + path("t.log.gz") + " -o " + path("b.txt") +
           " --format strace");
    EXPECT_EQ(r.status, 0) << r.err;
    write("ff.201", "close(3) = 0\n");
    write("ff.202", "close(4) = 0\n");
    r = sh(std::string(SCTRACE_BIN) + " analyze " + path("ff") + " -o " + path("c.txt") +
           " --format strace");
    EXPECT_EQ(r.status, 0) << r.err;
    const Result a = sh("cat " + path("a.txt")), b = sh("cat " + path("b.txt")),
                 c = sh("cat " + path("c.txt"));
    EXPECT_NE(a.out.find("100   close(3)"), std::string::npos) << a.out;
    EXPECT_NE(a.out.find(" = 14184149890077264647\n"), std::string::npos) << a.out;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(c.out.find("201   close(3)"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("202   close(4)"), std::string::npos) << c.out;
}

TEST_F(Analyze, ARealStraceLogGivesTheSameCallsBack) {
    if (!have_strace()) GTEST_SKIP() << "strace is not installed: cannot make a real log here";
    const std::string log = path("real.log");
    ASSERT_EQ(sh("strace -f -tt -T -y -o " + log + " -e trace=%net,close " + SAMPLE_BIN).status, 0);
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + log + " -o " + path("x.jsonl") +
                        " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const Result strace_log = sh("cat " + log), events = sh("cat " + path("x.jsonl"));
    // Every call strace wrote is one syscall_exit event.
    const std::size_t calls = count_lines_with(strace_log.out, " = ");
    EXPECT_EQ(count_lines_with(events.out, "\"syscall_exit\""), calls);
    EXPECT_EQ(count_lines_with(events.out, "\"syscall\":\"connect\""), 1u);
}

// An output that cannot be written is said once and fails the step (122,
// above findings' 1); a reader that stops reading is said but fails nothing.
TEST_F(Analyze, AnOutputThatCannotBeWrittenIsSaidOnceAndExits122) {
    write("two.log",
          "201   openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n"
          "201   close(3) = 0\n"
          "201   close(3) = -1 EBADF (Bad file descriptor)\n"
          "201   exit_group(0) = ?\n");
    const std::string bin = std::string(SCTRACE_BIN) + " analyze " + path("two.log");
    const std::string lost = ": /dev/full: No space left on device: output lost from here on\n";
    for (const std::string option : {"-o", "--findings", "--sarif", "--trace-json"}) {
        const Result r = sh(bin + " " + option + " /dev/full");
        EXPECT_EQ(r.status, 122) << option << ": " << r.err;
        std::size_t said = 0;
        for (auto at = r.err.find(lost); at != std::string::npos; at = r.err.find(lost, at + 1)) {
            ++said;
        }
        EXPECT_EQ(said, 1u) << option << ": " << r.err;
        EXPECT_NE(r.err.find("[double-close]"), std::string::npos) << option << ": " << r.err;
    }
    // The pipe's reader is gone before analyze writes a byte.
    const Result piped = sh("bash -c '{ sleep 0.3; " + bin +
                            " -o /dev/stdout --format jsonl; echo status $? >&2; } | true'");
    // The finding's status, not SIGPIPE's 141, nor 122.
    EXPECT_NE(piped.err.find("status 1\n"), std::string::npos) << piped.err;
    EXPECT_NE(piped.err.find(": Broken pipe: output lost from here on\n"), std::string::npos)
        << piped.err;
}

TEST_F(Analyze, SctracesOwnJsonlIsReadBack) {
    const std::string live = path("live.jsonl");
    ASSERT_EQ(sh(std::string(SCTRACE_BIN) + " -e trace=%net,close -o " + live +
                 " --format jsonl -- " + SAMPLE_BIN)
                  .status,
              0);
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + live + " -o " +
                        path("again.jsonl") + " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    const Result a = sh("cat " + live), b = sh("cat " + path("again.jsonl"));
    EXPECT_EQ(count_lines_with(a.out, "\"syscall_exit\""),
              count_lines_with(b.out, "\"syscall_exit\""));
    EXPECT_GT(count_lines_with(b.out, "\"syscall\":\"connect\""), 0u);
}

// sctrace's default text output (-o FILE without --format): its prefix is
// the time, then pid/tid, and it states which process a thread is in, so
// even an undecoded clone (raw numbers, no CLONE_THREAD to read) makes a
// thread of the right process. A complete call is stamped at its exit: its
// entry was its duration earlier. Lines strace has no form for (exec,
// io_uring) are read, not counted as unparsed; a line that is not the
// format is reported by file and line.
TEST_F(Analyze, SctracesTextLogIsReadWithItsThreadsAndTimes) {
    write("run.txt",
          "10:00:00.000100 100 +++ thread 101 +++\n"
          "10:00:00.000200 100 clone(4001536, 139, 139, 139, 139) = 101 <0.000100>\n"
          "10:00:00.000300 100/101 read(3,  <unfinished ...>\n"
          "10:00:00.000400 100 close(4) = 0 <0.000010>\n"
          "10:00:00.000500 100/101 <... read resumed>\"hi\", 4096) = 2 <0.000200>\n"
          "10:00:00.000550 100 --- io_uring_submit {opcode=IORING_OP_NOP, fd=-1} ---\n"
          "10:00:00.000600 100/101 +++ thread exited with 0 +++\n"
          "10:00:00.000700 100 +++ exec /bin/true +++\n"
          "this line is not sctrace's\n"
          "10:00:00.000900 100 +++ exited with 0 +++\n");
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze --no-rules " + path("run.txt") +
                        " -o " + path("run.jsonl") + " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("run.txt:9:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 line(s) could not be parsed"), std::string::npos) << r.err;
    std::vector<nlohmann::json> events;
    std::istringstream lines(sh("cat " + path("run.jsonl")).out);
    for (std::string line; std::getline(lines, line);)
        events.push_back(nlohmann::json::parse(line));
    auto find = [&](const std::string& type, const std::string& syscall = {}) {
        for (const auto& e : events) {
            if (e["type"] == type && (syscall.empty() || e.value("syscall", "") == syscall))
                return e;
        }
        return nlohmann::json();
    };
    const auto spawn = find("spawn");
    ASSERT_FALSE(spawn.is_null()) << sh("cat " + path("run.jsonl")).out;
    EXPECT_EQ(spawn["kind"], "thread");
    EXPECT_EQ(spawn["child_tid"], 101);
    EXPECT_EQ(spawn["child_pid"], 100);
    const auto read = find("syscall_exit", "read");
    EXPECT_EQ(read["pid"], 100);
    EXPECT_EQ(read["tid"], 101);
    const auto close = find("syscall_exit", "close");
    EXPECT_EQ(close["time"].get<std::int64_t>() - close["entry_time"].get<std::int64_t>(), 10000);
    const auto exit = find("exit");
    EXPECT_EQ(exit["tid"], 101);
    EXPECT_EQ(exit["whole_process"], false);
}

TEST_F(Analyze, SctracesOwnIoUringEventsAreReadBack) {
    // As EventWriter writes them: a submission the tracker read at
    // io_uring_enter, and its completion.
    write("uring.jsonl",
          R"({"type":"io_uring_submit","time":1700000000000000000,"pid":100,"tid":100,)"
          R"("ring_fd":3,"position":7,"seen":"enter","opcode":"IORING_OP_STATX","flags":0,)"
          R"("fd":-100,"off":0,"addr":140000,"len":4095,"op_flags":0,"user_data":2,)"
          R"("buf_index":0,"personality":0,"file_index":0,"path":"/etc/hostname"})"
          "\n"
          R"({"type":"io_uring_complete","time":1700000000000001000,"pid":100,"tid":100,)"
          R"("ring_fd":3,"position":7,"user_data":2,"res":-2,"flags":0})"
          "\n");
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("uring.jsonl") + " -o " +
                        path("again.jsonl") + " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << r.err;
    // Written out again, every field came through.
    std::ifstream in(path("again.jsonl"));
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(in, line);) events.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0]["type"], "io_uring_submit");
    EXPECT_EQ(events[0]["opcode"], "IORING_OP_STATX");
    EXPECT_EQ(events[0]["ring_fd"], 3);
    EXPECT_EQ(events[0]["position"], 7);
    EXPECT_EQ(events[0]["fd"], -100);
    EXPECT_EQ(events[0]["len"], 4095);
    EXPECT_EQ(events[0]["user_data"], 2);
    EXPECT_EQ(events[0]["path"], "/etc/hostname");
    EXPECT_EQ(events[1]["type"], "io_uring_complete");
    EXPECT_EQ(events[1]["user_data"], 2);
    EXPECT_EQ(events[1]["res"], -2);
}

// strace never reads the rings: a log whose io_uring_enter submitted work
// says so, since the rules cannot have seen what the ring did (here: the
// close that makes the last close(2) a double one). sctrace's own event log
// has the ring's events, and no such note.
TEST_F(Analyze, AnStraceLogWithRingWorkSaysTheRulesDidNotSeeIt) {
    write("ring.log",
          "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0, sq_entries=8, "
          "cq_entries=16, features=0, wq_fd=0, resv=[0, 0, 0]}) = 3\n"
          "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0\n"
          "100 io_uring_enter(3, 1, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 1\n"
          "100 close(4) = -1 EBADF (Bad file descriptor)\n"
          "100 +++ exited with 0 +++\n");
    const std::string note = "the log does not show the work (strace never reads the rings)";
    Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("ring.log"));
    EXPECT_NE(r.err.find(note), std::string::npos) << r.err;
    // An io_uring_enter that submitted nothing (a wait) hid no work.
    write("wait.log",
          "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0, sq_entries=8, "
          "cq_entries=16, features=0, wq_fd=0, resv=[0, 0, 0]}) = 3\n"
          "100 io_uring_enter(3, 0, 1, IORING_ENTER_GETEVENTS, NULL, 8) = 0\n"
          "100 +++ exited with 0 +++\n");
    r = sh(std::string(SCTRACE_BIN) + " analyze " + path("wait.log"));
    EXPECT_EQ(r.err.find(note), std::string::npos) << r.err;
    write("ring.jsonl",
          R"({"type":"syscall_exit","time":1700000000000000000,"pid":100,"tid":100,)"
          R"("syscall":"io_uring_enter","nr":426,"arch":"x86_64","args":[3,1,1,1,0,8],)"
          R"("entry_time":1700000000000000000,"ret":1,"errno":null})"
          "\n"
          R"({"type":"io_uring_submit","time":1700000000000000001,"pid":100,"tid":100,)"
          R"("ring_fd":3,"position":0,"seen":"enter","opcode":"IORING_OP_NOP","flags":0,)"
          R"("fd":-1,"off":0,"addr":0,"len":0,"op_flags":0,"user_data":1,)"
          R"("buf_index":0,"personality":0,"file_index":0})"
          "\n");
    r = sh(std::string(SCTRACE_BIN) + " analyze " + path("ring.jsonl"));
    EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(note), std::string::npos) << r.err;
}

// Two threads, one blocked in read() while the other opens a file: the
// read's entry keeps its own arguments ("3, ", not the openat's) and its
// exit shows the buffer, through strace -> JSONL -> strace and text.
TEST_F(Analyze, AnOvertakenCallKeepsItsArgumentsThroughJsonl) {
    const std::string original =
        "101   read(3,  <unfinished ...>\n"
        "102   openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4\n"
        "101   <... read resumed>\"hello\\n\", 4096) = 6\n";
    write("two.log", original);
    const std::string bin = std::string(SCTRACE_BIN) + " analyze --no-rules ";
    Result r = sh(bin + path("two.log") + " -o " + path("two.jsonl") + " --format jsonl");
    ASSERT_EQ(r.status, 0) << r.err;
    r = sh(bin + path("two.jsonl") + " -o " + path("again.log") + " --format strace --no-times");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << r.err;
    EXPECT_EQ(sh("cat " + path("again.log")).out, original);

    r = sh(bin + path("two.jsonl") + " -o " + path("again.txt") + " --format text");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string text = sh("cat " + path("again.txt")).out;
    EXPECT_EQ(count_lines_with(text, " read(3,  <unfinished ...>"), 1u) << text;
    EXPECT_EQ(count_lines_with(text, " openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4"), 1u)
        << text;
    EXPECT_EQ(count_lines_with(text, " <... read resumed>\"hello\\n\", 4096) = 6"), 1u) << text;
}

// A JSONL log written before the writer said whether an entry's argument
// list was complete: the reader tells from the syscall's argument count.
TEST_F(Analyze, AnOvertakenCallFromAnOlderJsonlLogPrintsAsStraceDoes) {
    write("old.jsonl",
          R"({"type":"syscall_entry","time":1000,"pid":101,"tid":101,"syscall":"read","nr":0,)"
          R"("arch":"x86_64","args":[3,0,4096,0,0,0],"entry_time":1000,"decoded":"3"})"
          "\n"
          R"({"type":"syscall_exit","time":2000,"pid":102,"tid":102,"syscall":"close","nr":3,)"
          R"("arch":"x86_64","args":[5,0,0,0,0,0],"entry_time":1500,"decoded":"5",)"
          R"("ret":0,"errno":null})"
          "\n"
          R"({"type":"syscall_exit","time":3000,"pid":101,"tid":101,"syscall":"read","nr":0,)"
          R"("arch":"x86_64","args":[3,0,4096,0,0,0],"entry_time":1000,)"
          R"("decoded":"3, \"hi\", 4096","ret":2,"errno":null})"
          "\n");
    Result r = sh(std::string(SCTRACE_BIN) + " analyze --no-rules " + path("old.jsonl") + " -o " +
                  path("old.log") + " --format strace --no-times");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(sh("cat " + path("old.log")).out,
              "101   read(3,  <unfinished ...>\n"
              "102   close(5)                          = 0\n"
              "101   <... read resumed>\"hi\", 4096)     = 2\n");
    // By default the JSONL's times come along, as strace -tt -T writes them:
    // each line's start and each call's duration.
    r = sh("TZ=UTC " + std::string(SCTRACE_BIN) + " analyze --no-rules " + path("old.jsonl") +
           " -o " + path("timed.log") + " --format strace");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(sh("cat " + path("timed.log")).out,
              "101   00:00:00.000001 read(3,  <unfinished ...>\n"
              "102   00:00:00.000001 close(5)          = 0 <0.000000>\n"
              "101   00:00:00.000003 <... read resumed>\"hi\", 4096) = 2 <0.000002>\n");
}

// Hostile JSONL: every field is checked before use. A line with a missing
// or mistyped field is counted and reported by file:line, and reading goes
// on; nothing crashes or prints memory it does not own.
TEST_F(Analyze, JsonlLinesWithMissingOrMistypedFieldsAreReportedByLine) {
    const std::string head = R"({"type":"syscall_exit","time":1,"pid":7,"tid":7,"syscall":"close")";
    write("bad.jsonl",
          // 1: fine
          head + R"(,"decoded":"3","ret":0,"errno":null})" + "\n" +
              // 2: no result at all
              head + R"(,"decoded":"3"})" + "\n" +
              // 3: a result that is text
              head + R"(,"ret":"zero","errno":null})" + "\n" +
              // 4: a signal with no signal
              R"({"type":"signal","time":2,"pid":7,"tid":7,"code":0})" + "\n" +
              // 5: a killed process whose signal is a number, not a name
              R"({"type":"exit","time":3,"pid":7,"tid":7,"whole_process":true,"signaled":true,)"
              R"("code":0,"signo":11})" +
              "\n" +
              // 6: a pid out of range
              R"({"type":"spawn","time":4,"pid":1e30,"tid":7,"kind":"fork"})" + "\n" +
              // 7: an unfinished entry whose arguments do not parse, 8: its exit
              R"({"type":"syscall_entry","time":5,"pid":7,"tid":8,"syscall":"read",)"
              R"("decoded":"{{{\"unterminated"})" +
              "\n" +
              R"({"type":"syscall_exit","time":6,"pid":7,"tid":8,"syscall":"read",)"
              R"("decoded":"3, \"ok\", 10","ret":2,"errno":null})" +
              "\n" +
              // 9: registers that are not numbers
              head + R"(,"args":["a"],"ret":0,"errno":null})" + "\n");
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze --no-rules " + path("bad.jsonl") +
                        " -o " + path("bad.txt") + " --format text");
    EXPECT_EQ(r.status, 0) << r.err;
    const std::string at = path("bad.jsonl") + ":";
    EXPECT_NE(r.err.find(at + "2: field 'ret': missing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(at + "3: field 'ret': not an integer or null"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(at + "4: field 'signo': missing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(at + "5: field 'signo': not a string"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(at + "6: field 'pid': not an integer in range"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(at + "7: field 'decoded': "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(at + "9: field 'args': "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("7 line(s) could not be parsed"), std::string::npos) << r.err;
    // The good lines came through, the read with its own result.
    const std::string text = sh("cat " + path("bad.txt")).out;
    EXPECT_EQ(count_lines_with(text, "close(3) = 0"), 1u) << text;
    EXPECT_EQ(count_lines_with(text, "read(3, \"ok\", 10) = 2"), 1u) << text;
}

TEST_F(Analyze, ALiveIoUringRunWrittenAsJsonlIsReadBackWhole) {
    const std::string live = path("live.jsonl");
    const Result run = sh(std::string(SCTRACE_BIN) + " -e trace=io_uring_setup,io_uring_enter -o " +
                          live + " --format jsonl -- " + URING_BIN);
    if (run.status == 77) GTEST_SKIP() << "the kernel refused io_uring here: " << run.err;
    ASSERT_EQ(run.status, 0) << run.err;
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + live + " -o " +
                        path("again.jsonl") + " --format jsonl");
    EXPECT_NE(r.status, 2) << r.err;
    EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("unknown event type"), std::string::npos) << r.err;
    const Result a = sh("cat " + live), b = sh("cat " + path("again.jsonl"));
    const std::size_t submitted = count_lines_with(a.out, "\"io_uring_submit\"");
    EXPECT_GT(submitted, 0u) << a.out;
    EXPECT_EQ(count_lines_with(b.out, "\"io_uring_submit\""), submitted);
    EXPECT_EQ(count_lines_with(b.out, "\"io_uring_complete\""),
              count_lines_with(a.out, "\"io_uring_complete\""));
}

// Lines of a plain strace log, `n` of them.
std::string strace_lines(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
        text += "4711  15:00:00.000001 read(3, \"abc\", 3) = 3 <0.000010>\n";
    }
    return text;
}

// Runs `sctrace analyze OPTIONS -` (default --no-rules) with its stdout and
// stderr on a pseudo-terminal, as a person at a terminal does, its stdin fed
// through a pipe: `first`, then after `pause` `rest`, so that the run takes
// longer than `pause` whatever the machine's speed. Returns what the
// terminal got.
std::string analyze_on_terminal(const std::string& first, std::chrono::milliseconds pause,
                                const std::string& rest, int* status,
                                std::vector<std::string> options = {"--no-rules"}) {
    int in[2];
    if (::pipe(in) != 0) return "pipe failed";
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) return "forkpty failed";
    if (pid == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::close(in[0]);
        ::close(in[1]);
        std::vector<char*> argv = {const_cast<char*>(SCTRACE_BIN), const_cast<char*>("analyze")};
        for (auto& o : options) argv.push_back(o.data());
        argv.push_back(const_cast<char*>("-"));
        argv.push_back(nullptr);
        ::execv(SCTRACE_BIN, argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    // The terminal is read on a thread so sctrace never blocks writing to it.
    std::string shown;
    std::thread reader([&] {
        char buf[4096];
        while (true) {
            pollfd p{master, POLLIN, 0};
            if (::poll(&p, 1, 60'000) <= 0) break;  // a generous deadline, not a timing check
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) break;  // EIO: the child side closed
            shown.append(buf, static_cast<std::size_t>(n));
        }
    });
    const auto put = [&](const std::string& text) {
        for (std::size_t at = 0; at < text.size();) {
            const ssize_t n = ::write(in[1], text.data() + at, text.size() - at);
            if (n <= 0) break;
            at += static_cast<std::size_t>(n);
        }
    };
    put(first);
    std::this_thread::sleep_for(pause);
    put(rest);
    ::close(in[1]);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    reader.join();
    ::close(master);
    *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    return shown;
}

TEST_F(Analyze, ALongRunShowsAProgressLineOnATerminalAndErasesIt) {
    int status = -1;
    const std::string shown = analyze_on_terminal(
        strace_lines(1000), std::chrono::milliseconds(1500), strace_lines(20000), &status);
    EXPECT_EQ(status, 0) << shown;
    // stdin: the total is unknown, so the bytes read are shown.
    const auto at = shown.rfind("sctrace: analyze: ");
    ASSERT_NE(at, std::string::npos) << shown;
    const std::string last = shown.substr(at);
    EXPECT_NE(last.find(" MB read, "), std::string::npos) << last;
    EXPECT_NE(last.find(" lines"), std::string::npos) << last;
    // Drawn in place and erased at the end: the line ends with '\r', and the
    // terminal's output ends with blanks over it and '\r' again.
    const auto first_cr = last.find('\r');
    ASSERT_NE(first_cr, std::string::npos) << last;
    const std::string after = last.substr(first_cr + 1);
    ASSERT_FALSE(after.empty()) << "the progress line was never erased";
    EXPECT_EQ(after.back(), '\r');
    EXPECT_EQ(after.find_first_not_of(" \r"), std::string::npos) << after;
}

// What a terminal shows for `out`: its rows, as '\r', '\n' and "\x1b[K"
// leave them, trailing blanks dropped.
std::vector<std::string> screen_rows(const std::string& out) {
    std::vector<std::string> rows(1);
    std::size_t col = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (c == '\r') {
            col = 0;
        } else if (c == '\n') {
            rows.emplace_back();
            col = 0;
        } else if (out.compare(i, 3, "\x1b[K") == 0) {
            if (rows.back().size() > col) rows.back().resize(col);
            i += 2;
        } else {
            std::string& row = rows.back();
            if (row.size() <= col) row.resize(col + 1, ' ');
            row[col++] = c;
        }
    }
    for (auto& row : rows) row.erase(row.find_last_not_of(' ') + 1);
    return rows;
}

TEST_F(Analyze, AFindingPrintedDuringTheProgressLineLeavesNoStrayCharacters) {
    // A rule whose finding's first line is shorter than the progress line,
    // raised by a line read while the progress line is up.
    write("x.yaml",
          "- rule: x\n"
          "  condition: evt.type = close\n"
          "  output: fd closed\n"
          "  severity: info\n");
    int status = -1;
    const std::string shown = analyze_on_terminal(
        strace_lines(1000), std::chrono::milliseconds(2500),
        strace_lines(2000) + "7  15:00:00.000002 close(3) = 0\n" + strace_lines(2000), &status,
        // Plain text: the rows are compared character for character. Only x:
        // the pack would add its start-up time under a sanitizer to the pause.
        {"--no-default-rules", "-r", path("x.yaml"), "--color=never"});
    EXPECT_EQ(status, 0) << shown;
    const auto progress_at = shown.find("sctrace: analyze: ");
    const auto finding_at = shown.find("sctrace: info [x]");
    ASSERT_NE(progress_at, std::string::npos) << shown;
    ASSERT_NE(finding_at, std::string::npos) << shown;
    ASSERT_LT(progress_at, finding_at) << "the finding came before the progress line: " << shown;
    // The finding's rows are its own, and the progress line is gone at the end.
    bool seen = false;
    for (const std::string& row : screen_rows(shown)) {
        if (row.find("sctrace: info [x]") != std::string::npos) {
            seen = true;
            EXPECT_EQ(row.find("sctrace: info [x] pid 7 tid 7 at "), 0u) << row;
            EXPECT_EQ(row.size(),
                      std::string("sctrace: info [x] pid 7 tid 7 at 15:00:00.000002").size())
                << "stray characters: '" << row << "'";
        }
        EXPECT_EQ(row.find("sctrace: analyze: "), std::string::npos) << row;
    }
    EXPECT_TRUE(seen) << shown;
}

TEST_F(Analyze, NoProgressLineWhenStderrIsNotATerminal) {
    write("a.log", strace_lines(1000));
    write("b.log", strace_lines(20000));
    // The same slow input, stderr to a file.
    const Result r = sh("{ cat " + path("a.log") + "; sleep 1.5; cat " + path("b.log") + "; } | " +
                        SCTRACE_BIN + " analyze --no-rules -");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, "");
}

TEST_F(Analyze, RulesCheckReportsAPlantedErrorAtItsLineAndColumn) {
    write("bad.yaml",
          "- rule: broken\n"
          "  condition: evt.type = close and fd.nonblock = true\n");
    Result r = sh(std::string(SCTRACE_BIN) + " rules check -r " + path("bad.yaml"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("bad.yaml:2:35: error: rule 'broken': unknown field or macro "
                         "'fd.nonblock'"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("^ did you mean 'fd.nonblocking'?"), std::string::npos) << r.err;
    r = sh(std::string(SCTRACE_BIN) + " rules check --json -r " + path("bad.yaml"));
    EXPECT_EQ(r.status, 1);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["errors"][0]["line"], 2);
    EXPECT_EQ(j["errors"][0]["column"], 35);
    // A run with broken rules refuses to start rather than trace half-blind.
    r = sh(std::string(SCTRACE_BIN) + " -r " + path("bad.yaml") + " -- true");
    EXPECT_EQ(r.status, 2);
    // The bundled pack checks clean.
    r = sh(std::string(SCTRACE_BIN) + " rules check");
    EXPECT_EQ(r.status, 0) << r.err;
}

// ---------------------------------------------------------------------------
// Real logs recorded for these tests (tests/analyze/data; the .c files next
// to them are the programs, the file names say the strace flags).

const std::string kData = DATA_DIR;

std::vector<nlohmann::json> read_jsonl(const std::string& file) {
    std::vector<nlohmann::json> out;
    std::ifstream in(file);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty()) out.push_back(nlohmann::json::parse(l));
    }
    return out;
}

// strace 6.1 -y prints "4</var/tmp/etilqs_...>(deleted)" for sqlite's
// unlinked temporary files and "3</memfd:x>(deleted)" for memfds; a thread
// that dies inside read() leaves "<... read resumed> <unfinished ...>) = ?"
// (-f) or "read(3<pipe:[...]>,  <unfinished ...>) = ?" (-ff). Every line is read.
TEST_F(Analyze, DeletedFilesAndCallsCutByDeathLoseNoLine) {
    for (const std::string log : {"sqlite-temp-deleted.ttT-y.log", "memfd-deleted.f-y.log",
                                  "thread-dies-in-read.f-y.log", "thread-dies-in-read.ff-T-y"}) {
        const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + kData + "/" + log + " -o " +
                            path("e.jsonl") + " --format jsonl");
        EXPECT_EQ(r.status, 0) << log << "\n" << r.err;
        EXPECT_EQ(r.err.find("could not be parsed"), std::string::npos) << log << "\n" << r.err;
        EXPECT_EQ(r.err.find("cut off"), std::string::npos) << log << "\n" << r.err;
    }
    // Every pwrite64, on the deleted temporary file as on the others, is a
    // call with its result.
    const std::string sqlite = kData + "/sqlite-temp-deleted.ttT-y.log";
    ASSERT_EQ(sh(std::string(SCTRACE_BIN) + " analyze " + sqlite + " -o " + path("s.jsonl") +
                 " --format jsonl")
                  .status,
              0);
    const Result log = sh("cat " + sqlite);
    std::size_t exits = 0;
    for (const auto& e : read_jsonl(path("s.jsonl"))) {
        exits += e.value("type", "") == "syscall_exit" && e.value("syscall", "") == "pwrite64";
    }
    EXPECT_EQ(exits, count_lines_with(log.out, " pwrite64("));
    EXPECT_GT(count_lines_with(log.out, "(deleted), "), 0u);
}

// An -ff set without times is read one file after another: the main
// thread's write comes before the other thread's poll and SO_ERROR check,
// though it happened after them. Rules that compare threads are not judged,
// and analyze says so once.
TEST_F(Analyze, AnUntimedFfSetDoesNotJudgeRulesThatCompareThreads) {
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + kData +
                        "/so-error-other-thread.ff --findings " + path("f.jsonl"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(read_jsonl(path("f.jsonl")).empty()) << r.err;
    EXPECT_EQ(count_lines_with(r.err,
                               "the -ff set has no times: rules that compare threads were "
                               "not judged: "),
              1u)
        << r.err;
    EXPECT_NE(r.err.find("connect-result-unchecked"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("concurrent-socket-writes"), std::string::npos) << r.err;
    // Rules about one event of one thread still run on it.
    EXPECT_EQ(r.err.find("fatal-signal"), std::string::npos) << r.err;
}

// The same program recorded with -ff -ttt -T: merged by time, the check
// comes before the write, as it did.
TEST_F(Analyze, ATimedFfSetOfTheSameProgramIsJudgedAndSilent) {
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + kData +
                        "/so-error-other-thread.ff-ttt-T --findings " + path("f.jsonl"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(read_jsonl(path("f.jsonl")).empty()) << r.err;
    EXPECT_EQ(r.err.find("not judged"), std::string::npos) << r.err;
}

// 150 fsyncs over 3 s, logged without times: a count rule cannot see time
// and must not take every line as the same instant. With -tt the same run
// reaches 25 within a second (fsync-burst), never 101 (fsync-storm).
TEST_F(Analyze, CountRulesAreNotJudgedOnALogWithoutTimes) {
    const std::string rules = " -r " + kData + "/fsync-count.yaml";
    Result r = sh(std::string(SCTRACE_BIN) + " analyze " + kData + "/fsync-150.f.log" + rules +
                  " --findings " + path("untimed.jsonl"));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(read_jsonl(path("untimed.jsonl")).empty()) << r.err;
    EXPECT_EQ(count_lines_with(r.err,
                               "the log has no times: rules that measure time were not "
                               "judged: fsync-burst, fsync-storm"),
              1u)
        << r.err;

    // Standard input is looked into the same way, and still read whole.
    r = sh("cat " + kData + "/fsync-150.f.log | " + SCTRACE_BIN + " analyze -" + rules + " -o " +
           path("stdin.jsonl") + " --format jsonl");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_lines_with(r.err, "rules that measure time were not judged"), 1u) << r.err;
    EXPECT_EQ(count_lines_with(sh("cat " + path("stdin.jsonl")).out, "\"syscall\":\"fsync\""),
              150u);

    r = sh(std::string(SCTRACE_BIN) + " analyze " + kData + "/fsync-150.ttT.log" + rules +
           " --findings " + path("timed.jsonl"));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err.find("not judged"), std::string::npos) << r.err;
    const auto findings = read_jsonl(path("timed.jsonl"));
    ASSERT_FALSE(findings.empty()) << r.err;
    for (const auto& f : findings) EXPECT_EQ(f.value("rule", ""), "fsync-burst") << f.dump();
}

// -ff -ttt without -T: a call is known to have started, not when it ended.
// Two threads' writes that may have overlapped are reported as possible,
// at info, not asserted.
TEST_F(Analyze, AnFfSetWithTimesButNoDurationsReportsOverlapAsPossible) {
    const std::string prefix = kData + "/concurrent-socket-writes.ff-ttt-T";
    for (const auto& e : fs::directory_iterator(kData)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("concurrent-socket-writes.ff-ttt-T.", 0) != 0) continue;
        const std::string pid = name.substr(name.rfind('.') + 1);
        // The same set as recorded without -T: the durations taken off.
        const Result stripped = sh("sed -E 's/ <[0-9]+\\.[0-9]+>$//' " + e.path().string());
        ASSERT_EQ(stripped.status, 0) << stripped.err;
        write("w.ff-ttt." + pid, stripped.out);
    }
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + path("w.ff-ttt") + " --findings " +
                        path("f.jsonl"));
    EXPECT_EQ(r.status, 0) << "info findings do not fail --fail-on warning\n" << r.err;
    EXPECT_EQ(count_lines_with(r.err, "has times but no -T durations"), 1u) << r.err;
    const auto findings = read_jsonl(path("f.jsonl"));
    bool possible = false;
    for (const auto& f : findings) {
        if (f.value("rule", "") != "concurrent-socket-writes") continue;
        EXPECT_EQ(f.value("severity", ""), "info") << f.dump();
        possible |= f.value("message", "").find("possible") != std::string::npos;
        // The thread's process is known from the leader's file: its executable.
        EXPECT_TRUE(f.value("exe", "").ends_with("/concurrent-socket-writes")) << f.dump();
    }
    EXPECT_TRUE(possible) << r.err;
    // With -T the same set asserts it, at the rule's severity.
    const Result t =
        sh(std::string(SCTRACE_BIN) + " analyze " + prefix + " --findings " + path("t.jsonl"));
    EXPECT_EQ(t.status, 1) << t.err;
    for (const auto& f : read_jsonl(path("t.jsonl"))) {
        EXPECT_EQ(f.value("severity", ""), "warning") << f.dump();
        EXPECT_TRUE(f.value("exe", "").ends_with("/concurrent-socket-writes")) << f.dump();
    }
}

// -tt times wrap at midnight: the second thread's file starts at
// 00:00:00.0001, inside the first thread's write that began at 23:59:59.9.
TEST_F(Analyze, AnFfSetMergedAcrossMidnightKeepsItsOrder) {
    write("m.100",
          "23:59:59.000000 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3 <0.000010>\n"
          "23:59:59.000100 connect(3, {sa_family=AF_INET, sin_port=htons(80), "
          "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0 <0.000010>\n"
          "23:59:59.000200 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
          "CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 101 <0.000010>\n"
          "23:59:59.900000 write(3, \"a\", 1) = 1 <0.200000>\n"
          "00:00:01.000000 +++ exited with 0 +++\n");
    write("m.101",
          "00:00:00.000100 write(3, \"b\", 1) = 1 <0.000010>\n"
          "00:00:00.500000 +++ exited with 0 +++\n");
    const Result r =
        sh(std::string(SCTRACE_BIN) + " analyze " + path("m") + " --findings " + path("f.jsonl"));
    EXPECT_EQ(r.status, 1) << r.err;
    const auto findings = read_jsonl(path("f.jsonl"));
    ASSERT_EQ(findings.size(), 1u) << r.err;
    EXPECT_EQ(findings[0].value("rule", ""), "concurrent-socket-writes") << r.err;
    EXPECT_EQ(findings[0].value("tid", 0), 101) << r.err;
}

// A second thread dies of SIGSEGV; the untimed -ff set has the execve in
// the leader's file only, and the leader's exit line before the thread's
// file is read. The finding still names the program.
TEST_F(Analyze, AFindingOnASecondThreadOfAnUntimedFfSetNamesTheProgram) {
    const Result r = sh(std::string(SCTRACE_BIN) + " analyze " + kData +
                        "/segv-in-thread.ff --findings " + path("f.jsonl"));
    EXPECT_EQ(r.status, 1) << r.err;
    const auto findings = read_jsonl(path("f.jsonl"));
    ASSERT_EQ(findings.size(), 1u) << r.err;
    EXPECT_EQ(findings[0].value("rule", ""), "fatal-signal");
    EXPECT_NE(findings[0].value("tid", 0), findings[0].value("pid", 0)) << findings[0].dump();
    EXPECT_EQ(findings[0].value("exe", ""), "./segv-thread") << findings[0].dump();
}

}  // namespace

// --jobs 2 parses the lines on a second thread, in batches of 1024 lines:
// what analyze writes and says must be what --jobs 1 gives, byte for byte,
// on logs longer than a batch (pairs of halves across batches, bad lines,
// findings), on -ff sets, and on standard input.
TEST_F(Analyze, TwoJobsSayAndWriteWhatOneJobDoes) {
    std::string big;
    for (int copy = 0; copy < 6; ++copy) {
        for (const std::string log : {"curl-refused.f-tt-T-y-v-Xverbose.log",
                                      "thread-dies-in-read.f-y.log", "sqlite-temp-deleted.ttT-y.log",
                                      "fsync-150.f.log", "memfd-deleted.f-y.log"}) {
            big += sh("cat " + kData + "/" + log).out;
        }
        big += "this line is no strace line " + std::to_string(copy) + "\n";
    }
    write("big.log", big);
    ASSERT_GT(count_lines_with(big, ""), 3000u);
    const auto run = [&](const std::string& inputs, const std::string& jobs) {
        Result r = sh(std::string(SCTRACE_BIN) + " analyze " + inputs + " --jobs " + jobs +
                      " -o " + path("e" + jobs + ".jsonl") + " --format jsonl --findings " +
                      path("f" + jobs + ".jsonl"));
        r.out += "\n--- events\n" + sh("cat " + path("e" + jobs + ".jsonl")).out;
        r.out += "\n--- findings\n" + sh("cat " + path("f" + jobs + ".jsonl")).out;
        return r;
    };
    for (const std::string& inputs :
         {path("big.log"), "- < " + path("big.log"), kData + "/so-error-other-thread.ff",
          kData + "/so-error-other-thread.ff-ttt-T", kData + "/segv-in-thread.ff",
          kData + "/thread-dies-in-read.ff-T-y", kData + "/fsync-150.ttT.log " + path("big.log")}) {
        const Result one = run(inputs, "1");
        const Result two = run(inputs, "2");
        EXPECT_EQ(two.status, one.status) << inputs;
        EXPECT_EQ(two.err, one.err) << inputs;
        EXPECT_EQ(two.out, one.out) << inputs;
        EXPECT_GT(count_lines_with(one.out, "syscall_exit"), 0u) << inputs;
    }
    // The big log's problems: one per copy, on its line.
    const Result r = run(path("big.log"), "2");
    EXPECT_EQ(count_lines_with(r.err, "big.log:"), 6u) << r.err;
    EXPECT_NE(r.err.find("6 line(s) could not be parsed"), std::string::npos) << r.err;
}

TEST_F(Analyze, JobsMustBeAPositiveNumber) {
    write("one.log", "100 close(3) = 0\n");
    EXPECT_EQ(sh(std::string(SCTRACE_BIN) + " analyze --jobs 0 " + path("one.log")).status, 2);
    EXPECT_EQ(sh(std::string(SCTRACE_BIN) + " analyze --jobs 1 " + path("one.log")).status, 0);
    EXPECT_EQ(sh(std::string(SCTRACE_BIN) + " analyze --jobs 8 " + path("one.log")).status, 0);
}
