// Argument shapes shared by the signal, process and futex decoders and by the
// "--- SIGCHLD {...} ---" line: signal names, signal sets, siginfo, and the
// strace forms of values a table does not name.
//
// Everything here builds tree nodes from fixed local buffers: no allocation.
#pragma once

#include <signal.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "decoders/decoder.h"

namespace sctrace::signal_shapes {

// strace's signame(): "SIGUSR1", "SIGRTMIN" (32), "SIGRT_4" (36), counted
// from the kernel's SIGRTMIN (32), not glibc's (34). Empty when unnamed.
std::string_view signal_name(int signo);
// The reverse, for reading logs and rules: strace's names ("SIGIO",
// "SIGRT_4"), with or without "SIG", the other names of the same numbers
// (SIGPOLL, SIGIOT, SIGCLD, SIGUNUSED, SIGRTMAX), or a number from 1 to 64.
std::optional<int> signal_number(std::string_view name);
// strace's name, or the number when unnamed, into `scratch` (16 bytes are
// always enough).
std::string_view signal_name_or_number(int signo, std::span<char> scratch);

// A signal number as strace's printsignal shows it: SIGUSR1, or the number.
NodeId add_signal(ArgTree& tree, NodeId parent, int signo, std::string_view key = {});

// "0x10 /* SIG_??? */": strace's form for a value its table does not name.
NodeId add_unknown(ArgTree& tree, NodeId parent, std::uint64_t value, std::string_view unknown,
                   std::string_view key = {});
// An enumeration; unknown values as add_unknown.
NodeId add_enum(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                std::string_view unknown, std::string_view key = {});
// Flags; when no bit at all is named, as add_unknown (else the rest "|0x..").
NodeId add_flags(ArgTree& tree, NodeId parent, std::uint64_t value, const XlatTable& table,
                 std::string_view unknown, std::string_view key = {});

// A signal set held in `bits` (`bytes` of it meaningful: 4 or 8), strace's
// way: [USR1 TERM], or ~[...] for the complement when two thirds or more of
// the bits are set (~[] is "every signal").
NodeId add_sigset_bits(ArgTree& tree, NodeId parent, std::uint64_t bits, unsigned bytes,
                       std::string_view key = {});
// A sigset_t* of `len` bytes: NULL, the set, or the address when `len` is
// not 8 (the kernel's size) or the memory cannot be read; at exit, also when
// the call failed (strace prints only the address of an output it did not
// fill).
NodeId add_sigset(DecodeContext& ctx, NodeId parent, std::uint64_t addr, std::uint64_t len,
                  std::string_view key = {});

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

// The name of a si_code for a signal ("SI_USER", "CLD_EXITED"), or empty.
std::string_view si_code_name(int signo, int code);
// The reverse: a si_code as strace spells it for `signo` (POLL_IN for
// SIGIO, SEGV_MAPERR for SIGSEGV), or a number.
std::optional<int> si_code_number(int signo, std::string_view name);

// {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...} as strace's
// printsiginfo shows it.
NodeId add_siginfo(ArgTree& tree, NodeId parent, const SiginfoFields& si,
                   std::string_view key = {});
// A siginfo_t*: NULL, the struct, or the address when unreadable.
NodeId add_siginfo_at(DecodeContext& ctx, NodeId parent, std::uint64_t addr,
                      std::string_view key = {});

}  // namespace sctrace::signal_shapes
