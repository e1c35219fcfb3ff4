// An io_uring's own descriptor table in the state (engine/ring_files.h):
// files registered with io_uring_register, read from its decoded arguments
// (here strace's notation, as sctrace's JSONL log and a parsed line give
// them), slots used with IOSQE_FIXED_FILE, and direct descriptors; and what
// the fd rules make of them.
#include "engine/ring_files.h"

#include <gtest/gtest.h>
#include <linux/io_uring.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/arg_query.h"
#include "engine/state.h"
#include "ring_test_util.h"
#include "rule_pack.h"
#include "sources/strace/strace_log.h"

namespace sctrace {
namespace {

using namespace ring_test;

IoUringSqeEvent fixed(IoUringSqeEvent sqe) {
    sqe.flags |= IOSQE_FIXED_FILE;
    return sqe;
}

// `slot`'s direct descriptor: file_index is the slot + 1.
IoUringSqeEvent into_slot(IoUringSqeEvent sqe, std::uint32_t slot) {
    sqe.file_index = slot + 1;
    return sqe;
}

int key(std::uint32_t slot) {
    return *direct_key(kRing, slot);
}

// Ring fd 9 set up, for the tests to register files on.
struct Process final : RingProcess {
    Process() {
        *this << "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0}) = 9";
    }
    bool run(const IoUringSqeEvent& sqe, int res) {
        submit(sqe);
        return complete(cqe_of(sqe.user_data, res));
    }
    RingFiles::SlotKind slot(std::uint32_t at, int ring = kRing) const {
        return state.process(kPid)->ring_files.slot(ring, at).kind;
    }
    // The twin's descriptor argument, as the rules read it.
    std::int64_t twin_fd() const { return arg_int(*twin.event.syscall(), 0).value_or(-1); }
};

using Kind = RingFiles::SlotKind;

TEST(DirectKeys, NoProcessFdOrSpecialValueIsAKey) {
    EXPECT_FALSE(is_direct_key(-1));
    EXPECT_FALSE(is_direct_key(-100)) << "AT_FDCWD";
    EXPECT_FALSE(is_direct_key(0));
    EXPECT_FALSE(is_direct_key(INT_MAX));
    const auto k = direct_key(3, 2);
    ASSERT_TRUE(k);
    EXPECT_TRUE(is_direct_key(*k));
    EXPECT_EQ(direct_ring_fd(*k), 3);
    EXPECT_EQ(direct_slot(*k), 2u);
    EXPECT_NE(direct_key(3, 2), direct_key(2, 3));
    EXPECT_FALSE(direct_key(kMaxDirectRingFd, 0)) << "a ring fd past the bound";
    EXPECT_FALSE(direct_key(3, kMaxRingFiles));
    const auto last = direct_key(kMaxDirectRingFd - 1, kMaxRingFiles - 1);
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, kLastDirectKey);
    EXPECT_EQ(direct_descriptor_name(*k), "direct descriptor 2 of ring fd 3");
}

TEST(RingFilesState, ARegistrationLinksEachSlotToTheFileItsFdNamed) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4, -1, 5], 3) = 0";
    EXPECT_EQ(p.slot(0), Kind::Linked);
    EXPECT_EQ(p.slot(1), Kind::Empty);
    EXPECT_EQ(p.slot(2), Kind::Linked);
    EXPECT_EQ(p.slot(3), Kind::Unknown) << "past the table";
    EXPECT_EQ(p.slot(0, 8), Kind::Unknown) << "another ring's";
    // A read through slot 2 is a read of fd 5, saying which slot.
    ASSERT_TRUE(p.run(fixed(sqe_of(IORING_OP_READ, 2, 0x1)), 3));
    EXPECT_EQ(p.twin.event.syscall()->name, "read");
    EXPECT_EQ(p.twin_fd(), 5);
    EXPECT_EQ(p.twin.origin.fixed_file, 2);
    const FdState* fd = p.state.fd(kPid, 5);
    ASSERT_NE(fd, nullptr);
    EXPECT_EQ(fd->history(fd->history_size() - 1).text(),
              "read = 3 through io_uring (ring fd 9, user_data 0x1, fixed file 2)");
}

TEST(RingFilesState, AFailedRegistrationChangesNothing) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4], 1) = -1 EBUSY (Device or resource "
         "busy)";
    EXPECT_EQ(p.slot(0), Kind::Unknown);
    EXPECT_FALSE(p.run(fixed(sqe_of(IORING_OP_READ, 0, 0x1)), 3))
        << "a slot not known is not followed";
}

