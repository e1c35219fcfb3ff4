/* concurrent-socket-reads, a correct program the rule must not flag: a pool
 * of two worker threads receives on one AF_UNIX datagram socket. Each recv()
 * returns one whole datagram, so no message is split between readers: the
 * rule is about stream sockets (the rule: "the same for reads/receives" of
 * "one stream socket").
 *
 * Story: docs/rules/concurrent-socket-writes.md (there a TCP stream; this is the worker-pool shape
 * that is fine for datagrams).
 *
 * Both workers are seen (through /proc) asleep in recvfrom() before the main
 * thread sends two datagrams; each worker gets one. Exit 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
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

static void* worker(void* arg) {
    int i = (int)(long)arg;
    __atomic_store_n(&tids[i], sample_gettid(), __ATOMIC_RELEASE);
    char buf[64];
    got[i] = recv(sv[1], buf, sizeof buf, 0);
    return NULL;
}

int main(void) {
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    pthread_t t[2];
    for (long i = 0; i < 2; i++) {
        if (pthread_create(&t[i], NULL, worker, (void*)i) != 0) return die("pthread_create");
        wait_blocked(wait_tid(&tids[i]), SYS_recvfrom,
                     i == 0 ? "recvfrom (worker 0)" : "recvfrom (worker 1)");
    }
    static const char job[] = "job: 16 bytes.\n";
    for (int n = 0; n < 2; n++)
        if (send(sv[0], job, sizeof job - 1, 0) != (ssize_t)(sizeof job - 1)) return die("send");
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("each worker got one whole datagram: %zd + %zd bytes\n", got[0], got[1]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
