// io_uring operations in the state: submissions waiting for their
// completions (RingOps), and completed ones taken as their syscall twins
// (engine/ring_ops.h), the way the rule engine feeds them to the state.
#include "engine/ring_ops.h"

#include <gtest/gtest.h>
#include <linux/io_uring.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "engine/state.h"
#include "model/syscall_table.h"
#include "ring_test_util.h"
#include "rule_pack.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

using namespace ring_test;

// A submission on a process fd: its target is sqe.fd itself.
RingTarget plain(const IoUringSqeEvent& sqe) {
    RingTarget target;
    target.fd = sqe.fd;
    return target;
}

using Process = RingProcess;

TEST(RingTwins, EveryTwinIsACallOfTheSyscallTable) {
    int twins = 0;
    for (unsigned op = 0; op < 256; ++op) {
        const IoUringTwin* twin = io_uring_twin(op);
        if (!twin) continue;
        ++twins;
        EXPECT_NE(io_uring_twin_row(*twin), nullptr)
            << io_uring_op_name(op) << "'s twin " << twin->syscall;
        EXPECT_LE(twin->arg_count, 6u);
    }
    EXPECT_GT(twins, 0);
    ASSERT_NE(io_uring_twin(IORING_OP_CLOSE), nullptr);
    EXPECT_EQ(io_uring_twin(IORING_OP_CLOSE)->syscall, "close");
    EXPECT_EQ(io_uring_twin(IORING_OP_NOP), nullptr) << "a NOP does nothing a syscall does";
}

// A ring SEND is sendto() with no destination: its twin's address is a
// null pointer (strace prints NULL), its length a plain 0.
TEST(RingTwins, ASendsMissingDestinationIsANullPointer) {
    const IoUringSqeEvent sqe = sqe_of(IORING_OP_SEND, 4, 1);
    RingTwin twin;
    ASSERT_TRUE(make_ring_entry(sqe, *RingOps::twin_of(sqe), kPid, kPid, 1, plain(sqe), twin));
    EXPECT_EQ(twin.event.syscall()->name, "sendto");
    EXPECT_EQ(twin.tree.node(twin.tree.arg(4)).kind, ArgKind::Ptr);
    EXPECT_EQ(twin.tree.node(twin.tree.arg(4)).value, 0u);
    EXPECT_EQ(twin.tree.node(twin.tree.arg(5)).kind, ArgKind::Int);
}

TEST(RingOps, ACompletionRetiresTheSubmissionOfItsUserData) {
    RingOps ops;
    const IoUringSqeEvent sqe = sqe_of(IORING_OP_CLOSE, 4, 7);
    ops.submit(sqe, *RingOps::followed(sqe), 1, plain(sqe));
    EXPECT_EQ(ops.find(cqe_of(8, 0)), nullptr) << "another user_data";
    const RingOp* op = ops.find(cqe_of(7, 0));
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->fd, 4);
    ops.complete(cqe_of(7, 0));
    EXPECT_EQ(ops.in_flight(), 0u);
    EXPECT_EQ(ops.find(cqe_of(7, 0)), nullptr);
}

TEST(RingOps, AMultishotSubmissionStaysUntilItsLastCompletion) {
    RingOps ops;
    const IoUringSqeEvent sqe = sqe_of(IORING_OP_ACCEPT, 3, 1);
    ops.submit(sqe, *RingOps::followed(sqe), 1, plain(sqe));
    ops.complete(cqe_of(1, 5, IORING_CQE_F_MORE));
    EXPECT_NE(ops.find(cqe_of(1, 6)), nullptr);
    ops.complete(cqe_of(1, 6));
    EXPECT_EQ(ops.in_flight(), 0u);
}

TEST(RingOps, TwoDifferentSubmissionsUnderOneUserDataMatchNeither) {
    RingOps ops;
    const IoUringSqeEvent a = sqe_of(IORING_OP_CLOSE, 4, 0), b = sqe_of(IORING_OP_CLOSE, 5, 0);
    ops.submit(a, *RingOps::followed(a), 1, plain(a));
    ops.submit(b, *RingOps::followed(b), 2, plain(b));
    EXPECT_EQ(ops.find(cqe_of(0, 0)), nullptr) << "which fd was closed cannot be told";
    ops.complete(cqe_of(0, 0));
    EXPECT_EQ(ops.in_flight(), 0u) << "both could have been it: neither is followed further";
}

