// What waitpid() said about a traced thread, decoded once into a value type.
//
// With PTRACE_SEIZE every kind of stop is distinguishable from the status word
// alone (no guessing between group-stop and signal-delivery-stop as with
// PTRACE_ATTACH), so the decoding is pure and unit-tested on synthetic words.
#pragma once

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

namespace sctrace {

class WaitStatus {
public:
    enum class Kind {
        Exited,          // the thread is gone; exit_code() is its status
        Killed,          // the thread is gone; term_signal() killed it
        SyscallStop,     // syscall-entry or -exit stop (PTRACE_O_TRACESYSGOOD)
        EventStop,       // PTRACE_EVENT_* stop other than PTRACE_EVENT_STOP
        GroupStop,       // PTRACE_EVENT_STOP with a stopping signal: job control
        InterruptStop,   // PTRACE_EVENT_STOP with SIGTRAP: seize/interrupt/listen wakeup
        SignalDelivery,  // a signal is about to be delivered: stop_signal()
    };

    explicit WaitStatus(int raw) : raw_(raw) {}

    Kind kind() const {
        if (WIFEXITED(raw_)) return Kind::Exited;
        if (WIFSIGNALED(raw_)) return Kind::Killed;
        const int sig = WSTOPSIG(raw_);
        if (sig == (SIGTRAP | 0x80)) return Kind::SyscallStop;
        const int event = ptrace_event();
        if (event == PTRACE_EVENT_STOP) {
            return is_stopping_signal(sig) ? Kind::GroupStop : Kind::InterruptStop;
        }
        if (event != 0) return Kind::EventStop;
        return Kind::SignalDelivery;
    }

    int raw() const { return raw_; }
    bool gone() const { return WIFEXITED(raw_) || WIFSIGNALED(raw_); }
    int exit_code() const { return WEXITSTATUS(raw_); }
    int term_signal() const { return WTERMSIG(raw_); }
    bool core_dumped() const { return WCOREDUMP(raw_); }
    int stop_signal() const { return WSTOPSIG(raw_); }
    int ptrace_event() const { return WIFSTOPPED(raw_) ? (raw_ >> 16) & 0xff : 0; }

    // The status a shell reports for a process that ended this way: the exit
    // code, or 128+N when signal N killed it.
    int shell_status() const { return WIFSIGNALED(raw_) ? 128 + WTERMSIG(raw_) : exit_code(); }

    static bool is_stopping_signal(int sig) {
        return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
    }

private:
    int raw_;
};

}  // namespace sctrace
