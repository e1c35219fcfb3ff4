// Fault injection, as strace's -e inject= and -e fault= describe it: which
// calls, what to do to them (fail with an errno, succeed with a value,
// deliver a signal, delay entry or exit) and on which invocations.
//
// This is how a CI job makes a rare failure happen on purpose: WSL1's
// "nonblocking connect() returns 0" is `connect:retval=0:when=1` on Linux,
// a short write is `write:retval=1`, a lost race widens with
// `futex:delay_enter=10ms`. The tracer (sources/live) applies it; events
// carry whether their result was made up (SyscallEvent::injected).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/syscall_set.h"

namespace sctrace {

// when=FIRST[..LAST][+[STEP]]: the invocations (counted from 1, per syscall
// and per thread, as strace counts them) that are tampered with.
struct InjectionWhen {
    std::uint32_t first = 1;
    std::uint32_t last = 0;  // 0: no upper bound
    std::uint32_t step = 1;  // 0: `first` alone

    bool matches(std::uint32_t invocation) const {
        if (invocation < first) return false;
        if (last != 0 && invocation > last) return false;
        if (step == 0) return invocation == first;
        return (invocation - first) % step == 0;
    }
    bool operator==(const InjectionWhen&) const = default;
};

struct Injection {
    SyscallSet calls;
    // At most one of error and retval: the call does not run (the kernel
    // sees an invalid number) and returns -error or retval.
    std::optional<int> error;
    std::optional<std::uint64_t> retval;
    int signal = 0;  // delivered on entering the call; 0: none
    std::optional<std::chrono::nanoseconds> delay_enter;
    std::optional<std::chrono::nanoseconds> delay_exit;
    InjectionWhen when;
    std::string text;  // as written, for messages and reports

    // Whether the call's result is made up (strace's "(INJECTED)").
    bool tampers_result() const { return error.has_value() || retval.has_value(); }
};

// A syntax or value error in an injection; what() names the token.
class InjectionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Which spelling: inject= needs an action; fault= is inject= with
// error=ENOSYS by default and takes only error= and when=.
enum class InjectionKind : std::uint8_t { Inject, Fault };

// Parses what follows "inject=" or "fault=":
//   SET[:error=ERRNO|:retval=VALUE][:signal=SIG][:delay_enter=D][:delay_exit=D][:when=EXPR]
// SET is a -e trace= expression; ERRNO a name (ENOENT) or 1..4095; SIG a
// name (SIGUSR1, USR1) or number; D a time (strtod number, unit s, ms, us or
// ns; microseconds without one); EXPR first[..last][+[step]] (first and step
// 1..65535, last 1..65534). strace's syscall= and poke_enter=/poke_exit= are
// refused as not supported yet. Throws InjectionError.
Injection parse_injection(std::string_view text, InjectionKind kind = InjectionKind::Inject);

// strace's time format for delays (see parse_injection), or nullopt.
std::optional<std::chrono::nanoseconds> parse_strace_delay(std::string_view text);

}  // namespace sctrace
