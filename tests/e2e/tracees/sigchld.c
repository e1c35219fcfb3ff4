// A parent that reaps its children from a SIGCHLD handler. Several children
// exit at about the same time, so SIGCHLDs coalesce and the handler must loop
// on waitpid(WNOHANG); one child dies of a signal. Under a tracer every child
// is traced too, and the tracer's own wait loop must not steal a status the
// parent is owed (the classic "parent sees ECHILD" bug).
#include "tracee.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

enum { kChildren = 6 };

static volatile sig_atomic_t reaped;
static int statuses[kChildren];
static volatile sig_atomic_t handler_calls;

static void on_sigchld(int sig) {
    (void)sig;
    int saved = errno;
    handler_calls++;
    int status;
    while (reaped < kChildren && waitpid(-1, &status, WNOHANG) > 0) statuses[reaped++] = status;
    errno = saved;
}

static int by_value(const void* a, const void* b) {
    return *(const int*)a - *(const int*)b;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);

    // SIGCHLD stays blocked except inside sigsuspend(), so "check reaped,
    // then sleep" cannot miss a wakeup.
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    CHECK(sigprocmask(SIG_BLOCK, &chld, &old) == 0);

    for (int i = 0; i < kChildren; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            // The last child dies of SIGTERM; the others exit with 10, 11, ...
            // the first ones a little later than the rest, so some exits coalesce.
            if (i < 2) sleep_ms(50);
            if (i == kChildren - 1) {
                signal(SIGTERM, SIG_DFL);
                raise(SIGTERM);
            }
            _exit(10 + i);
        }
    }
    while (reaped < kChildren) sigsuspend(&old);
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0);

    // Reaping order depends on scheduling; the sorted set does not.
    int codes[kChildren];
    for (int i = 0; i < kChildren; i++) {
        int s = statuses[i];
        codes[i] = WIFEXITED(s) ? WEXITSTATUS(s) : WIFSIGNALED(s) ? 1000 + WTERMSIG(s) : -1;
    }
    qsort(codes, kChildren, sizeof codes[0], by_value);
    for (int i = 0; i < kChildren; i++) {
        if (codes[i] >= 1000)
            say("reaped a child killed by signal %d\n", codes[i] - 1000);
        else
            say("reaped a child that exited with %d\n", codes[i]);
    }
    errno = 0;
    pid_t none = waitpid(-1, NULL, WNOHANG);
    say("no children left: %s\n", none < 0 && errno == ECHILD ? "yes" : "no");
    say("handler ran at least once: %s\n", handler_calls > 0 ? "yes" : "no");
    return 0;
}