TEST(RingOps, PastTheBoundNewSubmissionsAreCountedNotKept) {
    RingOps ops;
    for (std::uint64_t i = 0; i < RingOps::kMaxInFlightPerRing + 3; ++i) {
        const IoUringSqeEvent sqe = sqe_of(IORING_OP_READ, 4, i);
        ops.submit(sqe, *RingOps::followed(sqe), 1, plain(sqe));
    }
    EXPECT_EQ(ops.in_flight(), RingOps::kMaxInFlightPerRing);
    EXPECT_EQ(ops.dropped(), 3u);
    EXPECT_EQ(ops.find(cqe_of(RingOps::kMaxInFlightPerRing + 1, 0)), nullptr);
}

TEST(RingOps, WhatIsNotFollowedIsCounted) {
    RingOps ops;
    const IoUringTwin& read = *io_uring_twin(IORING_OP_READ);
    // Two different operations under one user_data: its completion is either.
    ops.submit(sqe_of(IORING_OP_READ, 4, 0x1), read, 0, plain(sqe_of(IORING_OP_READ, 4, 0x1)));
    ops.submit(sqe_of(IORING_OP_READ, 5, 0x1), read, 0, plain(sqe_of(IORING_OP_READ, 5, 0x1)));
    ops.complete(cqe_of(0x1, 1));
    // One in flight when its ring is closed, one when the program execs.
    ops.submit(sqe_of(IORING_OP_READ, 4, 0x2), read, 0, plain(sqe_of(IORING_OP_READ, 4, 0x2)));
    ops.forget_ring(kRing);
    ops.submit(sqe_of(IORING_OP_READ, 4, 0x3), read, 0, plain(sqe_of(IORING_OP_READ, 4, 0x3)));
    EXPECT_EQ(ops.coverage().unseen, 2u) << "the one in flight counts until it completes";
    ops.clear();
    const RingCoverage c = ops.coverage();
    EXPECT_EQ(c.ambiguous, 2u);
    EXPECT_EQ(c.unseen, 2u);
    EXPECT_EQ(c.not_followed, 0u);
    EXPECT_EQ(ops.in_flight(), 0u);
}

TEST(RingOps, ASubmissionWhoseSuccessPostsNothingIsNotFollowed) {
    IoUringSqeEvent skip = sqe_of(IORING_OP_CLOSE, 4, 1);
    skip.flags = IOSQE_CQE_SKIP_SUCCESS;
    EXPECT_EQ(RingOps::followed(skip), nullptr) << "its success posts nothing to match";
    EXPECT_EQ(RingOps::followed(sqe_of(IORING_OP_NOP, -1, 1)), nullptr);
    EXPECT_EQ(RingOps::followed(sqe_of(IORING_OP_FILES_UPDATE, -1, 1)), nullptr)
        << "it changes the ring's table, and has no twin";
}

TEST(RingState, ACloseThroughTheRingClosesTheFdWithTheRingInItsHistory) {
    Process p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    p.submit(sqe_of(IORING_OP_CLOSE, 4, 0x7));
    EXPECT_NE(p.state.fd(kPid, 4), nullptr) << "open until the completion says otherwise";
    ASSERT_TRUE(p.complete(cqe_of(0x7, 0)));
    EXPECT_EQ(p.twin.event.syscall()->name, "close");
    EXPECT_EQ(p.state.fd(kPid, 4), nullptr);
    const ClosedFd* closed = p.state.closed_fd(kPid, 4);
    ASSERT_NE(closed, nullptr);
    const FdState& last = closed->last;
    ASSERT_GT(last.history_size(), 0u);
    EXPECT_EQ(last.history(last.history_size() - 1).text(),
              "close = 0 through io_uring (ring fd 9, user_data 0x7)");
}

TEST(RingState, AFailedCloseThroughTheRingClosesNothing) {
    Process p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    p.submit(sqe_of(IORING_OP_CLOSE, 4, 1));
    ASSERT_TRUE(p.complete(cqe_of(1, -ECANCELED)));
    EXPECT_EQ(p.twin.event.syscall()->err, ECANCELED);
    EXPECT_NE(p.state.fd(kPid, 4), nullptr);
}

