// Syscall traits (model/syscall_traits.in): what the tables say a call does,
// that every name the rules and the decoders use is a syscall the tables
// know, and that the rules and the engine give the same answer from them.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "decoders/decoder.h"
#include "engine/rules/engine.h"
#include "engine/rules/rule_set.h"
#include "engine/state.h"
#include "model/syscall_table.h"
#include "report/findings_writer.h"
#include "rule_pack.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

const SyscallTraits& traits_of(Arch arch, std::string_view name) {
    const SyscallInfo* info = syscall_info(arch, name);
    EXPECT_NE(info, nullptr) << name;
    static const SyscallTraits kNone{};
    return info ? info->traits : kNone;
}

TEST(SyscallTraits, TheFdACallIsAbout) {
    EXPECT_EQ(traits_of(Arch::X86_64, "read").fd_arg, 0);
    EXPECT_EQ(traits_of(Arch::X86_64, "connect").fd_arg, 0);
    // epoll_ctl is about the fd it watches, not its epoll fd (argument 0).
    EXPECT_EQ(traits_of(Arch::X86_64, "epoll_ctl").fd_arg, 2);
    // A call that creates a descriptor is about its result.
    EXPECT_EQ(traits_of(Arch::X86_64, "socket").fd_arg, -1);
    EXPECT_EQ(traits_of(Arch::X86_64, "openat").fd_arg, -1);
    EXPECT_TRUE(traits_of(Arch::X86_64, "openat").has(kTraitCreatesFd));
    EXPECT_EQ(traits_of(Arch::X86_64, "getpid").fd_arg, -1);
}

TEST(SyscallTraits, PathsAndAddresses) {
    EXPECT_EQ(traits_of(Arch::X86_64, "open").path_arg, 0);
    EXPECT_EQ(traits_of(Arch::X86_64, "openat").path_arg, 1);
    EXPECT_EQ(traits_of(Arch::X86_64, "execveat").path_arg, 1);
    EXPECT_EQ(traits_of(Arch::X86_64, "connect").addr_arg, 1);
    EXPECT_EQ(traits_of(Arch::X86_64, "sendto").addr_arg, 4);
    EXPECT_EQ(traits_of(Arch::X86_64, "write").addr_arg, -1);
}

TEST(SyscallTraits, PositionalCallsAreNotStreamReadersOrWriters) {
    EXPECT_TRUE(traits_of(Arch::X86_64, "write").has(kTraitWrites));
    EXPECT_TRUE(traits_of(Arch::X86_64, "sendmsg").has(kTraitWrites));
    EXPECT_FALSE(traits_of(Arch::X86_64, "pwrite64").has(kTraitWrites));
    EXPECT_TRUE(traits_of(Arch::X86_64, "pwrite64").has(kTraitWritesAt));
    EXPECT_FALSE(traits_of(Arch::X86_64, "pread64").has(kTraitReads));
    EXPECT_TRUE(traits_of(Arch::X86_64, "pread64").has(kTraitReadsAt));
    EXPECT_EQ(syscalls_with(kTraitWrites),
              (std::vector<std::string_view>{"sendmmsg", "sendmsg", "sendto", "write", "writev"}));
    EXPECT_EQ(syscalls_with(kTraitReads),
              (std::vector<std::string_view>{"read", "readv", "recvfrom", "recvmmsg", "recvmsg"}));
}

TEST(SyscallTraits, EveryAbiSharesTheTraitsOfAName) {
    for (const Arch arch : {Arch::I386, Arch::X32}) {
        SCOPED_TRACE(std::string(arch_name(arch)));
        EXPECT_EQ(traits_of(arch, "epoll_ctl").fd_arg, 2);
        EXPECT_EQ(traits_of(arch, "close").kind, SyscallKind::Close);
        EXPECT_TRUE(traits_of(arch, "vfork").has(kTraitSpawns));
    }
    // Names only one ABI has carry traits too (i386's _newselect).
    EXPECT_TRUE(traits_of(Arch::I386, "_newselect").has(kTraitPolls));
    // The futex the watchdog samples is an x86_64 number.
    EXPECT_TRUE(is_futex_sample(*syscall_number(Arch::X86_64, "futex")));
    EXPECT_FALSE(is_futex_sample(*syscall_number(Arch::X86_64, "read")));
    EXPECT_FALSE(is_futex_sample(-1));
}

