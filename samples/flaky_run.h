/* What the flaky samples share: how a run decides whether it is the unlucky
 * one, and a sleep that signals do not cut short.
 *
 * flaky_unlucky(argc, argv) reads the sample's command line:
 *   SAMPLE                         unlucky at random, about one run in three
 *   SAMPLE --fail-every N COUNTER  deterministic, for tests: the runs
 *                                  counted in file COUNTER are unlucky when
 *                                  the count is a multiple of N
 * and returns 1 (unlucky) or 0; on a bad command line it says so and exits 2.
 *
 * Plain C, header only: each sample stays one file plus this. */
#ifndef SCTRACE_FLAKY_RUN_H
#define SCTRACE_FLAKY_RUN_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* This run's number, from the counter file (incremented). */
static unsigned flaky_next_run(const char* counter) {
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

static int flaky_unlucky(int argc, char** argv) {
    if (argc == 4 && strcmp(argv[1], "--fail-every") == 0) {
        const unsigned every = (unsigned)strtoul(argv[2], NULL, 10);
        return every > 0 && flaky_next_run(argv[3]) % every == 0;
    }
    if (argc == 1) {
        unsigned char r = 0;
        if (getrandom(&r, 1, 0) != 1) r = (unsigned char)getpid();
        return r % 3 == 0;
    }
    fprintf(stderr, "usage: %s [--fail-every N COUNTER-FILE]\n", argv[0]);
    exit(2);
}

#endif
