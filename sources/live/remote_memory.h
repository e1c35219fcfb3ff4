// Reading a tracee's memory. process_vm_readv first (one syscall, no
// per-word PTRACE_PEEKDATA); /proc/PID/mem as the fallback for pages
// process_vm_readv refuses (e.g. PROT_NONE guard pages are not, but pages the
// kernel cannot "pin" for another mm sometimes are, and some kernels restrict
// the syscall by seccomp or LSM policy).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sctrace {

// Copies up to out.size() bytes from `addr` in `tid`'s address space. Returns
// the number of bytes read: fewer than asked when the range runs into an
// unmapped page, 0 when nothing is readable.
std::size_t read_remote(pid_t tid, std::uint64_t addr, std::span<char> out);

// The fallback on its own: pread of /proc/TID/mem. Exposed so that tests can
// check it without having to make process_vm_readv fail.
std::size_t read_remote_via_proc_mem(pid_t tid, std::uint64_t addr, std::span<char> out);

// readlink of `path` into `out`: its length, 0 when it cannot be read or
// does not fit (what /proc/PID/fd/N and /proc/PID/cwd name).
std::size_t read_link(const char* path, std::span<char> out);

// Reads a NUL-terminated string of at most out.size()-1 bytes. Returns the
// string (a view into `out`) and sets *truncated when no NUL was found within
// the limit. Never allocates.
std::string_view read_remote_cstring(pid_t tid, std::uint64_t addr, std::span<char> out,
                                     bool* truncated = nullptr);

}  // namespace sctrace
