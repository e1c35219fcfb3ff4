// io_uring: the three syscalls in strace's notation, and the submissions and
// completions read from a ring built in fake memory.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>

#include <cstring>
#include <vector>

#include "decode_test_util.h"
#include "model/io_uring_sqe.h"
#include "sources/live/io_uring_tracker.h"

namespace sctrace {
namespace {

using testing::decode_entry_to_strace;
using testing::decode_to_strace;
using testing::FakeMemory;
using testing::make_call;

// The offsets kernel 6.18 gives an 8-entry ring (16 CQEs).
io_uring_params filled_params(std::uint32_t flags = 0) {
    io_uring_params p{};
    p.flags = flags;
    p.sq_entries = 8;
    p.cq_entries = 16;
    p.features = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | 0x3e000;
    p.sq_off = {0, 4, 16, 24, 36, 32, 320, 0, 0};
    p.cq_off = {8, 12, 20, 28, 44, 64, 40, 0, 0};
    return p;
}

// --- io_uring_setup -------------------------------------------------------

TEST(IoUringSetup, EntryParamsThenWhatTheKernelFilledIn) {
    FakeMemory memory;
    io_uring_params p = filled_params(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF);
    p.sq_thread_cpu = 1;
    p.sq_thread_idle = 2000;
    memory.put(0x1000, p);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_setup", {8, 0x1000}, 3), memory),
              "io_uring_setup(8, {flags=IORING_SETUP_SQPOLL|IORING_SETUP_SQ_AFF, "
              "sq_thread_cpu=0x1, sq_thread_idle=2000, sq_entries=8, cq_entries=16, "
              "features=IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP|0x3e000, "
              "sq_off={head=0, tail=4, ring_mask=16, ring_entries=24, flags=36, dropped=32, "
              "array=320}, cq_off={head=8, tail=12, ring_mask=20, ring_entries=28, "
              "overflow=44, cqes=64, flags=40}}) = 3");
    // The unfinished line has only what was known at entry.
    EXPECT_EQ(decode_entry_to_strace(make_call("io_uring_setup", {8, 0x1000}), memory),
              "8, {flags=IORING_SETUP_SQPOLL|IORING_SETUP_SQ_AFF, sq_thread_cpu=0x1, "
              "sq_thread_idle=2000}");
}

TEST(IoUringSetup, FailuresShowTheInputOnlyAndOddFieldsWhenSet) {
    FakeMemory memory;
    io_uring_params p{};
    p.flags = IORING_SETUP_ATTACH_WQ | 0x80000000u;
    p.wq_fd = 7;
    p.resv[1] = 0xabc;
    memory.put(0x1000, p);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_setup", {4, 0x1000}, 0, EINVAL), memory),
              "io_uring_setup(4, {flags=IORING_SETUP_ATTACH_WQ|0x80000000, sq_thread_cpu=0, "
              "sq_thread_idle=0, wq_fd=7, resv=[0, 0xabc, 0]})");
    p = io_uring_params{};
    p.flags = 0xffffc000u;  // nothing strace 6.1 can name
    memory.put(0x2000, p);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_setup", {4, 0x2000}, 0, EINVAL), memory),
              "io_uring_setup(4, {flags=0xffffc000 /* IORING_SETUP_??? */, sq_thread_cpu=0, "
              "sq_thread_idle=0})");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_setup", {4, 0}, 0, EFAULT), memory),
              "io_uring_setup(4, NULL)");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_setup", {4, 0x8}, 0, EFAULT), memory),
              "io_uring_setup(4, 0x8)");
}

// --- io_uring_enter -------------------------------------------------------

TEST(IoUringEnter, FlagsAndTheSignalMask) {
    FakeMemory memory;
    std::uint64_t set = 1ull << (SIGUSR1 - 1);
    memory.put(0x3000, set);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 3, 3, 1, 0, 8}, 3), memory),
              "io_uring_enter(3, 3, 3, IORING_ENTER_GETEVENTS, NULL, 8) = 3");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 0, 0, 1, 0x3000, 8}), memory),
              "io_uring_enter(3, 0, 0, IORING_ENTER_GETEVENTS, [USR1], 8) = 0");
    // A size strace does not take for a sigset, and the extended argument
    // (strace 6.1 does not decode it): the address.
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 0, 0, 0, 0x3000, 4}), memory),
              "io_uring_enter(3, 0, 0, 0, 0x3000, 4) = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 0, 0, 9, 0x3000, 24}), memory),
              "io_uring_enter(3, 0, 0, IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG, 0x3000, 24)"
              " = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 0, 0, 0x7f, 0, 8}), memory),
              "io_uring_enter(3, 0, 0, IORING_ENTER_GETEVENTS|IORING_ENTER_SQ_WAKEUP|"
              "IORING_ENTER_SQ_WAIT|IORING_ENTER_EXT_ARG|IORING_ENTER_REGISTERED_RING|0x60, "
              "NULL, 8) = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_enter", {3, 0, 0, 0x100, 0, 8}), memory),
              "io_uring_enter(3, 0, 0, 0x100 /* IORING_ENTER_??? */, NULL, 8) = 0");
}

