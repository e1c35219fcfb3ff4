/* connect-result-unchecked: a nonblocking connect() returns EINPROGRESS and
 * the program writes to the socket at once, before waiting for it to become
 * writable (poll/select/epoll) or reading SO_ERROR.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (PhantomJS on WSL1). The native Linux strace
 * shows the right dance, connect() -> EINPROGRESS -> pselect6() -> connect() = 0; the code that
 * skips the wait only works when the handshake happens to be done already, and on a failed connect
 * it writes into a dead socket.
 *
 * Deterministic: it listens on an ephemeral loopback port of its own; the
 * write's own result (it may succeed, or fail with EAGAIN/ENOTCONN while the
 * handshake is still in flight) does not change the exit status. Exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

int main(void) {
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

    /* The bug: no poll, no SO_ERROR; write as if connected. */
    static const char hello[] = "hello before the handshake\n";
    ssize_t n = write(fd, hello, sizeof hello - 1);

    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    if (n != (ssize_t)(sizeof hello - 1)) {
        /* The early write did not go through (EAGAIN/ENOTCONN): now do it right,
         * so the program's output does not depend on the race. */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) != 1) return die("poll");
        if (write(fd, hello, sizeof hello - 1) != (ssize_t)(sizeof hello - 1)) return die("write");
    }
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
    return 0;
}
