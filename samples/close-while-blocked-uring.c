/* close-while-blocked-uring: one thread closes an fd through an io_uring
 * (IORING_OP_CLOSE) while another thread is asleep in read() on it.
 *
 * Story: docs/rules/double-close.md (BSD TCP for Kyu), with the teardown
 * handed to a ring: the shutdown path of a liburing event loop queues the
 * close of a connection while a worker thread is still blocked reading it.
 * Linux does not wake that read, and the fd number can be reused under it.
 * strace shows only an io_uring_enter; the close is inside the ring.
 *
 * Deterministic: the worker is seen (through /proc) asleep in read() on the
 * pipe before the close is submitted; the main thread then writes to the
 * write end, which wakes the worker (its read holds its own reference to
 * the pipe), so the program ends.
 *     sctrace -- samples/close-while-blocked-uring
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_CLOSE). */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sample_wait.h"

static int p[2];
static volatile pid_t worker_tid;
static ssize_t got;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* worker(void* arg) {
    (void)arg;
    __atomic_store_n(&worker_tid, sample_gettid(), __ATOMIC_RELEASE);
    char buf[64];
    got = read(p[0], buf, sizeof buf);
    return NULL;
}

/* Closes fd through the ring and waits for the completion: its res. */
static int close_through_ring(struct io_uring* ring, int fd) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, 0xc105ed);
    int ret = io_uring_submit_and_wait(ring, 1);
    if (ret < 0) return ret;
    struct io_uring_cqe* cqe;
    ret = io_uring_wait_cqe(ring, &cqe);
    if (ret < 0) return ret;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res;
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    if (pipe(p) != 0) return die("pipe");
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&worker_tid), SYS_read, "read (worker)");
    /* The bug: tear the fd down under the blocked reader. */
    ret = close_through_ring(&ring, p[0]);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
        return 77;
    }
    if (ret != 0) {
        fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
        return 1;
    }
    /* Wake the worker so the program ends. */
    if (write(p[1], "x", 1) != 1) return die("write");
    pthread_join(t, NULL);
    printf("worker's read returned %zd after its fd was closed through the ring\n", got);
    close(p[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
