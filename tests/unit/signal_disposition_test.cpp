// fatal-signal and handled-fault (rules/crashes.yaml) over strace logs: the
// state tracker learns each process's dispositions (engine/signal_state.h)
// and a crash signal is an error only when it kills - judged at its delivery
// when the disposition is known, else at the death itself, once per death.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "engine/state.h"
#include "sources/strace/strace_log.h"

namespace sctrace::rules {
namespace {

struct Collect final : FindingSink {
    std::vector<Finding> findings;
    void on_finding(const Finding& f) override { findings.push_back(f); }
};

// The shipped crash rules over a log's lines.
std::vector<Finding> analyze(const std::vector<std::string>& lines) {
    RuleSet set;
    set.load({std::string(SCTRACE_RULES_DIR) + "/macros.yaml",
              std::string(SCTRACE_RULES_DIR) + "/crashes.yaml"});
    EXPECT_TRUE(set.errors().empty()) << set.format_errors();
    Collect sink;
    RuleEngine engine(set, {&sink}, [](const Event&) { return std::string("event"); });
    strace_text::StraceLogConverter converter(engine);
    converter.begin_file("test.log", 0, 0);
    for (const auto& line : lines) EXPECT_TRUE(converter.feed(line)) << line;
    converter.finish();
    return sink.findings;
}

std::string dump(const std::vector<Finding>& findings) {
    std::string s;
    for (const auto& f : findings) s += "  " + f.rule + ": " + f.message + "\n";
    return s.empty() ? "  (none)\n" : s;
}

int count(const std::vector<Finding>& findings, const std::string& rule) {
    int n = 0;
    for (const auto& f : findings) n += f.rule == rule;
    return n;
}

const Finding* find(const std::vector<Finding>& findings, const std::string& rule) {
    for (const auto& f : findings)
        if (f.rule == rule) return &f;
    return nullptr;
}

constexpr const char* kExec = "100 execve(\"/usr/bin/prog\", [\"prog\"], 0x7ffd /* 20 vars */) = 0";

// HotSpot at start-up: a SIGSEGV handler, a fault on purpose, rt_sigreturn, exit 0.
TEST(SignalDispositions, AHandledFaultIsAnInfoNoteNotAnError) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=0x7f1234560000, sa_mask=~[RTMIN RT_1], "
        "sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_SIGINFO, sa_restorer=0x7f1234000000}, "
        "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
        "100 rt_sigreturn({mask=[QUIT]}) = 0",
        "100 +++ exited with 0 +++",
    });
    EXPECT_EQ(count(f, "fatal-signal"), 0) << dump(f);
    ASSERT_EQ(count(f, "handled-fault"), 1) << dump(f);
    const Finding& h = *find(f, "handled-fault");
    EXPECT_EQ(h.severity, Severity::Info);
    EXPECT_NE(h.message.find("0x7f1234560000"), std::string::npos) << h.message;
    EXPECT_NE(h.message.find("SEGV_MAPERR"), std::string::npos) << h.message;
}

// bash -c 'trap "" SEGV; kill -SEGV $$'
TEST(SignalDispositions, AnIgnoredKillIsNothing) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, "
        "sa_restorer=0x7f0000001000}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
        "100 kill(100, SIGSEGV) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=100, si_uid=1000} ---",
        "100 +++ exited with 0 +++",
    });
    EXPECT_TRUE(f.empty()) << dump(f);
}

// The kernel forces an ignored fault to its default action: it kills.
TEST(SignalDispositions, AnIgnoredFaultStillKills) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, "
        "sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xbbadbeef} ---",
        "100 +++ killed by SIGSEGV (core dumped) +++",
    });
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    EXPECT_NE(find(f, "fatal-signal")->message.find("WTFCrash"), std::string::npos) << dump(f);
}

