// Shared helpers for the e2e tracees: small C programs run both untraced and
// under sctrace, whose stdout, stderr and exit status must come out the same.
//
// Rules every tracee follows, so that a difference between the two runs can
// only come from the tracer:
//  - stdout is deterministic (no pids, tids, addresses or timings in it);
//  - anything that goes wrong is reported on stderr and ends the program with
//    status 100, so a broken tracee is never mistaken for a transparent tracer;
//  - output is flushed before fork/vfork/exec/kill, so buffering cannot
//    duplicate or lose it.
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// Reports a failed expectation with errno and exits 100.
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, \
                    errno, strerror(errno));                                                       \
            fflush(stderr);                                                                        \
            _exit(100);                                                                            \
        }                                                                                          \
    } while (0)

// Sleeps for ms milliseconds, resuming after signal handlers (EINTR).
static inline void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) CHECK(errno == EINTR);
}

// Writes all of buf to fd, across short writes.
static inline void write_all(int fd, const void* buf, size_t len) {
    const char* p = (const char*)buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        CHECK(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

// printf straight to stdout, flushed: the line is out before whatever comes next.
#define say(...)                    \
    do {                            \
        printf(__VA_ARGS__);        \
        CHECK(fflush(stdout) == 0); \
    } while (0)
