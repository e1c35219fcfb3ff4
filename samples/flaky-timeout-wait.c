/* A flaky test: a wait whose timeout is tuned to the fast case.
 *
 * The test asks a worker process for a reply over a socketpair and waits
 * for it with poll() and a 300 ms timeout, "more than enough" on the
 * developer's machine. The worker usually answers at once; when it is slow
 * (a loaded CI machine, here: a sleep), the poll returns 0 and the test
 * fails:
 *
 *   FAIL: no reply within 300 ms
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
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* This run's number, from the counter file (incremented). */
static unsigned next_run(const char* counter) {
    unsigned run = 0;
    FILE* f = fopen(counter, "r");
    if (f) {
        if (fscanf(f, "%u", &run) != 1) run = 0;
        fclose(f);
    }
    ++run;
    f = fopen(counter, "w");
    if (!f || fprintf(f, "%u\n", run) < 0 || fclose(f) != 0) {
        perror(counter);
        exit(2);
    }
    return run;
}

int main(int argc, char** argv) {
    int slow;
    if (argc == 4 && strcmp(argv[1], "--fail-every") == 0) {
        const unsigned every = (unsigned)strtoul(argv[2], NULL, 10);
        slow = every > 0 && next_run(argv[3]) % every == 0;
    } else if (argc == 1) {
        unsigned char r = 0;
        if (getrandom(&r, 1, 0) != 1) r = (unsigned char)getpid();
        slow = r % 3 == 0;
    } else {
        fprintf(stderr, "usage: %s [--fail-every N COUNTER-FILE]\n", argv[0]);
        return 2;
    }

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
        if (slow) sleep_ms(1000); /* a loaded machine */
        (void)write(sv[1], "pong", 4);
        _exit(0);
    }
    close(sv[1]);
    (void)write(sv[0], "ping", 4);
    struct pollfd p = {.fd = sv[0], .events = POLLIN};
    const int ready = poll(&p, 1, 300); /* the bug: a timeout tuned to a fast machine */
    int status = 0;
    if (ready != 1) {
        printf("FAIL: no reply within 300 ms\n");
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
