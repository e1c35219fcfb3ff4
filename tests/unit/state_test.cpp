// The state tracker, fed by strace lines (the most readable way to write a
// syscall history) through the log converter: the same events a live run
// gives, as far as the tracker is concerned.
#include "engine/state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "decode_test_util.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

struct Applier final : EventSink {
    StateTracker state;
    void on_event(const Event& e) override { state.apply(e); }
};

struct History {
    Applier sink;
    strace_text::StraceLogConverter converter{sink};
    History() { converter.begin_file("state.log", 0, 0); }
    History& operator<<(const std::string& line) {
        EXPECT_TRUE(converter.feed(line)) << line;
        return *this;
    }
    const StateTracker& state() const { return sink.state; }
};

TEST(State, ANonblockingConnectGoesThroughConnectingToWaited) {
    History h;
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 4";
    const FdState* fd = h.state().fd(100, 4);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->kind, FdKind::Socket);
    EXPECT_EQ(fd->family, Family::Inet);
    EXPECT_TRUE(fd->stream);
    EXPECT_TRUE(fd->nonblocking);
    EXPECT_TRUE(fd->cloexec);
    h << "100 connect(4, {sa_family=AF_INET, sin_port=htons(8080), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)";
    fd = h.state().fd(100, 4);
    EXPECT_EQ(fd->socket_state, SocketState::Connecting);
    EXPECT_FALSE(fd->connect_waited);
    EXPECT_EQ(fd->path, "127.0.0.1:8080");
    h << "100 pselect6(5, NULL, [4], NULL, {tv_sec=5, tv_nsec=0}, NULL) = 1 (out [4])";
    EXPECT_TRUE(h.state().fd(100, 4)->connect_waited);
    // Waits name sets of fds, not one: the fd's own history is socket, connect.
    EXPECT_EQ(h.state().fd(100, 4)->history_size(), 2u);
    EXPECT_EQ(h.state().fd(100, 4)->history(1).text(), "connect = -1 EINPROGRESS");
}

// ioctl(FIONBIO) is the other way to O_NONBLOCK (nginx, Java's sockets).
TEST(State, IoctlFionbioSetsAndClearsNonblocking) {
    History h;
    h << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    EXPECT_FALSE(h.state().fd(100, 4)->nonblocking);
    h << "100 ioctl(4, FIONBIO, [1]) = 0";
    EXPECT_TRUE(h.state().fd(100, 4)->nonblocking);
    h << "100 ioctl(4, FIONCLEX) = 0"
      << "100 ioctl(4, FIONBIO, [0]) = -1 EBADF (Bad file descriptor)";
    EXPECT_TRUE(h.state().fd(100, 4)->nonblocking) << "a failed ioctl changes nothing";
    h << "100 ioctl(4, FIONBIO, [0]) = 0";
    EXPECT_FALSE(h.state().fd(100, 4)->nonblocking);
}

// strace prints a new thread's first stops before its parent's clone()
// returns when the thread runs first. The converter holds an unknown thread's
// lines while a clone is in flight, but lets them go at the first clone that
// returns; with two processes cloning at once (a browser's renderers) the
// other one's new thread is fed as a process of its own. When its own clone
// returns it must become one thread of its parent, or the log's end shows a
// phantom process forever inside the call it was in (a futex wait: a
// deadlock that never was).
TEST(State, AThreadSeenBeforeItsCloneReturnsJoinsItsProcess) {
    History h;
    h << "100 execve(\"/usr/bin/app\", [\"app\"], 0x7ffd /* 1 var */) = 0";
    h << "200 execve(\"/usr/bin/app\", [\"app\"], 0x7ffd /* 1 var */) = 0";
    const std::string thread_flags =
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, "
        "exit_signal=0, stack=0x7f00, stack_size=0x7ff3c0}, 88 <unfinished ...>";
    h << "100 " + thread_flags;
    h << "200 " + thread_flags;
    h << "201 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 7";
    h << "201 futex(0x55aff5692f40, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>";
    h << "100 <... clone3 resumed>) = 101";
    h << "200 <... clone3 resumed>) = 201";
    ASSERT_NE(h.state().process(200), nullptr);
    EXPECT_EQ(h.state().process(201), nullptr) << "the thread is still taken for a process";
    const ThreadState* t = h.state().thread(201);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->pid, 200);
    EXPECT_TRUE(t->in_call);
    EXPECT_STREQ(t->call.data(), "futex");
    const FdState* fd = h.state().fd(200, 7);
    ASSERT_NE(fd, nullptr) << "what the thread opened is in its process's table";
    EXPECT_EQ(fd->path, "/etc/hosts");
    h << "201 <... futex resumed>) = 0";
    h << "201 +++ exited with 0 +++";
    EXPECT_EQ(h.state().thread(201), nullptr);
    for (const Event& sample : h.state().end_of_trace_samples(0)) {
        EXPECT_NE(sample.tid, 201) << "a thread that exited is still sampled at the log's end";
    }
}

