/* concurrent-socket-reads-uring: a receive submitted through an io_uring
 * (IORING_OP_RECV) on a stream socket while another thread is asleep in
 * read() on it.
 *
 * Story: docs/rules/concurrent-socket-writes.md's other half (an I/O
 * completion port server framework): two readers of one stream each get
 * whichever bytes arrive while they wait, so a message is split between a
 * thread and the ring's completion handler.
 *
 * Deterministic: thread A is seen (through /proc) asleep in read() before
 * the receive is submitted; then the peer sends one message, waits until
 * one of the two readers has it, and sends a second for the other.
 *     sctrace -- samples/concurrent-socket-reads-uring
 * Exit 0 (77 when the kernel refuses io_uring). */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sample_wait.h"

static int sv[2];
static volatile pid_t tid_a;
static volatile int a_done;
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
    __atomic_store_n(&a_done, 1, __ATOMIC_RELEASE);
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
    /* A is asleep inside read(): the ring's receive waits on the same stream. */
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
    /* One message; once a reader has it, another for the other one. */
    if (write(sv[1], "first\n", 6) != 6) return die("write");
    struct io_uring_cqe* cqe = NULL;
    for (;;) {
        if (__atomic_load_n(&a_done, __ATOMIC_ACQUIRE)) break;
        if (io_uring_peek_cqe(&ring, &cqe) == 0 && cqe) break;
        struct timespec step = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
        nanosleep(&step, NULL);
    }
    if (write(sv[1], "second\n", 7) != 7) return die("write");
    pthread_join(a, NULL);
    ret = io_uring_wait_cqe(&ring, &cqe);
    if (ret < 0) {
        fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
        return 1;
    }
    const int ring_got = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    printf("two readers of one stream: %d bytes in all\n", (int)a_got + ring_got);
    close(sv[0]);
    close(sv[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
