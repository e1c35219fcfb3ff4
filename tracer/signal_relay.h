// sctrace's own SIGINT/SIGTERM/SIGHUP/SIGQUIT: noted by a handler, acted on by
// the tracer loop (which alone may make ptrace calls).
//
// A signal handler can only reach state through static storage, so this is
// the one piece of process-global mutable state in sctrace; it is written by
// the handler and read-and-cleared by the tracer loop only.
#pragma once

#include <sys/types.h>

namespace sctrace {

struct ReceivedSignal {
    int signo = 0;
    // True when the terminal (or the kernel) generated it: then the command,
    // in the same foreground process group, received it too and must not get
    // it a second time from us.
    bool from_kernel = false;
    pid_t sender = 0;
};

class SignalRelay {
public:
    // Installs the handlers (no SA_RESTART, so a blocking waitpid returns
    // EINTR). Handlers, unlike SIG_IGN, reset to default across execve, so the
    // traced command starts with the dispositions it would have had.
    SignalRelay();
    ~SignalRelay();
    SignalRelay(const SignalRelay&) = delete;
    SignalRelay& operator=(const SignalRelay&) = delete;

    // The oldest signal not yet taken, if any (signo 0: none).
    ReceivedSignal take();
};

}  // namespace sctrace