TEST(RingFilesState, ASlotOutlivesTheFdItWasRegisteredFrom) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4], 1) = 0"
      << "100 close(4) = 0";
    EXPECT_EQ(p.slot(0), Kind::Direct);
    const FdState* held = p.state.fd(kPid, key(0));
    ASSERT_NE(held, nullptr) << "the slot holds the socket";
    EXPECT_EQ(held->kind, FdKind::Socket);
    // The number is reused: the slot is still the socket, not the new file.
    p << "100 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4";
    ASSERT_TRUE(p.run(fixed(sqe_of(IORING_OP_READ, 0, 0x1)), 3));
    EXPECT_EQ(p.twin_fd(), key(0));
    EXPECT_EQ(p.state.fd(kPid, 4)->path, "/etc/hosts");
    EXPECT_EQ(p.state.fd(kPid, 4)->history_size(), 1u) << "the read was not on fd 4";
}

TEST(RingFilesState, ASparseTableTakesDirectDescriptors) {
    Process p;
    p << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=4, "
         "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    for (std::uint32_t at = 0; at < 4; ++at) EXPECT_EQ(p.slot(at), Kind::Empty);
    EXPECT_EQ(p.slot(4), Kind::Unknown);
    IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x2), 1);
    socket.off = SOCK_STREAM;
    ASSERT_TRUE(p.run(socket, 0));
    EXPECT_EQ(p.twin.origin.direct, 1);
    EXPECT_EQ(p.slot(1), Kind::Direct);
    EXPECT_EQ(p.state.fd(kPid, 0), nullptr) << "res 0 is no fd 0";
    const FdState* s = p.state.fd(kPid, key(1));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->family, Family::Inet);
    // IORING_FILE_INDEX_ALLOC: the slot is the completion's res.
    socket.user_data = 0x3;
    socket.file_index = IORING_FILE_INDEX_ALLOC;
    ASSERT_TRUE(p.run(socket, 3));
    EXPECT_EQ(p.slot(3), Kind::Direct);
    EXPECT_NE(p.state.fd(kPid, key(3)), nullptr);
    EXPECT_EQ(p.state.fd(kPid, 3), nullptr);
    // A direct close closes the slot.
    ASSERT_TRUE(p.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x4), 1), 0));
    EXPECT_EQ(p.slot(1), Kind::Empty);
    EXPECT_EQ(p.state.fd(kPid, key(1)), nullptr);
    EXPECT_NE(p.state.closed_fd(kPid, key(1)), nullptr);
}

// A direct CLOSE with IOSQE_CQE_SKIP_SUCCESS posts nothing when it
// succeeds: the slot is neither open nor closed as far as the state knows,
// and sqe.fd (0 for a direct close) names no process fd to forget.
TEST(RingFilesState, ADirectCloseThatPostsNothingOnSuccessLeavesTheSlotUnknown) {
    Process p;
    p << "100 openat(AT_FDCWD, \"/dev/null\", O_RDONLY) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
         "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    ASSERT_TRUE(p.run(into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x1), 0), 0));
    IoUringSqeEvent close = into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x2), 0);
    close.flags = IOSQE_CQE_SKIP_SUCCESS;
    p.submit(close);
    EXPECT_EQ(p.slot(0), Kind::Unknown);
    EXPECT_EQ(p.state.fd(kPid, key(0)), nullptr);
    EXPECT_EQ(p.state.closed_fd(kPid, key(0)), nullptr);
    EXPECT_NE(p.state.fd(kPid, 0), nullptr) << "fd 0 is not the slot";
}

TEST(RingFilesState, AnArrayCutShortLeavesTheRestUnknown) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4, 5, ...], 40) = 0";
    EXPECT_EQ(p.slot(1), Kind::Linked);
    EXPECT_EQ(p.slot(2), Kind::Unknown);
    EXPECT_EQ(p.slot(39), Kind::Unknown);
}

