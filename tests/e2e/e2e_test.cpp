// End-to-end tests of the live tracer. Each case runs a small program (a
// "tracee", see tracees/) once untraced and once under sctrace, and requires
// the two runs to be indistinguishable to the program's user: the same stdout
// and stderr bytes, the same exit status (128+N for a signal), the same
// signals and job control behaviour. The event stream sctrace writes is read
// back and checked against the format contract and against what the program
// is known to have done (every call seen, from every thread).
//
// Every comparable case runs in both of sctrace's modes: the seccomp
// prefilter (default) and --no-seccomp.
//
// SCTRACE_E2E_TRACER=/usr/bin/strace points the suite at strace instead: it
// validates the harness and the tracees against a known-good tracer. Checks of
// sctrace's JSONL fields then fall back to what strace's log carries, and the
// tests strace cannot pass by design (it does not forward SIGINT/SIGTERM to a
// launched command) are skipped.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "harness.h"

namespace e2e {
namespace {

// Generous: a slow 2-core machine running the suite in parallel, with an
// ASan build of sctrace stopping at every syscall. A run that takes longer has
// hung, and fails naming the case. Two runs of a case fit in ctest's 120 s.
constexpr Millis kRunTimeout = 50s;

// A case: one command, run untraced and traced.
struct Case {
    std::string label;
    std::vector<std::string> argv;
    std::string stdin_data = {};
    std::string trace_set = {};  // -e trace=...; empty: sctrace's default set
    Millis timeout = kRunTimeout;
};

struct Comparison {
    RunResult untraced, traced;
    EventLog log;
    long long root = 0;  // the command's pid, as the log names it
};

std::string slug(const std::string& s) {
    std::string out;
    for (char c : s) out += isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return out;
}

std::string tracee(const std::string& name) {
    return std::string(TRACEE_DIR) + "/" + name;
}

std::string group_report(const RunResult& r) {
    return r.hang_report.empty() ? "  (nothing left)\n" : r.hang_report;
}

// The behaviour of a traced run must be that of the untraced one.
void expect_same_behaviour(const RunResult& untraced, const RunResult& traced) {
    const Tracer& tracer = Tracer::get();
    EXPECT_EQ(traced.status, untraced.status)
        << traced.label << ": exit status differs\ntracer stderr:\n"
        << traced.err.substr(0, 4000);
    EXPECT_TRUE(traced.out == untraced.out)
        << traced.label << ": stdout differs: " << describe_difference(untraced.out, traced.out);
    // The tracer's own messages are lines prefixed with its name; the rest of
    // stderr is the command's and must pass through byte for byte.
    std::string traced_err = strip_tracer_lines(traced.err, tracer.name);
    EXPECT_TRUE(traced_err == untraced.err)
        << traced.label << ": stderr differs (after removing \"" << tracer.name
        << ":\" lines): " << describe_difference(untraced.err, traced_err);
    EXPECT_TRUE(untraced.leftovers.empty()) << untraced.label << ": processes left behind:\n"
                                            << group_report(untraced);
    EXPECT_TRUE(traced.leftovers.empty())
        << traced.label << ": processes still alive after the tracer exited:\n"
        << group_report(traced);
}

// The log is well formed, and records the command's own end as it happened.
void expect_log_matches_run(const EventLog& log, int status, const std::string& label) {
    std::string problems;
    for (const auto& p : log.problems) problems += "  " + p + "\n";
    EXPECT_TRUE(log.problems.empty()) << label << ": the event log breaks the format:\n"
                                      << problems;
    long long root = log.root_pid();
    ASSERT_GT(root, 0) << label << ": the event log has no events";

    std::vector<const Event*> exits;
    for (const Event* e : log.of_type("exit"))
        if (e->pid == root && e->whole_process) exits.push_back(e);
    ASSERT_EQ(exits.size(), 1u) << label << ": whole-process exit events of the command (pid "
                                << root << ")";
    const Event& x = *exits.front();
    if (status > 128) {
        EXPECT_TRUE(x.signaled) << label << ": the exit event should say the command was killed";
        EXPECT_EQ(x.signo, signal_name(status - 128)) << label;
    } else {
        EXPECT_FALSE(x.signaled) << label << ": the exit event says killed, it exited";
        EXPECT_EQ(x.code, std::optional<long long>(status)) << label << ": exit event's code";
    }

    // Every process the command started has ended, and the log says so once.
    if (!log.jsonl) return;
    for (const Event* s : log.of_type("spawn")) {
        if (s->kind == "thread") continue;
        auto n = std::count_if(log.events.begin(), log.events.end(), [&](const Event& e) {
            return e.type == "exit" && e.pid == s->child_pid && e.whole_process;
        });
        EXPECT_EQ(n, 1) << label << ": whole-process exit events of child " << s->child_pid
                        << " (spawned by " << s->pid << " as " << s->kind << ")";
    }
}

// Spawn events made by pid, by kind.
std::map<std::string, int> spawns_by_kind(const EventLog& log, long long pid) {
    std::map<std::string, int> kinds;
    for (const Event* e : log.of_type("spawn"))
        if (e->pid == pid) kinds[e->kind]++;
    return kinds;
}

int count_signals(const EventLog& log, const std::string& signo, long long pid = 0) {
    return static_cast<int>(
        std::count_if(log.events.begin(), log.events.end(), [&](const Event& e) {
            return e.type == "signal" && e.signo == signo && (pid == 0 || e.pid == pid);
        }));
}

// ---------------------------------------------------------------------------
// Fixtures

class E2E : public ::testing::Test {
protected:
    void SetUp() override {
        const Tracer& t = Tracer::get();
        ASSERT_EQ(access(t.path.c_str(), X_OK), 0)
            << "no executable tracer at " << t.path
            << " (build the sctrace target, or set SCTRACE_E2E_TRACER)";
        dir_ = make_test_dir("sctrace-e2e");
        ASSERT_FALSE(dir_.empty()) << "no test directory";
    }

    void TearDown() override { drop_test_dir(dir_, HasFailure()); }

    const Tracer& tracer() const { return Tracer::get(); }
    std::string temp(const std::string& name) const { return dir_ + "/" + name; }

    // How many ptrace requests sctrace made running `command` with `options`
    // (each stop costs one to read the call and one to resume it), counted by
    // strace -c watching sctrace. 0, with a loud skip message in `skipped`, when
    // there is no strace to count with.
    long ptrace_requests_of(const std::vector<std::string>& options,
                            const std::vector<std::string>& command, const std::string& name,
                            RunResult* result, std::string* skipped) const {
        const char* strace = "/usr/bin/strace";
        if (access(strace, X_OK) != 0) {
            *skipped = "SKIPPED LOUDLY: no /usr/bin/strace to count sctrace's ptrace requests";
            return 0;
        }
        const std::string counts = temp(name + ".counts");
        // LeakSanitizer cannot run under a tracer (an ASan build's sctrace
        // would exit 1 at its end).
        const char* asan = getenv("ASAN_OPTIONS");
        std::vector<std::string> argv = {"/usr/bin/env",
                                         std::string("ASAN_OPTIONS=") +
                                             (asan && *asan ? std::string(asan) + ":" : "") +
                                             "detect_leaks=0",
                                         strace,
                                         "-qq",
                                         "-c",
                                         "-e",
                                         "trace=ptrace",
                                         "-o",
                                         counts,
                                         tracer().path,
                                         "--findings",
                                         temp(name + ".findings.jsonl")};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back("--");
        argv.insert(argv.end(), command.begin(), command.end());
        *result = run(argv, {name, "", false}, kRunTimeout);
        std::istringstream table(read_file(counts));
        // "% time  seconds  usecs/call  calls  errors  syscall": calls is the
        // 4th column, unless the errors column is empty.
        for (std::string line; std::getline(table, line);) {
            std::istringstream fields(line);
            std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
            if (!f.empty() && f.back() == "ptrace" && f.size() >= 5) return std::stol(f[3]);
        }
        ADD_FAILURE() << "no ptrace row in strace -c's table:\n" << read_file(counts);
        return 0;
    }

