/* concurrent-socket-reads-uring-ok, the correct twin: one reader at a
 * time. Thread A reads its message and is joined; only then is the ring's
 * receive submitted, for the next message. Must raise nothing.
 * Exit 0 (77 when the kernel refuses io_uring). */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

static int sv[2];
static volatile pid_t tid_a;
static ssize_t a_got;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* reader_a(void* arg) {
    (void)arg;
    __atomic_store_n(&tid_a, sample_gettid(), __ATOMIC_RELEASE);
    char buf[64];
    a_got = read(sv[0], buf, sizeof buf);
    return NULL;
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    pthread_t a;
    if (pthread_create(&a, NULL, reader_a, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&tid_a), SYS_read, "read (thread A)");
    if (write(sv[1], "first\n", 6) != 6) return die("write");
    pthread_join(a, NULL);
    /* A is done with the stream: now the ring reads the next message. */
    char buf[64];
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) return die("io_uring_get_sqe");
    io_uring_prep_recv(sqe, sv[0], buf, sizeof buf, 0);
    io_uring_sqe_set_data64(sqe, 0x4ecf);
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }
    if (write(sv[1], "second\n", 7) != 7) return die("write");
    struct io_uring_cqe* cqe = NULL;
    ret = io_uring_wait_cqe(&ring, &cqe);
    if (ret < 0) {
        fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
        return 1;
    }
    const int ring_got = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    printf("two readers of one stream in turn: %d bytes in all\n", (int)a_got + ring_got);
    close(sv[0]);
    close(sv[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
