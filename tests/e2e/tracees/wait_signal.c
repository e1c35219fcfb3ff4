// Waits for SIGINT or SIGTERM from outside, for the tests that signal sctrace
// itself: sctrace must pass the signal on to the command it launched, which
// then behaves exactly as if it had been signalled directly.
//
//   wait_signal handle    handlers print which signal came, exit 5 (SIGINT) or 6 (SIGTERM)
//   wait_signal default   default dispositions: dies of the signal (130 / 143)
// Prints "ready" once its dispositions are in place.
#include "tracee.h"

#include <signal.h>

static volatile sig_atomic_t got;

static void on_signal(int sig) {
    got = sig;
}

int main(int argc, char** argv) {
    CHECK(argc == 2);
    int handle = strcmp(argv[1], "handle") == 0;
    CHECK(handle || strcmp(argv[1], "default") == 0);
    if (handle) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        CHECK(sigaction(SIGINT, &sa, NULL) == 0);
        CHECK(sigaction(SIGTERM, &sa, NULL) == 0);
    }
    // Block both while checking `got`, so the wakeup cannot be missed.
    sigset_t both, old;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    CHECK(sigprocmask(SIG_BLOCK, &both, &old) == 0);
    say("ready\n");
    while (!got) sigsuspend(&old);
    say("got SIG%s, exiting %d\n", sigabbrev_np(got), got == SIGINT ? 5 : 6);
    return got == SIGINT ? 5 : 6;
}