// Chromium's zygote re-executes itself with execve("/proc/self/exe"): the
// program is the one it was, not a file named /proc/self/exe.
TEST(State, AnExecOfProcSelfExeKeepsTheProgramsPath) {
    History h;
    h << "100 execve(\"/usr/lib/chromium/chromium\", [\"chromium\"], 0x7ffd /* 1 var */) = 0";
    h << "100 execve(\"/proc/self/exe\", [\"chromium\", \"--type=zygote\"], 0x7ffd /* 1 var */) = "
         "0";
    ASSERT_NE(h.state().process(100), nullptr);
    EXPECT_EQ(h.state().process(100)->exe, "/usr/lib/chromium/chromium");
}

TEST(State, AConnectThatSucceedsAtOnceIsConnected) {
    History h;
    h << "100 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3"
      << "100 connect(3, {sa_family=AF_INET6, sin6_port=htons(443)}, 28) = 0";
    EXPECT_EQ(h.state().fd(100, 3)->socket_state, SocketState::Connected);
    EXPECT_EQ(h.state().fd(100, 3)->family, Family::Inet6);
    EXPECT_FALSE(h.state().fd(100, 3)->nonblocking);
}

TEST(State, CloseMovesTheFdToClosedUntilItsNumberIsReused) {
    History h;
    h << "100 socket(AF_UNIX, SOCK_STREAM, 0) = 5"
      << "100 close(5) = 0";
    EXPECT_EQ(h.state().fd(100, 5), nullptr);
    const ClosedFd* closed = h.state().closed_fd(100, 5);
    ASSERT_NE(closed, nullptr);
    EXPECT_EQ(closed->last.kind, FdKind::Socket);
    EXPECT_EQ(closed->closed_by, 100);
    h << "100 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 5";
    EXPECT_EQ(h.state().closed_fd(100, 5), nullptr);
    ASSERT_NE(h.state().fd(100, 5), nullptr);
    EXPECT_EQ(h.state().fd(100, 5)->kind, FdKind::File);
    EXPECT_EQ(h.state().fd(100, 5)->path, "/etc/hosts");
}

TEST(State, AnFdKeepsItsLastEightCallsOldestFirst) {
    History h;
    h << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3";
    for (int i = 1; i <= 9; ++i) h << "100 write(3, \"x\", 1) = " + std::to_string(i);
    const FdState* fd = h.state().fd(100, 3);
    ASSERT_NE(fd, nullptr);
    ASSERT_EQ(fd->history_size(), FdState::kHistory);
    EXPECT_EQ(fd->history(0).text(), "write = 2") << "socket and the first write fell out";
    EXPECT_EQ(fd->history(7).text(), "write = 9");
    h << "100 close(3) = 0";
    const ClosedFd* closed = h.state().closed_fd(100, 3);
    ASSERT_NE(closed, nullptr);
    EXPECT_EQ(closed->last.history(7).text(), "close = 0") << "the close is its last call";
}

TEST(State, LargeFdNumbersAreTrackedAndClosedLikeSmallOnes) {
    History h;
    h << "100 fcntl(0, F_DUPFD, 70000) = 70000"
      << "100 close(70000) = 0"
      << "100 close(65535) = 0";
    EXPECT_EQ(h.state().fd(100, 70000), nullptr);
    ASSERT_NE(h.state().closed_fd(100, 70000), nullptr);
    const ClosedFd* untracked = h.state().closed_fd(100, 65535);
    ASSERT_NE(untracked, nullptr) << "a close of an fd never seen opening is remembered too";
    EXPECT_EQ(untracked->last.fd, 65535);
    EXPECT_EQ(untracked->last.kind, FdKind::Unknown);
    h << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3"
      << "100 dup2(3, 70000) = 70000";
    EXPECT_EQ(h.state().closed_fd(100, 70000), nullptr) << "the number is reused";
    ASSERT_NE(h.state().fd(100, 70000), nullptr);
    EXPECT_EQ(h.state().fd(100, 70000)->kind, FdKind::Socket);
}