TEST(SyscallTraits, AnEventsCallByNumberOrByName) {
    SyscallEvent call;
    call.arch = Arch::I386;
    call.nr = *syscall_number(Arch::I386, "dup3");
    call.name = "dup3";
    EXPECT_EQ(syscall_traits(call).kind, SyscallKind::Dup3);
    // A log's call with no number (or another ABI's) is found by its name.
    call.arch = Arch::X86_64;
    call.nr = -1;
    call.name = "accept4";
    EXPECT_EQ(syscall_traits(call).kind, SyscallKind::Accept4);
    call.nr = *syscall_number(Arch::X86_64, "read");  // a number that is not its name's
    EXPECT_EQ(syscall_traits(call).kind, SyscallKind::Accept4);
    call.name = "no_such_call";
    EXPECT_EQ(syscall_traits(call).kind, SyscallKind::Other);
    EXPECT_EQ(syscall_traits(call).bits, 0u);
    EXPECT_EQ(syscall_traits(call).fd_arg, -1);
}

TEST(SyscallTraits, TraitWords) {
    EXPECT_EQ(syscall_trait_by_name("writes"), kTraitWrites);
    EXPECT_EQ(syscall_trait_by_name("ring_tracked"), kTraitRingTracked);
    EXPECT_EQ(syscall_trait_by_name("write"), std::nullopt);
    for (const std::string_view word : syscall_trait_names()) {
        EXPECT_TRUE(syscall_trait_by_name(word)) << word;
    }
}

TEST(SyscallTraits, AListCanHoldTheCallsWithATrait) {
    rules::RuleSet set;
    set.load_text("t.yaml", R"(
- list: polls
  items: [futex]
  traits: [polls]
- rule: r
  desc: d
  condition: evt.type in (polls)
  output: o
  severity: info
)");
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    const auto types = set.find("r")->event_types();
    ASSERT_TRUE(types);
    EXPECT_TRUE(types->count("futex"));
    EXPECT_TRUE(types->count("epoll_wait"));
    EXPECT_TRUE(types->count("_newselect"));
    EXPECT_FALSE(types->count("read"));

    rules::RuleSet bad;
    bad.load_text("bad.yaml", R"(
- list: oops
  traits: [writess]
)");
    ASSERT_EQ(bad.errors().size(), 1u);
    EXPECT_NE(bad.format_errors().find("unknown syscall trait 'writess'"), std::string::npos)
        << bad.format_errors();
}

// --- every name the rules and the decoders use is a syscall ---------------

bool is_event_kind(std::string_view name) {
    for (int k = 0; k <= static_cast<int>(EventKind::ThreadSample); ++k) {
        if (event_kind_name(static_cast<EventKind>(k)) == name) return true;
    }
    return false;
}

bool is_syscall(std::string_view name) {
    return syscall_info(Arch::X86_64, name) || syscall_info(Arch::I386, name);
}

// A typo in a rule (evt.type = conect, an item of a list of calls) would make
// the rule silently never match: every name must resolve in a table.
TEST(SyscallNames, EveryCallTheBundledRulesNameIsInTheTables) {
    rules::RuleSet set;
    set.load({SCTRACE_RULES_DIR});
    ASSERT_TRUE(set.errors().empty()) << set.format_errors();
    std::set<std::string> names;
    for (const auto& rule : set.rules()) {
        if (const auto types = rule->event_types()) names.insert(types->begin(), types->end());
        names.insert(rule->also_trace.begin(), rule->also_trace.end());
    }
    const auto needs = set.needs();
    names.insert(needs.syscalls.begin(), needs.syscalls.end());
    ASSERT_FALSE(names.empty());
    for (const std::string& name : names) {
        EXPECT_TRUE(is_syscall(name) || is_event_kind(name))
            << "'" << name << "' in rules/ is neither a syscall nor an event";
    }
}

TEST(SyscallNames, EveryDecoderIsForASyscallOfTheTables) {
    for (const auto& family : {net_decoders(), desc_decoders(), poll_decoders(), futex_decoders(),
                               io_uring_decoders(), signal_decoders(), process_decoders()}) {
        ASSERT_FALSE(family.empty());
        for (const SyscallDecoder& d : family) {
            EXPECT_TRUE(is_syscall(d.name)) << "a decoder for '" << d.name << "'";
        }
    }
}

