/* close-while-blocked-uring-pending-ok, the correct twin: the teardown first
 * cancels the connection's armed RECV (IORING_OP_ASYNC_CANCEL), waits for
 * both completions (the RECV's -ECANCELED and the cancel's own), and only
 * then closes the socket, with close(2) or, given `ring-close`, through the
 * ring. Must raise nothing.
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_TAG 0x4ec7ULL
#define CANCEL_TAG 0xca9ce1ULL
#define CLOSE_TAG 0xc105edULL

static int die(const char* what) {
    perror(what);
    return 1;
}

static int submit_one(struct io_uring* ring) {
    int ret = io_uring_submit(ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(-ret));
        return -1;
    }
    return 0;
}

int main(int argc, char** argv) {
    const int ring_close = argc > 1 && strcmp(argv[1], "ring-close") == 0;
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    int s[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0) return die("socketpair");
    char buf[64];
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, s[0], buf, sizeof buf, 0);
    io_uring_sqe_set_data64(sqe, RECV_TAG);
    if (submit_one(&ring) != 0) return 1;
    /* The fix: cancel what is armed on the connection, and wait for it. */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, RECV_TAG, 0);
    io_uring_sqe_set_data64(sqe, CANCEL_TAG);
    if (submit_one(&ring) != 0) return 1;
    int recv_res = 1;
    for (int seen = 0; seen < 2; seen++) {
        struct io_uring_cqe* cqe;
        ret = io_uring_wait_cqe(&ring, &cqe);
        if (ret < 0) {
            fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
            return 1;
        }
        if (cqe->user_data == RECV_TAG) recv_res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
    }
    if (recv_res != -ECANCELED) {
        fprintf(stderr, "the receive ended with %d, not -ECANCELED\n", recv_res);
        return 1;
    }
    if (ring_close) {
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_close(sqe, s[0]);
        io_uring_sqe_set_data64(sqe, CLOSE_TAG);
        ret = io_uring_submit_and_wait(&ring, 1);
        struct io_uring_cqe* cqe;
        if (ret >= 0) ret = io_uring_wait_cqe(&ring, &cqe);
        if (ret < 0) {
            fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
            return 1;
        }
        ret = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
        if (ret == -EINVAL || ret == -EOPNOTSUPP) {
            fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
            return 77;
        }
        if (ret != 0) {
            fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
            return 1;
        }
    } else if (close(s[0]) != 0) {
        return die("close");
    }
    printf("the receive was cancelled before its socket was closed\n");
    close(s[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
