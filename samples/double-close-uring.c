/* double-close-uring: a socket closed through an io_uring (IORING_OP_CLOSE),
 * then closed again, which fails with EBADF: with close(2), or through the
 * ring again when run as `double-close-uring ring`.
 *
 * Story: docs/rules/double-close.md's shape, moved to a ring. A server that
 * hands its teardown to the ring (the completion handler owns the close, as
 * in liburing-based event loops) still has the old close(fd) on its error
 * path. strace shows only io_uring_enter and the failing close: nothing
 * says the fd was closed before. If another thread had been given the
 * number in between, the second close would have closed its file.
 *     sctrace -- samples/double-close-uring
 * Exit 0 (77 when the kernel refuses io_uring or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The ring's completion handler: the teardown is done once the CQE says so. */
static int close_through_ring(struct io_uring* ring, int fd) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, 0x5ca1ab1e);
    int ret = io_uring_submit_and_wait(ring, 1);
    if (ret < 0) return ret;
    struct io_uring_cqe* cqe;
    ret = io_uring_wait_cqe(ring, &cqe);
    if (ret < 0) return ret;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res;
}

int main(int argc, char** argv) {
    const int again_through_ring = argc > 1 && strcmp(argv[1], "ring") == 0;
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
    close(sv[1]); /* the peer hangs up */
    ret = close_through_ring(&ring, sv[0]);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
        return 77;
    }
    if (ret != 0) {
        fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
        return 1;
    }
    /* ... and the error path closes it again. */
    int err = again_through_ring ? -close_through_ring(&ring, sv[0]) : close(sv[0]) ? errno : 0;
    if (err == 0) {
        fprintf(stderr, "second close succeeded?\n");
        return 1;
    }
    printf("second close: %s\n", strerror(err));
    io_uring_queue_exit(&ring);
    return 0;
}
