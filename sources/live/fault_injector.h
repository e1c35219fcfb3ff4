// Which invocation of which call fault injection (model/injection.h)
// tampers with. The Session applies the decision (skip the call, set its
// result, hold the thread, queue a signal); this only counts and decides.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/event.h"
#include "model/injection.h"
#include "model/syscall_set.h"

namespace sctrace {

// A thread's invocation counts, per ABI and syscall number: strace counts
// "per syscall and per tracee", so a new thread or child starts from zero.
using InvocationCounts = std::unordered_map<std::uint32_t, std::uint32_t>;

class FaultInjector {
public:
    FaultInjector() = default;
    explicit FaultInjector(std::vector<Injection> injections);

    bool empty() const { return injections_.empty(); }
    // Every call some injection names: they must stop the tracee.
    const SyscallSet& calls() const { return calls_; }
    // Whether some injection delivers a signal (signals need a syscall-entry
    // stop, which the seccomp prefilter does not give: see Session).
    bool delivers_signals() const { return delivers_signals_; }
    bool delays() const { return delays_; }

    // Counts this invocation of (arch, nr) for the thread and returns the
    // injection to apply to it, or null. When several injections name a
    // call, the last one given wins, as in strace.
    const Injection* on_entry(InvocationCounts& counts, Arch arch, long nr) const;

private:
    std::vector<Injection> injections_;
    SyscallSet calls_;
    bool delivers_signals_ = false;
    bool delays_ = false;
};

}  // namespace sctrace