    // Runs c untraced, then traced, and checks everything every case shares.
    void compare(const Case& c, Comparison* out) {
        SpawnOptions options{c.label + " (untraced)", c.stdin_data, false};
        out->untraced = run(c.argv, options, c.timeout);
        ASSERT_EQ(out->untraced.spawn_error, "");
        ASSERT_FALSE(out->untraced.timed_out)
            << "the tracee itself hung without a tracer: " << c.label << "\n"
            << out->untraced.hang_report;

        std::string log = temp(slug(c.label) + ".log");
        options.label = c.label + " (under " + tracer().name + ", " + mode_name(mode_) + ")";
        auto before = std::chrono::system_clock::now();
        out->traced = run(tracer().launch(mode_, c.trace_set, log, c.argv), options, c.timeout);
        auto after = std::chrono::system_clock::now();
        ASSERT_EQ(out->traced.spawn_error, "");
        ASSERT_FALSE(out->traced.timed_out)
            << "case '" << c.label << "' hung under " << tracer().name << " (" << mode_name(mode_)
            << ") and was killed after " << c.timeout.count() / 1000
            << " s. Its process group then:\n"
            << out->traced.hang_report << "tracer stderr:\n"
            << out->traced.err.substr(0, 4000);

        expect_same_behaviour(out->untraced, out->traced);
        out->log = read_event_log(tracer(), log, before, after, false);
        out->root = out->log.root_pid();
        expect_log_matches_run(out->log, out->untraced.status, options.label);
    }

    Mode mode_ = Mode::kSeccomp;
    std::string dir_;
};

class Traced : public E2E, public ::testing::WithParamInterface<Mode> {
protected:
    void SetUp() override {
        mode_ = GetParam();
        E2E::SetUp();
    }
};

INSTANTIATE_TEST_SUITE_P(Modes, Traced, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         [](const auto& info) { return mode_name(info.param); });

// ---------------------------------------------------------------------------
// Signals

TEST_P(Traced, SignalHandlers) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "signal handlers", .argv = {tracee("sighandler")}}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "1. raise(SIGUSR1): handler ran 1 time(s), si_code is SI_TKILL: yes, sender is "
              "self: yes\n"
              "2. sigqueue(SIGUSR2, 4242): si_code is SI_QUEUE: yes, value 4242\n"
              "3. blocked SIGUSR1 raised twice: pending yes, handled 0 time(s) while blocked\n"
              "   after unblocking: handled 1 time(s)\n"
              "4. three queued SIGRTMIN+1: delivered 3, values 10 20 30\n"
              "5. SA_RESTART read: returned 1 byte(s) 'x'\n"
              "6. plain read: returned -1, errno EINTR: yes, handler ran: yes\n"
              "7. SIGUSR1 from a child: si_code is SI_USER: yes, si_pid is the child: yes, "
              "child status 0\n"
              "8. handler on alternate stack in main: yes; pthread_kill ran it in the target "
              "thread: yes, on the alternate stack there: no\n"
              "9. NULL read caught: si_code SEGV_MAPERR: yes, si_addr 0x0\n"
              "10. ignored SIGUSR2 and default SIGWINCH: still running\n");
    // Each delivery is one event: SIGUSR1 in steps 1, 3 (two raises that
    // coalesce while blocked), 7, and twice in 8; one caught SIGSEGV.
    EXPECT_EQ(count_signals(c.log, "SIGUSR1"), 5);
    EXPECT_EQ(count_signals(c.log, "SIGSEGV"), 1);
}

TEST_P(Traced, SigchldHandlerReapsChildren) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "SIGCHLD reaping", .argv = {tracee("sigchld")}}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "reaped a child that exited with 10\n"
              "reaped a child that exited with 11\n"
              "reaped a child that exited with 12\n"
              "reaped a child that exited with 13\n"
              "reaped a child that exited with 14\n"
              "reaped a child killed by signal 15\n"
              "no children left: yes\n"
              "handler ran at least once: yes\n");
    EXPECT_GE(count_signals(c.log, "SIGCHLD", c.root), 1);
    if (c.log.jsonl) {
        EXPECT_EQ(spawns_by_kind(c.log, c.root)["fork"], 6);
    }
}

TEST_P(Traced, ParentStopsAndContinuesChild) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "SIGSTOP/SIGCONT of a child", .argv = {tracee("stopcont")}}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "waitpid(WUNTRACED): stopped yes, by SIGSTOP\n"
              "waitpid(WCONTINUED): continued yes\n"
              "waitpid(WUNTRACED): stopped yes, by SIGTSTP\n"
              "waitpid(WCONTINUED): continued yes\n"
              "child exited normally, status 3\n"
              "SIGCHLD si_codes: CLD_STOPPED CLD_CONTINUED(18) CLD_STOPPED CLD_CONTINUED(18) "
              "CLD_EXITED(3)\n");
    if (c.log.jsonl) {
        // The child's two group-stops are events of their own.
        auto child_stops =
            std::count_if(c.log.events.begin(), c.log.events.end(),
                          [&](const Event& e) { return e.type == "stop" && e.pid != c.root; });
        EXPECT_GE(child_stops, 2) << "stop events of the child";
    }
}

// ---------------------------------------------------------------------------
// Processes, threads, exec

TEST_P(Traced, ExecFromNonLeaderThreadOfItself) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "exec of itself from a non-leader thread",
                                     .argv = {tracee("exec_thread"), "self"}},
                                    &c));
    EXPECT_EQ(c.untraced.status, 42);
    EXPECT_EQ(c.untraced.out,
              "a thread is about to exec; it is the leader: no\n"
              "after exec: pid preserved: yes, now tid == pid: yes, threads: 1\n");
    if (c.log.jsonl) {
        auto execs = c.log.of_type("exec");
        auto from_thread = std::count_if(execs.begin(), execs.end(), [&](const Event* e) {
            return e->pid == c.root && e->former_tid != c.root;
        });
        EXPECT_EQ(from_thread, 1) << "exec events of pid " << c.root << " from another tid";
    }
}