// abort(): SI_TKILL from itself, default action. Judged at the delivery, and
// the death right after it is the same death: one finding.
TEST(SignalDispositions, AnAbortNamesItsSenderOnceAtTheDelivery) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGABRT, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
        "100 tgkill(100, 100, SIGABRT) = 0",
        "100 --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=100, si_uid=1000} ---",
        "100 +++ killed by SIGABRT (core dumped) +++",
    });
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    const std::string& m = find(f, "fatal-signal")->message;
    EXPECT_NE(m.find("by pid 100 (itself)"), std::string::npos) << m;
    EXPECT_EQ(m.find("si_addr"), std::string::npos) << "a kill has no fault address: " << m;
    EXPECT_EQ(m.find("NULL"), std::string::npos) << m;
}

// Another process's kill(): its pid, not "itself".
TEST(SignalDispositions, AKillFromAnotherProcessNamesIt) {
    const auto f = analyze({
        kExec,
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=4321, si_uid=0} ---",
        "100 +++ killed by SIGSEGV +++",
    });
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    const std::string& m = find(f, "fatal-signal")->message;
    EXPECT_NE(m.find("kill() by pid 4321"), std::string::npos) << m;
    EXPECT_EQ(m.find("itself"), std::string::npos) << m;
}

// si_code decides what si_addr means, before any address is looked at.
// A general-protection fault (a non-canonical pointer such as
// 0xdead000000001234) is SI_KERNEL with si_addr 0: not a NULL dereference.
TEST(SignalDispositions, AGeneralProtectionFaultIsNotANullDereference) {
    const auto f = analyze({
        kExec,
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL} ---",
        "100 +++ killed by SIGSEGV (core dumped) +++",
    });
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    const std::string& m = find(f, "fatal-signal")->message;
    EXPECT_NE(m.find("si_code=SI_KERNEL: a general-protection fault (a non-canonical address"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("the kernel reports no address"), std::string::npos) << m;
    EXPECT_EQ(m.find("NULL"), std::string::npos) << m;
}

// kill -SEGV from a process whose pid is below 4096: si_addr there is the
// sender's pid, and the message names the sender, not an address.
TEST(SignalDispositions, AKillFromALowPidNamesTheSenderNotAnAddress) {
    for (const std::string code : {"SI_USER", "SI_TKILL", "SI_QUEUE"}) {
        SCOPED_TRACE(code);
        const auto f = analyze({
            kExec,
            "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=" + code + ", si_pid=123, si_uid=1000} ---",
            "100 +++ killed by SIGSEGV +++",
        });
        ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
        const std::string& m = find(f, "fatal-signal")->message;
        EXPECT_NE(m.find("si_code=" + code + ": sent with "), std::string::npos) << m;
        EXPECT_NE(m.find(" by pid 123 (uid 1000)"), std::string::npos) << m;
        EXPECT_EQ(m.find("NULL"), std::string::npos) << m;
        EXPECT_EQ(m.find("si_addr"), std::string::npos) << m;
    }
}

// A NULL dereference is a page fault at a low address: SEGV_MAPERR or
// SEGV_ACCERR. Other codes, and higher addresses, are not.
TEST(SignalDispositions, OnlyAnAddressFaultBelow4096IsANullDereference) {
    struct Case {
        std::string code, addr;
        bool null;
    };
    for (const Case& c :
         {Case{"SEGV_MAPERR", "0x8", true}, Case{"SEGV_ACCERR", "0xff8", true},
          Case{"SEGV_MAPERR", "0x1000", false}, Case{"SEGV_PKUERR", "0x10", false}}) {
        SCOPED_TRACE(c.code + " at " + c.addr);
        const auto f = analyze({
            kExec,
            "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=" + c.code + ", si_addr=" + c.addr +
                "} ---",
            "100 +++ killed by SIGSEGV +++",
        });
        ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
        const std::string& m = find(f, "fatal-signal")->message;
        EXPECT_NE(m.find("si_code=" + c.code + " si_addr=" + c.addr), std::string::npos) << m;
        EXPECT_EQ(m.find("NULL pointer dereference") != std::string::npos, c.null) << m;
    }
}

