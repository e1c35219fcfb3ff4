/* concurrent-socket-writes, the correct twin: the same two writers on one TCP
 * socket, but one at a time under a per-socket mutex - the fix in
 * docs/rules/concurrent-socket-writes.md ("simply using a single lock per socket").
 *
 * Same choreography as the buggy sample: A takes the lock and sleeps inside a
 * 4 MiB write(); B is started only then and sleeps on the mutex (futex); the
 * main thread drains. B's write starts after A's has returned. Exit 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

#define BIG (4 * 1024 * 1024)
static const char small[] = "a second message from another thread\n";

static int client = -1;
static char* big;
static volatile pid_t tid_a, tid_b;
static pthread_mutex_t socket_lock = PTHREAD_MUTEX_INITIALIZER;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void locked_write_all(int fd, const char* p, size_t n) {
    pthread_mutex_lock(&socket_lock);
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
    pthread_mutex_unlock(&socket_lock);
}

static void* writer_a(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_a, sample_gettid(), __ATOMIC_RELEASE);
    locked_write_all(client, big, BIG);
    return NULL;
}

static void* writer_b(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_b, sample_gettid(), __ATOMIC_RELEASE);
    locked_write_all(client, small, sizeof small - 1);
    return NULL;
}

int main(void) {
    big = malloc(BIG);
    if (!big) return die("malloc");
    memset(big, 'A', BIG);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket");
    int tiny = 4096;
    setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind");
    if (listen(listener, 1) != 0) return die("listen");
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname");
    client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) return die("socket");
    setsockopt(client, SOL_SOCKET, SO_SNDBUF, &tiny, sizeof tiny);
    if (connect(client, (struct sockaddr*)&addr, sizeof addr) != 0) return die("connect");
    int server = accept(listener, NULL, NULL);
    if (server < 0) return die("accept");

    pthread_t a, b;
    if (pthread_create(&a, NULL, writer_a, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tid_a), SYS_write, "write (thread A)");
    if (pthread_create(&b, NULL, writer_b, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tid_b), SYS_futex, "futex (thread B waits for the lock)");

    size_t want = BIG + sizeof small - 1, got = 0;
    char buf[65536];
    while (got < want) {
        ssize_t r = read(server, buf, sizeof buf);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("received %zu bytes from two writers, one at a time\n", got);
    close(server);
    close(client);
    close(listener);
    free(big);
    return 0;
}