TEST_P(Traced, ExecFromNonLeaderThreadOfEcho) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "exec of /bin/echo from a non-leader thread",
                                     .argv = {tracee("exec_thread"), "echo"}},
                                    &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "a thread is about to exec; it is the leader: no\n"
              "hello from /bin/echo, exec'd by a thread\n");
    if (c.log.jsonl) {
        bool seen = false;
        for (const Event* e : c.log.of_type("exec"))
            seen |= e->pid == c.root && e->former_tid != c.root && e->path.ends_with("echo");
        EXPECT_TRUE(seen) << "no exec event of pid " << c.root
                          << " from another tid with a path ending in echo";
    }
}

TEST_P(Traced, VforkExecAndExit) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "vfork + exec / _exit, posix_spawn", .argv = {tracee("vfork")}}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "child running after exec, exiting with 11\n"
              "vfork + exec: child exited with 11\n"
              "vfork + _exit: child exited with 12\n"
              "vfork + failed exec: child exited with 127\n"
              "child running after exec, exiting with 13\n"
              "posix_spawn: child exited with 13\n");
    if (c.log.jsonl) {
        // Three vfork() calls and posix_spawn's clone(CLONE_VFORK); two of the
        // children exec successfully.
        auto kinds = spawns_by_kind(c.log, c.root);
        EXPECT_GE(kinds["vfork"], 3);
        EXPECT_EQ(kinds["vfork"] + kinds["clone"] + kinds["fork"], 4);
        auto execs = c.log.of_type("exec");
        EXPECT_EQ(std::count_if(execs.begin(), execs.end(),
                                [&](const Event* e) { return e->pid != c.root; }),
                  2)
            << "exec events of the children";
    }
}

// 1000 threads x 5 getppid calls: every call is seen, from every thread.
TEST_P(Traced, EveryCallOfAThousandThreadsIsSeen) {
    constexpr int kThreads = 1000, kCalls = 5;
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "1000 threads x 5 getppid",
                 .argv = {tracee("threads"), std::to_string(kThreads), std::to_string(kCalls)},
                 .trace_set = "getppid",
                 .timeout = 55s},
                &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out,
              "1000 threads made 5 getppid calls each; all returned the same parent: yes\n");

    EXPECT_EQ(c.log.count_syscall("syscall_exit", "getppid"), std::size_t{kThreads * kCalls});
    std::map<long long, int> calls_per_tid;
    std::set<std::string> other_syscalls;
    for (const Event& e : c.log.events) {
        if (e.type == "syscall_exit" && e.syscall == "getppid") {
            calls_per_tid[e.tid]++;
            if (c.log.jsonl) {
                EXPECT_TRUE(e.raw["ret"].is_number_integer() && e.raw["ret"] > 0 &&
                            e.raw["errno"].is_null())
                    << "getppid exit: " << e.raw.dump();
            }
        }
        if (e.type.starts_with("syscall") && e.syscall != "getppid")
            other_syscalls.insert(e.syscall);
    }
    EXPECT_EQ(calls_per_tid.size(), std::size_t{kThreads}) << "distinct tids calling getppid";
    std::string wrong;
    for (auto [tid, n] : calls_per_tid)
        if (n != kCalls && wrong.size() < 500)
            wrong += " " + std::to_string(tid) + ":" + std::to_string(n);
    EXPECT_EQ(wrong, "") << "tids with other than " << kCalls << " getppid exits (tid:count)";
    std::string others;
    for (const auto& s : other_syscalls) others += " " + s;
    EXPECT_EQ(others, "") << "syscalls shown although -e trace=getppid";

    if (c.log.jsonl) {
        std::set<long long> spawned;
        for (const Event* e : c.log.of_type("spawn"))
            if (e->pid == c.root && e->kind == "thread") spawned.insert(e->child_tid);
        EXPECT_EQ(spawned.size(), std::size_t{kThreads}) << "thread spawn events";
        std::set<long long> callers;
        for (auto [tid, n] : calls_per_tid) callers.insert(tid);
        EXPECT_TRUE(spawned == callers)
            << "the tids of the getppid calls are not the spawned threads";
    }
}

// ---------------------------------------------------------------------------
// How a process ends

TEST_P(Traced, ExitCode0) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "exit 0", .argv = {tracee("exitcode"), "0"}}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_EQ(c.untraced.out, "exiting with 0\n");
}

TEST_P(Traced, ExitCode7) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "exit 7", .argv = {tracee("exitcode"), "7"}}, &c));
    EXPECT_EQ(c.untraced.status, 7);
    EXPECT_EQ(c.untraced.out, "exiting with 7\n");
}

TEST_P(Traced, SegfaultIs139) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "write through NULL", .argv = {tracee("exitcode"), "segv"}}, &c));
    EXPECT_EQ(c.untraced.status, 139);
    EXPECT_EQ(c.untraced.out, "about to write through NULL\n");
    EXPECT_EQ(count_signals(c.log, "SIGSEGV", c.root), 1) << "SIGSEGV signal events";
    if (c.log.jsonl) {
        for (const Event* e : c.log.of_type("signal")) {
            if (e->signo != "SIGSEGV") continue;
            EXPECT_EQ(e->code, std::optional<long long>(1)) << "si_code SEGV_MAPERR";
            const auto& addr = e->raw["addr"];
            unsigned long long value = addr.is_string()
                                           ? std::stoull(addr.get<std::string>(), nullptr, 0)
                                           : addr.get<unsigned long long>();
            EXPECT_EQ(value, 0u) << "si_addr of a write through NULL: " << e->raw.dump();
        }
    }
}

TEST_P(Traced, AbortIs134) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "abort()", .argv = {tracee("exitcode"), "abort"}}, &c));
    EXPECT_EQ(c.untraced.status, 134);
    EXPECT_EQ(c.untraced.out, "about to abort\n");
    EXPECT_GE(count_signals(c.log, "SIGABRT", c.root), 1);
}

TEST_P(Traced, ExitFromNonLeaderThread) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare(
        {.label = "exit(9) from a thread", .argv = {tracee("exitcode"), "thread-exit", "9"}}, &c));
    EXPECT_EQ(c.untraced.status, 9);
    EXPECT_EQ(c.untraced.out, "thread calls exit(9)\n");
}

TEST_P(Traced, LeaderExitsBeforeOtherThread) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "main thread exits first, another exits 6",
                                     .argv = {tracee("exitcode"), "leader-exit", "6"}},
                                    &c));
    EXPECT_EQ(c.untraced.status, 6);
    EXPECT_EQ(c.untraced.out,
              "main thread calls pthread_exit\n"
              "worker outlived the main thread, exits with 6\n");
}

TEST_P(Traced, SelfSigkillWhileAThreadBlocksInRead) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "SIGKILL to itself mid-read", .argv = {tracee("selfkill")}}, &c));
    EXPECT_EQ(c.untraced.status, 137);
    EXPECT_EQ(c.untraced.out, "about to kill myself\n");
}

// ---------------------------------------------------------------------------
// Exec chains and the standard streams

TEST_P(Traced, ShellExit7) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(
        compare({.label = "sh -c 'exit 7'", .argv = {"/bin/sh", "-c", "exit 7"}}, &c));
    EXPECT_EQ(c.untraced.status, 7);
}