// --- io_uring_register ----------------------------------------------------

TEST(IoUringRegister, FilesBuffersAndUpdates) {
    FakeMemory memory;
    const std::int32_t fds[3] = {4, -1, -2};
    memory.put(0x1000, fds);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0x1000, 2}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES, [4, -1], 2) = 0");
    io_uring_files_update update{1, 0, 0x1000};
    memory.put(0x2000, update);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 6, 0x2000, 3}, 3), memory),
              "io_uring_register(3, IORING_REGISTER_FILES_UPDATE, {offset=1, "
              "fds=[4, -1, IORING_REGISTER_FILES_SKIP]}, 3) = 3");
    struct iovec iov = {reinterpret_cast<void*>(0x5000), 4096};
    memory.put(0x3000, iov);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 0, 0x3000, 1}), memory),
              "io_uring_register(3, IORING_REGISTER_BUFFERS, [{iov_base=0x5000, iov_len=4096}], "
              "1) = 0");
    const std::uint64_t tags[2] = {0x11, 0};
    memory.put(0x4000, tags);
    io_uring_rsrc_register rsrc{2, IORING_RSRC_REGISTER_SPARSE, 0, 0x1000, 0x4000};
    memory.put(0x6000, rsrc);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 13, 0x6000, 32}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES2, {nr=2, "
              "flags=IORING_RSRC_REGISTER_SPARSE, data=[4, -1], tags=[0x11, 0]}, 32) = 0");
    // Smaller than the struct: only the address.
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 13, 0x6000, 16}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES2, 0x6000, 16) = 0");
    // Arrays: empty, NULL, unreadable.
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0x1000, 0}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES, [], 0) = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0, 2}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES, NULL, 2) = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0x9000, 2}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES, 0x9000, 2) = 0");
    // Running off the readable memory after a member.
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0x1000, 5}), memory),
              "io_uring_register(3, IORING_REGISTER_FILES, [4, -1, -2, ... /* 0x100c */], 5) = 0");
}

TEST(IoUringRegister, LongArraysStopAtTheStringLimit) {
    FakeMemory memory;
    std::int32_t fds[40];
    for (int i = 0; i < 40; ++i) fds[i] = i;
    memory.put(0x1000, fds);
    const std::string line =
        decode_to_strace(make_call("io_uring_register", {3, 2, 0x1000, 40}), memory);
    EXPECT_NE(line.find(", 31, ...], 40)"), std::string::npos) << line;
    EXPECT_EQ(line.find(", 32"), std::string::npos) << line;
}

TEST(IoUringRegister, ProbeIsShownWhenTheKernelFilledIt) {
    FakeMemory memory;
    struct {
        std::uint8_t last_op, ops_len;
        std::uint16_t resv;
        std::uint32_t resv2[3];
        io_uring_probe_op ops[3];
    } probe{};
    memory.put(0x1000, probe);
    // At entry the buffer is zero: nothing of it on the unfinished line.
    auto call = make_call("io_uring_register", {3, 8, 0x1000, 3});
    EXPECT_EQ(decode_entry_to_strace(call, memory), "3, IORING_REGISTER_PROBE");
    probe.last_op = 62;  // newer than strace 6.1: a number and a comment
    probe.ops_len = 2;
    probe.ops[0] = {IORING_OP_NOP, 0, IO_URING_OP_SUPPORTED, 0};
    probe.ops[1] = {IORING_OP_READV, 0, 0, 0};
    // The entry half ran on the zeroed buffer; the kernel fills it in
    // before the exit half runs.
    ArgTree tree;
    decode_entry(call, tree, memory, DecodeOptions{});
    memory.put(0x1000, probe);
    decode_exit(call, tree, memory, DecodeOptions{});
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    EXPECT_EQ(fmt::to_string(out),
              "3, IORING_REGISTER_PROBE, {last_op=62 /* IORING_OP_??? */, ops_len=2, "
              "ops=[{op=IORING_OP_NOP, flags=IO_URING_OP_SUPPORTED}, {op=IORING_OP_READV, "
              "flags=0}]}, 3");
    EXPECT_FALSE(tree.entry_complete);
    // Failing with the buffer untouched: the address.
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 8, 0x8, 3}, 0, EFAULT), memory),
              "io_uring_register(3, IORING_REGISTER_PROBE, 0x8, 3)");
}

TEST(IoUringRegister, AFilledProbeThatSucceedsShowsBothForms) {
    // Only an injected success gets here (the kernel refuses a probe that
    // is not zero): the caller's probe, then " => " what the call left,
    // with the kernel's ops_len ops of the nargs there was room for.
    FakeMemory memory;
    struct {
        std::uint8_t last_op, ops_len;
        std::uint16_t resv;
        std::uint32_t resv2[3];
        io_uring_probe_op ops[2];
    } probe{};
    probe.last_op = IORING_OP_READV;
    probe.ops_len = 255;
    probe.ops[0] = {IORING_OP_NOP, 0, 0, 0};
    memory.put(0x1000, probe);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 8, 0x1000, 1}, 42), memory),
              "io_uring_register(3, IORING_REGISTER_PROBE, {last_op=IORING_OP_READV, "
              "ops_len=255, ops=[{op=IORING_OP_NOP, flags=0}]} => {last_op=IORING_OP_READV, "
              "ops_len=255, ops=[{op=IORING_OP_NOP, flags=0}, ...]}, 1) = 42");
    // Failing, it stays as the caller filled it.
    EXPECT_EQ(
        decode_to_strace(make_call("io_uring_register", {3, 8, 0x1000, 0}, 0, EINVAL), memory),
        "io_uring_register(3, IORING_REGISTER_PROBE, {last_op=IORING_OP_READV, ops_len=255, "
        "ops=[]}, 0)");
}

