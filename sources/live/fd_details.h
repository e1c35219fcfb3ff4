// strace's -yy for a traced thread's descriptor: what it says beyond the
// path, read from where strace reads it.
//
//   a socket   its protocol and endpoints, from sock_diag (sock_diag.h):
//              "TCP:[127.0.0.1:45678->127.0.0.1:80]"; "TCP:[4711]" when
//              the kernel does not describe it, its path for a protocol
//              strace does not know
//   a device   stat(2) of its path, in sctrace's own mount namespace as
//              strace does it: "char 1:3", shown as "/dev/null<char 1:3>"
//   a pidfd    the "Pid:" of /proc/TID/fdinfo/FD: "pid:4711"
//
// The decoders ask for it through MemoryReader::fd_details; the writer
// prints it (report/strace_format.h).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string_view>

#include "model/arg_tree.h"
#include "sources/live/sock_diag.h"

namespace sctrace {

class FdDescriber {
public:
    // MemoryReader::fd_details for descriptor `fd` of thread `tid`.
    std::size_t describe(pid_t tid, int fd, std::string_view path, unsigned kinds,
                         std::span<char> out, FdDecoration& decoration);

private:
    SocketDiag sockets_;
};

}  // namespace sctrace