TEST(RingFilesState, UpdatesReplaceClearOrSkipSlots) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 pipe2([6, 7], 0) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4, 5, -1], 3) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES_UPDATE, {offset=0, fds=[-1, "
         "IORING_REGISTER_FILES_SKIP, 6]}, 3) = 3";
    EXPECT_EQ(p.slot(0), Kind::Empty);
    EXPECT_EQ(p.slot(1), Kind::Linked) << "skipped";
    EXPECT_EQ(p.slot(2), Kind::Linked);
    ASSERT_TRUE(p.run(fixed(sqe_of(IORING_OP_READ, 2, 0x1)), 1));
    EXPECT_EQ(p.twin_fd(), 6);
    // The second form, and a result that says only the first was updated.
    p << "100 io_uring_register(9, IORING_REGISTER_FILES_UPDATE2, {offset=1, data=[7, 4], "
         "tags=[0, 0], nr=2}, 32) = 1";
    ASSERT_TRUE(p.run(fixed(sqe_of(IORING_OP_READ, 1, 0x2)), 1));
    EXPECT_EQ(p.twin_fd(), 7);
    EXPECT_EQ(p.slot(2), Kind::Linked);
    // An update through the ring, whose fds the trace does not read.
    IoUringSqeEvent update = sqe_of(IORING_OP_FILES_UPDATE, -1, 0x3);
    update.off = 1;
    update.len = 1;
    p.submit(update);
    EXPECT_EQ(p.slot(1), Kind::Unknown);
    EXPECT_EQ(p.slot(2), Kind::Linked);
}

TEST(RingFilesState, UnregisteringDropsTheTableAndItsDirectDescriptors) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4], 1) = 0"
      << "100 close(4) = 0";
    ASSERT_NE(p.state.fd(kPid, key(0)), nullptr);
    p << "100 io_uring_register(9, IORING_UNREGISTER_FILES, NULL, 0) = 0";
    EXPECT_EQ(p.slot(0), Kind::Unknown);
    EXPECT_EQ(p.state.fd(kPid, key(0)), nullptr);
    EXPECT_EQ(p.state.closed_fd(kPid, key(0)), nullptr) << "dropped, not closed twice later";
}

TEST(RingFilesState, ClosingTheRingClosesItsTable) {
    Process p;
    p << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
         "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x2), 0);
    socket.off = SOCK_STREAM;
    ASSERT_TRUE(p.run(socket, 0));
    ASSERT_TRUE(p.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x4), 0), 0));
    ASSERT_TRUE(p.run(socket, 0));
    p << "100 close(9) = 0";
    EXPECT_EQ(p.slot(0), Kind::Unknown);
    EXPECT_EQ(p.state.fd(kPid, key(0)), nullptr);
    EXPECT_EQ(p.state.closed_fd(kPid, key(0)), nullptr);
    // A new ring on the number starts with nothing of the old one's.
    p << "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0}) = 9";
    EXPECT_EQ(p.slot(0), Kind::Unknown);
}

TEST(RingFilesState, AForkedChildHasACopyAndAnExecHasNone) {
    Process p;
    p << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
      << "100 io_uring_register(9, IORING_REGISTER_FILES, [4, 5], 2) = 0"
      << "100 close(5) = 0"
      << "100 fork() = 200";
    const ProcessState* child = p.state.process(200);
    ASSERT_NE(child, nullptr);
    EXPECT_EQ(child->ring_files.slot(kRing, 0).kind, Kind::Linked);
    EXPECT_EQ(child->ring_files.slot(kRing, 1).kind, Kind::Direct);
    EXPECT_NE(child->fds.find(key(1)), nullptr);
    p << "200 execve(\"/bin/true\", [\"true\"], 0x7ffc /* 0 vars */) = 0";
    child = p.state.process(200);
    EXPECT_EQ(child->ring_files.slot(kRing, 0).kind, Kind::Unknown);
    EXPECT_EQ(child->fds.find(key(1)), nullptr);
    EXPECT_EQ(p.slot(1), Kind::Direct) << "the parent's stays";
}

TEST(RingFilesState, ASyscallsOwnFdArgumentIsNeverADirectDescriptor) {
    Process p;
    p << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
         "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x2), 0);
    ASSERT_TRUE(p.run(socket, 0));
    p << "100 close(" + std::to_string(key(0)) + ") = -1 EBADF (Bad file descriptor)";
    EXPECT_NE(p.state.fd(kPid, key(0)), nullptr);
}

// --- what the fd rules make of them --------------------------------------

struct RingPack : RulePack {
    RingPack() : RulePack({"macros.yaml", "descriptors.yaml", "network.yaml"}) {
        *this << "100 io_uring_setup(8, {flags=0, sq_thread_cpu=0, sq_thread_idle=0}) = 9";
    }
    void run(const IoUringSqeEvent& sqe, int res) {
        engine->on_event(Event{EventKind::IoUringSubmit, 0, kPid, kPid, sqe});
        engine->on_event(
            Event{EventKind::IoUringComplete, 0, kPid, kPid, cqe_of(sqe.user_data, res)});
    }
    void exit() {
        ExitEvent e;
        e.whole_process = true;
        engine->on_event(Event{EventKind::Exit, 0, kPid, kPid, e});
    }
    static bool says(const rules::Finding& f, const std::string& text) {
        if (f.message.find(text) != std::string::npos) return true;
        for (const auto& item : f.evidence) {
            if (item.text.find(text) != std::string::npos) return true;
            if (item.label.find(text) != std::string::npos) return true;
        }
        return false;
    }
};