TEST(IoUringRegister, UnknownOpcodesRestrictionsAndWorkerLimits) {
    FakeMemory memory;
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 99, 0, 0}, 0, EINVAL), memory),
              "io_uring_register(3, 0x63 /* IORING_REGISTER_??? */, NULL, 0)");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 24, 0x10, 1}, 0, EINVAL), memory),
              "io_uring_register(3, 0x18 /* IORING_REGISTER_??? */, 0x10, 1)");
    io_uring_restriction r[3]{};
    r[0].opcode = IORING_RESTRICTION_SQE_OP;
    r[0].sqe_op = 47;  // IORING_OP_SEND_ZC: hex and a comment, as strace 6.1
    r[1].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
    r[1].sqe_flags = IOSQE_ASYNC | 0x80;
    r[2].opcode = 7;
    r[2].register_op = 5;
    memory.put(0x1000, r);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 11, 0x1000, 3}), memory),
              "io_uring_register(3, IORING_REGISTER_RESTRICTIONS, [{opcode="
              "IORING_RESTRICTION_SQE_OP, sqe_op=0x2f /* IORING_OP_??? */}, {opcode="
              "IORING_RESTRICTION_SQE_FLAGS_REQUIRED, sqe_flags=IOSQE_ASYNC|0x80}, "
              "{opcode=0x7 /* IORING_RESTRICTION_??? */ /* op: 0x5 */}], 3) = 0");
    // In and out: the new limits at entry, the old ones at exit.
    std::uint32_t counts[2] = {4, 0};
    memory.put(0x2000, counts);
    auto call = make_call("io_uring_register", {3, 19, 0x2000, 2});
    ArgTree tree;
    decode_entry(call, tree, memory, DecodeOptions{});
    counts[0] = 8;
    counts[1] = 100;
    memory.put(0x2000, counts);
    decode_exit(call, tree, memory, DecodeOptions{});
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes);
    EXPECT_EQ(fmt::to_string(out),
              "3, IORING_REGISTER_IOWQ_MAX_WORKERS, [[IO_WQ_BOUND]=4, [IO_WQ_UNBOUND]=0] => "
              "[[IO_WQ_BOUND]=8, [IO_WQ_UNBOUND]=100], 2");
}

TEST(IoUringRegister, RingFdsAndBufferRings) {
    FakeMemory memory;
    io_uring_rsrc_update u[2] = {{~0u, 0, 3}, {1, 2, 5}};
    memory.put(0x1000, u);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 20, 0x1000, 2}, 2), memory),
              "io_uring_register(3, IORING_REGISTER_RING_FDS, [{offset=-1, data=3}, {offset=1, "
              "resv=0x2, data=5}], 2) = 2");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 21, 0x1000, 1}, 1), memory),
              "io_uring_register(3, IORING_UNREGISTER_RING_FDS, [{offset=4294967295, "
              "data=0x3}], 1) = 1");
    io_uring_buf_reg reg{};
    reg.ring_addr = 0x5000;
    reg.ring_entries = 8;
    reg.bgid = 3;
    memory.put(0x2000, reg);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 22, 0x2000, 1}), memory),
              "io_uring_register(3, IORING_REGISTER_PBUF_RING, {ring_addr=0x5000, "
              "ring_entries=8, bgid=3}, 1) = 0");
    const unsigned char cpus[2] = {0x05, 0x80};
    memory.put(0x3000, cpus);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 17, 0x3000, 2}), memory),
              "io_uring_register(3, IORING_REGISTER_IOWQ_AFF, [0 2 15], 2) = 0");
}

TEST(IoUringRegister, FdArraysAreDecoratedWithMinusY) {
    FakeMemory memory;
    memory.name_fd(4, "/dev/full");
    const std::int32_t fds[3] = {4, -1, -2};
    memory.put(0x1000, fds);
    const StraceStyle y{.fd_paths = true};
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 2, 0x1000, 3}), memory, 32, y),
              "io_uring_register(3, IORING_REGISTER_FILES, [4</dev/full>, -1, -2], 3) = 0");
    io_uring_files_update update{1, 0, 0x1000};
    memory.put(0x2000, update);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 6, 0x2000, 3}), memory, 32,
                               StraceStyle{.fd_paths = true, .xlat = XlatStyle::Verbose}),
              "io_uring_register(3, 0x6 /* IORING_REGISTER_FILES_UPDATE */, {offset=1, "
              "fds=[4</dev/full>, -1, -2 /* IORING_REGISTER_FILES_SKIP */]}, 3) = 0");
    io_uring_rsrc_update ring[1] = {{0, 0, 4}};
    memory.put(0x3000, ring);
    EXPECT_EQ(
        decode_to_strace(make_call("io_uring_register", {3, 20, 0x3000, 1}, 1), memory, 32, y),
        "io_uring_register(3, IORING_REGISTER_RING_FDS, [{offset=0, data=4</dev/full>}], 1) "
        "= 1");
}

