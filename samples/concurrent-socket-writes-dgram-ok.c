/* concurrent-socket-writes, a correct program the rule must not flag: two
 * threads send on one AF_UNIX datagram socket at the same time. Each
 * datagram is delivered whole, so nothing can interleave: the rule is about
 * stream sockets (the rule: "overlap ... on one stream socket"). Think of
 * several threads logging to /dev/log or a journald socket.
 *
 * Story: docs/rules/concurrent-socket-writes.md (the hazard there is a TCP byte stream; this is the
 * shape that only looks like it).
 *
 * The overlap is certain, as in concurrent-socket-writes.c: the sending end
 * has a small SO_SNDBUF and the receiver does not read until both senders are
 * seen (through /proc) asleep in sendto(); then the main thread receives
 * every datagram.
 * Exit 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

#define PER_THREAD 50
#define SIZE 100

static int sv[2];
static volatile pid_t tids[2];

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* sender(void* arg) {
    int i = (int)(long)arg;
    __atomic_store_n(&tids[i], sample_gettid(), __ATOMIC_RELEASE);
    char msg[SIZE];
    memset(msg, 'a' + i, sizeof msg);
    for (int n = 0; n < PER_THREAD; n++)
        if (send(sv[0], msg, sizeof msg, 0) != (ssize_t)sizeof msg) perror("send");
    return NULL;
}

int main(void) {
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    int tiny = 4096; /* a few datagrams in flight, then send() sleeps */
    if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &tiny, sizeof tiny) != 0) return die("setsockopt");
    pthread_t t[2];
    for (long i = 0; i < 2; i++) {
        if (pthread_create(&t[i], NULL, sender, (void*)i) != 0) return die("pthread_create");
        wait_blocked(wait_tid(&tids[i]), SYS_sendto,
                     i == 0 ? "sendto (sender 0)" : "sendto (sender 1)");
    }
    int whole = 0;
    for (int n = 0; n < 2 * PER_THREAD; n++) {
        char buf[2 * SIZE];
        ssize_t r = recv(sv[1], buf, sizeof buf, 0);
        if (r != SIZE) return die("recv");
        whole += memchr(buf, buf[0] == 'a' ? 'b' : 'a', SIZE) == NULL;
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("%d of %d datagrams arrived whole\n", whole, 2 * PER_THREAD);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