TEST_P(Traced, ExecChainPassesStreamsAndStatus) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare(
        {.label = "sh -> env -> sh exec chain",
         .argv = {"/bin/sh", "-c",
                  "echo first-out; echo first-err >&2; "
                  "exec /usr/bin/env /bin/sh -c 'echo second-out; echo second-err >&2; exit 9'"}},
        &c));
    EXPECT_EQ(c.untraced.status, 9);
    EXPECT_EQ(c.untraced.out, "first-out\nsecond-out\n");
    EXPECT_EQ(c.untraced.err, "first-err\nsecond-err\n");
}

TEST_P(Traced, LargeStdoutAndStderrByteForByte) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare({.label = "1 MiB stdout + 300 KiB stderr",
                                     .argv = {tracee("bigout"), "1048576", "307200", "3"}},
                                    &c));
    EXPECT_EQ(c.untraced.status, 3);
    EXPECT_EQ(c.untraced.out.size(), 1048576u);
    EXPECT_EQ(c.untraced.err.size(), 307200u);
}

TEST_P(Traced, LargeOutputThroughAShellPipeline) {
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare(
        {.label = "bigout | cat in sh",
         .argv = {"/bin/sh", "-c", "\"$0\" 1048576 300000 0 | cat; exit 4", tracee("bigout")}},
        &c));
    EXPECT_EQ(c.untraced.status, 4);
    EXPECT_EQ(c.untraced.out.size(), 1048576u);
    EXPECT_EQ(c.untraced.err.size(), 300000u);
}

TEST_P(Traced, StdinPassesThrough) {
    std::string input;
    for (int i = 0; input.size() < 256 * 1024; i++) input += "line " + std::to_string(i) + "\n";
    Comparison c;
    ASSERT_NO_FATAL_FAILURE(compare(
        {.label = "cat of 256 KiB on stdin", .argv = {"/bin/cat"}, .stdin_data = input}, &c));
    EXPECT_EQ(c.untraced.status, 0);
    EXPECT_TRUE(c.untraced.out == input);
}

// ---------------------------------------------------------------------------
// Job control of the traced command itself

// The heartbeat file: "<pid> <main iterations> <worker iterations>".
struct Heartbeat {
    pid_t pid = 0;
    unsigned long main = 0, workers = 0;
    bool operator==(const Heartbeat&) const = default;
};

std::optional<Heartbeat> read_heartbeat(const std::string& path) {
    std::istringstream in(read_file(path));
    Heartbeat h;
    if (!(in >> h.pid >> h.main >> h.workers) || h.pid <= 0) return std::nullopt;
    return h;
}

// The main thread, and the workers if there are any, have made progress since `since`.
bool heartbeat_advances(const std::string& path, const Heartbeat& since, Millis timeout,
                        bool has_workers = true) {
    return eventually(
        [&] {
            auto h = read_heartbeat(path);
            return h && h->main > since.main && (!has_workers || h->workers > since.workers);
        },
        timeout);
}

std::string thread_states(pid_t pid) {
    std::string s;
    for (pid_t tid : tasks_of(pid)) {
        char state = task_state(pid, tid);
        s += " " + std::to_string(tid) + ":" + (state ? std::string(1, state) : "gone") +
             "(tracer " + std::to_string(tracer_of(pid, tid)) + ")";
    }
    return s;
}

struct JobControlRun {
    RunResult result;
    std::string states_while_stopped;  // "tid:state ..."
    bool all_stopped = false;          // every thread in T or t
    bool leader_in_T = false;          // the leader in T (group-stop, untraced)
    bool frozen = false;               // no progress at all while stopped
    bool resumed = false;              // progress again after SIGCONT
    long long pid = 0;
};

class JobControl : public Traced {
protected:
    // SIGSTOP / SIGCONT sent from outside (as a shell's job control does) to a
    // running heartbeat, untraced or under the tracer.
    void stop_and_continue(bool traced, JobControlRun* out) {
        std::string hb = temp(traced ? "heartbeat-traced" : "heartbeat-untraced");
        std::vector<std::string> command{tracee("heartbeat"), hb, "2"};
        std::string label = traced
                                ? "heartbeat under " + tracer().name + " (" + mode_name(mode_) + ")"
                                : "heartbeat (untraced)";
        Process p(traced ? tracer().launch(mode_, "", log_path(), command) : command,
                  {label, "", true});
        ASSERT_EQ(p.spawn_error(), "");
        ASSERT_TRUE(p.wait_for_stdout("ready\n", 30s)) << label << " never printed ready; stderr:\n"
                                                       << p.stderr_so_far();
        std::optional<Heartbeat> h0;
        ASSERT_TRUE(eventually([&] { return (h0 = read_heartbeat(hb)).has_value(); }, 30s));
        pid_t pid = h0->pid;
        out->pid = pid;
        ASSERT_TRUE(heartbeat_advances(hb, *h0, 30s)) << label << " makes no progress";

        ASSERT_EQ(kill(pid, SIGSTOP), 0);
        auto stopped = [&](char s) { return s == 'T' || s == 't'; };
        out->all_stopped = eventually(
            [&] {
                for (pid_t tid : tasks_of(pid))
                    if (!stopped(task_state(pid, tid))) return false;
                return true;
            },
            30s);
        out->states_while_stopped = thread_states(pid);
        out->leader_in_T = task_state(pid, pid) == 'T';
        // However slow the machine, a stopped process cannot advance.
        auto h1 = read_heartbeat(hb);
        std::this_thread::sleep_for(500ms);
        out->frozen = out->all_stopped && h1 && read_heartbeat(hb) == h1;

        ASSERT_EQ(kill(pid, SIGCONT), 0);
        out->resumed = h1 && heartbeat_advances(hb, *h1, 30s);
        p.close_stdin();
        out->result = p.finish(30s);
    }

    std::string log_path() const { return temp("jobcontrol.log"); }
};

INSTANTIATE_TEST_SUITE_P(Modes, JobControl, ::testing::Values(Mode::kSeccomp, Mode::kNoSeccomp),
                         [](const auto& info) { return mode_name(info.param); });

TEST_P(JobControl, StopAndContinueTheTracedCommand) {
    JobControlRun untraced, traced;
    ASSERT_NO_FATAL_FAILURE(stop_and_continue(false, &untraced));
    // The scenario itself: a plain process group-stops in T, freezes, resumes.
    ASSERT_FALSE(untraced.result.timed_out) << untraced.result.hang_report;
    EXPECT_TRUE(untraced.leader_in_T) << untraced.states_while_stopped;
    EXPECT_TRUE(untraced.all_stopped && untraced.frozen && untraced.resumed);

    auto before = std::chrono::system_clock::now();
    ASSERT_NO_FATAL_FAILURE(stop_and_continue(true, &traced));
    auto after = std::chrono::system_clock::now();
    ASSERT_FALSE(traced.result.timed_out)
        << "the heartbeat under " << tracer().name << " (" << mode_name(mode_)
        << ") did not finish after SIGSTOP/SIGCONT and stdin EOF; its process group then:\n"
        << traced.result.hang_report << "tracer stderr:\n"
        << traced.result.err;
    // Every thread of the traced command must be stopped. Under ptrace a
    // group-stopped tracee shows 't', not 'T': the kernel keeps a PTRACE_SEIZEd
    // task in TASK_TRACED while its tracer LISTENs (strace shows the same), so
    // 'T' cannot be required of a tracer that stays attached. The heartbeat
    // proves the stop is real, and that SIGCONT ends it.
    EXPECT_TRUE(traced.all_stopped)
        << "not every thread stopped after SIGSTOP:" << traced.states_while_stopped;
    EXPECT_TRUE(traced.frozen) << "the command kept running while SIGSTOPped:"
                               << traced.states_while_stopped;
    EXPECT_TRUE(traced.resumed) << "the command did not resume after SIGCONT";
    expect_same_behaviour(untraced.result, traced.result);
    EXPECT_EQ(traced.result.status, 0);

    EventLog log = read_event_log(tracer(), log_path(), before, after, false);
    expect_log_matches_run(log, 0, "heartbeat");
    if (log.jsonl) {
        auto stops = log.of_type("stop");
        EXPECT_GE(std::count_if(stops.begin(), stops.end(),
                                [&](const Event* e) { return e->pid == traced.pid; }),
                  1)
            << "no stop event for the SIGSTOPped command";
    }
}