TEST(IoUringRegister, BytesPastTheStructAreShownWhenNotZero) {
    FakeMemory memory;
    unsigned char arg[40] = {};
    arg[0] = 1;  // offset
    arg[33] = 0xab;
    memory.put(0x1000, arg);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 16, 0x1000, 40}), memory),
              "io_uring_register(3, IORING_REGISTER_BUFFERS_UPDATE, {offset=1, data=NULL, "
              "tags=NULL, nr=0, /* bytes 32..39 */ \"\\x00\\xab\\x00\\x00\\x00\\x00\\x00\\x00\"}, "
              "40) = 0");
    // All zero: nothing; beyond the readable memory: "???".
    arg[0] = 0;
    arg[33] = 0;
    memory.put(0x1000, arg);
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 15, 0x1000, 40}), memory),
              "io_uring_register(3, IORING_REGISTER_BUFFERS2, {nr=0, flags=0, data=NULL, "
              "tags=NULL}, 40) = 0");
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 15, 0x1000, 48}), memory),
              "io_uring_register(3, IORING_REGISTER_BUFFERS2, {nr=0, flags=0, data=NULL, "
              "tags=NULL, ???}, 48) = 0");
}

TEST(IoUringRegister, WorkerLimitsUnderXlatStylesAndWhenNotShownWhole) {
    FakeMemory memory;
    const std::uint32_t counts[3] = {4, 0, 7};
    memory.put(0x2000, counts);
    const auto call = make_call("io_uring_register", {3, 19, 0x2000, 3}, 0, EINVAL);
    EXPECT_EQ(decode_to_strace(call, memory, 32, StraceStyle{.xlat = XlatStyle::Raw}),
              "io_uring_register(3, 0x13, [[0]=4, [1]=0, [2]=7] => 0x2000, 3)");
    EXPECT_EQ(decode_to_strace(call, memory, 32, StraceStyle{.xlat = XlatStyle::Verbose}),
              "io_uring_register(3, 0x13 /* IORING_REGISTER_IOWQ_MAX_WORKERS */, "
              "[[0 /* IO_WQ_BOUND */]=4, [1 /* IO_WQ_UNBOUND */]=0, [2 /* IO_WQ_??? */]=7] => "
              "0x2000, 3)");
    // NULL, empty, or cut short by unreadable memory: no " => ".
    EXPECT_EQ(decode_to_strace(make_call("io_uring_register", {3, 19, 0, 2}, 0, EINVAL), memory),
              "io_uring_register(3, IORING_REGISTER_IOWQ_MAX_WORKERS, NULL, 2)");
    EXPECT_EQ(
        decode_to_strace(make_call("io_uring_register", {3, 19, 0x2000, 0}, 0, EINVAL), memory),
        "io_uring_register(3, IORING_REGISTER_IOWQ_MAX_WORKERS, [], 0)");
    EXPECT_EQ(
        decode_to_strace(make_call("io_uring_register", {3, 19, 0x2000, 4}, 0, EINVAL), memory),
        "io_uring_register(3, IORING_REGISTER_IOWQ_MAX_WORKERS, [[IO_WQ_BOUND]=4, "
        "[IO_WQ_UNBOUND]=0, [2 /* IO_WQ_??? */]=7, ... /* 0x200c */], 4)");
    // An empty CPU set.
    EXPECT_EQ(
        decode_to_strace(make_call("io_uring_register", {3, 17, 0x2000, 0}, 0, EINVAL), memory),
        "io_uring_register(3, IORING_REGISTER_IOWQ_AFF, [], 0)");
}

// --- the ring tracker -----------------------------------------------------

// A ring in fake memory: one SQ/CQ mapping (IORING_FEAT_SINGLE_MMAP) and
// the SQE array, laid out as the kernel lays them out.
class FakeRing {
public:
    static constexpr std::uint64_t kRing = 0x7000'0000;
    static constexpr std::uint64_t kSqes = 0x7100'0000;

    explicit FakeRing(FakeMemory& memory, std::uint32_t flags = 0)
        : memory_(memory), params_(filled_params(flags)), ring_(4096), sqes_(8 * 64) {
        sync();
    }
    const io_uring_params& params() const { return params_; }

