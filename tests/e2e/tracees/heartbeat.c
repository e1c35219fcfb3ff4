// A long-running program for the job-control and attach tests: it keeps making
// syscalls and publishes its progress in a file, so the test can tell "runs"
// from "stopped" from the outside, and it ends cleanly when its stdin closes.
//
//   heartbeat FILE WORKERS
//
// The main thread loops on poll(stdin, 10 ms) and getppid(); each of WORKERS
// threads loops on getppid() and a 2 ms nanosleep. After every main-loop
// iteration FILE holds one line, rewritten in place:
//   "<pid> <main iterations> <sum of worker iterations>\n"
// It prints "ready" once all threads run, and on stdin EOF stops the workers,
// prints a summary and exits 0. It has no signal handlers, so no call may ever
// fail with EINTR: a tracer that lets one through (on attach, detach, or
// around a group-stop) makes it report the error on stderr and exit 100.
#include "tracee.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>

enum { kMaxWorkers = 64 };

static volatile int stop_workers;
static unsigned long worker_iterations[kMaxWorkers];

static void* worker(void* arg) {
    unsigned long* counter = arg;
    while (!__atomic_load_n(&stop_workers, __ATOMIC_SEQ_CST)) {
        CHECK(syscall(SYS_getppid) > 0);
        struct timespec ts = {0, 2000000};
        CHECK(nanosleep(&ts, NULL) == 0);
        __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

int main(int argc, char** argv) {
    CHECK(argc == 3);
    int workers = atoi(argv[2]);
    CHECK(workers >= 0 && workers <= kMaxWorkers);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(fd >= 0);

    pthread_t threads[kMaxWorkers];
    for (int i = 0; i < workers; i++)
        CHECK(pthread_create(&threads[i], NULL, worker, &worker_iterations[i]) == 0);
    say("ready\n");

    for (unsigned long iteration = 1;; iteration++) {
        CHECK(syscall(SYS_getppid) > 0);
        unsigned long worker_sum = 0;
        for (int i = 0; i < workers; i++)
            worker_sum += __atomic_load_n(&worker_iterations[i], __ATOMIC_SEQ_CST);
        char line[80];
        int len =
            snprintf(line, sizeof line, "%10d %20lu %20lu\n", getpid(), iteration, worker_sum);
        CHECK(pwrite(fd, line, (size_t)len, 0) == len);

        struct pollfd in = {.fd = STDIN_FILENO, .events = POLLIN};
        int ready = poll(&in, 1, 10);
        CHECK(ready >= 0);
        if (ready == 1) {
            char buf[256];
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            CHECK(n >= 0);
            if (n == 0) break;  // stdin closed: time to go
        }
    }

    __atomic_store_n(&stop_workers, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < workers; i++) CHECK(pthread_join(threads[i], NULL) == 0);
    say("stdin closed; %d worker thread(s) stopped; exiting 0\n", workers);
    return 0;
}
