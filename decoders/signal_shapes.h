// Argument shapes shared by the signal, process and desc decoders and by the
// "--- SIGCHLD {...} ---" line: signal numbers and siginfo. The names
// themselves are model/names.h; signal sets are decoders/shapes.h.
//
// Everything here builds tree nodes from fixed local buffers: no allocation.
#pragma once

#include <signal.h>

#include <cstdint>
#include <string_view>

#include "decoders/decoder.h"
#include "model/names.h"

namespace sctrace::signal_shapes {

// A signal number as strace's printsignal shows it: SIGUSR1, or the number.
NodeId add_signal(ArgTree& tree, NodeId parent, int signo, std::string_view key = {});

// The fields of a siginfo that strace prints, whichever source they come
// from (a tracee's siginfo_t, or a SignalEvent).
struct SiginfoFields {
    int signo = 0;
    int code = 0;
    int errno_value = 0;
    int pid = 0;       // si_pid; si_timerid for SI_TIMER
    unsigned uid = 0;  // si_uid; si_overrun for SI_TIMER
    int status = 0;
    std::int64_t utime = 0;
    std::int64_t stime = 0;
    std::uint64_t addr = 0;   // si_addr
    std::uint64_t value = 0;  // si_value (si_int is its low 32 bits)
    std::int64_t band = 0;    // si_band (SIGIO)
    int fd = 0;               // si_fd (SIGIO)
};

SiginfoFields siginfo_fields(const siginfo_t& si);

// {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...} as strace's
// printsiginfo shows it.
NodeId add_siginfo(ArgTree& tree, NodeId parent, const SiginfoFields& si,
                   std::string_view key = {});
// A siginfo_t*: NULL, the struct, or the address when unreadable.
NodeId add_siginfo_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                      std::string_view key = {});

}  // namespace sctrace::signal_shapes