    // The application's side: write SQE `slot` and publish it at the tail.
    void submit(const io_uring_sqe& sqe) {
        const std::uint32_t tail = u32(params_.sq_off.tail);
        const std::uint32_t slot = tail & 7;
        std::memcpy(&sqes_[slot * 64], &sqe, 64);
        set_u32(params_.sq_off.array + 4 * slot, slot);
        set_u32(params_.sq_off.tail, tail + 1);
        sync();
    }
    // The kernel's side: consume SQEs, post CQEs.
    void consume(std::uint32_t n) {
        set_u32(params_.sq_off.head, u32(params_.sq_off.head) + n);
        sync();
    }
    void consume_all() {
        set_u32(params_.sq_off.head, u32(params_.sq_off.tail));
        sync();
    }
    void complete(std::uint64_t user_data, std::int32_t res) {
        const std::uint32_t tail = u32(params_.cq_off.tail);
        io_uring_cqe cqe{user_data, res, 0};
        std::memcpy(&ring_[params_.cq_off.cqes + (tail & 15) * 16], &cqe, 16);
        set_u32(params_.cq_off.tail, tail + 1);
        sync();
    }
    // The kernel's CQ ring was full: completions wait in its overflow list.
    void overflow() {
        set_u32(params_.sq_off.flags, IORING_SQ_CQ_OVERFLOW);
        sync();
    }
    // The application reaps every completion.
    void reap_all() {
        set_u32(params_.cq_off.head, u32(params_.cq_off.tail));
        sync();
    }

private:
    std::uint32_t u32(std::uint32_t off) const {
        std::uint32_t v;
        std::memcpy(&v, &ring_[off], 4);
        return v;
    }
    void set_u32(std::uint32_t off, std::uint32_t v) { std::memcpy(&ring_[off], &v, 4); }
    void sync() {
        memory_.put(kRing, ring_.data(), ring_.size());
        memory_.put(kSqes, sqes_.data(), sqes_.size());
    }

    FakeMemory& memory_;
    io_uring_params params_;
    std::vector<char> ring_;
    std::vector<char> sqes_;
};

struct Recorder final : IoUringEventSink {
    struct Sqe {
        IoUringSqeEvent e;
        std::string path, path2;
        std::vector<unsigned char> sockaddr;
    };
    std::vector<Sqe> sqes;
    std::vector<IoUringCqeEvent> cqes;
    std::vector<std::string> order;  // "submit 7", "complete 7", as reported
    void on_submit(const IoUringSqeEvent& e) override {
        sqes.push_back({e, std::string(e.path), std::string(e.path2),
                        std::vector<unsigned char>(e.sockaddr.begin(), e.sockaddr.end())});
        order.push_back("submit " + std::to_string(e.user_data));
    }
    void on_complete(const IoUringCqeEvent& e) override {
        cqes.push_back(e);
        order.push_back("complete " + std::to_string(e.user_data));
    }
};

io_uring_sqe make_sqe(std::uint8_t op, std::int32_t fd, std::uint64_t user_data) {
    io_uring_sqe sqe{};
    sqe.opcode = op;
    sqe.fd = fd;
    sqe.user_data = user_data;
    return sqe;
}

// setup, then the single-mmap layout liburing maps: SQ ring (= CQ ring), SQEs.
void map(IoUringTracker& tracker, const FakeRing& ring, int fd = 3) {
    tracker.on_setup(100, fd, ring.params());
    tracker.on_mmap(FakeRing::kRing, 4096, fd, IORING_OFF_SQ_RING);
    tracker.on_mmap(FakeRing::kSqes, 512, fd, IORING_OFF_SQES);
}

TEST(IoUringTracker, EachEnterReportsTheSubmissionsItConsumes) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    map(tracker, ring);
    ASSERT_TRUE(tracker.find(3) && tracker.find(3)->mapped());

    memory.put_string(0x8000, "/etc/hostname");
    io_uring_sqe statx = make_sqe(IORING_OP_STATX, AT_FDCWD, 2);
    statx.addr = 0x8000;
    ring.submit(make_sqe(IORING_OP_NOP, -1, 1));
    ring.submit(statx);
    io_uring_sqe read = make_sqe(IORING_OP_READ, 5, 3);
    read.addr = 0x9000;
    read.len = 15;
    read.off = 0;
    ring.submit(read);

    Recorder rec;
    // to_submit=2: the third stays in the ring for a later call.
    EXPECT_EQ(tracker.on_enter(100, 3, 2, IORING_ENTER_GETEVENTS, memory, rec), 2u);
    ASSERT_EQ(rec.sqes.size(), 2u);
    EXPECT_EQ(rec.sqes[0].e.opcode, IORING_OP_NOP);
    EXPECT_EQ(rec.sqes[0].e.user_data, 1u);
    EXPECT_EQ(rec.sqes[1].e.opcode, IORING_OP_STATX);
    EXPECT_EQ(rec.sqes[1].e.fd, AT_FDCWD);
    EXPECT_EQ(rec.sqes[1].path, "/etc/hostname");
    EXPECT_EQ(rec.sqes[1].e.seen_at, IoUringSeenAt::Enter);
    EXPECT_EQ(io_uring_op_name(rec.sqes[1].e.opcode), "IORING_OP_STATX");

    // The kernel took two; the next enter submits the third.
    ring.consume(2);
    rec.sqes.clear();
    EXPECT_EQ(tracker.on_enter(100, 3, 1, 0, memory, rec), 1u);
    ASSERT_EQ(rec.sqes.size(), 1u);
    EXPECT_EQ(rec.sqes[0].e.opcode, IORING_OP_READ);
    EXPECT_EQ(rec.sqes[0].e.fd, 5);
    EXPECT_EQ(rec.sqes[0].e.len, 15u);
    EXPECT_EQ(rec.sqes[0].e.position, 2u);
}