TEST(State, DupFcntlPipesAndSocketpairs) {
    History h;
    h << "100 pipe2([3, 4], O_CLOEXEC) = 0"
      << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0"
      << "100 dup(5) = 7"
      << "100 fcntl(7, F_SETFL, O_RDWR|O_NONBLOCK) = 0"
      << "100 fcntl(7, F_DUPFD_CLOEXEC, 10) = 10";
    EXPECT_EQ(h.state().fd(100, 3)->kind, FdKind::Pipe);
    EXPECT_EQ(h.state().fd(100, 4)->kind, FdKind::Pipe);
    EXPECT_EQ(h.state().fd(100, 6)->socket_state, SocketState::Connected);
    EXPECT_EQ(h.state().fd(100, 7)->kind, FdKind::Socket);
    EXPECT_TRUE(h.state().fd(100, 7)->nonblocking);
    EXPECT_FALSE(h.state().fd(100, 5)->nonblocking) << "F_SETFL on a dup changes the dup's state "
                                                       "in this model (shared file status is "
                                                       "not tracked)";
    EXPECT_TRUE(h.state().fd(100, 10)->cloexec);
}

TEST(State, ThreadsInCallsAndTheirFds) {
    History h;
    h << "100 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 101"
      << "101 read(3,  <unfinished ...>";
    const ThreadState* t = h.state().thread(101);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->pid, 100);
    EXPECT_TRUE(t->in_call);
    EXPECT_STREQ(t->call.data(), "read");
    EXPECT_EQ(t->call_fd, 3);
    h << "101 <... read resumed>\"x\", 1) = 1";
    EXPECT_FALSE(h.state().thread(101)->in_call);
}

TEST(State, ForkCopiesTheTableExecDropsCloexecExitForgets) {
    History h;
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3"
      << "100 socket(AF_INET, SOCK_STREAM, 0) = 4"
      << "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 200";
    ASSERT_NE(h.state().fd(200, 3), nullptr);
    h << "200 close(5) = 0"
      << "200 execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0";
    EXPECT_EQ(h.state().fd(200, 3), nullptr);
    EXPECT_NE(h.state().fd(200, 4), nullptr);
    EXPECT_EQ(h.state().process(200)->exe, "/bin/true");
    EXPECT_NE(h.state().closed_fd(200, 5), nullptr) << "an exec keeps what was closed before";
    EXPECT_NE(h.state().fd(100, 3), nullptr) << "the parent keeps its own";
    EXPECT_EQ(h.state().closed_fd(100, 5), nullptr) << "the child's close is its own";
    h << "200 +++ exited with 0 +++";
    EXPECT_EQ(h.state().process(200), nullptr);
}

TEST(State, IoUringSetupMarksTheProcess) {
    History h;
    h << "100 io_uring_setup(64, {flags=IORING_SETUP_SQPOLL, sq_thread_cpu=0, "
         "sq_thread_idle=1000}) = 9";
    EXPECT_TRUE(h.state().process(100)->has_io_uring);
    EXPECT_EQ(h.state().fd(100, 9)->kind, FdKind::IoUring);
}

// static-glibc-nss from a strace log: no ELF file to read, so the opens after
// the exec tell a static program from a dynamic one.
TEST(State, AStaticProgramIsInferredFromNssActivityBeforeAnySharedObject) {
    History h;
    h << "100 execve(\"./static-nss\", [\"./static-nss\"], 0x7ffd /* 3 vars */) = 0";
    EXPECT_EQ(h.state().process(100)->program.is_static, -1) << "nothing opened yet";
    h << "100 clone3({flags=CLONE_VM|CLONE_THREAD, exit_signal=0}, 88) = 101"
      << "101 openat(AT_FDCWD, \"/etc/nsswitch.conf\", O_RDONLY|O_CLOEXEC) = 3";
    const ProgramFacts* program = &h.state().process(100)->program;
    EXPECT_EQ(program->is_static, 1);
    EXPECT_EQ(program->glibc, -1) << "reading nsswitch.conf is no proof of glibc (Go does it)";
    EXPECT_EQ(program->nss_opens, 1);
    EXPECT_EQ(program->nss_modules, 0);
    h << "101 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3"
      << "101 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libnss_compat.so.2\", O_RDONLY|O_CLOEXEC) = "
         "3"
      << "101 openat(AT_FDCWD, \"/lib/libnss_nis.so.2\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such "
         "file or directory)";
    program = &h.state().process(100)->program;
    EXPECT_EQ(program->is_static, 1) << "the loader's files after NSS do not make it dynamic";
    EXPECT_EQ(program->glibc, 1) << "only glibc has libnss_* modules";
    EXPECT_EQ(program->nss_opens, 2);
    EXPECT_EQ(program->nss_modules, 1) << "a module that failed to open is not loaded";
}

