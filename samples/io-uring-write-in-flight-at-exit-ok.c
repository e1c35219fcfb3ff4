/* io-uring-write-in-flight-at-exit-ok, the correct twin: the same write of
 * one more line through an io_uring to a pipe that is full, but before
 * exiting the program makes room (it reads the pipe, as its reader would)
 * and waits for the write's completion, then checks its result. Nothing is
 * in flight at exit. Must raise nothing.
 *     sctrace -- samples/io-uring-write-in-flight-at-exit-ok
 * Exit 0 (77 when the kernel refuses io_uring). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WRITE_TAG 0xbadc0deULL

static int die(const char* what) {
    perror(what);
    return 1;
}

/* Fills the pipe's buffer through `fd`, and leaves the fd blocking. */
static int fill(int fd) {
    static char chunk[4096];
    if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) return -1;
    while (write(fd, chunk, sizeof chunk) > 0) {
    }
    if (errno != EAGAIN) return -1;
    while (write(fd, chunk, 1) > 0) {
    }
    if (errno != EAGAIN) return -1;
    return fcntl(fd, F_SETFL, 0);
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    int p[2];
    if (pipe(p) != 0) return die("pipe");
    if (fill(p[1]) != 0) return die("filling the pipe");
    static const char last[] = "the last line\n";
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_write(sqe, p[1], last, sizeof last - 1, 0);
    io_uring_sqe_set_data64(sqe, WRITE_TAG);
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }
    static char buf[4096];
    if (read(p[0], buf, sizeof buf) <= 0) return die("read");
    /* The fix: wait for the completion before exiting. */
    struct io_uring_cqe* cqe;
    ret = io_uring_wait_cqe(&ring, &cqe);
    if (ret < 0) {
        fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
        return 1;
    }
    const int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    if (res != (int)(sizeof last - 1)) {
        fprintf(stderr, "the write through the ring: %s\n", res < 0 ? strerror(-res) : "short");
        return 1;
    }
    printf("the last line was written before exiting\n");
    return 0;
}