TEST(IoUringTracker, SocketAndConnectCarryTheirArguments) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    map(tracker, ring);
    io_uring_sqe sock = make_sqe(IORING_OP_SOCKET, AF_INET, 10);
    sock.off = SOCK_STREAM | SOCK_NONBLOCK;
    sock.len = 0;
    ring.submit(sock);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(8080);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memory.put(0x8000, sin);
    io_uring_sqe conn = make_sqe(IORING_OP_CONNECT, 7, 11);
    conn.addr = 0x8000;
    conn.off = sizeof sin;  // addr2: the address length
    ring.submit(conn);

    Recorder rec;
    tracker.on_enter(100, 3, 2, 0, memory, rec);
    ASSERT_EQ(rec.sqes.size(), 2u);
    EXPECT_EQ(rec.sqes[0].e.socket_domain(), AF_INET);
    EXPECT_EQ(rec.sqes[0].e.socket_type(), SOCK_STREAM | SOCK_NONBLOCK);
    EXPECT_EQ(rec.sqes[1].e.opcode, IORING_OP_CONNECT);
    EXPECT_EQ(rec.sqes[1].e.fd, 7);
    ASSERT_EQ(rec.sqes[1].sockaddr.size(), sizeof sin);

    // And as the writers print them.
    ArgTree tree;
    io_uring_sqe_to_tree(rec.sqes[0].e, tree, 32);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, 10);
    EXPECT_EQ(fmt::to_string(out),
              "{opcode=IORING_OP_SOCKET, flags=0, domain=AF_INET, type=0x801, protocol=0, "
              "user_data=0xa}");
    IoUringSqeEvent conn_event = rec.sqes[1].e;
    conn_event.sockaddr = rec.sqes[1].sockaddr;
    io_uring_sqe_to_tree(conn_event, tree, 32);
    out.clear();
    append_strace_args(out, tree, 0, 10);
    EXPECT_EQ(fmt::to_string(out),
              "{opcode=IORING_OP_CONNECT, flags=0, fd=7, addr={sa_family=AF_INET, "
              "sin_port=htons(8080), sin_addr=inet_addr(\"127.0.0.1\")}, addrlen=16, "
              "user_data=0xb}");
}

// libuv takes completions from the ring without a syscall (woken by the
// ring's eventfd) and submits the request's next operation under the same
// user_data: the completion already in the queue is the earlier one's, and
// must come first, or it would seem to complete the new submission.
TEST(IoUringTracker, ACompletionAlreadyQueuedComesBeforeTheEntersSubmissions) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    map(tracker, ring);
    Recorder rec;
    ring.submit(make_sqe(IORING_OP_OPENAT, AT_FDCWD, 7));
    tracker.on_enter(100, 3, 1, 0, memory, rec);
    ring.consume_all();
    ring.complete(7, 5);
    ring.reap_all();  // taken without entering the ring
    ring.submit(make_sqe(IORING_OP_READ, 5, 7));
    tracker.on_enter(100, 3, 1, 0, memory, rec);
    EXPECT_EQ(rec.order, (std::vector<std::string>{"submit 7", "complete 7", "submit 7"}));
}

TEST(IoUringTracker, CompletionsAtExitAndOnesReapedWithoutASyscall) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    map(tracker, ring);
    ring.submit(make_sqe(IORING_OP_NOP, -1, 1));
    Recorder rec;
    tracker.on_enter(100, 3, 1, IORING_ENTER_GETEVENTS, memory, rec);
    EXPECT_TRUE(rec.cqes.empty());
    ring.consume_all();
    ring.complete(1, 0);
    EXPECT_EQ(tracker.on_enter_exit(100, 3, IORING_ENTER_GETEVENTS, memory, rec), 1u);
    ASSERT_EQ(rec.cqes.size(), 1u);
    EXPECT_EQ(rec.cqes[0].user_data, 1u);
    EXPECT_EQ(rec.cqes[0].res, 0);
    // Seen once only.
    EXPECT_EQ(tracker.on_enter_exit(100, 3, IORING_ENTER_GETEVENTS, memory, rec), 0u);
    ring.reap_all();

    // A completion posted and reaped between two calls is still in its slot.
    ring.complete(9, -ENOENT);
    ring.reap_all();
    rec.cqes.clear();
    tracker.on_enter(100, 3, 0, 0, memory, rec);
    ASSERT_EQ(rec.cqes.size(), 1u);
    EXPECT_EQ(rec.cqes[0].user_data, 9u);
    EXPECT_EQ(rec.cqes[0].res, -ENOENT);

    // More than a ring's worth unseen: the oldest are lost, and counted.
    for (int i = 0; i < 20; ++i) ring.complete(100 + i, i);
    rec.cqes.clear();
    tracker.on_enter(100, 3, 0, 0, memory, rec);
    ASSERT_EQ(rec.cqes.size(), 16u);
    EXPECT_EQ(rec.cqes.front().user_data, 104u);
    EXPECT_EQ(tracker.find(3)->lost_completions, 4u);
}

