// The fields rule writers reach for first, in Falco's names: a socket's
// ends (fd.sip, fd.sport, fd.cip, fd.cport, fd.rip, fd.rport, fd.lip,
// fd.lport), fd.name at a connect, fd.l4proto, proc.cmdline, proc.ppid and
// user.uid, from strace lines and from calls decoded as a live run decodes
// them. A value the trace cannot vouch for is absent, never guessed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

#include "decode_test_util.h"
#include "engine/rules/fields.h"
#include "sources/strace/strace_log.h"

namespace sctrace::rules {
namespace {

// A field's value as text ("127.0.0.1", "25"), or "<NA>" when absent.
std::string text_of(const FieldValue& v) {
    if (!v.present) return "<NA>";
    switch (v.type) {
        case FieldType::Int:
            return std::to_string(v.i);
        case FieldType::Bool:
            return v.b ? "true" : "false";
        default:
            return std::string(v.s);
    }
}

// Feeds strace lines to a state tracker and reads `field` at the last
// syscall exit (against the state before it, as rules do).
std::string at_last_exit(std::string_view field, const std::vector<std::string>& lines) {
    struct Sink final : EventSink {
        FieldId id{};
        StateTracker state;
        std::string last = "(no exit)";
        void on_event(const Event& e) override {
            if (e.kind == EventKind::SyscallExit) {
                EvalContext ctx{e, state};
                last = text_of(read_field(id, ctx));
            }
            state.apply(e);
        }
    } sink;
    const FieldInfo* info = find_field(field);
    EXPECT_NE(info, nullptr) << field;
    if (!info) return {};
    sink.id = info->id;
    strace_text::StraceLogConverter converter(sink);
    converter.begin_file("t.log", 0, 0);
    for (const auto& l : lines) EXPECT_TRUE(converter.feed(l)) << l;
    converter.finish();
    return sink.last;
}

const std::string kSocket = "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3";
const std::string kConnect25 =
    "100 connect(3, {sa_family=AF_INET, sin_port=htons(25), "
    "sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0";
const std::string kGetsockname =
    "100 getsockname(3, {sa_family=AF_INET, sin_port=htons(40000), "
    "sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 0";
const std::string kWrite = "100 write(3, \"x\", 1) = 1";

TEST(FalcoFields, AConnectsOwnExitKnowsTheServerItConnectsTo) {
    const std::vector<std::string> lines = {kSocket, kConnect25};
    EXPECT_EQ(at_last_exit("fd.sip", lines), "10.0.0.1");
    EXPECT_EQ(at_last_exit("fd.sport", lines), "25");
    EXPECT_EQ(at_last_exit("fd.rip", lines), "10.0.0.1");
    EXPECT_EQ(at_last_exit("fd.rport", lines), "25");
    EXPECT_EQ(at_last_exit("fd.name", lines), "10.0.0.1:25");
    // The kernel chose the local end; nothing in the trace said which.
    EXPECT_EQ(at_last_exit("fd.cip", lines), "<NA>");
    EXPECT_EQ(at_last_exit("fd.cport", lines), "<NA>");
    EXPECT_EQ(at_last_exit("fd.lport", lines), "<NA>");
}

// Falco's first example rule, "evt.type = openat and fd.name startswith
// /etc", reads the new descriptor at the open's exit: fd.name is the path
// opened and fd.num the number returned, even when that number belonged to
// another file before (its old name must not answer).
TEST(FalcoFields, AnOpensExitNamesThePathItOpenedAndTheFdItReturned) {
    const std::vector<std::string> reopened = {
        "100 openat(AT_FDCWD, \"/tmp/old\", O_RDONLY) = 3",
        "100 close(3) = 0",
        "100 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3",
    };
    EXPECT_EQ(at_last_exit("fd.name", reopened), "/etc/hosts");
    EXPECT_EQ(at_last_exit("fd.num", reopened), "3");
    EXPECT_EQ(at_last_exit("fd.name", {"100 open(\"/etc/passwd\", O_RDONLY) = 4"}), "/etc/passwd");
    EXPECT_EQ(at_last_exit("fd.name", {"100 creat(\"/tmp/new\", 0644) = 5"}), "/tmp/new");
    // A failed open opened nothing.
    const std::vector<std::string> failed = {
        "100 openat(AT_FDCWD, \"/etc/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)"};
    EXPECT_EQ(at_last_exit("fd.name", failed), "<NA>");
    EXPECT_EQ(at_last_exit("fd.num", failed), "<NA>");
    EXPECT_EQ(at_last_exit("evt.path", failed), "/etc/nope");
}

TEST(FalcoFields, AFailedConnectStillNamesTheServerItTried) {
    EXPECT_EQ(at_last_exit("fd.sport", {kSocket,
                                        "100 connect(3, {sa_family=AF_INET, sin_port=htons(25), "
                                        "sin_addr=inet_addr(\"10.0.0.1\")}, 16) = -1 ECONNREFUSED "
                                        "(Connection refused)"}),
              "25");
}

TEST(FalcoFields, TheClientSideIsKnownFromGetsocknameAfterTheConnect) {
    const std::vector<std::string> lines = {kSocket, kConnect25, kGetsockname, kWrite};
    EXPECT_EQ(at_last_exit("fd.cip", lines), "127.0.0.1");
    EXPECT_EQ(at_last_exit("fd.cport", lines), "40000");
    EXPECT_EQ(at_last_exit("fd.lip", lines), "127.0.0.1");
    EXPECT_EQ(at_last_exit("fd.lport", lines), "40000");
    EXPECT_EQ(at_last_exit("fd.sip", lines), "10.0.0.1");
    EXPECT_EQ(at_last_exit("fd.sport", lines), "25");
    EXPECT_EQ(at_last_exit("fd.name", lines), "10.0.0.1:25");
}

TEST(FalcoFields, AWildcardBindGivesTheLocalPortNotAnAddress) {
    const std::vector<std::string> lines = {kSocket,
                                            "100 bind(3, {sa_family=AF_INET, sin_port=htons(5000), "
                                            "sin_addr=inet_addr(\"0.0.0.0\")}, 16) = 0",
                                            kConnect25, kWrite};
    EXPECT_EQ(at_last_exit("fd.cport", lines), "5000");
    EXPECT_EQ(at_last_exit("fd.cip", lines), "<NA>") << "0.0.0.0 is not the address used";
    // Port 0 asks the kernel to choose: that is not port 0.
    EXPECT_EQ(at_last_exit("fd.lport", {kSocket,
                                        "100 bind(3, {sa_family=AF_INET, sin_port=htons(0), "
                                        "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
                                        kConnect25, kWrite}),
              "<NA>");
}

const std::vector<std::string> kServer = {
    "200 socket(AF_INET6, SOCK_STREAM, IPPROTO_IP) = 3",
    "200 bind(3, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), "
    "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0",
    "200 listen(3, 16) = 0",
    "200 accept4(3, {sa_family=AF_INET6, sin6_port=htons(40000), sin6_flowinfo=htonl(0), "
    "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, [28], SOCK_CLOEXEC) = 4",
    "200 read(4, \"x\", 1) = 1",
};

TEST(FalcoFields, AnAcceptedSocketIsTheServerSide) {
    EXPECT_EQ(at_last_exit("fd.sip", kServer), "::1");
    EXPECT_EQ(at_last_exit("fd.sport", kServer), "8080");
    EXPECT_EQ(at_last_exit("fd.cip", kServer), "::1");
    EXPECT_EQ(at_last_exit("fd.cport", kServer), "40000");
    EXPECT_EQ(at_last_exit("fd.rport", kServer), "40000");
    EXPECT_EQ(at_last_exit("fd.lport", kServer), "8080");
    // At the accept itself: the listening socket, the server's end.
    const std::vector<std::string> upto_accept(kServer.begin(), kServer.begin() + 4);
    EXPECT_EQ(at_last_exit("fd.sport", upto_accept), "8080");
    EXPECT_EQ(at_last_exit("fd.cport", upto_accept), "<NA>");
}

TEST(FalcoFields, AListenerOnTheWildcardLeavesTheAcceptedAddressUnknown) {
    std::vector<std::string> lines = kServer;
    lines[1] =
        "200 bind(3, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), "
        "inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id=0}, 28) = 0";
    EXPECT_EQ(at_last_exit("fd.sip", lines), "<NA>");
    EXPECT_EQ(at_last_exit("fd.sport", lines), "8080");
}

TEST(FalcoFields, StraceYyDecorationsGiveBothEnds) {
    const std::vector<std::string> lines = {
        "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5",
        "100 write(5<TCP:[127.0.0.1:40000->10.0.0.1:25]>, \"x\", 1) = 1",
        "100 write(5<TCP:[127.0.0.1:40000->10.0.0.1:25]>, \"x\", 1) = 1",
    };
    EXPECT_EQ(at_last_exit("fd.rip", lines), "10.0.0.1");
    EXPECT_EQ(at_last_exit("fd.lport", lines), "40000");
    // Which end connected the decoration does not say.
    EXPECT_EQ(at_last_exit("fd.sport", lines), "<NA>");
}

TEST(FalcoFields, UnixSocketsHaveNoAddressOrPort) {
    const std::vector<std::string> lines = {
        "100 socket(AF_UNIX, SOCK_STREAM, 0) = 3",
        "100 connect(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 110) = 0",
        "100 write(3, \"x\", 1) = 1",
    };
    for (const char* f : {"fd.sip", "fd.sport", "fd.rip", "fd.lport", "fd.cip"}) {
        EXPECT_EQ(at_last_exit(f, lines), "<NA>") << f;
    }
    EXPECT_EQ(at_last_exit("fd.name", lines), "/run/x.sock");
}

TEST(FalcoFields, AReconnectedDatagramSocketNamesItsNewPeerAtTheConnect) {
    const std::vector<std::string> lines = {
        "100 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
        "100 connect(3, {sa_family=AF_INET, sin_port=htons(53), "
        "sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0",
        "100 connect(3, {sa_family=AF_INET, sin_port=htons(53), "
        "sin_addr=inet_addr(\"10.0.0.2\")}, 16) = 0",
    };
    EXPECT_EQ(at_last_exit("fd.name", lines), "10.0.0.2:53");
    EXPECT_EQ(at_last_exit("fd.sip", lines), "10.0.0.2");
}

TEST(FalcoFields, L4protoNamesWhatTheSocketIs) {
    const auto proto = [](const std::string& socket) {
        return at_last_exit("fd.l4proto", {socket, "100 write(3, \"x\", 1) = 1"});
    };
    EXPECT_EQ(proto("100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3"), "tcp");
    EXPECT_EQ(proto("100 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 3"), "udp");
    EXPECT_EQ(proto("100 socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) = 3"), "icmp");
    EXPECT_EQ(proto("100 socket(AF_INET, SOCK_RAW, IPPROTO_RAW) = 3"), "raw");
    EXPECT_EQ(proto("100 socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) = 3"), "") << "SCTP is not TCP";
    EXPECT_EQ(proto("100 socket(AF_UNIX, SOCK_STREAM, 0) = 3"), "unix");
}

TEST(FalcoFields, CmdlineIsTheProgramsNameAndItsArguments) {
    const std::string exec =
        "100 execve(\"/usr/bin/curl\", [\"curl\", \"-s\", \"http://x/\"], 0x7ffd /* 3 vars */) = 0";
    EXPECT_EQ(at_last_exit("proc.cmdline", {exec, "100 getpid() = 100"}), "curl -s http://x/");
    // argv[0] is what the caller chose to say; the name is the program's.
    EXPECT_EQ(
        at_last_exit("proc.cmdline", {"100 execve(\"/bin/ls\", [\"foo\"], 0x7ffd /* 3 vars */) = 0",
                                      "100 getpid() = 100"}),
        "ls");
    EXPECT_EQ(at_last_exit("proc.cmdline", {"100 getpid() = 100"}), "<NA>")
        << "no exec seen (attached)";
    EXPECT_EQ(at_last_exit(
                  "proc.cmdline",
                  {"100 execve(\"/bin/echo\", [\"echo\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"...], "
                   "0x7ffd /* 3 vars */) = 0",
                   "100 getpid() = 100"}),
              "<NA>")
        << "an argument cut short by strace -s";
    // A failed exec changes nothing; a fork child runs the same command.
    EXPECT_EQ(at_last_exit("proc.cmdline",
                           {exec,
                            "100 execve(\"/bin/nope\", [\"nope\"], 0x7ffd /* 3 vars */) = -1 "
                            "ENOENT (No such file or directory)",
                            "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|"
                            "CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101",
                            "101 getpid() = 101"}),
              "curl -s http://x/");
}

TEST(FalcoFields, PpidComesFromTheForkSeenAndEndsWithTheParent) {
    const std::string fork =
        "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
        "child_tidptr=0x7f) = 101";
    EXPECT_EQ(at_last_exit("proc.ppid", {fork, "101 getpid() = 101"}), "100");
    EXPECT_EQ(at_last_exit("proc.ppid", {"100 getpid() = 100"}), "<NA>");
    EXPECT_EQ(at_last_exit("proc.ppid", {fork, "100 exit_group(0) = ?", "100 +++ exited with 0 +++",
                                         "101 getpid() = 101"}),
              "<NA>")
        << "re-parented to a reaper the log does not name";
    // A thread is no child process.
    EXPECT_EQ(at_last_exit("proc.ppid",
                           {"100 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|"
                            "CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, parent_tid=[101], "
                            "tls=0x7f, child_tidptr=0x7f) = 101",
                            "101 gettid() = 101"}),
              "<NA>");
}

TEST(FalcoFields, UidIsWhatGetuidReturnedFollowedThroughSetters) {
    EXPECT_EQ(at_last_exit("user.uid", {"100 getuid() = 1000", "100 getpid() = 100"}), "1000");
    EXPECT_EQ(at_last_exit("user.uid", {"100 getpid() = 100"}), "<NA>");
    EXPECT_EQ(at_last_exit("user.uid", {"100 getuid() = 0", "100 setresuid(-1, 1000, -1) = 0",
                                        "100 getpid() = 100"}),
              "0")
        << "only the effective id changed";
    EXPECT_EQ(at_last_exit("user.uid", {"100 getuid() = 0", "100 setresuid(1000, 1000, 1000) = 0",
                                        "100 getpid() = 100"}),
              "1000");
    EXPECT_EQ(at_last_exit("user.uid",
                           {"100 getuid() = 0", "100 setuid(1000) = 0", "100 getpid() = 100"}),
              "<NA>")
        << "setuid sets the real id only when privileged";
}

// A live run decodes calls from the tracee's memory: the same values.
struct LiveCalls {
    StateTracker state;
    testing::FakeMemory memory;
    ArgTree tree;
    std::string value(std::string_view field, std::string_view name,
                      std::vector<std::uint64_t> args, std::int64_t ret = 0, int err = 0) {
        SyscallEvent c = testing::make_call(name, std::move(args), ret, err);
        tree.clear();
        DecodeOptions options;
        decode_entry(c, tree, memory, options);
        decode_exit(c, tree, memory, options);
        c.decoded = &tree;
        const Event e{EventKind::SyscallExit, 1, 100, 100, c};
        EvalContext ctx{e, state};
        std::string v = text_of(read_field(find_field(field)->id, ctx));
        state.apply(e);
        return v;
    }
};

TEST(FalcoFields, LiveConnectAndGetsockname) {
    LiveCalls live;
    live.value("fd.num", "socket", {AF_INET, SOCK_STREAM, 0}, 3);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(25);
    to.sin_addr.s_addr = htonl(0x0a000001);
    live.memory.put(0x1000, to);
    EXPECT_EQ(live.value("fd.sport", "connect", {3, 0x1000, sizeof to}), "25");
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(40000);
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    live.memory.put(0x2000, local);
    live.memory.put(0x3000, static_cast<int>(sizeof local));
    live.value("fd.num", "getsockname", {3, 0x2000, 0x3000});
    EXPECT_EQ(live.value("fd.cip", "getsockname", {3, 0x2000, 0x3000}), "127.0.0.1");
    EXPECT_EQ(live.value("fd.sip", "getsockname", {3, 0x2000, 0x3000}), "10.0.0.1");
    EXPECT_EQ(live.value("fd.l4proto", "getsockname", {3, 0x2000, 0x3000}), "tcp");
}

}  // namespace
}  // namespace sctrace::rules
