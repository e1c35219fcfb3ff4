// What one io_uring submission (SQE) and one completion (CQE) say, as plain
// values: the facts sctrace reads out of a tracee's rings (strace never shows
// them). Filled by sources/live/io_uring_tracker.h, turned into an ArgTree for
// printing by io_uring_sqe_to_tree().
//
// Deliberately free of other project headers so that model/event.h can hold
// these structs in its variant without depending on the decoders.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sctrace {

class ArgTree;  // model/arg_tree.h

// How a submission was seen.
enum class IoUringSeenAt : std::uint8_t {
    Enter,    // read at io_uring_enter entry: exactly what this call submits
    Sampled,  // read from the ring later (SQPOLL: the kernel thread submits
              // without a syscall); best effort, see IoUringTracker::sample
};

struct IoUringSqeEvent {
    std::int32_t ring_fd = -1;   // the io_uring instance, by its fd in the process
    std::uint32_t position = 0;  // the submission's SQ position (the tail counter)
    IoUringSeenAt seen_at = IoUringSeenAt::Enter;
    std::uint8_t opcode = 0;  // IORING_OP_*
    std::uint8_t flags = 0;   // IOSQE_*
    std::uint16_t ioprio = 0;
    std::int32_t fd = -1;        // the file; an index into the registered files
                                 // with IOSQE_FIXED_FILE; SOCKET: the domain
    std::uint64_t off = 0;       // offset / addr2; SOCKET: the type; CONNECT: addrlen
    std::uint64_t addr = 0;      // buffer, iovec, path or sockaddr pointer
    std::uint32_t len = 0;       // length / iovec count; SOCKET: the protocol
    std::uint32_t op_flags = 0;  // the per-op flags union (rw_flags, open_flags, ...)
    std::uint64_t user_data = 0;
    std::uint16_t buf_index = 0;  // buf_index / buf_group
    std::uint16_t personality = 0;
    std::uint32_t file_index = 0;  // file_index / splice_fd_in
    std::uint64_t addr3 = 0;

    // Read from the tracee at submission time, where the op names memory the
    // kernel reads right away. Views into the tracker's scratch buffers:
    // valid only during the callback (like every view in an Event).
    std::string_view path;                    // OPENAT, OPENAT2, STATX, UNLINKAT, MKDIRAT,
                                              // RENAMEAT, LINKAT, SYMLINKAT (old name)
    std::string_view path2;                   // RENAMEAT, LINKAT, SYMLINKAT (new name)
    std::span<const unsigned char> sockaddr;  // CONNECT, BIND: the address bytes

    bool fixed_file() const { return (flags & 1u) != 0; }  // IOSQE_FIXED_FILE
    // IORING_OP_SOCKET's arguments, as socket(2) names them.
    int socket_domain() const { return fd; }
    int socket_type() const { return static_cast<int>(off); }
    int socket_protocol() const { return static_cast<int>(len); }
};

struct IoUringCqeEvent {
    std::int32_t ring_fd = -1;
    std::uint32_t position = 0;  // the completion's CQ position
    std::uint64_t user_data = 0;
    std::int32_t res = 0;     // the result: >= 0, or -errno
    std::uint32_t flags = 0;  // IORING_CQE_F_*
};

// A call the engine made of a completed ring operation (its syscall twin,
// model/io_uring_twins.h): which ring it went through, and which submission.
// Findings on it say so; an fd's history remembers the ring.
struct IoUringOrigin {
    std::int32_t ring_fd = -1;
    std::uint64_t user_data = 0;
    std::uint8_t opcode = 0;
    // IOSQE_FIXED_FILE: the slot of the ring's table sqe.fd named; -1 none.
    std::int32_t fixed_file = -1;
    // The direct descriptor (a slot of the ring's table, no process fd) the
    // operation installed its new descriptor into, or worked on; -1 none.
    std::int32_t direct = -1;
};

// "IORING_OP_STATX"; empty for an opcode this build does not know.
std::string_view io_uring_op_name(unsigned opcode);

// The submission as strace-style members in `tree`'s root, for the writers:
//   {opcode=IORING_OP_STATX, flags=0, fd=AT_FDCWD, user_data=0x2, path="/", ...}
// (one Struct child of the root). Clears the tree first.
void io_uring_sqe_to_tree(const IoUringSqeEvent& sqe, ArgTree& tree, std::size_t string_limit);
// {user_data=0x2, res=0, flags=0}
void io_uring_cqe_to_tree(const IoUringCqeEvent& cqe, ArgTree& tree);

}  // namespace sctrace
