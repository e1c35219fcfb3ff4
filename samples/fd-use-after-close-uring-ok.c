/* fd-use-after-close-uring, the correct twin: the same reads and closes,
 * each on an open descriptor. A pipe is read through the ring
 * (IORING_OP_READ) before its read end is closed with close(2), and the
 * connection's fd is reset to -1, so the late read is not sent. Then a
 * second pipe's read end is closed through the ring (IORING_OP_CLOSE), a
 * third pipe lands on the same number, and read(2) of that number reads the
 * new pipe. `sqpoll` sets the ring up with IORING_SETUP_SQPOLL. Must raise
 * nothing at warning or above.
 * Exit 0 (77 when the kernel refuses io_uring, SQPOLL or IORING_OP_CLOSE). */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TAG 0x5ca1ab1eULL

struct conn {
    int fd;
};

static int die(const char* what) {
    perror(what);
    return 1;
}

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
    sqpoll = argc > 1 && strcmp(argv[1], "sqpoll") == 0;
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
    static const char msg[] = "reply\n";
    char buf[16] = {0};

    /* Read through the ring while the fd is open, then close it for good. */
    int p[2];
    if (pipe(p) != 0) return die("pipe");
    struct conn c = {.fd = p[0]};
    if (write(p[1], msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) return die("write");
    ret = read_through_ring(&ring, c.fd, buf, sizeof buf - 1);
    if (ret != (int)(sizeof msg - 1)) {
        fprintf(stderr, "read through the ring: %s\n", ret < 0 ? strerror(-ret) : "short");
        return 1;
    }
    printf("read through the ring: %s", buf);
    close(c.fd);
    c.fd = -1;
    if (c.fd >= 0 && read_through_ring(&ring, c.fd, buf, sizeof buf - 1) < 0) return die("read");
    close(p[1]);

    /* Closed through the ring, then the number is reused before the read. */
    if (pipe(p) != 0) return die("pipe");
    const int old = p[0];
    close(p[1]);
    ret = close_through_ring(&ring, p[0]);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_CLOSE: %s\n", strerror(-ret));
        return 77;
    }
    if (ret != 0) {
        fprintf(stderr, "close through the ring: %s\n", strerror(-ret));
        return 1;
    }
    if (pipe(p) != 0) return die("pipe");
    if (p[0] != old) {
        fprintf(stderr, "the new pipe did not reuse fd %d\n", old);
        return 1;
    }
    if (write(p[1], msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) return die("write");
    memset(buf, 0, sizeof buf);
    if (read(p[0], buf, sizeof buf - 1) <= 0) return die("read");
    printf("read from the new pipe: %s", buf);
    close(p[0]);
    close(p[1]);
    io_uring_queue_exit(&ring);
    puts("each fd used while open");
    return 0;
}
