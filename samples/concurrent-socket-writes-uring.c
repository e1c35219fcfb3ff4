/* concurrent-socket-writes-uring: a send submitted through an io_uring
 * (IORING_OP_SEND) on a TCP socket while another thread is inside write()
 * on it.
 *
 * Story: docs/rules/concurrent-socket-writes.md (an I/O completion port
 * server framework), in a program that moved part of its I/O to a ring: the
 * ring's send runs in the kernel at once, not behind the thread's write,
 * and its bytes land in the middle of the thread's message.
 *
 * The overlap is certain, not timing luck: the receiving end does not read
 * yet, thread A writes 4 MiB (far more than the small socket buffers) and so
 * sleeps inside write(); only once /proc shows A asleep in write() does the
 * main thread submit its send. Then it drains the receiving end, and both
 * the write and the send complete.
 *     sctrace -- samples/concurrent-socket-writes-uring
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_SEND). */
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
    /* A is asleep inside write() and nobody reads: the ring's send overlaps it. */
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) return die("io_uring_get_sqe");
    io_uring_prep_send(sqe, client, small, sizeof small - 1, MSG_WAITALL);
    io_uring_sqe_set_data64(sqe, 0x5e4d);
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }

    size_t want = BIG + sizeof small - 1, got = 0;
    char buf[65536];
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
    pthread_join(a, NULL);
    printf("received %zu bytes from a writer and a ring send at once\n", got);
    close(server);
    close(client);
    close(listener);
    io_uring_queue_exit(&ring);
    free(big);
    return 0;
}
