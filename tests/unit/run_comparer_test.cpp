// sctrace diff's comparison (engine/diff/run_comparer.h) on small strace
// logs, read as `sctrace diff` reads them (cli/compare_logs.h).
#include "engine/diff/run_comparer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/compare_logs.h"
#include "report/diff_writer.h"

namespace sctrace {
namespace {

class RunComparer : public ::testing::Test {
protected:
    void SetUp() override {
        char dir[] = "/tmp/sctrace-diff-XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Compares two strace -f logs given as text.
    RunDiff diff(const std::string& pass, const std::string& fail) {
        const std::string p = dir_ + "/pass.log", f = dir_ + "/fail.log";
        std::ofstream(p) << pass;
        std::ofstream(f) << fail;
        auto d = compare_logs(p, f, "test");
        EXPECT_TRUE(d.has_value());
        return d ? *d : RunDiff{};
    }

    std::string dir_;
};

// A client connecting to a server thread of its own process: the sample
// flaky-connect-race, as strace -f shows it. `refused`: the connect comes
// before the listen and fails.
std::string client_server(int pid, int fd_base, int port, bool refused) {
    const std::string p = std::to_string(pid), t = std::to_string(pid + 2);
    const std::string s = std::to_string(fd_base), c = std::to_string(fd_base + 1);
    const std::string addr = "{sa_family=AF_INET, sin_port=htons(" + std::to_string(port) +
                             "), sin_addr=inet_addr(\"127.0.0.1\")}";
    std::string log;
    log += p + " socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " + s + "\n";
    log += p + " bind(" + s +
           ", {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n";
    log += p + " getsockname(" + s + ", " + addr + ", [16]) = 0\n";
    log += p +
           " clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
           "exit_signal=0}, 88) = " +
           t + "\n";
    log += t + " rseq(0x7f0000000000, 0x20, 0, 0x53053053) = 0\n";
    if (refused) {
        log += p + " socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " + c + "\n";
        log += p + " connect(" + c + ", " + addr + ", 16) = -1 ECONNREFUSED (Connection refused)\n";
        log += p + " close(" + c + ") = 0\n";
        log += p + " write(1, \"FAIL\\n\", 5) = 5\n";
        log += p + " exit_group(1) = ?\n";
        log += t + " +++ exited with 1 +++\n";
        log += p + " +++ exited with 1 +++\n";
        return log;
    }
    log += t + " listen(" + s + ", 1) = 0\n";
    log += p + " socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " + c + "\n";
    log += p + " connect(" + c + ", " + addr + ", 16) = 0\n";
    log += t + " accept(" + s + ", NULL, NULL) = " + std::to_string(fd_base + 2) + "\n";
    log += p + " write(" + c + ", \"ping\\0\", 5) = 5\n";
    log += t + " read(" + std::to_string(fd_base + 2) + ", \"ping\\0\", 64) = 5\n";
    log += t + " write(" + std::to_string(fd_base + 2) + ", \"ping\\0\", 5) = 5\n";
    log += t + " close(" + std::to_string(fd_base + 2) + ") = 0\n";
    log += t + " +++ exited with 0 +++\n";
    log += p + " read(" + c + ", \"ping\\0\", 5) = 5\n";
    log += p + " close(" + c + ") = 0\n";
    log += p + " write(1, \"ok\\n\", 3) = 3\n";
    log += p + " exit_group(0) = ?\n";
    log += p + " +++ exited with 0 +++\n";
    return log;
}

const Divergence* find(const RunDiff& d, DiffSubjectKind kind, const std::string& subject_start) {
    for (const Divergence& v : d.divergences) {
        if (v.subject_kind == kind && v.subject.rfind(subject_start, 0) == 0) return &v;
    }
    return nullptr;
}

TEST_F(RunComparer, NumbersAreNotCompared) {
    // Other pids, tids, descriptor numbers and ports: the same run.
    const RunDiff d =
        diff(client_server(100, 3, 40000, false), client_server(5000, 7, 51234, false));
    EXPECT_TRUE(d.divergences.empty()) << diff_text(d);
    EXPECT_EQ(d.pass.threads, 2u);
    EXPECT_EQ(d.threads_only_in_pass + d.threads_only_in_fail, 0u);
}

TEST_F(RunComparer, ARefusedConnectIsTheMainThreadsDivergenceAndAnOrderOnTheServersSocket) {
    const RunDiff d = diff(client_server(100, 3, 40000, false), client_server(200, 3, 40001, true));
    const Divergence* main = find(d, DiffSubjectKind::Thread, "1/main");
    ASSERT_NE(main, nullptr) << diff_text(d);
    EXPECT_EQ(main->kind, DivergenceKind::Outcome);
    EXPECT_EQ(main->summary,
              "connect failed with ECONNREFUSED in FAIL, succeeded in PASS, after socket");
    ASSERT_TRUE(main->pass && main->fail);
    EXPECT_EQ(main->fail->outcome, "ECONNREFUSED");
    EXPECT_EQ(main->pass->outcome, "");

    const Divergence* server = find(d, DiffSubjectKind::File, "socket #1 of 1/main");
    ASSERT_NE(server, nullptr) << diff_text(d);
    EXPECT_EQ(server->kind, DivergenceKind::Order);
    EXPECT_NE(server->summary.find("in FAIL connect from socket #2 of 1/main (ECONNREFUSED) came "
                                   "before listen by 1/thread 2, which never came"),
              std::string::npos)
        << server->summary;
    EXPECT_NE(server->subject.find("bound to 127.0.0.1:40001"), std::string::npos)
        << server->subject;

    const Divergence* thread = find(d, DiffSubjectKind::Thread, "1/thread 2");
    ASSERT_NE(thread, nullptr) << diff_text(d);
    EXPECT_EQ(thread->kind, DivergenceKind::EndedEarly);
    EXPECT_NE(thread->summary.find("it ended early in FAIL (exited with 1), after rseq; in PASS "
                                   "it went on: listen, accept, read, write, close"),
              std::string::npos)
        << thread->summary;

    // The client socket's refused connect is its thread's story already.
    EXPECT_EQ(find(d, DiffSubjectKind::File, "socket #2 of 1/main"), nullptr) << diff_text(d);
    // Earliest in FAIL first: the connect, then what followed from it.
    ASSERT_GE(d.divergences.size(), 3u);
    EXPECT_EQ(d.divergences.front().fail->call, "connect") << diff_text(d);
}

TEST_F(RunComparer, RepeatsOfOneCallCountOnce) {
    const std::string head = "100 socket(AF_UNIX, SOCK_STREAM, 0) = 3\n";
    const std::string read = "100 read(3, \"x\", 1) = 1\n";
    const std::string again =
        "100 read(3, 0x7ffc, 1) = -1 EAGAIN (Resource temporarily unavailable)\n";
    const RunDiff d = diff(head + read + again + read + "100 close(3) = 0\n",
                           head + read + read + read + again + again + read + "100 close(3) = 0\n");
    // The EAGAIN between reads is a step too: read, EAGAIN, read on both.
    EXPECT_TRUE(d.divergences.empty()) << diff_text(d);
}

TEST_F(RunComparer, StepsThatOnlySwappedPlacesAreNoDivergence) {
    // A child closes its copy of the socket before or after its parent
    // writes: how two runs of one program always differ.
    const auto run = [](bool child_first) {
        std::string log =
            "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0\n"
            "100 clone(child_stack=NULL, flags=SIGCHLD) = 110\n";
        const std::string child = "110 close(3) = 0\n";
        const std::string parent = "100 write(3, \"ping\", 4) = 4\n";
        log += child_first ? child + parent : parent + child;
        return log + "110 read(4, \"ping\", 8) = 4\n";
    };
    const RunDiff d = diff(run(false), run(true));
    EXPECT_TRUE(d.divergences.empty()) << diff_text(d);
}

TEST_F(RunComparer, AWaitThatTimedOutIsAnOutcome) {
    const std::string head = "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n";
    const RunDiff d =
        diff(head + "100 poll([{fd=3, events=POLLIN}], 1, 1000) = 1 ([{fd=3, revents=POLLIN}])\n",
             head + "100 poll([{fd=3, events=POLLIN}], 1, 1000) = 0 (Timeout)\n");
    ASSERT_EQ(d.divergences.size(), 1u) << diff_text(d);
    EXPECT_EQ(d.divergences[0].kind, DivergenceKind::Outcome);
    EXPECT_EQ(d.divergences[0].summary, "poll timed out in FAIL, succeeded in PASS, after socket");
}

TEST_F(RunComparer, AThreadThatEndsDifferentlyDiverges) {
    const std::string calls = "100 getpid() = 100\n";
    const RunDiff d =
        diff(calls + "100 +++ exited with 0 +++\n",
             calls +
                 "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n"
                 "100 +++ killed by SIGSEGV (core dumped) +++\n");
    ASSERT_FALSE(d.divergences.empty()) << diff_text(d);
    EXPECT_NE(d.divergences[0].summary.find("--- SIGSEGV"), std::string::npos) << diff_text(d);
}

TEST_F(RunComparer, ChildProcessesAreKnownByTheirPlaceInTheTree) {
    // The same children, with other pids; the second child fails its open.
    const auto run = [](int base, const char* second) {
        const std::string p = std::to_string(base), c1 = std::to_string(base + 10),
                          c2 = std::to_string(base + 20);
        return p + " clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = " + c1 + "\n" +
               c1 + " openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n" + c1 +
               " +++ exited with 0 +++\n" + p +
               " clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = " + c2 + "\n" + c2 +
               " openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = " + second + "\n" + c2 +
               " +++ exited with 0 +++\n" + p + " +++ exited with 0 +++\n";
    };
    const RunDiff d = diff(run(100, "3"), run(700, "-1 EACCES (Permission denied)"));
    const Divergence* second = find(d, DiffSubjectKind::Thread, "1.2/main");
    ASSERT_NE(second, nullptr) << diff_text(d);
    EXPECT_EQ(second->summary, "openat failed with EACCES in FAIL, succeeded in PASS");
    EXPECT_EQ(find(d, DiffSubjectKind::Thread, "1.1/main"), nullptr) << diff_text(d);
}

TEST_F(RunComparer, AnAcceptedConnectionIsNamedByItsListener) {
    const auto run = [](const char* result) {
        return std::string(
                   "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
                   "100 listen(3, 5) = 0\n"
                   "100 accept(3, NULL, NULL) = 4\n"
                   "100 read(4, \"\", 10) = ") +
               result + "\n";
    };
    const RunDiff d = diff(run("0"), run("-1 ECONNRESET (Connection reset by peer)"));
    const Divergence* conn =
        find(d, DiffSubjectKind::File, "connection #1 accepted on socket #1 of 1/main");
    // The thread says it first; the connection's own divergence is the same call.
    const Divergence* main = find(d, DiffSubjectKind::Thread, "1/main");
    ASSERT_NE(main, nullptr) << diff_text(d);
    EXPECT_EQ(main->summary,
              "read failed with ECONNRESET in FAIL, succeeded in PASS, after accept");
    EXPECT_EQ(conn, nullptr) << diff_text(d);
}

TEST_F(RunComparer, TheTextShowsBothRunsCalls) {
    const RunDiff d = diff(client_server(100, 3, 40000, false), client_server(200, 3, 40001, true));
    const std::string text = diff_text(d);
    EXPECT_EQ(text.rfind("sctrace diff: 3 divergences between PASS (", 0), 0u) << text;
    EXPECT_NE(
        text.find("     PASS:    tid 100 connect(4, {sa_family=AF_INET, sin_port=htons(40000)"),
        std::string::npos)
        << text;
    EXPECT_NE(
        text.find("     FAIL:    tid 200 connect(4, {sa_family=AF_INET, sin_port=htons(40001)"),
        std::string::npos)
        << text;
}

}  // namespace
}  // namespace sctrace
