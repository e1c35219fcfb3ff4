// The names of signals, si_codes and errno values as strace 6.1 spells them,
// and back: one rule for every reader and writer, live or post-mortem.
//
// Real-time signals are numbered from the kernel's SIGRTMIN (32), as strace
// prints them: 32 is "SIGRTMIN", 34 is "SIGRT_2" (glibc reserves 32 and 33
// and calls 34 its SIGRTMIN; strace does not follow it). The names are the
// tables model/xlat/sig_names.in and sig_name_aliases.in.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sctrace {

// "SIGUSR1", "SIGRTMIN" (32), "SIGRT_4" (36); empty when unnamed.
std::string_view signal_name(int signo);
// The name, or the number written into `scratch` (16 bytes are always enough).
std::string_view signal_name(int signo, std::span<char> scratch);
// The reverse, for reading logs and rules: strace's names ("SIGIO",
// "SIGRT_4"), with or without "SIG", the other names of the same numbers
// (SIGPOLL, SIGIOT, SIGCLD, SIGUNUSED, SIGRTMAX), or a number from 1 to 64.
std::optional<int> signal_number(std::string_view name);

// The name of a si_code for a signal ("SI_USER", "CLD_EXITED"), or empty.
std::string_view si_code_name(int signo, int code);
// The reverse: a si_code as strace spells it for `signo` (POLL_IN for
// SIGIO, SEGV_MAPERR for SIGSEGV), or a number.
std::optional<int> si_code_number(int signo, std::string_view name);

// "EINPROGRESS": glibc's name, or for the kernel's internal restart codes
// (ERESTARTSYS ...), which reach tracers but have no libc name, strace's.
// Empty when unnamed.
std::string_view errno_name(int error);
// The name, or the number written into `scratch` (16 bytes are always enough).
std::string_view errno_name(int error, std::span<char> scratch);
// The reverse of errno_name.
std::optional<int> errno_number(std::string_view name);

}  // namespace sctrace
