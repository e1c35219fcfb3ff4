/* concurrent-socket-writes: two threads inside write() on one TCP socket at
 * the same time.
 *
 * Story: docs/rules/concurrent-socket-writes.md (an I/O completion port server framework): once the
 * write sequencing was removed, "multi-buffer writes" from several threads
 * interleaved on one connection and corrupted the TCP stream.
 *
 * The overlap is certain, not timing luck: the receiving end does not read
 * yet, thread A writes 4 MiB (far more than the small socket buffers) and so
 * sleeps inside write(); only once /proc shows A asleep in write() does
 * thread B start its own write() (which sleeps too). Then the main thread
 * drains the receiving end and both writes complete. Exit 0. */
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
static volatile int b_done;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

static void* writer_a(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_a, sample_gettid(), __ATOMIC_RELEASE);
    write_all(client, big, BIG);
    return NULL;
}

static void* writer_b(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_b, sample_gettid(), __ATOMIC_RELEASE);
    write_all(client, small, sizeof small - 1);
    __atomic_store_n(&b_done, 1, __ATOMIC_RELEASE);
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
    /* A is asleep inside write() and nobody reads: B's write overlaps it. */
    if (pthread_create(&b, NULL, writer_b, NULL) != 0) return die("pthread_create");
    pid_t b_tid = wait_tid(&tid_b);
    while (!__atomic_load_n(&b_done, __ATOMIC_ACQUIRE) && !sample_is_blocked_in(b_tid, SYS_write)) {
        struct timespec step = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
        nanosleep(&step, NULL);
    }

    size_t want = BIG + sizeof small - 1, got = 0;
    char buf[65536];
    while (got < want) {
        ssize_t r = read(server, buf, sizeof buf);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("received %zu bytes from two concurrent writers\n", got);
    close(server);
    close(client);
    close(listener);
    free(big);
    return 0;
}