TEST(IoUringTracker, SqpollRingsAreSampled) {
    FakeMemory memory;
    FakeRing ring(memory, IORING_SETUP_SQPOLL);
    IoUringTracker tracker;
    map(tracker, ring);
    // The kernel thread consumes without any io_uring_enter.
    ring.submit(make_sqe(IORING_OP_READ, 4, 1));
    ring.submit(make_sqe(IORING_OP_WRITE, 5, 2));
    ring.consume_all();
    Recorder rec;
    EXPECT_EQ(tracker.sample(memory, rec), 2u);
    ASSERT_EQ(rec.sqes.size(), 2u);
    EXPECT_EQ(rec.sqes[1].e.opcode, IORING_OP_WRITE);
    EXPECT_EQ(rec.sqes[1].e.seen_at, IoUringSeenAt::Sampled);
    EXPECT_EQ(tracker.sample(memory, rec), 0u);  // nothing new
    // An enter on an SQPOLL ring (a wakeup) reports by position too.
    ring.submit(make_sqe(IORING_OP_NOP, -1, 3));
    rec.sqes.clear();
    tracker.on_enter(100, 3, 1, IORING_ENTER_SQ_WAKEUP, memory, rec);
    ASSERT_EQ(rec.sqes.size(), 1u);
    EXPECT_EQ(rec.sqes[0].e.user_data, 3u);
    // Ten submissions on an 8-entry ring between two samples: two lost.
    for (int i = 0; i < 10; ++i) ring.submit(make_sqe(IORING_OP_NOP, -1, 10 + i));
    rec.sqes.clear();
    tracker.sample(memory, rec);
    ASSERT_EQ(rec.sqes.size(), 8u);
    EXPECT_EQ(rec.sqes.front().e.user_data, 12u);
    EXPECT_EQ(tracker.find(3)->lost_submissions, 2u);
}

// One look at an SQPOLL ring can find several submissions the kernel
// thread already completed: a CLOSE, the SOCKET that got its number back,
// a CONNECT on the new socket. Reported all submissions first, the CONNECT
// would seem to be on the closed socket. Each completion comes right after
// its own submission instead; one of an earlier look's submission comes
// where the queue has it, and submissions not completed yet come last.
TEST(IoUringTracker, AnSqpollLookInterleavesSubmissionsWithTheirCompletions) {
    FakeMemory memory;
    FakeRing ring(memory, IORING_SETUP_SQPOLL);
    IoUringTracker tracker;
    map(tracker, ring);
    Recorder rec;
    ring.submit(make_sqe(IORING_OP_READ, 4, 9));
    ring.consume_all();
    tracker.sample(memory, rec);
    ASSERT_EQ(rec.order, (std::vector<std::string>{"submit 9"}));
    rec.order.clear();

    ring.complete(9, 0);
    ring.submit(make_sqe(IORING_OP_CLOSE, 5, 1));
    ring.submit(make_sqe(IORING_OP_SOCKET, AF_INET, 2));
    ring.submit(make_sqe(IORING_OP_CONNECT, 5, 3));
    ring.submit(make_sqe(IORING_OP_READ, 5, 4));
    ring.consume_all();
    ring.complete(1, 0);
    ring.complete(2, 5);
    ring.complete(3, -ECONNREFUSED);
    EXPECT_EQ(tracker.sample(memory, rec), 8u);
    EXPECT_EQ(rec.order,
              (std::vector<std::string>{"complete 9", "submit 1", "complete 1", "submit 2",
                                        "complete 2", "submit 3", "complete 3", "submit 4"}));
    // A completion out of submission order: the later submission's comes
    // first, so both submissions come before it.
    rec.order.clear();
    ring.submit(make_sqe(IORING_OP_READ, 4, 5));
    ring.submit(make_sqe(IORING_OP_CLOSE, 6, 6));
    ring.consume_all();
    ring.complete(6, 0);
    ring.complete(5, 3);
    tracker.sample(memory, rec);
    EXPECT_EQ(rec.order,
              (std::vector<std::string>{"submit 5", "submit 6", "complete 6", "complete 5"}));
    // A completion of an earlier look's submission is that one's, though a
    // submission of this look (the next SOCKET) has the same user_data.
    rec.order.clear();
    ring.reap_all();
    ring.submit(make_sqe(IORING_OP_SOCKET, AF_INET, 2));
    ring.consume_all();
    tracker.sample(memory, rec);
    ring.complete(2, 7);
    ring.submit(make_sqe(IORING_OP_CONNECT, 7, 3));
    ring.submit(make_sqe(IORING_OP_CLOSE, 7, 1));
    ring.submit(make_sqe(IORING_OP_SOCKET, AF_INET, 2));
    ring.consume_all();
    ring.complete(3, -ECONNREFUSED);
    ring.complete(1, 0);
    ring.complete(2, 7);
    tracker.sample(memory, rec);
    EXPECT_EQ(rec.order,
              (std::vector<std::string>{"submit 2", "complete 2", "submit 3", "complete 3",
                                        "submit 1", "complete 1", "submit 2", "complete 2"}));
}