TEST(SyscallNames, TheStateTrackerFollowsCallsOfTheNativeTable) {
    ASSERT_FALSE(state_syscalls().empty());
    for (const std::string_view name : state_syscalls()) {
        EXPECT_TRUE(syscall_number(Arch::X86_64, name)) << name;
    }
}

// --- the rules and the engine agree ---------------------------------------

// The bundled network rules: process 100 with a connected stream socket
// (fd 5) and a second thread, 101.
struct NetworkPack : RulePack {
    NetworkPack() : RulePack({"macros.yaml", "network.yaml"}) {
        *this << "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
                 "exit_signal=0} => {parent_tid=[101]}, 88) = 101"
              << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5"
              << "100 connect(5, {sa_family=AF_INET, sin_port=htons(80), "
                 "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0";
    }
};

// nonblocking-connect-immediate judges fd.nonblocking, which ioctl(FIONBIO)
// sets as well as SOCK_NONBLOCK and fcntl(F_SETFL) do.
TEST(NetworkRules, ANonblockingConnectReturningZeroAfterFionbioFires) {
    for (const bool fionbio : {false, true}) {
        RulePack pack({"macros.yaml", "network.yaml"});
        pack << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 6";
        if (fionbio) pack << "100 ioctl(6, FIONBIO, [1]) = 0";
        pack << "100 connect(6, {sa_family=AF_INET, sin_port=htons(8080), "
                "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0";
        EXPECT_EQ(pack.of("nonblocking-connect-immediate").size(), fionbio ? 1u : 0u) << fionbio;
    }
}

// The strace line of a call on fd 5 left unfinished, with made-up arguments
// of the right count (the rule and the fields read only the fd).
std::string unfinished_on_fd5(std::string_view name) {
    std::string line = "101 " + std::string(name) + "(5";
    const SyscallInfo* info = syscall_info(Arch::X86_64, name);
    for (int i = 1; info && i < info->nargs; ++i) line += ", 0";
    return line + " <unfinished ...>";
}

// The findings of `rule` when thread 101 is inside `first` on the socket
// and thread 100 then makes a `second` on it.
std::size_t findings_when(std::string_view first, std::string_view second,
                          const std::string& rule) {
    NetworkPack pack;
    pack << unfinished_on_fd5(first) << "100 " + unfinished_on_fd5(second).substr(4);
    return pack.of(rule).size();
}

// concurrent-socket-writes fires on an entry of a call in write_calls while
// fd.concurrent_writers counts the threads already inside one: both must
// come from the same answer, or the rule counts a writer it never fires on.
TEST(RulesAndEngineAgree, EveryWriteCallIsACountedWriterAndTriggersTheRule) {
    for (const std::string_view writer : syscalls_with(kTraitWrites)) {
        SCOPED_TRACE(std::string(writer));
        // A thread inside it counts as a writer for another thread's write,
        // and the rule fires when it is the call that starts second.
        EXPECT_EQ(findings_when(writer, "write", "concurrent-socket-writes"), 1u);
        EXPECT_EQ(findings_when("write", writer, "concurrent-socket-writes"), 1u);
    }
}

// pwrite64 and pwritev fail on a socket with ESPIPE: neither side counts them.
TEST(RulesAndEngineAgree, PositionalWritesAreNoSocketWriters) {
    for (const std::string_view positional : {"pwrite64", "pwritev", "pwritev2"}) {
        SCOPED_TRACE(std::string(positional));
        EXPECT_EQ(findings_when(positional, "write", "concurrent-socket-writes"), 0u);
        EXPECT_EQ(findings_when("write", positional, "concurrent-socket-writes"), 0u);
    }
}

TEST(RulesAndEngineAgree, EveryReadCallIsACountedReaderAndPositionalReadsAreNot) {
    for (const std::string_view reader : syscalls_with(kTraitReads)) {
        SCOPED_TRACE(std::string(reader));
        EXPECT_EQ(findings_when(reader, "read", "concurrent-socket-reads"), 1u);
        EXPECT_EQ(findings_when("read", reader, "concurrent-socket-reads"), 1u);
    }
    for (const std::string_view positional : {"pread64", "preadv", "preadv2"}) {
        SCOPED_TRACE(std::string(positional));
        EXPECT_EQ(findings_when(positional, "read", "concurrent-socket-reads"), 0u);
        EXPECT_EQ(findings_when("read", positional, "concurrent-socket-reads"), 0u);
    }
}

}  // namespace
}  // namespace sctrace