// ---------------------------------------------------------------------------
// Signals sent to sctrace itself

struct ForwardCase {
    int signo;
    bool handled;  // the command has a handler (exits 5 / 6) or dies of it
    Mode mode;
};

void PrintTo(const ForwardCase& c, std::ostream* os) {
    *os << signal_name(c.signo) << (c.handled ? " handled, " : " default, ") << mode_name(c.mode);
}

class SignalToTracer : public E2E, public ::testing::WithParamInterface<ForwardCase> {
protected:
    void SetUp() override {
        mode_ = GetParam().mode;
        E2E::SetUp();
    }

    // Starts wait_signal (untraced or traced), waits for "ready", sends the
    // signal to the process started (the command, or the tracer) and waits.
    void signal_run(bool traced, const std::string& log, RunResult* out) {
        const ForwardCase& fc = GetParam();
        std::vector<std::string> command{tracee("wait_signal"), fc.handled ? "handle" : "default"};
        std::string label =
            signal_name(fc.signo) + " to " +
            (traced ? tracer().name + " (" + mode_name(mode_) + ")" : "the command");
        Process p(traced ? tracer().launch(mode_, "", log, command) : command, {label, "", false});
        ASSERT_EQ(p.spawn_error(), "");
        ASSERT_TRUE(p.wait_for_stdout("ready\n", 30s))
            << label << ": never printed ready; stderr:\n"
            << p.stderr_so_far();
        ASSERT_EQ(kill(p.pid(), fc.signo), 0);
        *out = p.finish(30s);
        ASSERT_FALSE(out->timed_out)
            << label << ": the command did not end within 30 s; its process group then:\n"
            << out->hang_report << "stderr:\n"
            << out->err;
    }
};

INSTANTIATE_TEST_SUITE_P(
    Signals, SignalToTracer,
    ::testing::Values(
        ForwardCase{SIGINT, true, Mode::kSeccomp}, ForwardCase{SIGINT, true, Mode::kNoSeccomp},
        ForwardCase{SIGINT, false, Mode::kSeccomp}, ForwardCase{SIGTERM, true, Mode::kSeccomp},
        ForwardCase{SIGTERM, false, Mode::kSeccomp}, ForwardCase{SIGTERM, false, Mode::kNoSeccomp},
        // Every other signal whose default action would
        // end sctrace is passed on too, never fatal to it.
        ForwardCase{SIGHUP, false, Mode::kSeccomp}, ForwardCase{SIGUSR1, false, Mode::kSeccomp},
        ForwardCase{SIGUSR1, false, Mode::kNoSeccomp}, ForwardCase{SIGUSR2, false, Mode::kSeccomp},
        ForwardCase{SIGALRM, false, Mode::kSeccomp}, ForwardCase{SIGPIPE, false, Mode::kSeccomp},
        ForwardCase{SIGVTALRM, false, Mode::kSeccomp}, ForwardCase{SIGPWR, false, Mode::kSeccomp}),
    [](const auto& info) {
        return signal_name(info.param.signo).substr(3) +
               (info.param.handled ? "_handled_" : "_default_") + mode_name(info.param.mode);
    });

TEST_P(SignalToTracer, IsForwardedToTheLaunchedCommand) {
    if (tracer().is_strace)
        GTEST_SKIP() << "strace blocks SIGINT/SIGTERM when it launches a command with -o "
                        "(its -I default) and dies of SIGUSR1, instead of forwarding them";
    const ForwardCase& fc = GetParam();
    RunResult untraced, traced;
    ASSERT_NO_FATAL_FAILURE(signal_run(false, "", &untraced));
    int expected = fc.handled ? (fc.signo == SIGINT ? 5 : 6) : 128 + fc.signo;
    EXPECT_EQ(untraced.status, expected);
    if (fc.handled) {
        EXPECT_EQ(untraced.out, "ready\ngot " + signal_name(fc.signo) + ", exiting " +
                                    std::to_string(expected) + "\n");
    }

    std::string log = temp("forward.log");
    auto before = std::chrono::system_clock::now();
    ASSERT_NO_FATAL_FAILURE(signal_run(true, log, &traced));
    auto after = std::chrono::system_clock::now();
    expect_same_behaviour(untraced, traced);
    EventLog events = read_event_log(tracer(), log, before, after, false);
    expect_log_matches_run(events, expected, "wait_signal");
    EXPECT_GE(count_signals(events, signal_name(fc.signo), events.root_pid()), 1)
        << "no " << signal_name(fc.signo) << " event for the command";
}

// ---------------------------------------------------------------------------
// A blocked call that another thread's call overtakes

// A read blocked while another thread opens a file is written as an
// "<unfinished ...>" entry with its own arguments, and its exit shows the
// bytes it read, as strace prints them, in both readable formats.
TEST_F(E2E, OvertakenReadShowsItsBufferWhenResumed) {
    if (tracer().is_strace) GTEST_SKIP() << "sctrace's own output formats";
    for (const std::string format : {"text", "strace"}) {
        SCOPED_TRACE(format);
        const std::string log = temp("overtaken." + format);
        RunResult r = run({tracer().path, "-e", "trace=read,openat", "-o", log, "--format", format,
                           "--", tracee("overtaken_read")},
                          {"overtaken read", "", false}, 30s);
        ASSERT_FALSE(r.timed_out) << r.hang_report;
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out, "read back: overtaken\n");
        const std::string text = read_file(log);
        // The pipe's read end is the lowest free fd, which depends on what
        // the test runner left open.
        EXPECT_TRUE(std::regex_search(text, std::regex(R"(read\([0-9]+,  <unfinished \.\.\.>)")))
            << text;
        EXPECT_NE(text.find("openat(AT_FDCWD, \"/dev/null\", O_RDONLY"), std::string::npos) << text;
        EXPECT_NE(text.find("<... read resumed>\"overtaken\\n\", 64) = 10"), std::string::npos)
            << text;
    }
}

// ---------------------------------------------------------------------------
// io_uring submissions, which strace never shows

