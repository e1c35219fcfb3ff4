// SyscallSet and parse_trace_expression(): strace's -e trace= language,
// checked against what strace 6.1 accepts, selects and rejects.
#include "model/syscall_set.h"

#include <gtest/gtest.h>

#include <string>

#include "model/syscall_table.h"

namespace sctrace {
namespace {

int nr(std::string_view name) {
    return *syscall_number(Arch::X86_64, name);
}
int i386_nr(std::string_view name) {
    return *syscall_number(Arch::I386, name);
}

// The message of the TraceExpressionError `expression` throws.
std::string error_of(std::string_view expression) {
    try {
        parse_trace_expression(expression);
    } catch (const TraceExpressionError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(SyscallSet, EmptyByDefault) {
    SyscallSet set;
    EXPECT_TRUE(set.empty());
    EXPECT_EQ(set.size(), 0u);
    EXPECT_FALSE(set.contains_native(0));
    EXPECT_EQ(set, SyscallSet::none());
}

TEST(SyscallSet, AddCoversTheI386Namesake) {
    SyscallSet set;
    set.add(nr("connect"));
    EXPECT_TRUE(set.contains_native(42));
    EXPECT_TRUE(set.contains(Arch::X86_64, 42));
    EXPECT_TRUE(set.contains(Arch::I386, 362));
    EXPECT_FALSE(set.contains(Arch::I386, 42));  // i386 42 is pipe
    EXPECT_EQ(set.size(), 1u);
    set.remove(nr("connect"));
    EXPECT_TRUE(set.empty());
}

TEST(SyscallSet, AddIgnoresOutOfRange) {
    SyscallSet set;
    set.add(-1);
    set.add(SyscallSet::kCapacity);
    EXPECT_TRUE(set.empty());
    EXPECT_FALSE(set.contains_native(-1));
    EXPECT_FALSE(set.contains_native(SyscallSet::kCapacity));
    EXPECT_FALSE(SyscallSet::all().contains(Arch::X86_64, 1L << 40));
}

TEST(SyscallSet, X32CallsUseTheNativeMembership) {
    SyscallSet set = parse_trace_expression("connect,readv");
    EXPECT_TRUE(set.contains(Arch::X32, kX32SyscallBit | 42));
    EXPECT_TRUE(set.contains(Arch::X32, kX32SyscallBit | 515));  // x32's own readv
    EXPECT_FALSE(set.contains(Arch::X32, kX32SyscallBit | 0));
    EXPECT_FALSE(set.contains(Arch::X32, -1));
    EXPECT_FALSE(set.contains(Arch::Unknown, 42));
}

TEST(SyscallSet, NamesInNumberOrder) {
    SyscallSet set = parse_trace_expression("connect,read,close");
    EXPECT_EQ(set.names(), (std::vector<std::string_view>{"read", "close", "connect"}));
    EXPECT_EQ(set.names(Arch::I386), (std::vector<std::string_view>{"read", "close", "connect"}));
    EXPECT_EQ(set.names(Arch::X32), set.names());
}

TEST(SyscallSet, UnionOperator) {
    SyscallSet set = parse_trace_expression("read");
    set |= parse_trace_expression("write");
    EXPECT_EQ(set, parse_trace_expression("read,write"));
}

TEST(TraceExpression, Names) {
    SyscallSet set = parse_trace_expression("connect,socket");
    EXPECT_TRUE(set.contains_native(nr("connect")));
    EXPECT_TRUE(set.contains_native(nr("socket")));
    EXPECT_FALSE(set.contains_native(nr("read")));
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(Arch::I386, 362));
    EXPECT_TRUE(set.contains(Arch::I386, 359));
}

TEST(TraceExpression, NetClass) {
    SyscallSet net = parse_trace_expression("%net");
    for (auto name : {"connect", "socket", "accept4", "accept", "sendto", "recvmsg", "shutdown",
                      "getsockopt", "sendmmsg", "sendfile"}) {
        EXPECT_TRUE(net.contains_native(nr(name))) << name;
    }
    for (auto name : {"read", "write", "close", "epoll_wait", "openat"}) {
        EXPECT_FALSE(net.contains_native(nr(name))) << name;
    }
    EXPECT_TRUE(net.contains(Arch::I386, i386_nr("connect")));
    EXPECT_FALSE(net.contains(Arch::I386, i386_nr("read")));
    EXPECT_EQ(parse_trace_expression("%network"), net);
    EXPECT_EQ(parse_trace_expression("network"), net);  // strace's legacy spelling
}

TEST(TraceExpression, DescClass) {
    SyscallSet desc = parse_trace_expression("%desc");
    for (auto name : {"read", "write", "close", "epoll_wait", "epoll_ctl", "openat", "dup2",
                      "fcntl", "io_uring_enter", "fstat", "mmap"}) {
        EXPECT_TRUE(desc.contains_native(nr(name))) << name;
    }
    for (auto name : {"connect", "socket", "getpid", "futex", "close_range", "execve"}) {
        EXPECT_FALSE(desc.contains_native(nr(name))) << name;
    }
    // i386-only calls are covered too: a 32-bit tracee's _llseek is %desc.
    EXPECT_TRUE(desc.contains(Arch::I386, i386_nr("_llseek")));
    EXPECT_TRUE(desc.contains(Arch::I386, i386_nr("fstat64")));
    EXPECT_EQ(parse_trace_expression("desc"), desc);
}

TEST(TraceExpression, EveryClassParses) {
    for (auto cls : {"%file", "%desc", "%net", "%network", "%process", "%signal", "%ipc", "%memory",
                     "%creds", "%clock", "%stat", "%lstat", "%fstat", "%%stat", "%statfs",
                     "%fstatfs", "%%statfs", "%pure"}) {
        EXPECT_FALSE(parse_trace_expression(cls).empty()) << cls;
    }
    EXPECT_TRUE(parse_trace_expression("%pure").contains_native(nr("getpid")));
    EXPECT_TRUE(parse_trace_expression("%creds").contains_native(nr("setresuid")));
    EXPECT_TRUE(parse_trace_expression("%clock").contains_native(nr("clock_gettime")));
    EXPECT_TRUE(parse_trace_expression("%%stat").contains_native(nr("statx")));
    EXPECT_TRUE(parse_trace_expression("%%statfs").contains_native(nr("ustat")));
    EXPECT_TRUE(parse_trace_expression("%process").contains_native(nr("clone3")));
    EXPECT_FALSE(parse_trace_expression("%stat").contains_native(nr("fstat")));
}

TEST(TraceExpression, AllAndNone) {
    SyscallSet all = parse_trace_expression("all");
    EXPECT_EQ(all, SyscallSet::all());
    EXPECT_TRUE(all.contains_native(0));
    EXPECT_TRUE(all.contains_native(999));  // unknown numbers too, as in strace
    EXPECT_TRUE(all.contains(Arch::I386, i386_nr("_llseek")));
    EXPECT_TRUE(all.contains(Arch::X32, kX32SyscallBit | 515));
    EXPECT_EQ(all.size(), static_cast<std::size_t>(SyscallSet::kCapacity));
    EXPECT_TRUE(parse_trace_expression("none").empty());
    EXPECT_EQ(parse_trace_expression("!none"), SyscallSet::all());
    EXPECT_TRUE(parse_trace_expression("!all").empty());
    // strace 6.1 takes "all" as an item of a list as well.
    EXPECT_EQ(parse_trace_expression("read,all"), SyscallSet::all());
}

TEST(TraceExpression, AllNamesEveryKnownSyscall) {
    EXPECT_EQ(SyscallSet::all().names().size(), 374u);
    EXPECT_EQ(SyscallSet::all().names(Arch::I386).size(), 452u);
}

TEST(TraceExpression, NegationAppliesToTheWholeList) {
    SyscallSet set = parse_trace_expression("!%memory,close");
    EXPECT_TRUE(set.contains_native(nr("read")));
    EXPECT_TRUE(set.contains_native(nr("connect")));
    EXPECT_FALSE(set.contains_native(nr("close")));
    EXPECT_FALSE(set.contains_native(nr("mmap")));
    EXPECT_FALSE(set.contains_native(nr("brk")));
    EXPECT_TRUE(set.contains_native(999));  // unknown numbers are not excluded
    EXPECT_FALSE(set.contains(Arch::I386, i386_nr("mmap2")));
    EXPECT_TRUE(set.contains(Arch::I386, i386_nr("read")));
    EXPECT_EQ(parse_trace_expression("!!read"), parse_trace_expression("read"));
}

TEST(TraceExpression, QuestionMarkIgnoresUnknownItems) {
    EXPECT_TRUE(parse_trace_expression("?nosuchcall").empty());
    EXPECT_EQ(parse_trace_expression("?nosuchcall,read"), parse_trace_expression("read"));
    EXPECT_EQ(parse_trace_expression("??read"), parse_trace_expression("read"));
    EXPECT_TRUE(parse_trace_expression("?%nosuchclass").empty());
    EXPECT_TRUE(parse_trace_expression("?/^nomatch$").empty());
    EXPECT_TRUE(parse_trace_expression("?").empty());
}

TEST(TraceExpression, Regex) {
    SyscallSet futexes = parse_trace_expression("/^futex");
    EXPECT_TRUE(futexes.contains_native(nr("futex")));
    EXPECT_TRUE(futexes.contains_native(nr("futex_waitv")));
    EXPECT_TRUE(futexes.contains_native(nr("futex_wake")));
    EXPECT_FALSE(futexes.contains_native(nr("read")));
    EXPECT_EQ(futexes.size(), 5u);  // futex, futex_waitv, _wake, _wait, _requeue

    // Search semantics: the pattern may match anywhere in the name.
    SyscallSet stats = parse_trace_expression("/stat");
    EXPECT_TRUE(stats.contains_native(nr("newfstatat")));
    EXPECT_TRUE(stats.contains_native(nr("statx")));
    EXPECT_TRUE(stats.contains(Arch::I386, i386_nr("fstat64")));

    EXPECT_EQ(parse_trace_expression("/^(read|write)$"), parse_trace_expression("read,write"));
    // An empty pattern matches every known name, and only known ones.
    SyscallSet every = parse_trace_expression("/");
    EXPECT_EQ(every.names(), SyscallSet::all().names());
    EXPECT_EQ(every.names(Arch::I386), SyscallSet::all().names(Arch::I386));
    EXPECT_FALSE(every.contains_native(999));
}

TEST(TraceExpression, Numbers) {
    SyscallSet set = parse_trace_expression("42");
    EXPECT_TRUE(set.contains_native(42));           // connect
    EXPECT_TRUE(set.contains(Arch::I386, 42));      // pipe: a number means each ABI's own call
    EXPECT_EQ(parse_trace_expression("042"), set);  // decimal, as strace reads it
    EXPECT_TRUE(parse_trace_expression("335").contains_native(335));  // a hole is still a number
    EXPECT_EQ(error_of("9999"), "invalid system call '9999'");
    EXPECT_EQ(error_of("0x2a"), "invalid system call '0x2a'");
    EXPECT_EQ(error_of("42x"), "invalid system call '42x'");
}

TEST(TraceExpression, PersonalitySuffix) {
    SyscallSet native_read = parse_trace_expression("read@64");
    EXPECT_TRUE(native_read.contains_native(nr("read")));
    EXPECT_FALSE(native_read.contains(Arch::I386, i386_nr("read")));

    SyscallSet i386_net = parse_trace_expression("%net@32");
    EXPECT_TRUE(i386_net.contains(Arch::I386, i386_nr("connect")));
    EXPECT_FALSE(i386_net.contains_native(nr("connect")));
    EXPECT_FALSE(i386_net.empty());
    EXPECT_TRUE(i386_net.names().empty());

    EXPECT_TRUE(parse_trace_expression("/^read$@32").contains(Arch::I386, i386_nr("read")));
    EXPECT_TRUE(parse_trace_expression("_llseek@32").contains(Arch::I386, 140));
    EXPECT_EQ(error_of("_llseek@64"), "invalid system call '_llseek@64'");
    EXPECT_EQ(error_of("read@foo"),
              "incorrect personality designator 'foo' in qualification 'read@foo'");
    // A bad designator is an error even when '?' asks to ignore unknown names.
    EXPECT_EQ(error_of("?read@foo"),
              "incorrect personality designator 'foo' in qualification 'read@foo'");
    EXPECT_NE(error_of("read@x32").find("'read@x32'"), std::string::npos);
}

TEST(TraceExpression, I386OnlyNames) {
    SyscallSet set = parse_trace_expression("_llseek");
    EXPECT_FALSE(set.empty());
    EXPECT_EQ(set.size(), 0u);  // no native member
    EXPECT_TRUE(set.contains(Arch::I386, 140));
    EXPECT_EQ(set.names(Arch::I386), (std::vector<std::string_view>{"_llseek"}));
}

TEST(TraceExpression, EmptyItemsAreSkipped) {
    EXPECT_EQ(parse_trace_expression("read,,write,"), parse_trace_expression("read,write"));
    EXPECT_EQ(parse_trace_expression(",read"), parse_trace_expression("read"));
}

TEST(TraceExpression, ErrorsNameTheOffendingItem) {
    EXPECT_EQ(error_of("conect"), "invalid system call 'conect'");
    EXPECT_EQ(error_of("read,conect,write"), "invalid system call 'conect'");
    EXPECT_EQ(error_of("%foo"), "invalid system call '%foo'");
    EXPECT_EQ(error_of("%NET"), "invalid system call '%NET'");    // case matters
    EXPECT_EQ(error_of("net"), "invalid system call 'net'");      // only %net
    EXPECT_EQ(error_of(" read"), "invalid system call ' read'");  // no trimming
    EXPECT_EQ(error_of("none,read"), "invalid system call 'none'");
    EXPECT_EQ(error_of("read,!write"), "invalid system call '!write'");
    EXPECT_EQ(error_of("/^nomatch$"), "invalid system call '/^nomatch$'");
    EXPECT_EQ(error_of("syscall_0x1"), "invalid system call 'syscall_0x1'");
    // Nothing to parse: the whole expression is named.
    EXPECT_EQ(error_of(""), "invalid system call ''");
    EXPECT_EQ(error_of(","), "invalid system call ','");
    EXPECT_EQ(error_of("!"), "invalid system call '!'");
}

TEST(TraceExpression, BadRegexNamesThePattern) {
    std::string message = error_of("read,/[");
    EXPECT_EQ(message.rfind("invalid regular expression '['", 0), 0u) << message;
    // '?' does not hide a broken pattern (strace dies on it too).
    EXPECT_EQ(error_of("?/(").rfind("invalid regular expression '('", 0), 0u);
}

TEST(TraceExpression, ErrorIsARuntimeError) {
    EXPECT_THROW(parse_trace_expression("conect"), TraceExpressionError);
    EXPECT_THROW(parse_trace_expression("conect"), std::runtime_error);
}

}  // namespace
}  // namespace sctrace