// A close with IOSQE_CQE_SKIP_SUCCESS posts nothing when it succeeds: the
// number is neither open (a leak at exit) nor closed (a double close at the
// next close of it) as far as the state knows, and the run says it could
// not tell.
TEST(RingState, ACloseThatPostsNothingOnSuccessLeavesTheNumberUnknown) {
    Process p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    IoUringSqeEvent close = sqe_of(IORING_OP_CLOSE, 4, 1);
    close.flags = IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK;
    p.submit(close);
    EXPECT_EQ(p.state.fd(kPid, 4), nullptr);
    EXPECT_EQ(p.state.closed_fd(kPid, 4), nullptr);
    EXPECT_EQ(p.state.ring_coverage().skip_success, 1u);
    EXPECT_EQ(p.state.ring_coverage().unseen, 0u) << "no completion is waited for";
}

// The kernel closes at submission; the completion may be seen after the
// program reused the number. The close was of the earlier file.
TEST(RingState, ACloseCompletedAfterTheNumberWasReusedLeavesTheNewFileOpen) {
    Process p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    p.submit(sqe_of(IORING_OP_CLOSE, 4, 1));
    p << "100 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4";
    ASSERT_TRUE(p.complete(cqe_of(1, 0)));
    const FdState* fd = p.state.fd(kPid, 4);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->path, "/etc/hosts");
}

// An SQPOLL ring's submissions are sampled: libuv's CLOSE of the fd an
// OPENAT returned can be seen before the OPENAT's completion is.
TEST(RingState, ACloseSeenBeforeTheOpenItClosesCompletedStillClosesIt) {
    Process p;
    IoUringSqeEvent open = sqe_of(IORING_OP_OPENAT, AT_FDCWD, 1);
    open.path = "/etc/hostname";
    p.submit(open);
    p.submit(sqe_of(IORING_OP_CLOSE, 24, 2));
    ASSERT_TRUE(p.complete(cqe_of(1, 24)));
    ASSERT_NE(p.state.fd(kPid, 24), nullptr);
    ASSERT_TRUE(p.complete(cqe_of(2, 0)));
    EXPECT_EQ(p.state.fd(kPid, 24), nullptr);
    EXPECT_NE(p.state.closed_fd(kPid, 24), nullptr);
}

TEST(RingState, SocketAndConnectThroughTheRingMakeAConnectedSocket) {
    Process p;
    IoUringSqeEvent socket_sqe = sqe_of(IORING_OP_SOCKET, AF_INET, 1);
    socket_sqe.off = SOCK_STREAM | SOCK_NONBLOCK;  // the type
    p.submit(socket_sqe);
    ASSERT_TRUE(p.complete(cqe_of(1, 6)));
    const FdState* fd = p.state.fd(kPid, 6);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->kind, FdKind::Socket);
    EXPECT_EQ(fd->family, Family::Inet);
    EXPECT_TRUE(fd->stream);
    EXPECT_TRUE(fd->nonblocking);

    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(8080);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    unsigned char bytes[sizeof to];
    std::memcpy(bytes, &to, sizeof to);
    IoUringSqeEvent connect_sqe = sqe_of(IORING_OP_CONNECT, 6, 2);
    connect_sqe.off = sizeof to;
    connect_sqe.sockaddr = bytes;
    p.submit(connect_sqe);
    ASSERT_TRUE(p.complete(cqe_of(2, 0)));
    EXPECT_FALSE(p.twin.shown_to_rules)
        << "a ring's connect waits for the handshake: not a nonblocking connect()'s 0";
    fd = p.state.fd(kPid, 6);
    EXPECT_EQ(fd->socket_state, SocketState::Connected);
    EXPECT_EQ(fd->path, "127.0.0.1:8080");
    EXPECT_EQ(fd->remote.port, 8080);
}

TEST(RingState, AnOpenThroughTheRingOpensTheFileItNamed) {
    Process p;
    IoUringSqeEvent sqe = sqe_of(IORING_OP_OPENAT, AT_FDCWD, 3);
    sqe.path = "/etc/hosts";
    sqe.op_flags = O_RDONLY | O_CLOEXEC;
    p.submit(sqe);
    ASSERT_TRUE(p.complete(cqe_of(3, 5)));
    const FdState* fd = p.state.fd(kPid, 5);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->kind, FdKind::File);
    EXPECT_EQ(fd->path, "/etc/hosts");
    EXPECT_TRUE(fd->cloexec);
}