// The io_uring_submit events of a JSONL log, as opcode -> count.
std::map<std::string, int> submissions(const std::string& log) {
    std::map<std::string, int> ops;
    std::istringstream in(read_file(log));
    for (std::string line; std::getline(in, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("type", "") == "io_uring_submit") {
            ops[j.value("opcode", "")]++;
        }
    }
    return ops;
}

TEST_F(E2E, StatxSubmittedThroughLiburingAppearAsEvents) {
    if (tracer().is_strace) GTEST_SKIP() << "strace does not read io_uring rings";
    const std::string log = temp("uring.jsonl");
    RunResult r = run({tracer().path, "--no-rules", "-e", "trace=io_uring_setup,io_uring_enter",
                       "-o", log, "--format", "jsonl", "--", tracee("uring_statx")},
                      {"liburing statx", "", false}, 50s);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    if (r.status == 77) GTEST_SKIP() << "the kernel refused io_uring here: " << r.err;
    ASSERT_EQ(r.status, 0) << r.err;
    const auto ops = submissions(log);
    // Three on the plain ring, and (when SQPOLL was allowed) two sampled
    // from the SQPOLL ring.
    const int expected = r.out.find("sqpoll: refused") == std::string::npos ? 5 : 3;
    EXPECT_EQ(ops.count("IORING_OP_STATX") ? ops.at("IORING_OP_STATX") : 0, expected) << r.out;
}

TEST_F(E2E, NodeWithUvUseIoUringShowsItsStatxSubmissions) {
    if (tracer().is_strace) GTEST_SKIP() << "strace does not read io_uring rings";
    if (run({"/bin/sh", "-c", "command -v node"}, {"which node", "", false}, 10s).status != 0) {
        GTEST_SKIP() << "node is not installed: the node io_uring case cannot run";
    }
    const std::string log = temp("node.jsonl");
    const char* script =
        "const fs = require('fs'); let n = 0;"
        "for (const p of ['/', '/etc', '/nonexistent-sctrace']) fs.stat(p, () => {"
        "  if (++n === 3) console.log('stat done'); });";
    RunResult r = run({"/usr/bin/env", "UV_USE_IO_URING=1", tracer().path, "--no-rules", "-e",
                       "trace=io_uring_setup,io_uring_enter", "-o", log, "--format", "jsonl", "--",
                       "node", "-e", script},
                      {"node fs.stat", "", false}, 50s);
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "stat done\n");
    const std::string events = read_file(log);
    if (events.find("\"syscall\":\"io_uring_setup\"") == std::string::npos) {
        GTEST_SKIP() << "this node's libuv does not use io_uring (no io_uring_setup call)";
    }
    const auto ops = submissions(log);
    EXPECT_GE(ops.count("IORING_OP_STATX") ? ops.at("IORING_OP_STATX") : 0, 3)
        << "fs.stat x3 must show at least three STATX submissions";
}

// ---------------------------------------------------------------------------
// The seccomp prefilter refused: fall back, say so once, miss nothing

