/* connect-result-unchecked, the correct twin: nonblocking connect() ->
 * EINPROGRESS, then poll() for POLLOUT, then getsockopt(SO_ERROR) == 0, and
 * only then write.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (PhantomJS on WSL1): the native Linux strace
 * shows this dance (there with pselect6; samples/nonblocking-connect-ok.c does the pselect6
 * variant, this one uses poll). Must raise nothing. Exit 0. */
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
    if (rc != 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) != 1) return die("poll");
        int error = 0;
        socklen_t error_len = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) return die("getsockopt");
        if (error != 0) {
            errno = error;
            return die("connect (SO_ERROR)");
        }
    }
    static const char hello[] = "hello after the handshake\n";
    if (write(fd, hello, sizeof hello - 1) != (ssize_t)(sizeof hello - 1)) return die("write");
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
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
