/* double-close-uring, the correct twin: the socket is closed once, through
 * the ring (IORING_OP_CLOSE); then a new socket lands on the same number and
 * is closed once with close(2), and another through the ring. Each close is
 * of an open descriptor: nothing may be raised.
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int close_through_ring(struct io_uring* ring, int fd, unsigned long long tag) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, tag);
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
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    close(sv[1]);
    ret = close_through_ring(&ring, sv[0], 1);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
        return 77;
    }
    if (ret != 0) {
        fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
        return 1;
    }
    /* A new descriptor lands on the same number; closing it is no double close. */
    int again[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, again) != 0) {
        perror("socketpair");
        return 1;
    }
    if (close(again[0]) != 0) {
        perror("close");
        return 1;
    }
    if (close_through_ring(&ring, again[1], 2) != 0) {
        fprintf(stderr, "second close through the ring failed\n");
        return 1;
    }
    io_uring_queue_exit(&ring);
    puts("each fd closed once");
    return 0;
}
