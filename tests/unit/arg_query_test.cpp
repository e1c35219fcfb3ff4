// engine/arg_query and the ArgTree readers it stands on, in both dialects:
// every question is asked of a call decoded live (typed Enum and Flags
// nodes) and of the same call as strace 6.1 printed it, parsed from its log
// line (numbers and Text spellings), and both must give the same answer.
// The log lines are real strace output; each test first checks that the
// live decoder prints the very same arguments, so the two trees describe
// one call.
#include "engine/arg_query.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "decode_test_util.h"
#include "sources/strace/strace_line.h"

namespace sctrace {
namespace {

using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

// "name(args)" without the result (which decode_to_strace leaves out for
// a failed call).
std::string call_part(const std::string& line) {
    const auto result = line.rfind(") = ");
    return line.substr(0, result == std::string::npos ? line.size() : result + 1);
}

// One call in both dialects.
class TwoDialects {
public:
    TwoDialects(const SyscallEvent& call, FakeMemory& memory, std::string_view log_line)
        : line_(log_line), live_(call) {
        EXPECT_EQ(call_part(decode_to_strace(call, memory)), call_part(line_))
            << "the live decoder and strace must print the same call";
        decode_entry(call, *live_tree_, memory, DecodeOptions{});
        decode_exit(call, *live_tree_, memory, DecodeOptions{});
        live_.decoded = live_tree_.get();

        strace_text::ParsedLine parsed;
        std::string error;
        EXPECT_TRUE(strace_text::parse_line(line_, parsed, *log_tree_, &error)) << error;
        log_.name = parsed.name;
        log_.nr = call.nr;
        log_.has_result = parsed.has_result;
        log_.ret = parsed.ret;
        log_.err = parsed.err;
        log_.decoded = log_tree_.get();
    }

