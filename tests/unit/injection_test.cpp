#include "model/injection.h"

#include <errno.h>
#include <signal.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "model/syscall_table.h"
#include "sources/live/fault_injector.h"

namespace sctrace {
namespace {

using namespace std::chrono_literals;

std::string error_of(std::string_view text, InjectionKind kind = InjectionKind::Inject) {
    try {
        parse_injection(text, kind);
    } catch (const InjectionError& e) {
        return e.what();
    }
    return "";
}

long nr(std::string_view name) {
    return *syscall_number(Arch::X86_64, name);
}

TEST(Injection, ErrorByNameOrNumberAndRetval) {
    const Injection a = parse_injection("openat,connect:error=ENOENT");
    EXPECT_TRUE(a.calls.contains(Arch::X86_64, nr("openat")));
    EXPECT_TRUE(a.calls.contains(Arch::X86_64, nr("connect")));
    EXPECT_FALSE(a.calls.contains(Arch::X86_64, nr("read")));
    EXPECT_EQ(a.error, ENOENT);
    EXPECT_TRUE(a.tampers_result());
    EXPECT_EQ(parse_injection("read:error=4").error, EINTR);
    const Injection r = parse_injection("%net:retval=0x2a");
    EXPECT_EQ(r.retval, 42u);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(parse_injection("write:retval=0").retval, 0u);
}

TEST(Injection, SignalAndDelaysInStraceTimeFormat) {
    const Injection s = parse_injection("read:signal=SIGUSR1");
    EXPECT_EQ(s.signal, SIGUSR1);
    EXPECT_FALSE(s.tampers_result());
    EXPECT_EQ(parse_injection("read:signal=USR2").signal, SIGUSR2);
    EXPECT_EQ(parse_injection("read:signal=9").signal, SIGKILL);
    const Injection d = parse_injection("futex:delay_enter=10ms:delay_exit=1.5");
    EXPECT_EQ(d.delay_enter, std::chrono::nanoseconds(10ms));
    EXPECT_EQ(d.delay_exit, std::chrono::nanoseconds(1500ns));  // microseconds by default
    EXPECT_EQ(parse_strace_delay("2s"), std::chrono::nanoseconds(2s));
    EXPECT_EQ(parse_strace_delay("7ns"), std::chrono::nanoseconds(7));
    EXPECT_EQ(parse_strace_delay("3us"), std::chrono::nanoseconds(3us));
    EXPECT_FALSE(parse_strace_delay("3m"));
    EXPECT_FALSE(parse_strace_delay("-1"));
    EXPECT_FALSE(parse_strace_delay(""));
}

TEST(Injection, WhenSelectsInvocationsAsStraceDocumentsIt) {
    auto when = [](std::string_view expr) {
        return parse_injection("read:error=EIO:when=" + std::string(expr)).when;
    };
    auto picked = [](const InjectionWhen& w) {
        std::string s;
        for (std::uint32_t n = 1; n <= 10; ++n) s += w.matches(n) ? 'x' : '.';
        return s;
    };
    EXPECT_EQ(picked(parse_injection("read:error=EIO").when), "xxxxxxxxxx");
    EXPECT_EQ(picked(when("3")), "..x.......");
    EXPECT_EQ(picked(when("3+")), "..xxxxxxxx");
    EXPECT_EQ(picked(when("2+3")), ".x..x..x..");
    EXPECT_EQ(picked(when("2..4")), ".xxx......");
    EXPECT_EQ(picked(when("2..4+")), ".xxx......");
    EXPECT_EQ(picked(when("2..8+3")), ".x..x..x..");
    // The last when= wins, as in strace.
    EXPECT_EQ(picked(parse_injection("read:when=1:error=EIO:when=5").when), "....x.....");
}

TEST(Injection, FaultDefaultsToEnosysAndTakesOnlyErrorAndWhen) {
    const Injection f = parse_injection("openat", InjectionKind::Fault);
    EXPECT_EQ(f.error, ENOSYS);
    EXPECT_EQ(parse_injection("openat:error=EACCES:when=2", InjectionKind::Fault).error, EACCES);
    EXPECT_NE(error_of("openat:retval=1", InjectionKind::Fault).find("fault= takes only"),
              std::string::npos);
}

TEST(Injection, MistakesAreNamed) {
    EXPECT_NE(error_of("read").find("says nothing to do"), std::string::npos);
    EXPECT_NE(error_of("read:error=ENOENT:retval=1").find("only one error= or retval="),
              std::string::npos);
    EXPECT_NE(error_of("read:error=EWHAT").find("error=EWHAT: not an errno name"),
              std::string::npos);
    EXPECT_NE(error_of("read:error=4096").find("1..4095"), std::string::npos);
    EXPECT_NE(error_of("read:retval=-1").find("retval=-1: not a non-negative number"),
              std::string::npos);
    EXPECT_NE(error_of("read:signal=SIGNOPE").find("not a signal name"), std::string::npos);
    EXPECT_NE(error_of("read:delay_enter=5m").find("not a time"), std::string::npos);
    EXPECT_NE(error_of("read:error=EIO:when=0").find("FIRST must be 1..65535"), std::string::npos);
    EXPECT_NE(error_of("read:error=EIO:when=5..2").find("LAST is before FIRST"), std::string::npos);
    EXPECT_NE(error_of("read:error=EIO:when=2.5").find("expected FIRST"), std::string::npos);
    EXPECT_NE(error_of("read:bogus=1").find("bogus=1: unknown"), std::string::npos);
    EXPECT_NE(error_of("read:syscall=getpid").find("syscall= is not supported yet"),
              std::string::npos);
    EXPECT_NE(error_of("nosuchcall:error=EIO").find("nosuchcall"), std::string::npos);
}

TEST(FaultInjector, CountsPerCallAndThreadAndTheLastInjectionWins) {
    FaultInjector injector(
        {parse_injection("read,write:error=EIO:when=2"), parse_injection("write:retval=1")});
    EXPECT_TRUE(injector.calls().contains(Arch::X86_64, nr("read")));
    EXPECT_FALSE(injector.delivers_signals());
    InvocationCounts thread_a, thread_b;
    EXPECT_EQ(injector.on_entry(thread_a, Arch::X86_64, nr("read")), nullptr);  // 1st read
    const Injection* second = injector.on_entry(thread_a, Arch::X86_64, nr("read"));
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(second->error, EIO);
    EXPECT_EQ(injector.on_entry(thread_b, Arch::X86_64, nr("read")), nullptr);  // b's 1st
    const Injection* w = injector.on_entry(thread_a, Arch::X86_64, nr("write"));
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->retval, 1u);  // the later injection names write too
    EXPECT_EQ(injector.on_entry(thread_a, Arch::X86_64, nr("close")), nullptr);
}

}  // namespace
}  // namespace sctrace
