/* close-while-blocked-uring-pending: a socket closed while a receive
 * submitted through an io_uring (IORING_OP_RECV) still waits on it.
 *
 * Story: docs/rules/close-while-blocked.md's shape, moved to a ring. An
 * event loop arms a RECV on every connection and, on teardown, closes the
 * connection's fd as it would have with epoll. close() does not cancel the
 * RECV: the ring holds its own reference to the socket, so the socket is
 * not closed at all (the peer sees no FIN) and the RECV completes whenever
 * data comes, for a connection the program thinks is gone. strace shows an
 * io_uring_enter and a close that returned 0.
 * With `ring-close` the close goes through the ring too (IORING_OP_CLOSE).
 *
 * Deterministic: the RECV is submitted (and waits: nothing was sent) before
 * the close; the peer then sends a byte, which completes the RECV, so the
 * program ends.
 *     sctrace -- samples/close-while-blocked-uring-pending
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_TAG 0x4ec7ULL
#define CLOSE_TAG 0xc105edULL

static int die(const char* what) {
    perror(what);
    return 1;
}

/* The next completion: its user_data and res. */
static int next_completion(struct io_uring* ring, unsigned long long* user_data) {
    struct io_uring_cqe* cqe;
    int ret = io_uring_wait_cqe(ring, &cqe);
    if (ret < 0) return ret;
    *user_data = cqe->user_data;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res;
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
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(-ret));
        return 1;
    }
    /* The bug: tear the connection down with the RECV still armed. */
    if (ring_close) {
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_close(sqe, s[0]);
        io_uring_sqe_set_data64(sqe, CLOSE_TAG);
        ret = io_uring_submit(&ring);
        if (ret != 1) {
            fprintf(stderr, "io_uring_submit: %s\n", strerror(-ret));
            return 1;
        }
        unsigned long long user_data = 0;
        ret = next_completion(&ring, &user_data);
        if (user_data != CLOSE_TAG) {
            fprintf(stderr, "expected the close's completion first, got %#llx\n", user_data);
            return 1;
        }
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
    /* The peer's byte still reaches the "closed" connection's RECV. */
    if (write(s[1], "x", 1) != 1) return die("write");
    unsigned long long user_data = 0;
    ret = next_completion(&ring, &user_data);
    if (user_data != RECV_TAG) {
        fprintf(stderr, "expected the receive's completion, got %#llx\n", user_data);
        return 1;
    }
    printf("the receive on the closed socket completed with %d\n", ret);
    close(s[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
