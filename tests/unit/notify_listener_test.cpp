// The seccomp-notify backend's foundation: a command started under a
// user-notify filter hands its listener over, every traced call of it (and
// of its children) arrives there stopped at its entry, the command runs as
// it would untraced once each is let continue, and the listener reports the
// end when no process uses the filter any more.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstring>

#include <chrono>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/syscall_set.h"
#include "sources/notify/listener.h"
#include "sources/notify/notify_child.h"

namespace sctrace {
namespace {

using namespace std::chrono_literals;

struct Served {
    std::vector<Notification> calls;
    int status = -1;
};

// Starts `argv` under a user-notify filter for `trace`; nothing, with the
// kernel's words in `refusal`, where the kernel or its policy refuses such
// filters (the test then skips, saying so).
std::optional<NotifyChild> start(const std::vector<std::string>& argv, const char* trace,
                                 std::string* refusal) {
    try {
        return NotifyChild::start(argv, parse_trace_expression(trace), {});
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("refused a seccomp user-notify") == std::string::npos) {
            throw;
        }
        *refusal = std::string("SKIPPED: seccomp user notification is refused here: ") + e.what();
        return std::nullopt;
    }
}

// Lets every call continue until the filter has no user; then reaps.
Served serve(NotifyChild& child, NotifyListener& listener) {
    Served served;
    for (;;) {
        const NotifyListener::Wait wait = listener.wait(10s);
        if (wait.finished) break;
        if (!wait.ready) {
            ADD_FAILURE() << "no notification and no end for 10 s";
            break;
        }
        Notification n;
        if (!listener.receive(n)) continue;
        EXPECT_TRUE(listener.still_pending(n.id));
        served.calls.push_back(n);
        listener.let_continue(n.id);
        EXPECT_FALSE(listener.still_pending(n.id));
    }
    EXPECT_EQ(::waitpid(child.pid(), &served.status, 0), child.pid());
    return served;
}

TEST(NotifyListener, EveryTracedCallArrivesAtItsEntryAndTheCommandRunsAsUntraced) {
    std::string refusal;
    auto started = start({"/bin/sh", "-c", "echo hi >/dev/null; exit 3"},
                         "write,execve,wait4,clone", &refusal);
    if (!started) GTEST_SKIP() << refusal;
    NotifyChild& child = *started;
    NotifyListener listener(child.take_listener());
    const Served served = serve(child, listener);
    ASSERT_TRUE(WIFEXITED(served.status));
    EXPECT_EQ(WEXITSTATUS(served.status), 3);
    std::multiset<int> numbers;
    for (const Notification& n : served.calls) numbers.insert(n.nr);
    // The exec that starts the command is the first call the filter sees.
    ASSERT_FALSE(served.calls.empty());
    EXPECT_EQ(served.calls.front().nr, SYS_execve);
    EXPECT_EQ(served.calls.front().tid, child.pid());
    EXPECT_EQ(numbers.count(SYS_write), 1u);    // echo's, to /dev/null
    EXPECT_EQ(numbers.count(SYS_getppid), 0u);  // not traced: never stops
    for (const Notification& n : served.calls) {
        if (n.nr == SYS_write) {
            EXPECT_EQ(n.args[0], 1u);
        }
    }
    EXPECT_EQ(child.exec_errno(), 0);
}

TEST(NotifyListener, ChildrenInheritTheFilter) {
    std::string refusal;
    auto started = start({"/bin/sh", "-c", "/bin/echo child >/dev/null; echo parent >/dev/null"},
                         "write", &refusal);
    if (!started) GTEST_SKIP() << refusal;
    NotifyChild& child = *started;
    NotifyListener listener(child.take_listener());
    const Served served = serve(child, listener);
    std::set<pid_t> writers;
    for (const Notification& n : served.calls) writers.insert(n.tid);
    EXPECT_EQ(served.calls.size(), 2u);
    EXPECT_EQ(writers.size(), 2u) << "the forked /bin/echo's write came from its own process";
    EXPECT_TRUE(WIFEXITED(served.status) && WEXITSTATUS(served.status) == 0);
}

TEST(NotifyListener, AFailedExecIsReported) {
    std::string refusal;
    auto started = start({"/nonexistent/program"}, "write", &refusal);
    if (!started) GTEST_SKIP() << refusal;
    NotifyChild& child = *started;
    NotifyListener listener(child.take_listener());
    const Served served = serve(child, listener);
    ASSERT_TRUE(WIFEXITED(served.status));
    EXPECT_EQ(WEXITSTATUS(served.status), 127);
    EXPECT_EQ(child.exec_errno(), ENOENT);
}

// A one-byte message with room for one descriptor, built before fork (the
// child may only make async-signal-safe calls).
struct OneByteMessage {
    explicit OneByteMessage(char& byte) : iov{&byte, 1} {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
    }
    void expect_descriptor() {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
    }
    void attach(int fd) {
        expect_descriptor();
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    iovec iov;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
};

// The handshake's sendmsg passes the filter unseen only with its own flags:
// the program's sendmsg on the same descriptor number is traced as usual.
TEST(NotifyListener, OnlyTheHandshakeItselfGoesUnseen) {
    int ends[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends), 0);
    const SeccompProgram program =
        SeccompProgram::build_notify(parse_trace_expression("sendmsg"), {}, ends[1]);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    char byte = 'L';
    OneByteMessage message(byte);
    if (pid == 0) {
        const int listener = install_notify_program(program.program(), ::geteuid() != 0);
        if (listener < 0) ::_exit(2);
        message.attach(listener);
        if (::sendmsg(ends[1], &message.msg, static_cast<int>(kNotifyHandshakeFlags)) != 1) {
            ::_exit(3);
        }
        // The program's own: the same descriptor, other flags.
        OneByteMessage plain(byte);
        ::_exit(::sendmsg(ends[1], &plain.msg, MSG_NOSIGNAL) == 1 ? 0 : 4);
    }
    ::close(ends[1]);
    message.expect_descriptor();
    if (::recvmsg(ends[0], &message.msg, MSG_CMSG_CLOEXEC) != 1) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ::close(ends[0]);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << "the child sent nothing";
        GTEST_SKIP() << "SKIPPED: seccomp user notification is refused here";
    }
    int fd = -1;
    if (cmsghdr* c = CMSG_FIRSTHDR(&message.msg)) std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
    ASSERT_GE(fd, 0);
    NotifyListener listener{UniqueFd(fd)};
    std::vector<Notification> seen;
    while (listener.wait(10s).ready) {
        Notification n;
        if (!listener.receive(n)) continue;
        seen.push_back(n);
        listener.let_continue(n.id);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].nr, SYS_sendmsg);
    EXPECT_EQ(seen[0].args[2], static_cast<std::uint64_t>(MSG_NOSIGNAL));
    ::close(ends[0]);
}

}  // namespace
}  // namespace sctrace
