/* A flaky test: a wait whose timeout is tuned to the fast case.
 *
 * The test asks a worker process for a reply over a socketpair and waits
 * for it with poll() and a 1500 ms timeout, "more than enough" on the
 * developer's machine. The worker usually answers at once; when it is slow
 * (a loaded CI machine, here: a sleep), the poll returns 0 and the test
 * fails:
 *
 *   FAIL: no reply within 1500 ms
 *
 * Under sctrace --repeat, the difference between a passing and a failing
 * run is that poll's result: it timed out.
 *
 *   flaky-timeout-wait                         the worker is slow at random
 *                                              (about one run in three)
 *   flaky-timeout-wait --fail-every N COUNTER  deterministic, for tests: the
 *                                              runs counted in file COUNTER
 *                                              fail when the count is a
 *                                              multiple of N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flaky_run.h"

int main(int argc, char** argv) {
    const int slow = flaky_unlucky(argc, argv);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 2;
    }
    const pid_t worker = fork();
    if (worker < 0) return 2;
    if (worker == 0) {
        close(sv[0]);
        char request[8];
        if (read(sv[1], request, sizeof request) <= 0) _exit(1);
        if (slow) sleep_ms(3000); /* a loaded machine */
        (void)write(sv[1], "pong", 4);
        _exit(0);
    }
    close(sv[1]);
    (void)write(sv[0], "ping", 4);
    struct pollfd p = {.fd = sv[0], .events = POLLIN};
    const int ready = poll(&p, 1, 1500); /* the bug: a timeout tuned to a fast machine */
    int status = 0;
    if (ready != 1) {
        printf("FAIL: no reply within 1500 ms\n");
        status = 1;
    } else {
        char reply[8];
        if (read(sv[0], reply, sizeof reply) != 4) status = 1;
        printf(status ? "FAIL: bad reply\n" : "ok\n");
    }
    close(sv[0]);
    waitpid(worker, NULL, 0);
    return status;
}