TEST(State, ADynamicProgramOpensTheLoaderCacheFirst) {
    History h;
    h << "100 execve(\"/bin/id\", [\"id\"], 0x7ffd /* 3 vars */) = 0"
      << "100 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/etc/nsswitch.conf\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libnss_compat.so.2\", O_RDONLY|O_CLOEXEC) = "
         "3";
    const ProgramFacts& program = h.state().process(100)->program;
    EXPECT_EQ(program.is_static, 0);
    EXPECT_EQ(program.glibc, 1);
    EXPECT_EQ(program.nss_modules, 1);
}

TEST(State, WithoutAnExecNothingIsInferred) {
    // strace -p: the program was already running, its start is not in the log.
    History h;
    h << "100 openat(AT_FDCWD, \"/etc/nsswitch.conf\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libnss_files.so.2\", O_RDONLY) = 4";
    EXPECT_EQ(h.state().process(100)->program.is_static, -1);
}

TEST(State, ExecFactsWinForkInheritsExecStartsOver) {
    History h;
    ExecEvent exec{"/opt/static-app", 100};
    exec.is_static = 1;
    exec.glibc = 1;
    h.sink.state.apply(Event{EventKind::Exec, 1, 100, 100, exec});
    h << "100 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/etc/nsswitch.conf\", O_RDONLY|O_CLOEXEC) = 3";
    EXPECT_EQ(h.state().process(100)->program.is_static, 1) << "read from the ELF file: no guess";
    EXPECT_EQ(h.state().process(100)->program.glibc, 1);
    h << "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 200";
    EXPECT_EQ(h.state().process(200)->program.is_static, 1);
    EXPECT_EQ(h.state().process(200)->program.nss_opens, 1) << "a fork keeps NSS loaded";
    // A new program: a strace line has no facts, so inference starts again.
    h << "200 close(5) = 0"
      << "200 execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0";
    EXPECT_EQ(h.state().process(200)->program.is_static, -1);
    EXPECT_EQ(h.state().process(200)->program.glibc, -1);
    EXPECT_EQ(h.state().process(200)->program.nss_opens, 0);
    h << "200 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3";
    EXPECT_EQ(h.state().process(200)->program.is_static, 0);
}

// Live-like events: raw registers, decoded against a fake address space by
// the live decoders, as the tracer does at a syscall's exit.
struct LiveHistory {
    StateTracker state;
    testing::FakeMemory memory;
    ArgTree tree;
    void call(pid_t pid, std::string_view name, std::vector<std::uint64_t> args,
              std::int64_t ret = 0, int err = 0) {
        SyscallEvent c = testing::make_call(name, std::move(args), ret, err);
        tree.clear();
        DecodeOptions options;
        decode_entry(c, tree, memory, options);
        decode_exit(c, tree, memory, options);
        c.decoded = &tree;
        state.apply(Event{EventKind::SyscallExit, 1, pid, pid, c});
    }
    std::uint64_t put_int(std::uint64_t addr, int value) { return memory.put(addr, value); }
};

constexpr std::uint64_t kInProgress = 115, kRefused = 111;

sockaddr_in6 loopback6(int port) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    a.sin6_addr = in6addr_loopback;
    return a;
}

