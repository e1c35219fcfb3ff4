// sctrace's own signals: noted by a handler, acted on by the tracer loop
// (which alone may make ptrace calls).
//
// Every signal whose default action would end sctrace while it traces is
// taken here, so that sctrace never dies of a signal aimed at it and takes
// its command with it: SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
// SIGALRM, SIGPIPE, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR,
// SIGSTKFLT and the real-time signals. Left out: the signals a fault in
// sctrace itself raises (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS,
// SIGABRT), which must end it, and glibc's two reserved real-time signals.
//
// A signal handler can only reach state through static storage, so this is
// the one piece of process-global mutable state in sctrace; it is written by
// the handler and read-and-cleared by the tracer loop only.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <utility>
#include <vector>

namespace sctrace {

struct ReceivedSignal {
    int signo = 0;
    // True when the terminal (or the kernel) generated it: then the command,
    // in the same foreground process group, received it too and must not get
    // it a second time from us.
    bool from_kernel = false;
    // True when sctrace caused it itself: SIGPIPE or SIGXFSZ from a write to
    // one of its outputs, which the write's error already reports.
    bool from_self = false;
    pid_t sender = 0;
};

// Which of the relayed signals are ignored (SIG_IGN) right now. Read it
// before sctrace changes any disposition: what sctrace's parent left
// ignored (nohup's SIGHUP, a CI runner's SIGPIPE) stays ignored, in sctrace
// and in the command, which inherits SIG_IGN across fork and execve.
sigset_t ignored_relayed_signals();

class SignalRelay {
public:
    // Installs the handlers (no SA_RESTART, so a blocking waitpid returns
    // EINTR) on every relayed signal but those in `leave_ignored`. Handlers,
    // unlike SIG_IGN, reset to default across execve, so the traced command
    // starts with the dispositions it would have had.
    explicit SignalRelay(const sigset_t& leave_ignored);
    // Restores the dispositions it found.
    ~SignalRelay();
    SignalRelay(const SignalRelay&) = delete;
    SignalRelay& operator=(const SignalRelay&) = delete;

    // The oldest signal not yet taken, if any (signo 0: none).
    ReceivedSignal take();

private:
    std::vector<std::pair<int, struct sigaction>> replaced_;  // signo, the action before
};

}  // namespace sctrace