// A log that starts late (strace -p, or -e trace=none): nothing says what
// the process does with SIGSEGV, so the delivery is not judged; the death is.
TEST(SignalDispositions, UnknownDispositionsAreJudgedAtTheDeath) {
    const auto f = analyze({
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x8} ---",
        "100 +++ killed by SIGSEGV (core dumped) +++",
    });
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    EXPECT_NE(find(f, "fatal-signal")->message.find("NULL pointer dereference"), std::string::npos)
        << dump(f);
    EXPECT_EQ(count(f, "handled-fault"), 0) << "unknown is not handled\n" << dump(f);
}

// ...and when it survives the signal, there was no crash.
TEST(SignalDispositions, AnUnknownDispositionIsNeverGuessed) {
    const auto f = analyze({
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x8} ---",
        "100 rt_sigreturn({mask=[]}) = 0",
        "100 +++ exited with 0 +++",
        "200 --- SIGABRT {si_signo=SIGABRT, si_code=SI_USER, si_pid=1, si_uid=0} ---",
        "200 +++ exited with 0 +++",
    });
    EXPECT_TRUE(f.empty()) << dump(f);
}

// A death with no delivery line still counts (a live exit status, a log
// that only has the exit).
TEST(SignalDispositions, ADeathWithoutItsDeliveryIsStillReported) {
    const auto f = analyze({"100 +++ killed by SIGBUS (core dumped) +++"});
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    EXPECT_NE(find(f, "fatal-signal")->message.find("not in the trace"), std::string::npos)
        << dump(f);
}

// A crash handler that resets to SIG_DFL and re-raises: a note for the
// handled fault, the error for the death.
TEST(SignalDispositions, AHandlerThatReRaisesEndsInTheError) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
        "100 rt_sigaction(SIGSEGV, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, "
        "sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 rt_sigreturn({mask=[]}) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
        "100 +++ killed by SIGSEGV (core dumped) +++",
    });
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
    EXPECT_EQ(count(f, "fatal-signal"), 1) << dump(f);
}

// A fault inside the SIGSEGV handler is blocked there, so the kernel forces
// it to kill; the mask is not followed, so the death is the error, naming
// that second fault.
TEST(SignalDispositions, AFaultInsideItsHandlerKillsAndTheDeathNamesIt) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
        "100 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7ffd0000} ---",
        "100 +++ killed by SIGSEGV (core dumped) +++",
    });
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    EXPECT_NE(find(f, "fatal-signal")->message.find("SEGV_ACCERR si_addr=0x7ffd0000"),
              std::string::npos)
        << dump(f);
}

// SA_RESETHAND: the handler runs once; the next fault has the default action.
TEST(SignalDispositions, ResetHandHandlesOnlyTheFirstDelivery) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGFPE, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_RESETHAND, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 --- SIGFPE {si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401234} ---",
        "100 rt_sigreturn({mask=[]}) = 0",
        "100 --- SIGFPE {si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401234} ---",
        "100 +++ killed by SIGFPE (core dumped) +++",
    });
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
    EXPECT_EQ(count(f, "fatal-signal"), 1) << dump(f);
}

// fork copies the dispositions; execve resets handlers to SIG_DFL and keeps
// SIG_IGN.
TEST(SignalDispositions, ForkCopiesAndExecResetsHandlersButKeepsIgnores) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 rt_sigaction(SIGABRT, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, "
        "sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
        "child_tidptr=0x7f0000002000) = 101",
        // The forked child, before any exec: the handler is its parent's.
        "101 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x18} ---",
        "101 rt_sigreturn({mask=[]}) = 0",
        "101 execve(\"/usr/bin/other\", [\"other\"], 0x7ffd /* 20 vars */) = 0",
        // After the exec: SIGABRT still ignored (a kill is nothing) ...
        "101 --- SIGABRT {si_signo=SIGABRT, si_code=SI_USER, si_pid=100, si_uid=0} ---",
        // ... and SIGSEGV back to the default: this one kills.
        "101 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x20} ---",
        "101 +++ killed by SIGSEGV (core dumped) +++",
        "100 +++ exited with 0 +++",
    });
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
    ASSERT_EQ(count(f, "fatal-signal"), 1) << dump(f);
    EXPECT_EQ(find(f, "fatal-signal")->pid, 101);
    EXPECT_NE(find(f, "fatal-signal")->message.find("0x20"), std::string::npos) << dump(f);
}