// fd.name and fd.state as real programs show them, live and from logs.
TEST(SocketState, LiveIpv6ConnectNamesThePeerAndSoErrorZeroAfterAWaitConnects) {
    LiveHistory h;
    h.call(100, "socket", {AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0}, 3);
    const std::uint64_t addr = h.memory.put(0x1000, loopback6(8080));
    h.call(100, "connect", {3, addr, sizeof(sockaddr_in6)}, -1, kInProgress);
    const FdState* fd = h.state.fd(100, 3);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->path, "[::1]:8080");
    EXPECT_EQ(fd->socket_state, SocketState::Connecting);
    // SO_ERROR before any wait: "no error yet" says nothing about the handshake.
    h.put_int(0x2000, 0);
    h.put_int(0x2004, 4);
    h.call(100, "getsockopt", {3, SOL_SOCKET, SO_ERROR, 0x2000, 0x2004});
    EXPECT_EQ(h.state.fd(100, 3)->socket_state, SocketState::Connecting);
    h.call(100, "poll", {0x3000, 1, 5000}, 1);
    h.call(100, "getsockopt", {3, SOL_SOCKET, SO_ERROR, 0x2000, 0x2004});
    EXPECT_EQ(h.state.fd(100, 3)->socket_state, SocketState::Connected);
}

TEST(SocketState, LiveSoErrorWithAnErrorIsAFailedConnect) {
    LiveHistory h;
    h.call(100, "socket", {AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0}, 3);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(9);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    h.call(100, "connect", {3, h.memory.put(0x1000, a), sizeof a}, -1, kInProgress);
    EXPECT_EQ(h.state.fd(100, 3)->path, "127.0.0.1:9");
    h.call(100, "poll", {0x3000, 1, 5000}, 1);
    h.put_int(0x2000, static_cast<int>(kRefused));
    h.put_int(0x2004, 4);
    h.call(100, "getsockopt", {3, SOL_SOCKET, SO_ERROR, 0x2000, 0x2004});
    EXPECT_EQ(h.state.fd(100, 3)->socket_state, SocketState::Failed);
    EXPECT_EQ(h.state.fd(100, 3)->connected_by, 100);
}

TEST(SocketState, LiveAcceptNamesThePeerFromItsAddress) {
    LiveHistory h;
    h.call(100, "socket", {AF_INET6, SOCK_STREAM, 0}, 3);
    h.call(100, "listen", {3, 16});
    h.memory.put(0x1000, loopback6(40000));
    h.put_int(0x2000, sizeof(sockaddr_in6));
    h.call(100, "accept4", {3, 0x1000, 0x2000, SOCK_CLOEXEC}, 5);
    const FdState* fd = h.state.fd(100, 5);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->socket_state, SocketState::Accepted);
    EXPECT_EQ(fd->path, "[::1]:40000");
    EXPECT_EQ(fd->family, Family::Inet6);
}

TEST(SocketState, LiveTcpFastopenConnectIsLearned) {
    LiveHistory h;
    h.call(100, "socket", {AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0}, 4);
    h.put_int(0x2000, 1);
    h.call(100, "setsockopt", {4, IPPROTO_TCP, 30 /* TCP_FASTOPEN_CONNECT */, 0x2000, 4});
    EXPECT_TRUE(h.state.fd(100, 4)->fastopen);
    h.put_int(0x2000, 0);
    h.call(100, "setsockopt", {4, IPPROTO_TCP, 30, 0x2000, 4});
    EXPECT_FALSE(h.state.fd(100, 4)->fastopen) << "switched off again";
    h.put_int(0x2000, 1);
    h.call(100, "setsockopt", {4, IPPROTO_TCP, 1 /* TCP_NODELAY */, 0x2000, 4});
    EXPECT_FALSE(h.state.fd(100, 4)->fastopen) << "another TCP option";
}

TEST(SocketState, LiveSendtoWithMsgFastopenConnects) {
    LiveHistory h;
    h.call(100, "socket", {AF_INET, SOCK_STREAM, 0}, 4);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    a.sin_addr.s_addr = htonl(0x0a000001);
    h.memory.put(0x1000, a);
    h.memory.put_string(0x3000, "GET");
    h.call(100, "sendto", {4, 0x3000, 3, MSG_FASTOPEN, 0x1000, sizeof a}, 3);
    const FdState* fd = h.state.fd(100, 4);
    EXPECT_TRUE(fd->fastopen);
    EXPECT_EQ(fd->socket_state, SocketState::Connected);
    EXPECT_EQ(fd->path, "10.0.0.1:80");
}

