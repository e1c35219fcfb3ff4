/* concurrent-socket-reads, the correct twin: the same two reader threads on
 * one stream socket, but reads are serialised by a per-socket mutex
 * (docs/rules/concurrent-socket-writes.md: "only one thread calls into the API at a given time").
 *
 * Reader 0 takes the lock and sleeps in read(); reader 1 is started only then
 * and sleeps on the mutex (futex). The main thread writes one message and
 * shuts its end down: reader 0 gets the message, reader 1 then reads
 * end-of-stream. No two reads overlap. Exit 0. */
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
static pthread_mutex_t socket_lock = PTHREAD_MUTEX_INITIALIZER;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* reader(void* arg) {
    int i = (int)(long)arg;
    __atomic_store_n(&tids[i], sample_gettid(), __ATOMIC_RELEASE);
    char buf[4096];
    pthread_mutex_lock(&socket_lock);
    got[i] = read(sv[1], buf, sizeof buf);
    pthread_mutex_unlock(&socket_lock);
    return NULL;
}

int main(void) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    pthread_t t[2];
    if (pthread_create(&t[0], NULL, reader, (void*)0L) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tids[0]), SYS_read, "read (reader 0)");
    if (pthread_create(&t[1], NULL, reader, (void*)1L) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tids[1]), SYS_futex, "futex (reader 1 waits for the lock)");
    static const char msg[] = "one message, two readers\n";
    if (write(sv[0], msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) return die("write");
    if (shutdown(sv[0], SHUT_WR) != 0) return die("shutdown");
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    printf("reader 0 got %zd bytes, reader 1 got %zd (end of stream)\n", got[0], got[1]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
