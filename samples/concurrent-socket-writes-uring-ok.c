/* concurrent-socket-writes-uring-ok, the correct twin: the writes are
 * sequenced. The ring's send is submitted only once thread A's write has
 * returned (joined), so the stream carries A's message, then the ring's
 * (docs/rules/concurrent-socket-writes.md: one writer at a time). Must
 * raise nothing. Exit 0 (77 when the kernel refuses io_uring). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

#define BIG (4 * 1024 * 1024)
static const char small[] = "a message sent through the ring\n";

static int client = -1;
static char* big;
static volatile pid_t tid_a;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* writer_a(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_a, sample_gettid(), __ATOMIC_RELEASE);
    const char* p = big;
    size_t n = BIG;
    while (n > 0) {
        ssize_t w = write(client, p, n);
        if (w <= 0) {
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
    return NULL;
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
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

    pthread_t a;
    if (pthread_create(&a, NULL, writer_a, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tid_a), SYS_write, "write (thread A)");
    /* Drain A's message; A's write returns, and only then does the ring send. */
    size_t want = BIG, got = 0;
    char buf[65536];
    while (got < want) {
        ssize_t r = read(server, buf, sizeof buf);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    pthread_join(a, NULL);
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) return die("io_uring_get_sqe");
    io_uring_prep_send(sqe, client, small, sizeof small - 1, MSG_WAITALL);
    io_uring_sqe_set_data64(sqe, 0x5e4d);
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }
    want += sizeof small - 1;
    while (got < want) {
        ssize_t r = read(server, buf, sizeof buf);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    struct io_uring_cqe* cqe;
    ret = io_uring_wait_cqe(&ring, &cqe);
    if (ret < 0) {
        fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
        return 1;
    }
    if (cqe->res == -EINVAL || cqe->res == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_SEND: %s\n", strerror(-cqe->res));
        return 77;
    }
    io_uring_cqe_seen(&ring, cqe);
    printf("received %zu bytes from a writer, then a ring send\n", got);
    close(server);
    close(client);
    close(listener);
    io_uring_queue_exit(&ring);
    free(big);
    return 0;
}
