/* close-while-blocked, the correct twin: the shutdown path first wakes the
 * blocked worker (writes to the pipe), waits for it to finish (join), and
 * only then closes the fd it was reading (docs/rules/double-close.md: tear down only
 * once nobody is using the socket). Must raise nothing. Exit 0. */
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
    if (write(p[1], "x", 1) != 1) return die("write");
    pthread_join(t, NULL);
    if (close(p[0]) != 0) return die("close");
    printf("worker's read returned %zd; fd closed after it finished\n", got);
    close(p[1]);
    return 0;
}