// Threads share their process's dispositions.
TEST(SignalDispositions, ThreadsShareTheProcesssHandlers) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGSEGV, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
        "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
        "child_tid=0x7f0000003910, parent_tid=0x7f0000003910, exit_signal=0, "
        "stack=0x7f0000000000, stack_size=0x7fff00, tls=0x7f0000003640} => "
        "{parent_tid=[102]}, 88) = 102",
        "102 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
        "102 rt_sigreturn({mask=[]}) = 0",
        "102 +++ exited with 0 +++",
        "100 +++ exited with 0 +++",
    });
    EXPECT_EQ(count(f, "fatal-signal"), 0) << dump(f);
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
}

// A CLONE_SIGHAND child (not a thread) shares them too: what it sets, its
// parent has.
TEST(SignalDispositions, ACloneSighandChildSharesThem) {
    const auto f = analyze({
        kExec,
        "100 clone(child_stack=0x7f0000010000, flags=CLONE_VM|CLONE_SIGHAND|SIGCHLD) = 101",
        "101 rt_sigaction(SIGBUS, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000020000} ---",
        "100 rt_sigreturn({mask=[]}) = 0",
        "100 +++ exited with 0 +++",
        "101 +++ exited with 0 +++",
    });
    EXPECT_EQ(count(f, "fatal-signal"), 0) << dump(f);
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
}

// ... until the child execs: the kernel gives it its own copy then.
TEST(SignalDispositions, AnExecUnsharesThem) {
    const auto f = analyze({
        kExec,
        "100 rt_sigaction(SIGBUS, {sa_handler=0x401000, sa_mask=[], "
        "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
        "100 clone(child_stack=0x7f0000010000, flags=CLONE_VM|CLONE_SIGHAND|SIGCHLD) = 101",
        "101 execve(\"/usr/bin/other\", [\"other\"], 0x7ffd /* 20 vars */) = 0",
        "100 --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000020000} ---",
        "100 rt_sigreturn({mask=[]}) = 0",
        "100 +++ exited with 0 +++",
        "101 +++ exited with 0 +++",
    });
    EXPECT_EQ(count(f, "fatal-signal"), 0) << "the parent keeps its handler\n" << dump(f);
    EXPECT_EQ(count(f, "handled-fault"), 1) << dump(f);
}

// Live, the tracer reads the ignored set at the exec stop: the dispositions
// are known exactly from the start, so abort() is judged at its delivery.
TEST(SignalDispositions, AnExecWithItsIgnoredSetMakesEverythingKnown) {
    StateTracker state;
    ExecEvent exec{"/bin/prog", 100};
    exec.signals_known = true;
    exec.ignored_signals = 1ull << (SIGPIPE - 1);
    state.apply(Event{EventKind::Exec, 1, 100, 100, exec});
    const ProcessState* p = state.process(100);
    ASSERT_NE(p, nullptr);
    SignalEvent abort_sig;
    abort_sig.signo = SIGABRT;
    abort_sig.code = SI_TKILL;
    EXPECT_EQ(p->signal_verdict(abort_sig), Verdict::Default);
    SignalEvent pipe_sig;
    pipe_sig.signo = SIGPIPE;
    pipe_sig.code = SI_USER;
    EXPECT_EQ(p->signal_verdict(pipe_sig), Verdict::Ignored);
    // Without it (a log's execve), a sent signal may be an inherited SIG_IGN.
    StateTracker log_state;
    log_state.apply(Event{EventKind::Exec, 1, 100, 100, ExecEvent{"/bin/prog", 100}});
    EXPECT_EQ(log_state.process(100)->signal_verdict(abort_sig), Verdict::Unknown);
    SignalEvent fault;
    fault.signo = SIGSEGV;
    fault.code = 1;  // SEGV_MAPERR: a fault, forced if ignored
    EXPECT_EQ(log_state.process(100)->signal_verdict(fault), Verdict::Default);
}

}  // namespace
}  // namespace sctrace::rules