TEST(RingFilesRules, ADirectSlotClosedTwiceIsADoubleClose) {
    RingPack pack;
    pack << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
            "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x1), 1);
    socket.off = SOCK_STREAM;
    pack.run(socket, 0);
    pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x2), 1), 0);
    EXPECT_TRUE(pack.sink.findings.empty());
    pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x3), 1), -EBADF);
    const auto found = pack.of("double-close");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(RingPack::says(found[0], "direct descriptor 1 of ring fd 9")) << found[0].message;
    EXPECT_EQ(found[0].message.find("fd 1 "), std::string::npos)
        << "no process fd is named: " << found[0].message;
    EXPECT_TRUE(RingPack::says(found[0], "IORING_OP_CLOSE, direct descriptor 1)"));
}

TEST(RingFilesRules, AnEmptySlotClosedIsNoDoubleClose) {
    RingPack pack;
    pack << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
            "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x2), 1), -EBADF);
    EXPECT_TRUE(pack.sink.findings.empty()) << pack.sink.findings[0].message;
}

// IORING_OP_CLOSE refuses IOSQE_FIXED_FILE (-EBADF) whatever its slot holds.
TEST(RingFilesRules, AFixedFileCloseIsNotJudgedOnItsSlot) {
    RingPack pack;
    pack << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
            "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
    IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x1), 0);
    pack.run(socket, 0);
    pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x2), 0), 0);
    pack.run(fixed(sqe_of(IORING_OP_CLOSE, 0, 0x3)), -EBADF);
    EXPECT_TRUE(pack.sink.findings.empty()) << pack.sink.findings[0].message;
}

TEST(RingFilesRules, AFixedFileUseAfterTheProcessClosedItsFdIsNoUseAfterClose) {
    RingPack pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "100 io_uring_register(9, IORING_REGISTER_FILES, [4], 1) = 0"
         << "100 close(4) = 0";
    pack.run(fixed(sqe_of(IORING_OP_READ, 0, 0x1)), 5);
    pack.run(fixed(sqe_of(IORING_OP_WRITE, 0, 0x2)), 5);
    EXPECT_TRUE(pack.sink.findings.empty()) << pack.sink.findings[0].message;
}

TEST(RingFilesRules, AClosedSlotUsedAgainIsAUseAfterClose) {
    RingPack pack;
    pack << "100 socketpair(AF_UNIX, SOCK_STREAM, 0, [4, 5]) = 0"
         << "100 io_uring_register(9, IORING_REGISTER_FILES, [4], 1) = 0";
    pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x1), 0), 0);
    EXPECT_NE(pack.engine->state().fd(kPid, 4), nullptr) << "the process's fd is still open";
    pack.run(fixed(sqe_of(IORING_OP_READ, 0, 0x2)), -EBADF);
    const auto found = pack.of("fd-use-after-close");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_TRUE(RingPack::says(found[0], "direct descriptor 0 of ring fd 9"));
    EXPECT_TRUE(RingPack::says(found[0], "fixed file 0)"));
    // The process fd, read after that, is fine.
    pack << "100 read(4, \"x\", 1) = 1";
    EXPECT_EQ(pack.sink.findings.size(), 1u);
}

TEST(RingFilesRules, ARefusedConnectOnADirectSocketNeverClosedIsALeak) {
    for (const bool closed : {false, true}) {
        SCOPED_TRACE(closed ? "slot closed" : "slot left");
        RingPack pack;
        pack << "100 io_uring_register(9, IORING_REGISTER_FILES2, {nr=2, "
                "flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}, 32) = 0";
        IoUringSqeEvent socket = into_slot(sqe_of(IORING_OP_SOCKET, AF_INET, 0x1), 1);
        socket.off = SOCK_STREAM;
        pack.run(socket, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(1);
        inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
        unsigned char bytes[sizeof to];
        std::memcpy(bytes, &to, sizeof to);
        IoUringSqeEvent connect = fixed(sqe_of(IORING_OP_CONNECT, 1, 0x2));
        connect.off = sizeof to;
        connect.sockaddr = bytes;
        pack.run(connect, -ECONNREFUSED);
        if (closed) pack.run(into_slot(sqe_of(IORING_OP_CLOSE, 0, 0x3), 1), 0);
        pack.exit();
        EXPECT_EQ(pack.of("socket-leak-after-failed-connect").size(), closed ? 0u : 1u);
    }
}

}  // namespace
}  // namespace sctrace
