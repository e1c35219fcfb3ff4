/* nonblocking-connect-immediate, a correct program the rule must not flag:
 * connect() with sa_family=AF_UNSPEC on a nonblocking TCP socket returns 0 at
 * once, but it is no connection attempt at all - it dissolves the socket's
 * association (tcp_disconnect). The rule is about connect()s to an
 * AF_INET/AF_INET6 peer.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (the real pattern is connect(AF_INET) = 0 on
 * WSL1). Here the socket first makes a proper nonblocking connection
 * (EINPROGRESS, poll, SO_ERROR) to a listener of its own, then drops it with
 * AF_UNSPEC, as a client that resets a connection does. Exit 0. */
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

    /* A fresh nonblocking socket: its first connect() is the AF_UNSPEC one. */
    int fresh = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fresh < 0) return die("socket");
    struct sockaddr unspec;
    memset(&unspec, 0, sizeof unspec);
    unspec.sa_family = AF_UNSPEC;
    if (connect(fresh, &unspec, sizeof unspec) != 0)
        return die("connect(AF_UNSPEC) on a fresh socket");
    close(fresh);

    /* A real connection, made the right way, then dissolved. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    int rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) return die("connect");
    if (rc != 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) != 1) return die("poll");
        int error = 0;
        socklen_t error_len = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0 || error != 0)
            return die("connect (SO_ERROR)");
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    if (connect(fd, &unspec, sizeof unspec) != 0) return die("connect(AF_UNSPEC)");
    printf("connected, then dissolved the association with AF_UNSPEC\n");
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
