/* A subject for fault injection: makes one kind of call and prints what it
 * saw, so a test compares what the program experienced with what was
 * injected.
 *
 *   inject_probe getppid N   N getppid() calls, one line each: the value
 *   inject_probe open        open("/dev/null") through the open syscall, which
 *                            the loader never uses (it opens with openat):
 *                            "fd" or the errno's name
 *   inject_probe pause       pause() with a SIGUSR1 handler installed:
 *                            "EINTR, handler ran" once a signal interrupted
 *                            it (an alarm ends it after 10 s otherwise)
 *   inject_probe slow        one getppid(), then "slow" if it took 250 ms or
 *                            more, else "fast" */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_signal(int signo) {
    (void)signo;
    handled = 1;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    if (strcmp(argv[1], "getppid") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 1;
        for (int i = 0; i < n; i++) printf("%ld\n", syscall(SYS_getppid));
        return 0;
    }
    if (strcmp(argv[1], "open") == 0) {
        long fd = syscall(SYS_open, "/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            printf("%s\n", strerrorname_np(errno));
        } else {
            printf("fd\n");
        }
        return 0;
    }
    if (strcmp(argv[1], "pause") == 0) {
        struct sigaction action = {.sa_handler = on_signal};
        sigemptyset(&action.sa_mask);
        sigaction(SIGUSR1, &action, NULL);
        signal(SIGALRM, SIG_DFL);
        alarm(10);
        int rc = pause();
        if (rc < 0 && errno == EINTR && handled) {
            printf("EINTR, handler ran\n");
        } else {
            printf("pause returned %d\n", rc);
        }
        return 0;
    }
    if (strcmp(argv[1], "slow") == 0) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        syscall(SYS_getppid);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        printf("%s\n", ms >= 250 ? "slow" : "fast");
        return 0;
    }
    return 2;
}