TEST(SocketState, LogIpv6PeerAcceptAndDecorationsName) {
    History h;
    h << "100 socket(AF_INET6, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3"
      << "100 connect(3, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), "
         "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS "
         "(Operation now in progress)";
    EXPECT_EQ(h.state().fd(100, 3)->path, "[::1]:8080");
    h << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4"
      << "100 accept4(4, {sa_family=AF_INET, sin_port=htons(40000), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC) = 5";
    EXPECT_EQ(h.state().fd(100, 5)->path, "127.0.0.1:40000");
    EXPECT_EQ(h.state().fd(100, 5)->family, Family::Inet) << "from the listener";
    // accept without an address: strace -yy names the peer on the fd.
    h << "100 accept(4<TCP:[127.0.0.1:8080]>, NULL, NULL) = "
         "6<TCP:[127.0.0.1:8080->127.0.0.1:40002]>";
    EXPECT_EQ(h.state().fd(100, 6)->path, "") << "a returned fd's decoration is not kept";
    h << "100 read(6<TCP:[127.0.0.1:8080->127.0.0.1:40002]>, \"x\", 1) = 1";
    EXPECT_EQ(h.state().fd(100, 6)->path, "127.0.0.1:40002");
    h << "100 socket(AF_INET6, SOCK_STREAM, IPPROTO_IP) = 7"
      << "100 write(7<TCPv6:[[::1]:40004->[::1]:8080]>, \"x\", 1) = 1"
      << "100 socket(AF_UNIX, SOCK_STREAM, 0) = 8"
      << "100 write(8<UNIX-STREAM:[28012->28011]>, \"x\", 1) = 1"
      << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 9"
      << "100 write(9<socket:[28013]>, \"x\", 1) = 1";
    EXPECT_EQ(h.state().fd(100, 7)->path, "[::1]:8080");
    EXPECT_EQ(h.state().fd(100, 8)->path, "") << "a unix socket's -> joins inodes, not addresses";
    EXPECT_EQ(h.state().fd(100, 9)->path, "") << "-y names no peer";
}

TEST(SocketState, LogConnectCompletesBySoErrorDataOrASecondConnect) {
    History h;
    const std::string connect =
        "connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"127.0.0.1\")}, "
        "16) = ";
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3"
      << "100 " + connect + "-1 EINPROGRESS (Operation now in progress)"
      << "100 pselect6(4, NULL, [3], NULL, {tv_sec=5, tv_nsec=0}, NULL) = 1 (out [3])"
      << "100 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0";
    EXPECT_EQ(h.state().fd(100, 3)->socket_state, SocketState::Connected);

    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 4"
      << "100 connect(4, {sa_family=AF_INET, sin_port=htons(1), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, "
         "16) = -1 EINPROGRESS (Operation now in progress)"
      << "100 poll([{fd=4, events=POLLOUT}], 1, 5000) = 1 ([{fd=4, "
         "revents=POLLOUT|POLLERR|POLLHUP}])"
      << "100 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0";
    EXPECT_EQ(h.state().fd(100, 4)->socket_state, SocketState::Failed);

    // No SO_ERROR: the first successful write shows the connection is made.
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 5"
      << "100 connect(5, {sa_family=AF_INET, sin_port=htons(8080), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)"
      << "100 write(5, \"x\", 1) = -1 EAGAIN (Resource temporarily unavailable)";
    EXPECT_EQ(h.state().fd(100, 5)->socket_state, SocketState::Connecting) << "a failed write";
    h << "100 write(5, \"x\", 1) = 1";
    EXPECT_EQ(h.state().fd(100, 5)->socket_state, SocketState::Connected);

    // The dance: a second connect() returns 0 (or EISCONN) once it is made.
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 6"
      << "100 connect(6, {sa_family=AF_INET, sin_port=htons(8080), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)"
      << "100 connect(6, {sa_family=AF_INET, sin_port=htons(8080), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EALREADY (Operation already in progress)";
    EXPECT_EQ(h.state().fd(100, 6)->socket_state, SocketState::Connecting);
    h << "100 connect(6, {sa_family=AF_INET, sin_port=htons(8080), "
         "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0";
    EXPECT_EQ(h.state().fd(100, 6)->socket_state, SocketState::Connected);
    EXPECT_TRUE(h.state().fd(100, 6)->connect_returned_einprogress);
}