TEST(RingState, ClosingTheRingForgetsWhatWasInFlightOnIt) {
    Process p;
    p << "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0}) = 9"
      << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4";
    p.submit(sqe_of(IORING_OP_CLOSE, 4, 1));
    p << "100 close(9) = 0";
    EXPECT_FALSE(p.complete(cqe_of(1, 0)));
    EXPECT_NE(p.state.fd(kPid, 4), nullptr);
}

// The pack over a history of syscalls (strace lines) and ring events, as
// the engine gets them live.
struct RingPack : RulePack {
    explicit RingPack(const std::vector<std::string>& files = {"macros.yaml", "descriptors.yaml",
                                                               "network.yaml"})
        : RulePack(files) {}
    void submit(const IoUringSqeEvent& sqe) {
        engine->on_event(Event{EventKind::IoUringSubmit, 0, kPid, kPid, sqe});
    }
    void complete(const IoUringCqeEvent& cqe) {
        engine->on_event(Event{EventKind::IoUringComplete, 0, kPid, kPid, cqe});
    }
    static bool names_the_ring(const rules::Finding& f) {
        for (const auto& item : f.evidence) {
            if (item.text.find("through io_uring (ring fd 9, user_data 0x") != std::string::npos) {
                return true;
            }
        }
        return false;
    }
};

TEST(RingRules, ACloseOfAnFdTheRingClosedIsADoubleClose) {
    RingPack pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0";
    pack.submit(sqe_of(IORING_OP_CLOSE, 4, 0x11));
    pack.complete(cqe_of(0x11, 0));
    EXPECT_TRUE(pack.sink.findings.empty());
    pack << "100 close(4) = -1 EBADF (Bad file descriptor)";
    const auto found = pack.of("double-close");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(RingPack::names_the_ring(found[0])) << "the earlier close went through the ring";
}

TEST(RingRules, ARingCloseOfAnFdClosedBeforeIsADoubleCloseToo) {
    RingPack pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "100 close(4) = 0";
    pack.submit(sqe_of(IORING_OP_CLOSE, 4, 0x12));
    pack.complete(cqe_of(0x12, -EBADF));
    const auto found = pack.of("double-close");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(RingPack::names_the_ring(found[0]));
}

TEST(RingRules, ARingReadOfAClosedFdIsAUseAfterClose) {
    RingPack pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "100 close(4) = 0";
    pack.submit(sqe_of(IORING_OP_READ, 4, 0x13));
    pack.complete(cqe_of(0x13, -EBADF));
    const auto found = pack.of("fd-use-after-close");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(RingPack::names_the_ring(found[0]));
}

// A ring's CONNECT completes when the handshake does: its 0 on a nonblocking
// socket is what a blocking connect() returns, not the "returned 0 at once"
// of nonblocking-connect-immediate.
TEST(RingRules, ARingConnectOfANonblockingSocketReturningZeroIsNoFinding) {
    RingPack pack;
    pack << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 4";
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(8080);
    inet_pton(AF_INET, "10.1.2.3", &to.sin_addr);
    unsigned char bytes[sizeof to];
    std::memcpy(bytes, &to, sizeof to);
    IoUringSqeEvent connect = sqe_of(IORING_OP_CONNECT, 4, 0x14);
    connect.off = sizeof to;
    connect.sockaddr = bytes;
    pack.submit(connect);
    pack.complete(cqe_of(0x14, 0));
    EXPECT_TRUE(pack.sink.findings.empty()) << pack.sink.findings[0].message;
    const FdState* fd = pack.engine->state().fd(kPid, 4);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->socket_state, SocketState::Connected);
    EXPECT_EQ(fd->path, "10.1.2.3:8080");
}

// --- a submission as its twin's entry ------------------------------------

// Thread 101 of process 100, as strace -f shows its creation.
const char* const kThread101 =
    "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
    "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f82fefa9990, "
    "parent_tid=0x7f82fefa9990, exit_signal=0, stack=0x7f82fe7a9000, stack_size=0x7fff80, "
    "tls=0x7f82fefa96c0} => {parent_tid=[101]}, 88) = 101";

