// Syscall numbers, names and classes for the ABIs an x86_64 tracee can use.
//
// The tables are generated at build time from data files in this folder
// (syscalls_x86_64.in, syscalls_i386.in, syscalls_x32.in): one line per
// syscall with its number, name, argument count and strace-style classes.
// Nothing here is typed per call site.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "model/event.h"

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

struct SyscallInfo {
    std::string_view name;
    std::uint8_t nargs = 0;
    std::uint32_t classes = 0;  // SyscallClass bits
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

// The number of `name` in `arch`'s table, if it has one there. O(log n).
// X32: the number the kernel sees, kX32SyscallBit included (0x40000000 + 515
// for "readv", 0x40000000 + 42 for "connect").
std::optional<int> syscall_number(Arch arch, std::string_view name);

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
