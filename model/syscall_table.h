// Syscall numbers, names, classes and traits for the ABIs an x86_64 tracee
// can use.
//
// The tables are generated at build time from data files in this folder
// (syscalls_x86_64.in, syscalls_i386.in, syscalls_x32.in): one line per
// syscall with its number, name, argument count and strace-style classes;
// syscall_traits.in adds, by name, what the engine, the sources and the rules
// need to know about what a call does. Nothing here is typed per call site:
// code asks a call's traits, never compares its name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "model/event.h"
#include "model/syscall_kind.h"

namespace sctrace {

// strace's syscall classes, as `-e trace=%net` etc. name them.
enum SyscallClass : std::uint32_t {
    kClassFile = 1u << 0,         // %file: takes a file name
    kClassDesc = 1u << 1,         // %desc: takes or returns a file descriptor
    kClassNet = 1u << 2,          // %net / %network
    kClassProcess = 1u << 3,      // %process: process lifecycle
    kClassSignal = 1u << 4,       // %signal
    kClassIpc = 1u << 5,          // %ipc: SysV IPC
    kClassMemory = 1u << 6,       // %memory
    kClassCreds = 1u << 7,        // %creds
    kClassClock = 1u << 8,        // %clock
    kClassStat = 1u << 9,         // %stat
    kClassLstat = 1u << 10,       // %lstat
    kClassFstat = 1u << 11,       // %fstat
    kClassStatLike = 1u << 12,    // %%stat
    kClassStatfs = 1u << 13,      // %statfs
    kClassFstatfs = 1u << 14,     // %fstatfs
    kClassStatfsLike = 1u << 15,  // %%statfs
    kClassPure = 1u << 16,        // %pure: no args, always succeeds (getpid ...)
};

// What a call does, as far as sctrace cares (syscall_traits.in explains each).
enum SyscallTrait : std::uint32_t {
    kTraitReads = 1u << 0,      // data out of the fd, at its position or stream
    kTraitWrites = 1u << 1,     // data into the fd, at its position or stream
    kTraitReadsAt = 1u << 2,    // reads at a given offset (ESPIPE on a stream)
    kTraitWritesAt = 1u << 3,   // writes at a given offset (ESPIPE on a stream)
    kTraitPolls = 1u << 4,      // waits for descriptors to be ready
    kTraitCreatesFd = 1u << 5,  // returns a new descriptor
    kTraitClosesFd = 1u << 6,
    kTraitDupsFd = 1u << 7,
    kTraitSpawns = 1u << 8,  // may create a process or thread
    kTraitExecs = 1u << 9,
    kTraitExits = 1u << 10,
    kTraitTracked = 1u << 11,      // the state tracker needs to see it
    kTraitRingTracked = 1u << 12,  // the live io_uring tracker needs to see it
};

// Where the data a call reads or writes lies, for strace's -e read= and
// -e write= dumps (syscall_traits.in's dumps_read= and dumps_written=).
enum class IoShape : std::uint8_t {
    None,
    Buffer,   // argument 1, its length argument 2 (or the result, read)
    Iov,      // an iovec array: argument 1, its count argument 2
    Msghdr,   // a struct msghdr at argument 1, its msg_iov
    Mmsghdr,  // an array of struct mmsghdr at argument 1, each one's msg_iov
};

struct SyscallTraits {
    std::uint32_t bits = 0;     // SyscallTrait bits
    std::int8_t fd_arg = -1;    // the argument holding the fd the call is about
    std::int8_t path_arg = -1;  // the path it opens or executes
    std::int8_t addr_arg = -1;  // a socket address it names
    SyscallKind kind = SyscallKind::Other;
    IoShape io_shape = IoShape::None;  // what -e read=/write= dumps of it
    bool io_written = false;           // ... and whether it writes that data (-e write=)
    // The state tracker needs the call only when argument `tracked_if_arg`
    // is one of the first `tracked_if_count` values of `tracked_if`
    // (fcntl's commands that change or copy a descriptor); -1: always.
    std::int8_t tracked_if_arg = -1;
    std::uint8_t tracked_if_count = 0;
    std::array<std::uint32_t, 4> tracked_if{};

    bool has(std::uint32_t trait) const { return (bits & trait) == trait; }
};

struct SyscallInfo {
    std::string_view name;
    std::uint8_t nargs = 0;
    std::uint32_t classes = 0;  // SyscallClass bits
    SyscallTraits traits;
};

// x32 calls carry this bit in their number (the kernel's __X32_SYSCALL_BIT).
inline constexpr std::int64_t kX32SyscallBit = 0x40000000;

// Information about syscall `nr` of `arch`, or nullptr when the number is not
// a known syscall. O(1): an array index.
//
// X32: `nr` may carry kX32SyscallBit or not. Numbers 512-547 (x32's own entry
// points) map to the x86_64 syscall of the same name; any other number is
// looked up in the x86_64 table, whose info the x32 call shares.
const SyscallInfo* syscall_info(Arch arch, std::int64_t nr);

// The number of `name` in `arch`'s table, if it has one there. O(1) on average.
// X32: the number the kernel sees, kX32SyscallBit included (0x40000000 + 515
// for "readv", 0x40000000 + 42 for "connect").
std::optional<int> syscall_number(Arch arch, std::string_view name);

// The row of `name` in `arch`'s table (X32: the x86_64 row it shares), or
// nullptr. O(1) on average: a hash of the names, built once.
const SyscallInfo* syscall_info(Arch arch, std::string_view name);

// The number of `row`, a row of `arch`'s table (as syscall_info returned it):
// syscall_number(arch, row.name) without looking the name up again.
int syscall_number_of(Arch arch, const SyscallInfo& row);

// What the tables say about an event's call: the row of its number when that
// row has its name (every live call, every known call of a log), else the row
// of its name in the x86_64 table, else in the i386 one (a log's line may
// name a call with no number, or a number of another ABI), else no traits.
const SyscallTraits& syscall_traits(const SyscallEvent& call);

// The names in the x86_64 or the i386 table (each once, sorted) whose traits
// have every bit of `traits`: what a rule list `traits: [writes]` holds.
std::vector<std::string_view> syscalls_with(std::uint32_t traits);

// The trait a syscall_traits.in word names ("writes" -> kTraitWrites), if any.
std::optional<std::uint32_t> syscall_trait_by_name(std::string_view word);
// Every trait word, in bit order (for messages and docs).
std::span<const std::string_view> syscall_trait_names();

// The highest number in `arch`'s table, plus one (0 for Arch::Unknown).
// X32: 548, counting numbers without kX32SyscallBit.
int syscall_table_size(Arch arch);

// Scratch space syscall_name() needs to spell any unknown number in full.
inline constexpr std::size_t kSyscallNameScratchSize = 32;

// The name of syscall nr, or "syscall_0x1a2" style for unknown numbers, written
// into `scratch` when needed. Never allocates. The unknown form is strace's:
// the number as given, in hex, negative numbers as their 64-bit two's
// complement; it is cut short if `scratch` has fewer than
// kSyscallNameScratchSize bytes.
std::string_view syscall_name(Arch arch, std::int64_t nr, std::span<char> scratch);

}  // namespace sctrace
