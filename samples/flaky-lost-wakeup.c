/* A flaky test: a lost wake-up.
 *
 * The test waits for a notifier process to say "ready" with SIGUSR1. It
 * checks a flag the handler sets, and if the flag is not set yet, it gets
 * ready to wait (some set-up work) and then waits in pause(). A signal that
 * arrives after the check but before pause() sets the flag too late: pause()
 * sleeps until the test's own deadline, and the test fails:
 *
 *   FAIL: never woken (the wake-up came before the wait)
 *
 * (The fix is to block the signal around the check and wait with
 * sigsuspend().) Under sctrace --repeat, the difference between a passing and
 * a failing run is the order of the signal and the wait: in the failing run
 * SIGUSR1 comes before pause().
 *
 *   flaky-lost-wakeup                         the notifier is early at random
 *                                             (about one run in three)
 *   flaky-lost-wakeup --fail-every N COUNTER  deterministic, for tests: the
 *                                             runs counted in file COUNTER
 *                                             fail when the count is a
 *                                             multiple of N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flaky_run.h"

static volatile sig_atomic_t woken = 0;
static volatile sig_atomic_t deadline = 0;

static void on_ready(int sig) {
    (void)sig;
    woken = 1;
}

static void on_deadline(int sig) {
    (void)sig;
    deadline = 1;
}

int main(int argc, char** argv) {
    const int early = flaky_unlucky(argc, argv);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_ready;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_deadline;
    sigaction(SIGALRM, &sa, NULL);

    const pid_t parent = getpid();
    const pid_t notifier = fork();
    if (notifier < 0) return 2;
    if (notifier == 0) {
        /* Ready after a while; on a fast machine, sooner. */
        sleep_ms(early ? 200 : 1200);
        kill(parent, SIGUSR1);
        _exit(0);
    }

    /* The test's own deadline. */
    struct itimerval limit = {.it_value = {.tv_sec = 2, .tv_usec = 500000}};
    setitimer(ITIMER_REAL, &limit, NULL);

    sleep_ms(20);      /* set-up */
    if (!woken) {      /* the bug: checked before the wait, without blocking the signal */
        sleep_ms(580); /* getting ready to wait: the window */
        pause();
    }
    waitpid(notifier, NULL, 0);
    if (!woken || deadline) {
        printf("FAIL: never woken (the wake-up came before the wait)\n");
        return 1;
    }
    printf("ok\n");
    return 0;
}
