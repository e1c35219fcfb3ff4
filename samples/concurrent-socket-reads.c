/* concurrent-socket-reads: two threads inside read() on one stream socket at
 * the same time; which bytes each gets is up to the scheduler.
 *
 * Story: docs/rules/concurrent-socket-writes.md ("WSARecv, WSASend and thread safety"): receives
 * issued from several threads on one socket at once returned slices of the
 * stream that did not follow each other - corruption, not just reordering.
 *
 * The overlap is certain: both reader threads are seen asleep inside read()
 * (through /proc) before the main thread writes anything. Then it writes one
 * message and shuts its end down: one reader gets the message, the other
 * end-of-stream. Exit 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

static int sv[2];
static volatile pid_t tids[2];
static ssize_t got[2];

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* reader(void* arg) {
    int i = (int)(long)arg;
    __atomic_store_n(&tids[i], sample_gettid(), __ATOMIC_RELEASE);
    char buf[4096];
    got[i] = read(sv[1], buf, sizeof buf);
    return NULL;
}

int main(void) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    pthread_t t[2];
    for (long i = 0; i < 2; i++) {
        if (pthread_create(&t[i], NULL, reader, (void*)i) != 0) return die("pthread_create");
        wait_blocked(wait_tid(&tids[i]), SYS_read, i == 0 ? "read (reader 0)" : "read (reader 1)");
    }
    /* Both readers sleep in read() on sv[1] now. */
    static const char msg[] = "one message, two readers\n";
    if (write(sv[0], msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) return die("write");
    if (shutdown(sv[0], SHUT_WR) != 0) return die("shutdown");
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("the two readers got %zd bytes between them\n", got[0] + got[1]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
