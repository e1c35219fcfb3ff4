/* connect-result-unchecked-uring-ok: a nonblocking connect() returns
 * EINPROGRESS and the program sends at once, through an io_uring
 * (IORING_OP_SEND), without waiting for the socket to become writable.
 *
 * With write(2) that races the handshake (connect-result-unchecked.c). A
 * ring does the waiting itself: a send that would block (a socket still
 * connecting) is retried by the kernel when the socket becomes writable,
 * and a failed connect comes back as the send's own result. So this is a
 * correct program, and connect-result-unchecked must stay silent: a rule
 * that fired here would teach io_uring users to add a poll they do not
 * need. Deterministic: it listens on an ephemeral loopback port of its own.
 *     sctrace -- samples/connect-result-unchecked-uring-ok
 * Exit 0 (77 when the kernel refuses io_uring). */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind");
    if (listen(listener, 1) != 0) return die("listen");
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname");

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    int rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) return die("connect");

    /* No poll: the ring's send waits for the handshake. */
    static const char hello[] = "hello through the ring\n";
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) return die("io_uring_get_sqe");
    io_uring_prep_send(sqe, fd, hello, sizeof hello - 1, 0);
    io_uring_sqe_set_data64(sqe, 0xc0ec);
    ret = io_uring_submit(&ring);
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    struct io_uring_cqe* cqe;
    ret = io_uring_wait_cqe(&ring, &cqe);
    if (ret < 0) {
        fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
        return 1;
    }
    if (cqe->res != (int)(sizeof hello - 1)) {
        fprintf(stderr, "send through the ring: %s\n",
                cqe->res < 0 ? strerror(-cqe->res) : "short");
        return 1;
    }
    io_uring_cqe_seen(&ring, cqe);
    char buf[64] = {0};
    size_t got = 0;
    while (got < sizeof hello - 1) {
        ssize_t r = read(peer, buf + got, sizeof buf - 1 - got);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    printf("peer read: %s", buf);
    close(peer);
    close(fd);
    close(listener);
    io_uring_queue_exit(&ring);
    return 0;
}
