/* socket-leak-after-failed-connect-uring: a socket made through an io_uring
 * (IORING_OP_SOCKET) and connected through it (IORING_OP_CONNECT) to a
 * loopback port nobody listens on; the connect completes with
 * -ECONNREFUSED and the socket is never closed: the process exits with it
 * still open. `sqpoll` sets the ring up with IORING_SETUP_SQPOLL: a kernel
 * thread takes the submissions, and the program may submit with no
 * io_uring_enter at all.
 *
 * Story: socket-leak-after-failed-connect.c's framework
 * (docs/rules/socket-leak-after-failed-connect.md), moved to a ring, as an
 * io_uring client library does it: the socket and its connect are ring
 * operations, and the failed connect's completion handler forgets the
 * close. strace shows io_uring_enter (or nothing at all with SQPOLL): no
 * socket, no connect, so no leak either.
 *
 * Deterministic: the refused port is one this program holds bound, never
 * listened on, on loopback, while it connects there.
 *     sctrace -- samples/socket-leak-after-failed-connect-uring [sqpoll]
 * Exit 0 (77 when the kernel refuses io_uring, SQPOLL or IORING_OP_SOCKET). */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The user_data of the socket's and of the connect's submissions. */
#define SOCKET_TAG 0x50c4e7ULL
#define CONNECT_TAG 0xc044ec7ULL

static int die(const char* what) {
    perror(what);
    return 1;
}

/* A loopback port nobody listens on: bound to port 0, never listened on,
 * kept bound (so no one else takes it) until the caller closes `*held`. */
static int refused_port(struct sockaddr_in* addr, int* held) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    socklen_t len = sizeof *addr;
    if (bind(s, (struct sockaddr*)addr, sizeof *addr) != 0 ||
        getsockname(s, (struct sockaddr*)addr, &len) != 0) {
        close(s);
        return -1;
    }
    *held = s;
    return 0;
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
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int held;
    if (refused_port(&addr, &held) != 0) return die("finding a free port");

    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0);
    io_uring_sqe_set_data64(sqe, SOCKET_TAG);
    const int fd = complete_one(&ring);
    if (fd == -EINVAL || fd == -EOPNOTSUPP) {
        fprintf(stderr, "IORING_OP_SOCKET: %s\n", strerror(-fd));
        return 77;
    }
    if (fd < 0) {
        fprintf(stderr, "socket through the ring: %s\n", strerror(-fd));
        return 1;
    }
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_connect(sqe, fd, (struct sockaddr*)&addr, sizeof addr);
    io_uring_sqe_set_data64(sqe, CONNECT_TAG);
    ret = complete_one(&ring);
    if (ret == 0) {
        fprintf(stderr, "connect() to a port nobody listens on succeeded?\n");
        return 1;
    }
    printf("outbound connect through the ring failed: %s\n", strerror(-ret));
    close(held);
    io_uring_queue_exit(&ring);
    /* The bug: the failed connect's handler forgets to close fd. */
    return 0;
}