bool says_submitted(const rules::Finding& f) {
    for (const auto& item : f.evidence) {
        if (item.text.find("submitted to io_uring (ring fd 9, user_data 0x21, IORING_OP_CLOSE)") !=
            std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(RingRules, ARingCloseSubmittedWhileAThreadIsBlockedInReadIsCloseWhileBlocked) {
    RingPack pack;
    pack << kThread101 << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "101 read(4,  <unfinished ...>";
    pack.submit(sqe_of(IORING_OP_CLOSE, 4, 0x21));
    const auto found = pack.of("close-while-blocked");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(says_submitted(found[0])) << "the close is the ring's submission";
    ASSERT_EQ(found[0].others.size(), 1u);
    EXPECT_EQ(found[0].others[0].tid, 101);
    EXPECT_EQ(found[0].others[0].call, "read");
    // Its completion is the close's exit: no second finding of anything.
    pack.complete(cqe_of(0x21, 0));
    EXPECT_EQ(pack.sink.findings.size(), 1u);
}

// An SQPOLL ring's submission is read some time after the kernel thread
// took it: what was in progress when it started is not known.
TEST(RingRules, ASampledSubmissionIsNotJudgedAsAnEntry) {
    RingPack pack;
    pack << kThread101 << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "101 read(4,  <unfinished ...>";
    IoUringSqeEvent close = sqe_of(IORING_OP_CLOSE, 4, 0x21);
    close.seen_at = IoUringSeenAt::Sampled;
    pack.submit(close);
    EXPECT_TRUE(pack.of("close-while-blocked").empty());
}

// The submitting thread's own earlier call is over: only other threads count.
TEST(RingRules, ARingCloseWithNoOtherThreadInACallIsNoFinding) {
    RingPack pack;
    pack << kThread101 << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "101 read(4, \"x\", 64) = 1";
    pack.submit(sqe_of(IORING_OP_CLOSE, 4, 0x21));
    pack.complete(cqe_of(0x21, 0));
    EXPECT_TRUE(pack.sink.findings.empty()) << pack.sink.findings[0].message;
}

// After connect()'s EINPROGRESS, a send submitted to the ring waits for
// the handshake (the kernel retries it once the socket is writable); the
// same write(2) races it.
TEST(RingRules, ARingSendBeforeTheHandshakeIsNotAnUncheckedConnect) {
    RingPack pack;
    pack << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 4"
         << "100 connect(4, {sa_family=AF_INET, sin_port=htons(8080), "
            "sin_addr=inet_addr(\"10.1.2.3\")}, 16) = -1 EINPROGRESS (Operation now in progress)";
    pack.submit(sqe_of(IORING_OP_SEND, 4, 0x22));
    EXPECT_TRUE(pack.of("connect-result-unchecked").empty());
    pack << "100 write(4, \"x\", 1) = -1 EAGAIN (Resource temporarily unavailable)";
    EXPECT_EQ(pack.of("connect-result-unchecked").size(), 1u) << "the write(2) itself still is";
}

// A ring's POLL_ADD that completed is the wait the connect needed; before
// its completion the socket is still not known to be connected.
TEST(RingRules, AWriteAfterARingPollOfTheConnectingSocketCompletedIsChecked) {
    for (const bool completed : {true, false}) {
        SCOPED_TRACE(completed ? "the poll completed" : "the poll still in flight");
        RingPack pack;
        pack << "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 4"
             << "100 connect(4, {sa_family=AF_INET, sin_port=htons(8080), "
                "sin_addr=inet_addr(\"10.1.2.3\")}, 16) = -1 EINPROGRESS (Operation now in "
                "progress)";
        IoUringSqeEvent poll = sqe_of(IORING_OP_POLL_ADD, 4, 0x23);
        poll.op_flags = 4;  // POLLOUT
        pack.submit(poll);
        if (completed) pack.complete(cqe_of(0x23, 4));
        pack << "100 write(4, \"x\", 1) = 1";
        EXPECT_EQ(pack.of("connect-result-unchecked").size(), completed ? 0u : 1u);
    }
}

// --- operations in flight when the process exits -------------------------

TEST(RingOps, AZeroCopySendsResultPostedBeforeItsNotificationIsNoLongerAwaited) {
    RingOps ops;
    const IoUringSqeEvent sqe = sqe_of(IORING_OP_SEND_ZC, 4, 1);
    ops.submit(sqe, *RingOps::followed(sqe), 1, plain(sqe), 101);
    const auto posted = [&ops] {
        bool out = false;
        ops.for_each_in_flight([&](int, std::uint64_t, const RingOp& op) {
            EXPECT_EQ(op.submitted_by, 101);
            out = op.result_posted;
        });
        return out;
    };
    EXPECT_FALSE(posted());
    ops.complete(cqe_of(1, 10, IORING_CQE_F_MORE));
    EXPECT_EQ(ops.in_flight(), 1u) << "the notification is still to come";
    EXPECT_TRUE(posted());
}

// io_uring_enter returns how many of the submissions read at its entry the
// kernel took, from the queue's head; the others were never in flight.
TEST(RingOps, SubmissionsTheKernelDidNotTakeAreWithdrawnAtTheEntersExit) {
    Process p;
    p << "100 pipe2([4, 5], 0) = 0";
    p.submit(sqe_of(IORING_OP_WRITE, 5, 1));
    p.submit(sqe_of(IORING_OP_WRITE, 5, 2));
    p.submit(sqe_of(IORING_OP_WRITE, 5, 3));
    EXPECT_EQ(p.state.process(kPid)->ring_ops.in_flight(), 3u);
    p << "100 io_uring_enter(9, 3, 0, 0, NULL, 8) = 1";
    EXPECT_EQ(p.state.process(kPid)->ring_ops.in_flight(), 1u) << "the kernel took one";
    EXPECT_TRUE(p.complete(cqe_of(1, 1))) << "the one it took is still followed";

    p.submit(sqe_of(IORING_OP_WRITE, 5, 4));
    p << "100 io_uring_enter(9, 1, 0, 0, NULL, 8) = -1 EBADFD (File descriptor in bad state)";
    EXPECT_EQ(p.state.process(kPid)->ring_ops.in_flight(), 0u) << "a failed enter took none";
    EXPECT_EQ(p.state.ring_coverage().unseen, 0u);
}

TEST(RingOps, ASubmissionStaysInFlightWhenItsEnterTookIt) {
    Process p;
    p << "100 pipe2([4, 5], 0) = 0";
    p.submit(sqe_of(IORING_OP_WRITE, 5, 1));
    p << "100 io_uring_enter(9, 1, 0, 0, NULL, 8) = 1";
    p << "100 getpid() = 100";
    p.submit(sqe_of(IORING_OP_WRITE, 5, 2));
    p << "100 io_uring_enter(9, 1, 0, 0, NULL, 8) = 1";
    EXPECT_EQ(p.state.process(kPid)->ring_ops.in_flight(), 2u)
        << "each enter took its own, and a later one withdraws nothing of an earlier one";
}

TEST(RingOps, AZeroCopySendIsOneSendNotASecondOneAtItsNotification) {
    Process p;
    p << "100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4";
    p.submit(sqe_of(IORING_OP_SEND_ZC, 4, 1));
    EXPECT_TRUE(p.complete(cqe_of(1, 10, IORING_CQE_F_MORE))) << "the send's result";
    EXPECT_FALSE(p.complete(cqe_of(1, 0, IORING_CQE_F_NOTIF))) << "the buffer is free: no call";
    EXPECT_EQ(p.state.ring_coverage().unseen, 0u);
}

// The pack's ring rules over a process that owns ring 9 and a pipe (4, 5),
// as the engine gets them; exit() ends the process as a live run's exit
// event does.
struct RingExit : RingPack {
    RingExit() : RingPack({"macros.yaml", "io_uring.yaml"}) {
        *this << "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0}) = 9"
              << "100 pipe2([4, 5], 0) = 0";
    }
    void exit(bool rings_read, bool killed = false) {
        ExitEvent exit;
        exit.whole_process = true;
        exit.signaled = killed;
        exit.signo = killed ? SIGKILL : 0;
        exit.rings_read = rings_read;
        engine->on_event(Event{EventKind::Exit, 0, kPid, kPid, exit});
    }
    std::vector<rules::Finding> found() const { return of("io-uring-write-in-flight-at-exit"); }
};

TEST(RingRules, AWriteInFlightWhenTheProcessExitsIsNamedWithItsRing) {
    RingExit pack;
    IoUringSqeEvent write = sqe_of(IORING_OP_WRITE, 5, 0x31);
    write.len = 14;
    pack.submit(write);
    pack.submit(sqe_of(IORING_OP_READ, 4, 0x32));  // waiting for input: not counted
    pack.exit(/*rings_read=*/true);
    const auto found = pack.found();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].severity, rules::Severity::Warning);
    EXPECT_NE(found[0].message.find("exited with 1 io_uring write(s) submitted and never "
                                    "completed"),
              std::string::npos)
        << found[0].message;
    bool named = false;
    for (const auto& item : found[0].evidence) {
        if (item.kind != rules::EvidenceItem::Kind::RingOp) continue;
        named = true;
        EXPECT_EQ(item.text, "write");
        EXPECT_EQ(item.fd, 5);
        EXPECT_FALSE(item.same_file) << "an exit names no file of its own";
        EXPECT_EQ(item.file, "pipe");
        EXPECT_EQ(item.tid, kPid);
        EXPECT_EQ(item.ring_fd, 9);
        EXPECT_EQ(item.user_data, 0x31u);
        EXPECT_EQ(item.label, "IORING_OP_WRITE");
        EXPECT_TRUE(item.never_completed);
    }
    EXPECT_TRUE(named) << "the evidence names the write, its pipe, ring and user_data";
    EXPECT_TRUE(pack.engine->state().ring_coverage().empty())
        << "what was in flight at an exit whose rings were read never completed: no gap";
}

TEST(RingRules, NothingAwaitedInFlightAtExitIsNoFinding) {
    struct Case {
        const char* what;
        std::uint8_t opcode;
        bool completed;
    };
    for (const Case& c :
         {Case{"a completed write", IORING_OP_WRITE, true},
          Case{"a read waiting for input", IORING_OP_READ, false},
          Case{"a poll", IORING_OP_POLL_ADD, false}, Case{"a connect", IORING_OP_CONNECT, false},
          Case{"a close", IORING_OP_CLOSE, false}}) {
        SCOPED_TRACE(c.what);
        RingExit pack;
        pack.submit(sqe_of(c.opcode, 4, 0x40));
        if (c.completed) pack.complete(cqe_of(0x40, 1));
        pack.exit(/*rings_read=*/true);
        EXPECT_TRUE(pack.found().empty()) << pack.found()[0].message;
    }
}

TEST(RingRules, AWriteInFlightIsNotJudgedWhenTheRingsWereNotReadAtTheEnd) {
    for (const bool killed : {true, false}) {
        SCOPED_TRACE(killed ? "killed by SIGKILL" : "an exit whose rings were not read");
        RingExit pack;
        pack.submit(sqe_of(IORING_OP_WRITE, 5, 0x50));
        pack.exit(/*rings_read=*/false, killed);
        EXPECT_TRUE(pack.found().empty());
        EXPECT_EQ(pack.engine->state().ring_coverage().unseen, 1u)
            << "what the trace did not see the end of is said at the end";
    }
}

TEST(RingRules, AWriteOnARingAForkChildStillHoldsIsNotLost) {
    RingExit pack;
    pack.submit(sqe_of(IORING_OP_WRITEV, 5, 0x60));
    pack << "100 fork() = 101";
    pack.exit(/*rings_read=*/true);
    EXPECT_TRUE(pack.found().empty()) << "the ring lives on in pid 101, and the write with it";
}

TEST(RingRules, ASyncAndASendInFlightAtExitCountToo) {
    RingExit pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [6, 7]) = 0";
    pack.submit(sqe_of(IORING_OP_FSYNC, 5, 0x70));
    pack.submit(sqe_of(IORING_OP_SENDMSG, 6, 0x71));
    pack.exit(/*rings_read=*/true);
    const auto found = pack.found();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0].message.find("exited with 2 io_uring write(s)"), std::string::npos)
        << found[0].message;
}

}  // namespace
}  // namespace sctrace
