/* close-while-blocked-uring-ok, the correct twin: the shutdown path first
 * wakes the blocked worker (writes to the pipe), waits for it to finish
 * (join), and only then closes the fd it was reading, through the ring
 * (docs/rules/double-close.md: tear down only once nobody is using the
 * file). Must raise nothing.
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
    /* Wake the worker and wait for it: nobody reads the fd any more. */
    if (write(p[1], "x", 1) != 1) return die("write");
    pthread_join(t, NULL);
    ret = close_through_ring(&ring, p[0]);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
        return 77;
    }
    if (ret != 0) {
        fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
        return 1;
    }
    printf("worker's read returned %zd before its fd was closed through the ring\n", got);
    close(p[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
