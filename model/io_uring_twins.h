// Which syscall an io_uring operation does the work of (its twin), as data:
// model/io_uring_twins.in, turned into a constexpr table at build time by
// model/gen_io_uring_twins.cmake. The engine presents a completed ring
// operation as its twin's exit (engine/ring_ops.h); nothing else in C++
// knows which opcode is which call.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace sctrace {

struct XlatTable;    // model/xlat.h
struct SyscallInfo;  // model/syscall_table.h

// Where a twin's argument comes from in the submission (IoUringSqeEvent).
enum class IoUringTwinArg : std::uint8_t {
    Zero,      // a number the operation has no field for
    Null,      // a pointer the operation has no field for
    Fd,        // sqe.fd
    Off,       // sqe.off (addr2)
    Addr,      // sqe.addr
    Len,       // sqe.len
    OpFlags,   // sqe.op_flags
    Path,      // sqe.addr, as the path the tracker read (sqe.path)
    Sockaddr,  // sqe.addr, as the socket address the tracker read (sqe.sockaddr)
};

// What a nonzero file_index means to an operation (model/io_uring_twins.in).
enum class IoUringDirect : std::uint8_t {
    None,   // nothing
    NewFd,  // `direct=new`: its new descriptor goes into slot file_index - 1
    Fd,     // `direct=fd`: it works on slot file_index - 1 instead of sqe.fd
};

struct IoUringTwin {
    std::uint8_t opcode = 0;  // IORING_OP_*
    // The rules see the completion as the twin's exit; false: only the
    // state takes it (model/io_uring_twins.in says why for each).
    bool shown_to_rules = true;
    // What a nonzero file_index does: the new descriptor goes into the
    // ring's own table, or the operation works on a slot of it
    // (engine/ring_files.h).
    IoUringDirect direct = IoUringDirect::None;
    // No twin: the operation changes the ring's table in a way the trace
    // cannot read (IORING_OP_FILES_UPDATE's fds array), so the slots it
    // names are not followed from then on.
    bool updates_slots = false;
    // The program relies on the operation finishing (a write, a send, a
    // sync): one still in flight when its process exits is lost work.
    bool awaited = false;
    std::string_view syscall;  // the twin's name in the syscall tables; empty: none
    std::uint8_t arg_count = 0;
    std::array<IoUringTwinArg, 6> args{};
    // A flags argument's table (accept4's SOCK_*, openat's O_*), so that
    // the state reads the flags by name as it does a decoded call's; null:
    // a plain number.
    std::array<const XlatTable*, 6> tables{};
};

// The twin of `opcode`, or null when it has none.
const IoUringTwin* io_uring_twin(unsigned opcode);
// The twin's row in the x86_64 syscall table (its number, traits, which
// argument is its fd), or null for a name the table lacks (none does: a
// test checks every row).
const SyscallInfo* io_uring_twin_row(const IoUringTwin& twin);
// Whether `opcode` changes its ring's table in a way the trace cannot read.
bool io_uring_updates_slots(unsigned opcode);
// Every row of the table (those with updates_slots have no twin).
std::span<const IoUringTwin> io_uring_twins();

}  // namespace sctrace