TEST(SocketState, LogTcpFastopenFromSetsockoptOrMsgFastopen) {
    History h;
    h << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 4"
      << "100 setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0";
    EXPECT_FALSE(h.state().fd(100, 4)->fastopen);
    h << "100 setsockopt(4, SOL_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = 0";
    EXPECT_TRUE(h.state().fd(100, 4)->fastopen);
    h << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5"
      << "100 setsockopt(5, SOL_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = -1 EOPNOTSUPP (Operation not "
         "supported)";
    EXPECT_FALSE(h.state().fd(100, 5)->fastopen) << "refused: connect() will not defer";
    h << "100 sendto(5, \"GET / HTTP/1.1\\r\\n\", 16, MSG_FASTOPEN, {sa_family=AF_INET, "
         "sin_port=htons(80), sin_addr=inet_addr(\"10.0.0.1\")}, 16) = -1 EINPROGRESS (Operation "
         "now in progress)";
    const FdState* fd = h.state().fd(100, 5);
    EXPECT_TRUE(fd->fastopen);
    EXPECT_EQ(fd->socket_state, SocketState::Connecting);
    EXPECT_TRUE(fd->connect_returned_einprogress);
    EXPECT_EQ(fd->path, "10.0.0.1:80");
}

// static-glibc-nss from a log: glibc's start-up fingerprint.
TEST(State, RseqWithGlibcsSignatureBeforeAnyLoaderOpenIsAStaticGlibcProgram) {
    History h;
    h << "100 execve(\"./static-nss\", [\"./static-nss\"], 0x7ffd /* 3 vars */) = 0"
      << "100 brk(NULL) = 0x33467000"
      << "100 arch_prctl(ARCH_SET_FS, 0x334673c0) = 0";
    EXPECT_EQ(h.state().process(100)->program.is_static, -1)
        << "arch_prctl(ARCH_SET_FS) at start-up is no proof: a static Go program makes it too";
    h << "100 set_tid_address(0x33467690) = 100"
      << "100 rseq(0x33467ce0, 0x20, 0, 0x53053053) = 0";
    EXPECT_EQ(h.state().process(100)->program.is_static, 1);
    EXPECT_EQ(h.state().process(100)->program.glibc, 1);
    h << "100 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3";
    EXPECT_EQ(h.state().process(100)->program.is_static, 1)
        << "NSS's loading later is not the loader";
}

TEST(State, ADynamicGlibcProgramCallsRseqAfterLoadingLibc) {
    History h;
    h << "100 execve(\"/bin/id\", [\"id\"], 0x7ffd /* 3 vars */) = 0"
      << "100 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3"
      << "100 rseq(0x7f3c5e1e0e60, 0x20, 0, 0x53053053) = 0";
    EXPECT_EQ(h.state().process(100)->program.is_static, 0);
    EXPECT_EQ(h.state().process(100)->program.glibc, 1);
}

TEST(State, RseqWithAnotherSignatureOrNoneSaysNothing) {
    History h;
    h << "100 execve(\"./app\", [\"./app\"], 0x7ffd /* 3 vars */) = 0"
      << "100 rseq(0x7f3c5e1e0e60, 0x20, 0, 0x12345678) = 0";
    EXPECT_EQ(h.state().process(100)->program.is_static, -1);
    EXPECT_EQ(h.state().process(100)->program.glibc, -1);
    // A pure-Go static program: no rseq, then NSS's configuration read by Go itself.
    h << "100 openat(AT_FDCWD, \"/etc/nsswitch.conf\", O_RDONLY|O_CLOEXEC) = 3";
    EXPECT_EQ(h.state().process(100)->program.is_static, 1);
    EXPECT_EQ(h.state().process(100)->program.glibc, -1);
}

TEST(State, LiveRseqRegistersTheSameWay) {
    LiveHistory h;
    h.state.apply(Event{EventKind::Exec, 1, 100, 100, ExecEvent{"/opt/app", 100}});
    h.call(100, "rseq", {0x7000, 0x20, 0, 0x53053053});
    EXPECT_EQ(h.state.process(100)->program.is_static, 1);
    EXPECT_EQ(h.state.process(100)->program.glibc, 1);
    ExecEvent facts{"/opt/app", 100};
    facts.is_static = 0;
    facts.glibc = 0;
    h.state.apply(Event{EventKind::Exec, 1, 100, 100, facts});
    h.call(100, "rseq", {0x7000, 0x20, 0, 0x53053053});
    EXPECT_EQ(h.state.process(100)->program.is_static, 0) << "the ELF file's facts stand";
    EXPECT_EQ(h.state.process(100)->program.glibc, 0);
}

}  // namespace
}  // namespace sctrace
