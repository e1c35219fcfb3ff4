/* Helpers the threaded samples share: make an overlap certain instead of a
 * matter of scheduling luck.
 *
 * wait_blocked(tid, nr) returns once thread tid of this process is asleep
 * (state S or D in /proc/self/task/TID/stat) inside syscall nr (first field of
 * /proc/self/task/TID/syscall). A thread stopped at a tracer's syscall-entry
 * stop shows 't', not 'S', so under sctrace or strace this waits until the
 * tracer has let the call really start and it has gone to sleep in the kernel.
 *
 * Plain C, header only: each sample stays one file plus this. */
#ifndef SCTRACE_SAMPLE_WAIT_H
#define SCTRACE_SAMPLE_WAIT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline pid_t sample_gettid(void) {
    return (pid_t)syscall(SYS_gettid);
}

/* Reads a small /proc file into buf (NUL-terminated); returns bytes read or -1. */
static inline ssize_t sample_read_small(const char* path, char* buf, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

/* 1 when thread tid sleeps inside syscall nr now, else 0. */
static inline int sample_is_blocked_in(pid_t tid, long nr) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    if (sample_read_small(path, buf, sizeof buf) <= 0) return 0;
    const char* close_paren = strrchr(buf, ')');
    if (!close_paren || close_paren[1] != ' ') return 0;
    char state = close_paren[2];
    if (state != 'S' && state != 'D') return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    if (sample_read_small(path, buf, sizeof buf) <= 0) return 0;
    char* end = NULL;
    long got = strtol(buf, &end, 10);
    return end != buf && got == nr;
}

/* Waits (polling every 2 ms, at most about 20 s) until thread tid sleeps in
 * syscall nr. Exits the program with status 3 and a message on timeout, so a
 * sample never hangs silently. */
static inline void wait_blocked(pid_t tid, long nr, const char* what) {
    struct timespec step = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
    for (int i = 0; i < 10000; i++) {
        if (sample_is_blocked_in(tid, nr)) return;
        nanosleep(&step, NULL);
    }
    fprintf(stderr, "timed out waiting for thread %d to block in %s\n", (int)tid, what);
    exit(3);
}

/* Waits until *tid_slot is set by a new thread (it stores its own tid). */
static inline pid_t wait_tid(volatile pid_t* tid_slot) {
    struct timespec step = {.tv_sec = 0, .tv_nsec = 1000 * 1000};
    for (int i = 0; i < 20000; i++) {
        pid_t t = __atomic_load_n(tid_slot, __ATOMIC_ACQUIRE);
        if (t) return t;
        nanosleep(&step, NULL);
    }
    fprintf(stderr, "timed out waiting for a thread to start\n");
    exit(3);
}

#endif