// As the process exits: the completions posted since the last look are
// reported, whether the program reaped them or not; entries it prepared
// and never submitted are not. An SQPOLL ring's kernel thread may have
// taken some: they are reported too.
TEST(IoUringTracker, AtExitEveryCompletionPostedIsReported) {
    for (const std::uint32_t flags : {0u, static_cast<std::uint32_t>(IORING_SETUP_SQPOLL)}) {
        SCOPED_TRACE(flags ? "SQPOLL" : "entered");
        FakeMemory memory;
        FakeRing ring(memory, flags);
        IoUringTracker tracker;
        map(tracker, ring);
        Recorder rec;
        ring.submit(make_sqe(IORING_OP_WRITE, 5, 1));
        ring.submit(make_sqe(IORING_OP_WRITE, 5, 2));
        if (!flags) tracker.on_enter(100, 3, 2, 0, memory, rec);
        ring.consume_all();
        tracker.on_enter_exit(100, 3, 0, memory, rec);  // SQPOLL: the thread woken
        ring.complete(1, 1);                            // posted after the last look, never reaped
        ring.submit(make_sqe(IORING_OP_WRITE, 5, 3));   // prepared only
        rec.order.clear();
        EXPECT_FALSE(tracker.read_at_exit_done());
        tracker.read_at_exit(memory, rec);
        EXPECT_TRUE(tracker.read_at_exit_done());
        if (flags) {
            EXPECT_EQ(rec.order, (std::vector<std::string>{"complete 1", "submit 3"}))
                << "the kernel thread takes what is at the tail, after the completion of an "
                   "earlier look's submission";
        } else {
            EXPECT_EQ(rec.order, std::vector<std::string>{"complete 1"});
        }
    }
}

// Completions the kernel kept in its overflow list (the CQ ring was full)
// reach the ring only when the program enters it again: the read at exit
// cannot vouch for having seen every one.
TEST(IoUringTracker, AtExitAnOverflowedOrUnmappedRingIsNotReadWhole) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    map(tracker, ring);
    Recorder rec;
    ring.overflow();
    tracker.read_at_exit(memory, rec);
    EXPECT_FALSE(tracker.read_at_exit_done());

    FakeRing unmapped_ring(memory);
    IoUringTracker unmapped;
    map(unmapped, unmapped_ring);
    unmapped.on_munmap(FakeRing::kRing, 4096);
    unmapped.read_at_exit(memory, rec);
    EXPECT_FALSE(unmapped.read_at_exit_done());
}

TEST(IoUringTracker, FdLifecycleRegisteredRingsAndUnmappedRings) {
    FakeMemory memory;
    FakeRing ring(memory);
    IoUringTracker tracker;
    Recorder rec;
    tracker.on_setup(100, 3, ring.params());
    ring.submit(make_sqe(IORING_OP_NOP, -1, 1));
    // Not mapped yet: nothing can be read.
    EXPECT_EQ(tracker.on_enter(100, 3, 1, 0, memory, rec), 0u);
    tracker.on_mmap(FakeRing::kRing, 4096, 3, IORING_OFF_SQ_RING);
    tracker.on_mmap(FakeRing::kSqes, 512, 3, IORING_OFF_SQES);
    // mmaps of other fds are not rings.
    tracker.on_mmap(0x1234000, 4096, 9, IORING_OFF_SQES);
    EXPECT_EQ(tracker.find(9), nullptr);

    // Entered through a registered ring index.
    tracker.on_register_ring_fd(0, 3);
    EXPECT_EQ(tracker.on_enter(100, 0, 1, IORING_ENTER_REGISTERED_RING, memory, rec), 1u);
    // The index is not fd 0.
    EXPECT_EQ(tracker.on_enter(100, 0, 1, 0, memory, rec), 0u);

    // A dup keeps the ring when the original fd closes.
    tracker.on_dup(3, 8);
    tracker.on_close(3);
    ASSERT_NE(tracker.find(8), nullptr);
    EXPECT_EQ(tracker.find(3), nullptr);
    ring.submit(make_sqe(IORING_OP_NOP, -1, 2));
    rec.sqes.clear();
    EXPECT_EQ(tracker.on_enter(100, 8, 1, 0, memory, rec), 1u);
    EXPECT_EQ(rec.sqes.at(0).e.ring_fd, 8);
    // Unmapped: no more reads from there.
    tracker.on_munmap(FakeRing::kSqes, 4096);
    EXPECT_FALSE(tracker.find(8)->mapped());
    tracker.on_close(8);
    EXPECT_FALSE(tracker.has_rings());
}

TEST(IoUringTracker, ParamsThatNoKernelFilledAreIgnored) {
    IoUringTracker tracker;
    io_uring_params p = filled_params();
    p.sq_entries = 6;  // not a power of two
    tracker.on_setup(100, 3, p);
    EXPECT_FALSE(tracker.has_rings());
}

}  // namespace
}  // namespace sctrace
