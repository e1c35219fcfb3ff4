// What each process does with each signal (its dispositions), and the
// verdict on a delivered signal: does it kill the process, or does the
// program handle or ignore it?
//
// Kernel facts this follows:
//   - dispositions belong to the thread group (all threads share them, and a
//     CLONE_SIGHAND child shares them with its parent); fork copies them;
//   - execve resets handled signals to SIG_DFL and keeps SIG_IGN;
//   - SA_RESETHAND resets a handler to SIG_DFL when it is delivered once;
//   - a synchronous fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE with a kernel
//     si_code) that is ignored or blocked is forced to the default action.
// What the trace never said (attached mid-way, a log that starts late, a
// call whose struct could not be read) stays unknown: never guessed handled.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "model/event.h"

namespace sctrace {

enum class Disposition : std::uint8_t {
    Unknown,     // nothing seen yet
    NotHandled,  // after an exec with nothing known before it: SIG_DFL or an inherited SIG_IGN
    Default,     // SIG_DFL
    Ignored,     // SIG_IGN
    Handled,     // a handler function
};

struct SignalAction {
    Disposition disposition = Disposition::Unknown;
    bool reset_hand = false;    // SA_RESETHAND: back to SIG_DFL after one delivery
    std::uint64_t handler = 0;  // Handled: the function's address, 0 when not known
};

// What a delivery does, as far as the trace tells.
enum class Verdict : std::uint8_t { Unknown, Default, Ignored, Handled };
std::string_view verdict_name(Verdict verdict);  // "default", "ignored", "handled", "unknown"

// The last signal delivered to a process that it did not ignore (as far as
// known): what a finding about its death by that signal names (the fault
// address, the sender) when the delivery was not judged fatal.
struct KillingDelivery {
    SignalEvent signal;
    pid_t tid = 0;
    Nanos time = 0;
};

class SignalDispositions {
public:
    static constexpr int kMaxSignal = 64;

    const SignalAction& action(int signo) const;
    // What delivering `sig` to this process does.
    Verdict judge(const SignalEvent& sig) const;

    // A successful rt_sigaction / sigaction / signal call (decoded tree or
    // raw arguments): what it says about the old action, then the new one.
    void on_sigaction_call(const SyscallEvent& call);
    // `sig` was delivered (after the rules judged it).
    void on_delivery(const SignalEvent& sig);
    // A successful exec. `ignored` (a mask of signal bits, 1 << (signo - 1))
    // is what the tracer read from the new program's /proc status when
    // `known`; otherwise handled signals become SIG_DFL and the rest keep
    // what was known.
    void on_exec(bool known, std::uint64_t ignored);

private:
    std::array<SignalAction, kMaxSignal + 1> actions_{};
};

// Whether `call` changes dispositions (rt_sigaction, and i386's sigaction and
// signal), by its syscall number in its ABI or, for a log's call, its name.
bool is_sigaction_call(const SyscallEvent& call);
// Whether a successful `call` made a process that shares its parent's
// dispositions (clone with CLONE_SIGHAND and not CLONE_THREAD); the child's
// pid is the result.
bool is_sighand_sharing_clone(const SyscallEvent& call);

// A kernel-made synchronous fault: forced to the default action when
// ignored or blocked.
bool is_synchronous_fault(const SignalEvent& sig);

}  // namespace sctrace