    // Asks `query` of both and expects `expected` from each.
    template <typename Query, typename T>
    void expect(Query query, const T& expected, std::string_view what) const {
        EXPECT_EQ(query(live_), expected) << what << ", live";
        EXPECT_EQ(query(log_), expected) << what << ", from the log";
    }

private:
    std::string line_;  // the log tree's texts point into it
    SyscallEvent live_;
    SyscallEvent log_;
    std::unique_ptr<ArgTree> live_tree_ = std::make_unique<ArgTree>();
    std::unique_ptr<ArgTree> log_tree_ = std::make_unique<ArgTree>();
};

auto name_of(int index) {
    return [index](const SyscallEvent& c) { return std::string(arg_name(c, index)); };
}
auto flag(int index, std::string_view f) {
    return [index, f](const SyscallEvent& c) { return arg_has_flag(c, index, f); };
}
auto int_of(int index) {
    return [index](const SyscallEvent& c) { return arg_int(c, index); };
}
auto fd_of(int index) {
    return [index](const SyscallEvent& c) { return arg_fd(c, index); };
}
auto peer_of(int index) {
    return [index](const SyscallEvent& c) {
        const auto a = arg_sockaddr(c, index);
        return a ? std::string(a->family) + " " + socket_address_name(*a) : std::string("none");
    };
}

TEST(ArgQuery, SocketFamilyTypeAndFlags) {
    FakeMemory m;
    const TwoDialects call(
        make_call("socket", {AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP}, 3),
        m, "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_TCP) = 3");
    call.expect(name_of(0), "AF_INET", "family");
    call.expect(name_of(1), "SOCK_STREAM", "the type's name");
    call.expect(flag(1, "SOCK_STREAM"), true, "the type as a flag");
    call.expect(flag(1, "SOCK_NONBLOCK"), true, "SOCK_NONBLOCK");
    call.expect(flag(1, "SOCK_CLOEXEC"), true, "SOCK_CLOEXEC");
    call.expect(flag(1, "SOCK_DGRAM"), false, "another type");
    call.expect(flag(1, "SOCK_NONBLOC"), false, "a prefix of a flag");
    call.expect(name_of(2), "IPPROTO_TCP", "protocol");
    call.expect(name_of(3), "", "no fourth argument");
}

TEST(ArgQuery, ConnectAddresses) {
    FakeMemory m;
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(8080);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::uint64_t in_at = m.put(0x1000, in);
    const TwoDialects v4(
        make_call("connect", {3, in_at, sizeof in}, -1, EINPROGRESS), m,
        R"(connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress))");
    v4.expect(fd_of(0), 3, "fd");
    v4.expect(peer_of(1), "AF_INET 127.0.0.1:8080", "address");
    v4.expect(int_of(2), 16, "length");

    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(443);
    in6.sin6_addr = in6addr_loopback;
    const std::uint64_t in6_at = m.put(0x2000, in6);
    const TwoDialects v6(
        make_call("connect", {4, in6_at, sizeof in6}), m,
        R"(connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0)");
    v6.expect(peer_of(1), "AF_INET6 [::1]:443", "address");

    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strcpy(un.sun_path, "/run/x.sock");
    const std::uint64_t un_at = m.put(0x3000, un);
    const TwoDialects local(
        make_call("connect", {5, un_at, sizeof un}, -1, ENOENT), m,
        R"(connect(5, {sa_family=AF_UNIX, sun_path="/run/x.sock"}, 110) = -1 ENOENT (No such file or directory))");
    local.expect(peer_of(1), "AF_UNIX /run/x.sock", "address");
    local.expect(peer_of(0), "none", "an fd is no address");
}

TEST(ArgQuery, FcntlCommandAndOpenFlags) {
    FakeMemory m;
    const TwoDialects call(make_call("fcntl", {3, F_SETFL, O_RDWR | O_NONBLOCK}), m,
                           "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
    call.expect(fd_of(0), 3, "fd");
    call.expect(name_of(1), "F_SETFL", "command");
    call.expect(name_of(2), "O_RDWR", "the access mode names the value");
    call.expect(flag(2, "O_RDWR"), true, "the access mode as a flag");
    call.expect(flag(2, "O_NONBLOCK"), true, "O_NONBLOCK");
    call.expect(flag(2, "O_APPEND"), false, "O_APPEND");
    call.expect(flag(2, "O_RDONLY"), false, "another access mode");
}

TEST(ArgQuery, OpenatPathFlagsAndMode) {
    FakeMemory m;
    const std::uint64_t path = m.put_string(0x1000, "/tmp/q-file");
    const TwoDialects call(
        make_call(
            "openat",
            {static_cast<std::uint64_t>(AT_FDCWD), path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644}, 8),
        m, R"(openat(AT_FDCWD, "/tmp/q-file", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 8)");
    call.expect(name_of(0), "AT_FDCWD", "dirfd");
    call.expect(name_of(2), "O_WRONLY", "access mode");
    call.expect(flag(2, "O_CREAT"), true, "O_CREAT");
    call.expect(flag(2, "O_CLOEXEC"), true, "O_CLOEXEC");
    call.expect(flag(2, "O_EXCL"), false, "O_EXCL");
    call.expect(int_of(3), 0644, "mode");
    const auto string_of = [](int index) {
        return [index](const SyscallEvent& c) {
            const auto s = arg_string(c, index);
            return s ? std::string(*s) : std::string("none");
        };
    };
    call.expect(string_of(1), "/tmp/q-file", "path");
    call.expect(string_of(0), "none", "a dirfd is no string");
    call.expect(string_of(2), "none", "flags are no string");
}

TEST(ArgQuery, Pipe2Fds) {
    FakeMemory m;
    const int fds[2] = {6, 7};
    const std::uint64_t at = m.put(0x1000, fds);
    const TwoDialects call(make_call("pipe2", {at, O_CLOEXEC}), m, "pipe2([6, 7], O_CLOEXEC) = 0");
    const auto fd = [](int i) {
        return [i](const SyscallEvent& c) { return arg_array_int(c, 0, i); };
    };
    call.expect(fd(0), 6, "read end");
    call.expect(fd(1), 7, "write end");
    call.expect(fd(2), std::nullopt, "no third");
    call.expect([](const SyscallEvent& c) { return arg_array_length(c, 0); },
                std::optional<std::size_t>{2}, "two fds");
    call.expect([](const SyscallEvent& c) { return arg_array_length(c, 1); },
                std::optional<std::size_t>{}, "flags are no array");
    call.expect([](const SyscallEvent& c) { return arg_array_int(c, 1, 0); },
                std::optional<std::int64_t>{}, "no element of a non-array");
    call.expect(flag(1, "O_CLOEXEC"), true, "O_CLOEXEC");
}

TEST(ArgQuery, SignalsByTheKernelsNumbers) {
    FakeMemory m;
    const TwoDialects kill(make_call("kill", {999999, 34}, -1, ESRCH), m,
                           "kill(999999, SIGRT_2) = -1 ESRCH (No such process)");
    const auto signo = [](const SyscallEvent& c) { return arg_signal(c, 1); };
    kill.expect(int_of(0), 999999, "pid");
    kill.expect(signo, 34, "signal");
    kill.expect(name_of(1), "SIGRT_2", "signal name");

    const TwoDialects probe(make_call("kill", {1234, 0}), m, "kill(1234, 0) = 0");
    probe.expect(signo, 0, "signal 0 (only checks the process)");
}

TEST(ArgQuery, SigactionStructMembers) {
    FakeMemory m;
    struct {
        std::uint64_t handler, flags, restorer, mask;
    } act{reinterpret_cast<std::uint64_t>(SIG_IGN), 0x80000000u | 0x04000000u, 0x401000,
          1ull << (SIGTERM - 1)};
    const std::uint64_t at = m.put(0x1000, act);
    const TwoDialects call(
        make_call("rt_sigaction", {SIGUSR1, at, 0, 8}), m,
        "rt_sigaction(SIGUSR1, {sa_handler=SIG_IGN, sa_mask=[TERM], "
        "sa_flags=SA_RESTORER|SA_RESETHAND, sa_restorer=0x401000}, NULL, 8) = 0");
    call.expect([](const SyscallEvent& c) { return arg_signal(c, 0); }, SIGUSR1, "signal");
    const auto member = [](std::string_view key) {
        return [key](const SyscallEvent& c) { return c.decoded->member(arg_node(c, 1), key); };
    };
    const auto member_name = [&](std::string_view key) {
        return [&, key](const SyscallEvent& c) {
            return std::string(c.decoded->name(member(key)(c)));
        };
    };
    const auto member_flag = [&](std::string_view key, std::string_view f) {
        return
            [&, key, f](const SyscallEvent& c) { return c.decoded->has_flag(member(key)(c), f); };
    };
    const auto member_int = [&](std::string_view key) {
        return [&, key](const SyscallEvent& c) { return c.decoded->int_value(member(key)(c)); };
    };
    call.expect(member_name("sa_handler"), "SIG_IGN", "handler");
    call.expect(member_flag("sa_flags", "SA_RESETHAND"), true, "SA_RESETHAND");
    call.expect(member_flag("sa_flags", "SA_SIGINFO"), false, "SA_SIGINFO");
    call.expect(member_int("sa_restorer"), 0x401000, "restorer");
    call.expect(member_flag("sa_mask", "TERM"), false, "a set is no flag set");
    call.expect([&](const SyscallEvent& c) { return c.decoded->child_count(member("sa_mask")(c)); },
                std::size_t{1}, "one signal in the mask");
    call.expect(member("sa_nope"), kNoNode, "no such member");
    const auto is_null = [](int index) {
        return [index](const SyscallEvent& c) { return arg_is_null(c, index); };
    };
    call.expect(is_null(2), true, "NULL old action");
    call.expect(is_null(1), false, "the new action");
    call.expect([](const SyscallEvent& c) { return arg_struct(c, 1) != kNoNode; }, true,
                "the new action is a struct");
    call.expect([](const SyscallEvent& c) { return arg_struct(c, 2); }, kNoNode,
                "NULL is no struct");
    call.expect(int_of(2), 0, "NULL old action");
    call.expect(int_of(3), 8, "sigsetsize");
}

// -y/-yy decorations exist only in logs: a live fd is a number.
TEST(ArgQuery, FdDecorationsFromALog) {
    const auto decoration = [](const std::string& line, int index) {
        ArgTree tree;
        strace_text::ParsedLine parsed;
        std::string error;
        EXPECT_TRUE(strace_text::parse_line(line, parsed, tree, &error)) << error;
        SyscallEvent call;
        call.decoded = &tree;
        return std::string(arg_decoration(call, index));
    };
    EXPECT_EQ(decoration(R"(read(3</etc/passwd>, "x", 1) = 1)", 0), "/etc/passwd");
    EXPECT_EQ(decoration(R"(write(5<TCP:[1.2.3.4:5->6.7.8.9:80]>, "x", 1) = 1)", 0),
              "TCP:[1.2.3.4:5->6.7.8.9:80]");
    EXPECT_EQ(decoration(R"(read(3, "x", 1) = 1)", 0), "") << "no decoration";
    EXPECT_EQ(decoration(R"(read(3</etc/passwd>, "x", 1) = 1)", 1), "") << "a string is no fd";
    SyscallEvent live = make_call("read", {3, 0x1000, 1}, 1);
    EXPECT_EQ(arg_decoration(live, 0), "") << "a live call without a tree";
}

TEST(ArgTreeText, NumbersAsLogsSpellThem) {
    EXPECT_EQ(ArgTree::text_int("42"), 42);
    EXPECT_EQ(ArgTree::text_int("-1"), -1);
    EXPECT_EQ(ArgTree::text_int("0x1f"), 31);
    EXPECT_EQ(ArgTree::text_int("0x"), std::nullopt);
    EXPECT_EQ(ArgTree::text_int(""), std::nullopt);
    EXPECT_EQ(ArgTree::text_int("htons(80)"), std::nullopt);
    EXPECT_EQ(ArgTree::text_int("12abc"), std::nullopt);
}

}  // namespace
}  // namespace sctrace