TEST_F(E2E, RefusedSeccompFilterFallsBackToStoppingEverywhere) {
    if (tracer().is_strace) GTEST_SKIP() << "strace has no such fallback to check";
    constexpr int kThreads = 4, kCalls = 3;
    const std::vector<std::string> command = {tracee("threads"), std::to_string(kThreads),
                                              std::to_string(kCalls)};
    const std::string log = temp("refused.log");
    std::vector<std::string> argv = {tracee("deny_seccomp")};
    for (const auto& arg : tracer().launch(Mode::kSeccomp, "getppid", log, command)) {
        argv.push_back(arg);
    }
    auto before = std::chrono::system_clock::now();
    RunResult r = run(argv, {"threads under deny_seccomp", "", false}, 50s);
    auto after = std::chrono::system_clock::now();
    ASSERT_FALSE(r.timed_out) << r.hang_report;
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "4 threads made 3 getppid calls each; all returned the same parent: yes\n");
    // Exactly one notice, naming the cause and the fallback.
    EXPECT_NE(r.err.find("sctrace: the kernel refused the seccomp filter (Operation not "
                         "permitted); stopping at every syscall instead"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EventLog events = read_event_log(tracer(), log, before, after, false);
    EXPECT_TRUE(events.problems.empty());
    EXPECT_EQ(events.count_syscall("syscall_exit", "getppid"),
              static_cast<std::size_t>(kThreads * kCalls));
}

// A default run (rules, findings only) skips the exits no rule needs: a
// write to a descriptor the state knows open is one stop, not two. The
// traced shell must behave the same both ways.
TEST_F(E2E, ADefaultRunSkipsTheExitsNoRuleNeeds) {
    if (tracer().is_strace) GTEST_SKIP() << "sctrace's own stops";
    constexpr int kWrites = 300;
    const std::vector<std::string> command = {
        "/bin/sh", "-c",
        "i=0; while [ $i -lt " + std::to_string(kWrites) + " ]; do echo x; i=$((i+1)); done"};
    RunResult every, skipping;
    std::string skipped;
    const long with_every_exit =
        ptrace_requests_of({"--every-exit"}, command, "every", &every, &skipped);
    if (!skipped.empty()) GTEST_SKIP() << skipped;
    const long by_default = ptrace_requests_of({}, command, "default", &skipping, &skipped);
    ASSERT_FALSE(every.timed_out || skipping.timed_out);
    EXPECT_EQ(every.status, 0) << every.err;
    EXPECT_EQ(skipping.status, 0) << skipping.err;
    EXPECT_EQ(skipping.out, every.out);
    EXPECT_EQ(count_of(skipping.out, "x\n"), static_cast<std::size_t>(kWrites));
    // Two requests (read the stop, resume) per exit not stopped at.
    EXPECT_GE(with_every_exit - by_default, 2L * kWrites * 9 / 10)
        << "with --every-exit " << with_every_exit << ", by default " << by_default;
}

// The bundled pack watches io_uring_setup, so a default run also stops at
// the calls a ring is followed through (mmap, munmap, close, dup ...). In a
// process that owns no ring their exits say nothing: each is one stop, not
// two. Counted as the requests 300 more mmap/munmap pairs cost.
TEST_F(E2E, ACallStoppedAtOnlyToFollowRingsIsOneStopInAProcessWithoutOne) {
    if (tracer().is_strace) GTEST_SKIP() << "sctrace's own stops";
    constexpr long kPairs = 300;
    RunResult none, many;
    std::string skipped;
    const long base = ptrace_requests_of({}, {tracee("mmaps"), "0"}, "none", &none, &skipped);
    if (!skipped.empty()) GTEST_SKIP() << skipped;
    const long with_pairs =
        ptrace_requests_of({}, {tracee("mmaps"), std::to_string(kPairs)}, "many", &many, &skipped);
    ASSERT_FALSE(none.timed_out || many.timed_out);
    EXPECT_EQ(none.status, 0) << none.err;
    EXPECT_EQ(many.status, 0) << many.err;
    EXPECT_EQ(many.out, std::to_string(kPairs) + " mappings\n");
    // Both calls of a pair stop at their entry (two requests each); taking
    // their exits too would make it eight requests a pair.
    const long per_pair_x10 = (with_pairs - base) * 10 / kPairs;
    EXPECT_GE(per_pair_x10, 35) << "the pairs were not stopped at: " << with_pairs << " - " << base;
    EXPECT_LE(per_pair_x10, 50) << "their exits were stopped at too: " << with_pairs << " - "
                                << base;
}

// ---------------------------------------------------------------------------
// A program's own seccomp filter and its own use of ptrace

// Its SECCOMP_RET_TRACE for getuid makes the call fail with ENOSYS when no
// tracer asked for seccomp stops; under sctrace it must fail the same way,
// whether sctrace's filter also traces getuid (the program's newer filter
// then wins the tie), traces other calls only, or is off (--no-seccomp). Its
// SECCOMP_RET_ERRNO for getgid is the kernel's business alone.
TEST_P(Traced, OwnSeccompRetTraceFailsWithEnosysAsUntraced) {
    const std::string expected =
        "parent: getuid failed with ENOSYS\n"
        "parent: getgid failed with EACCES\n"
        "parent: getppid unchanged: yes\n"
        "child: getuid failed with ENOSYS\n"
        "child: getgid failed with EACCES\n"
        "child exited 3\n";
    for (const std::string trace_set : {"", "getppid"}) {
        SCOPED_TRACE("trace set '" + trace_set + "'");
        if (tracer().is_strace && mode_ == Mode::kSeccomp && !trace_set.empty()) {
            // strace 6.1 --seccomp-bpf answers the program's own stops itself:
            // getuid returns 0 there, the very bug this test keeps out of sctrace.
            continue;
        }
        Comparison c;
        ASSERT_NO_FATAL_FAILURE(compare({.label = "own seccomp filter, trace " + trace_set,
                                         .argv = {tracee("own_seccomp")},
                                         .trace_set = trace_set},
                                        &c));
        EXPECT_EQ(c.untraced.out, expected) << "the tracee itself misbehaves untraced";
        EXPECT_EQ(c.untraced.status, 5);
        if (trace_set != "") {
            EXPECT_EQ(c.log.count_syscall("syscall_entry", "getuid"), 0u);
            continue;
        }
        // Every call shown once: getuid once per process, as one call (no
        // second entry, no entry left without its exit), whose result is
        // what the program saw.
        // (strace's log, read back, gives every finished line an entry too.)
        ASSERT_EQ(c.log.count_syscall("syscall_exit", "getuid"), 2u);
        if (!c.log.jsonl) {
            EXPECT_EQ(c.log.count_syscall("syscall_entry", "getuid"), 2u);
            continue;
        }
        // An entry is written on its own only when another process's line
        // came between it and its exit: the child's getuid races the
        // parent's wait4 when every call stops twice (--no-seccomp).
        std::map<long long, const Event*> open_entry;
        std::map<long long, int> exits_by_tid;
        for (const Event& e : c.log.events) {
            if (e.syscall != "getuid") continue;
            if (e.type == "syscall_entry") {
                EXPECT_EQ(open_entry.count(e.tid), 0u) << "a second entry: " << e.raw.dump();
                open_entry[e.tid] = &e;
            } else if (e.type == "syscall_exit") {
                open_entry.erase(e.tid);
                ++exits_by_tid[e.tid];
                EXPECT_EQ(e.raw.value("errno", nlohmann::json()), "ENOSYS") << e.raw.dump();
            }
        }
        EXPECT_TRUE(open_entry.empty()) << "an entry with no exit after it";
        EXPECT_EQ(exits_by_tid.size(), 2u) << "getuid is not once in each process";
    }
}

// A process has one tracer. Its own PTRACE_TRACEME and PTRACE_ATTACH fail
// with EPERM under any tracer that follows children: strace -f is the
// reference here, not the untraced run (where both succeed).
TEST_P(Traced, OwnPtraceFailsAsUnderStrace) {
    const char* strace = "/usr/bin/strace";
    if (access(strace, X_OK) != 0) GTEST_SKIP() << "no strace to compare with";
    const std::vector<std::string> command = {tracee("own_ptrace")};
    RunResult reference = run({strace, "-f", "-q", "-o", "/dev/null", command[0]},
                              {"own_ptrace under strace -f", "", false}, kRunTimeout);
    ASSERT_FALSE(reference.timed_out) << reference.hang_report;
    ASSERT_EQ(reference.out,
              "child: PTRACE_TRACEME: EPERM\nparent: PTRACE_ATTACH to a child: EPERM\ndone\n");
    RunResult traced = run(tracer().launch(mode_, "", temp("own_ptrace.log"), command),
                           {"own_ptrace under " + tracer().name, "", false}, kRunTimeout);
    ASSERT_FALSE(traced.timed_out) << traced.hang_report;
    EXPECT_EQ(traced.status, reference.status) << traced.err;
    EXPECT_EQ(traced.out, reference.out);
    EXPECT_EQ(strip_tracer_lines(traced.err, tracer().name), reference.err);
}

// ---------------------------------------------------------------------------
// -p values, checked in the user's terms

TEST_F(E2E, AttachToSomethingThatIsNotAProcessIdIsAUsageError) {
    if (tracer().is_strace) GTEST_SKIP() << "sctrace's own messages";
    for (const std::string value : {"0", "-5", "abc", "12x", "99999999999"}) {
        RunResult r = run({tracer().path, "-p", value}, {"-p " + value, "", false}, 20s);
        EXPECT_EQ(r.status, 2) << "-p " << value << ": " << r.err;
        EXPECT_EQ(r.err, "sctrace: -p " + value + ": not a process id (a positive number)\n");
    }
}

// Named twice, or by the id of one of its threads: attached once, said once.
TEST_F(E2E, AttachByThreadIdOrTwiceAttachesTheProcessOnce) {
    if (tracer().is_strace) GTEST_SKIP() << "sctrace's own messages";
    const std::string beat = temp("heartbeat");
    Process target({tracee("heartbeat"), beat, "1"}, {"heartbeat", "", true});
    ASSERT_TRUE(target.wait_for_stdout("ready\n", 30s)) << target.stderr_so_far();
    const pid_t pid = target.pid();
    std::vector<pid_t> tids = tasks_of(pid);
    ASSERT_EQ(tids.size(), 2u);
    const pid_t worker = tids[0] == pid ? tids[1] : tids[0];

    const std::string log = temp("attach.log");
    const std::string p = std::to_string(pid), w = std::to_string(worker);
    auto before = std::chrono::system_clock::now();
    Process tracer_process(
        {tracer().path, "-e", "trace=getppid", "-o", log, "--format", "jsonl", "-p", w, "-p", p},
        {"sctrace -p thread -p process", "", false});
    EXPECT_TRUE(eventually(
        [&] {
            return tracer_of(pid, pid) == tracer_process.pid() &&
                   tracer_of(pid, worker) == tracer_process.pid();
        },
        30s))
        << "the process is not traced by sctrace: " << tracer_process.stderr_so_far();
    ASSERT_EQ(kill(tracer_process.pid(), SIGINT), 0);
    RunResult tr = tracer_process.finish(20s);
    auto after = std::chrono::system_clock::now();
    EXPECT_EQ(tr.status, 0) << tr.err;
    EXPECT_EQ(tr.err, "sctrace: " + w + " is a thread of process " + p + ": attaching to " + p +
                          "\nsctrace: process " + p + " is given twice: attaching to it once\n");
    EventLog events = read_event_log(tracer(), log, before, after, false);
    EXPECT_TRUE(events.problems.empty());
    std::map<long long, int> attached;
    for (const Event* e : events.of_type("attach")) {
        EXPECT_EQ(e->pid, pid) << e->raw.dump();
        if (e->raw.value("attached", false)) attached[e->tid]++;
    }
    EXPECT_EQ(attached, (std::map<long long, int>{{pid, 1}, {worker, 1}}));
    target.close_stdin();
    RunResult r = target.finish(20s);
    EXPECT_EQ(r.status, 0) << r.err;
}

// ---------------------------------------------------------------------------
// Attaching to running processes, and detaching

struct AttachCase {
    int signo;  // what ends the tracer
    Mode mode;
};

void PrintTo(const AttachCase& c, std::ostream* os) {
    *os << signal_name(c.signo) << ", " << mode_name(c.mode);
}

class Attach : public E2E, public ::testing::WithParamInterface<AttachCase> {
protected:
    void SetUp() override {
        mode_ = GetParam().mode;
        E2E::SetUp();
    }
};

INSTANTIATE_TEST_SUITE_P(Signals, Attach,
                         ::testing::Values(AttachCase{SIGINT, Mode::kSeccomp},
                                           AttachCase{SIGINT, Mode::kNoSeccomp},
                                           AttachCase{SIGTERM, Mode::kSeccomp}),
                         [](const auto& info) {
                             return signal_name(info.param.signo).substr(3) + "_" +
                                    mode_name(info.param.mode);
                         });

TEST_P(Attach, DetachLeavesTargetsRunningUnharmed) {
    const AttachCase& ac = GetParam();
    // Two targets, one with 3 worker threads, started without a tracer.
    struct Target {
        std::string file;
        int workers;
        std::unique_ptr<Process> process;
        std::vector<pid_t> tids;
    };
    std::vector<Target> targets;
    targets.push_back({temp("heartbeat-a"), 3, nullptr, {}});
    targets.push_back({temp("heartbeat-b"), 0, nullptr, {}});
    std::set<long long> all_tids;
    for (auto& t : targets) {
        t.process = std::make_unique<Process>(
            std::vector<std::string>{tracee("heartbeat"), t.file, std::to_string(t.workers)},
            SpawnOptions{"heartbeat " + t.file, "", true});
        ASSERT_EQ(t.process->spawn_error(), "");
    }
    std::vector<pid_t> pids;
    for (auto& t : targets) {
        ASSERT_TRUE(t.process->wait_for_stdout("ready\n", 30s)) << t.process->stderr_so_far();
        auto h = read_heartbeat(t.file);
        ASSERT_TRUE(eventually([&] { return (h = read_heartbeat(t.file)).has_value(); }, 30s));
        ASSERT_TRUE(heartbeat_advances(t.file, *h, 30s, t.workers > 0))
            << "target makes no progress";
        t.tids = tasks_of(t.process->pid());
        ASSERT_EQ(t.tids.size(), static_cast<std::size_t>(t.workers + 1));
        all_tids.insert(t.tids.begin(), t.tids.end());
        pids.push_back(t.process->pid());
    }

    // Attach; every thread calls getppid every few ms, so once all are
    // attached every tid shows up in the log.
    std::string log = temp("attach.log");
    auto before = std::chrono::system_clock::now();
    Process tracer_process(tracer().attach(mode_, "getppid", log, pids),
                           {tracer().name + " -p", "", false});
    ASSERT_EQ(tracer_process.spawn_error(), "");
    auto tids_seen = [&](bool partial_ok) {
        EventLog l =
            read_event_log(tracer(), log, before, std::chrono::system_clock::now(), partial_ok);
        std::set<long long> seen;
        for (const Event& e : l.events)
            if (e.type == "syscall_exit" && e.syscall == "getppid") seen.insert(e.tid);
        std::string missing;
        for (long long tid : all_tids)
            if (!seen.count(tid)) missing += " " + std::to_string(tid);
        return missing;
    };
    std::string missing;
    bool all_seen = eventually([&] { return (missing = tids_seen(true)).empty(); }, 30s, 100ms);
    EXPECT_TRUE(all_seen) << "after 30 s the live log still has no getppid from tids" << missing;

    ASSERT_EQ(kill(tracer_process.pid(), ac.signo), 0);
    RunResult tr = tracer_process.finish(20s);
    auto after = std::chrono::system_clock::now();
    EXPECT_FALSE(tr.timed_out) << tracer().name << " did not exit within 20 s of "
                               << signal_name(ac.signo) << "; then:\n"
                               << tr.hang_report;
    // sctrace documents 0 after a clean detach; strace (the harness check) may
    // report the signal instead.
    EXPECT_TRUE(tr.status == 0 || (tracer().is_strace && tr.status == 128 + ac.signo))
        << tracer().name << " exited " << tr.status << "; stderr:\n"
        << tr.err;

    // The targets: alive, not stopped, no longer traced, still working.
    for (auto& t : targets) {
        pid_t pid = t.process->pid();
        ASSERT_FALSE(t.process->has_exited()) << "target " << pid << " died; stderr:\n"
                                              << t.process->stderr_so_far();
        for (pid_t tid : t.tids) {
            char state = task_state(pid, tid);
            EXPECT_TRUE(state != 0 && state != 't' && state != 'T' && state != 'Z')
                << "target " << pid << " thread " << tid << " is in state " << (state ? state : '?')
                << " after detach";
            EXPECT_EQ(tracer_of(pid, tid), 0)
                << "thread " << tid << " of " << pid << " is still traced";
        }
        auto h = read_heartbeat(t.file);
        ASSERT_TRUE(h.has_value());
        EXPECT_TRUE(heartbeat_advances(t.file, *h, 20s, t.workers > 0))
            << "target " << pid << " makes no progress after detach:" << thread_states(pid);
    }
    for (auto& t : targets) {
        t.process->close_stdin();
        RunResult r = t.process->finish(20s);
        EXPECT_FALSE(r.timed_out) << "target did not exit on stdin EOF:\n" << r.hang_report;
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(r.out, "ready\nstdin closed; " + std::to_string(t.workers) +
                             " worker thread(s) stopped; exiting 0\n");
        EXPECT_EQ(r.err, "") << "the target saw an error (e.g. an EINTR from attach/detach)";
    }

    // The complete log: well formed, every thread seen, attach events.
    EventLog final_log = read_event_log(tracer(), log, before, after, false);
    std::string problems;
    for (const auto& p : final_log.problems) problems += "  " + p + "\n";
    EXPECT_TRUE(final_log.problems.empty()) << problems;
    EXPECT_EQ(tids_seen(false), "") << "tids never seen calling getppid";
    if (final_log.jsonl) {
        for (pid_t pid : pids) {
            auto attaches = final_log.of_type("attach");
            EXPECT_GE(std::count_if(attaches.begin(), attaches.end(),
                                    [&](const Event* e) { return e->pid == pid; }),
                      1)
                << "no attach event for pid " << pid;
        }
    }
}

}  // namespace
}  // namespace e2e
