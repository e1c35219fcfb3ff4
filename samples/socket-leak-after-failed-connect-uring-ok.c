/* socket-leak-after-failed-connect-uring, the correct twin: the same
 * socket and refused connect through an io_uring (IORING_OP_SOCKET,
 * IORING_OP_CONNECT), and the failed connect's handler closes the socket
 * through the ring (IORING_OP_CLOSE). Retries once with a fresh socket, as
 * a client would, and closes that one too. `sqpoll` sets the ring up with
 * IORING_SETUP_SQPOLL. `skip-success` asks for no completion of a close
 * that succeeds (IOSQE_CQE_SKIP_SUCCESS), as a server that only cares
 * about failures does, and links a NOP after it (IOSQE_IO_LINK) to know
 * when it is done: nothing ever says "close = 0". Must raise nothing at
 * warning or above.
 * Exit 0 (77 when the kernel refuses io_uring, SQPOLL, IORING_OP_SOCKET or
 * IORING_OP_CLOSE). */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SOCKET_TAG 0x50c4e7ULL
#define CONNECT_TAG 0xc044ec7ULL
#define CLOSE_TAG 0xc105eULL
#define NOP_TAG 0x40bULL

static int die(const char* what) {
    perror(what);
    return 1;
}

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
/* Whether closes ask for no completion on success (argv word `skip-success`). */
static int skip_success;

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
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "sqpoll") == 0) sqpoll = 1;
        if (strcmp(argv[i], "skip-success") == 0) skip_success = 1;
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
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int held;
    if (refused_port(&addr, &held) != 0) return die("finding a free port");

    for (int attempt = 1; attempt <= 2; attempt++) {
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
        printf("attempt %d: outbound connect through the ring failed: %s\n", attempt,
               strerror(-ret));
        /* The fix: the failed connect's handler closes the socket. */
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_close(sqe, fd);
        io_uring_sqe_set_data64(sqe, CLOSE_TAG);
        if (skip_success) {
            /* The NOP runs once the close succeeded, or completes with
             * -ECANCELED after the close's own (failed) completion. */
            io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK);
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_nop(sqe);
            io_uring_sqe_set_data64(sqe, NOP_TAG);
        }
        ret = complete_one(&ring);
        if (skip_success && ret == -ECANCELED) {
            fprintf(stderr, "close through the ring failed (its NOP was cancelled)\n");
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
    }
    close(held);
    io_uring_queue_exit(&ring);
    return 0;
}
