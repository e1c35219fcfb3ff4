/* fd-use-after-close-uring: a descriptor used after its close, one of the
 * two through an io_uring. By default the pipe's read end is closed with
 * close(2), then read through the ring (IORING_OP_READ), whose completion
 * says -EBADF; run as `fd-use-after-close-uring ring-close`, the close goes
 * through the ring (IORING_OP_CLOSE) and the late read is a plain read(2),
 * which fails with EBADF. Add `sqpoll` to either to set the ring up with
 * IORING_SETUP_SQPOLL: a kernel thread takes the submissions, and the
 * program may submit with no io_uring_enter at all.
 *
 * Story: fd-use-after-close.c's stale descriptor (docs/rules/double-close.md), in an
 * event loop built on a ring. The connection's teardown closes its fd but
 * keeps the number, and a read armed for it later still goes out. strace
 * shows io_uring_enter, or nothing at all with SQPOLL: neither which fd
 * the ring read nor that the ring closed it. Once the number is reused,
 * the read takes someone else's bytes.
 *     sctrace -- samples/fd-use-after-close-uring [ring-close] [sqpoll]
 * Exit 0 (77 when the kernel refuses io_uring, SQPOLL or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Each ring operation of this program carries this user_data. */
#define TAG 0x5ca1ab1eULL

struct conn {
    int fd;
};

/* Whether the ring was set up with IORING_SETUP_SQPOLL (argv word `sqpoll`). */
static int sqpoll;

/* Submits the prepared SQE and returns its completion's res. With SQPOLL
 * the ring's kernel thread takes the SQE and the completion is polled for
 * in user space: no io_uring_enter at all, unless the thread went idle and
 * liburing has to wake it. */
static int complete_one(struct io_uring* ring) {
    struct io_uring_cqe* cqe;
    int ret;
    if (sqpoll) {
        ret = io_uring_submit(ring);
        if (ret < 0) return ret;
        while ((ret = io_uring_peek_cqe(ring, &cqe)) == -EAGAIN) {
        }
    } else {
        ret = io_uring_submit_and_wait(ring, 1);
        if (ret < 0) return ret;
        ret = io_uring_wait_cqe(ring, &cqe);
    }
    if (ret < 0) return ret;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res;
}

static int close_through_ring(struct io_uring* ring, int fd) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, TAG);
    return complete_one(ring);
}

static int read_through_ring(struct io_uring* ring, int fd, char* buf, unsigned len) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_read(sqe, fd, buf, len, 0);
    io_uring_sqe_set_data64(sqe, TAG);
    return complete_one(ring);
}

int main(int argc, char** argv) {
    int ring_close = 0;
    for (int i = 1; i < argc; i++) {
        ring_close |= strcmp(argv[i], "ring-close") == 0;
        sqpoll |= strcmp(argv[i], "sqpoll") == 0;
    }
    struct io_uring ring;
    struct io_uring_params params = {0};
    if (sqpoll) {
        params.flags = IORING_SETUP_SQPOLL;
        params.sq_thread_idle = 2000; /* ms */
    }
    int ret = io_uring_queue_init_params(8, &ring, &params);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init%s: %s\n", sqpoll ? " (SQPOLL)" : "", strerror(-ret));
        return 77;
    }
    int p[2];
    if (pipe(p) != 0) {
        perror("pipe");
        return 1;
    }
    struct conn c = {.fd = p[0]};
    /* The teardown: the bug is that c.fd keeps its number. */
    if (ring_close) {
        ret = close_through_ring(&ring, c.fd);
        if (ret == -EINVAL || ret == -EOPNOTSUPP) {
            fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
            return 77;
        }
        if (ret != 0) {
            fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
            return 1;
        }
    } else if (close(c.fd) != 0) {
        perror("close");
        return 1;
    }
    /* ... and a read armed for the connection still goes out. */
    char buf[16];
    int err = ring_close ? read(c.fd, buf, sizeof buf) < 0 ? errno : 0
                         : -read_through_ring(&ring, c.fd, buf, sizeof buf);
    if (err <= 0) {
        fprintf(stderr, "read of a closed fd succeeded?\n");
        return 1;
    }
    printf("read after close: %s\n", strerror(err));
    close(p[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
