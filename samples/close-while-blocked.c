/* close-while-blocked: one thread closes an fd while another thread is
 * asleep in read() on it.
 *
 * Story: docs/rules/double-close.md (BSD TCP for Kyu): the protocol side freed the
 * socket while the user side was still using it. In user space: a shutdown
 * path close()s a connection's fd while a worker thread is blocked reading it.
 * Linux does not wake that read, and the fd number can be reused under it.
 *
 * Deterministic: the worker is seen (through /proc) asleep in read() on the
 * pipe before the main thread closes the read end; the main thread then
 * writes to the write end, which wakes the worker (its read holds its own
 * reference to the pipe), so the program ends. Exit 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "sample_wait.h"

static int p[2];
static volatile pid_t worker_tid;
static ssize_t got;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* worker(void* arg) {
    (void)arg;
    __atomic_store_n(&worker_tid, sample_gettid(), __ATOMIC_RELEASE);
    char buf[64];
    got = read(p[0], buf, sizeof buf);
    return NULL;
}

int main(void) {
    if (pipe(p) != 0) return die("pipe");
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&worker_tid), SYS_read, "read (worker)");
    /* The bug: tear the fd down under the blocked reader. */
    if (close(p[0]) != 0) return die("close");
    /* Wake the worker so the program ends. */
    if (write(p[1], "x", 1) != 1) return die("write");
    pthread_join(t, NULL);
    printf("worker's read returned %zd after its fd was closed\n", got);
    close(p[1]);
    return 0;
}
