/* Seed 000 (docs/rules/nonblocking-connect-immediate.md) made to happen on
 * Linux by fault injection alone:
 *
 *   sctrace --inject connect:retval=0:when=1 -- inject-nonblocking-connect
 *
 * A client as Qt writes it: a nonblocking connect() that returns 0 is taken
 * as "connected at once" (as it may be for a local socket), EINPROGRESS
 * waits for writability and SO_ERROR. Untraced (or traced without the
 * injection) the kernel says EINPROGRESS and all is well: exit 0. With the
 * first connect() made to return 0, as WSL1 did, the program trusts a
 * socket that is not connected; its send() fails (PhantomJS crashed in
 * WebKit's assertion at this point) and it exits 3, while sctrace names the
 * cause: nonblocking-connect-immediate, on an injected result. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what, int status) {
    fprintf(stderr, "inject-nonblocking-connect: %s: %s\n", what, strerror(errno));
    return status;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket", 1);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind", 1);
    if (listen(listener, 1) != 0) return die("listen", 1);
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname", 1);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket", 1);
    int rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) return die("connect", 1);
    if (rc != 0) {
        fd_set writable;
        FD_ZERO(&writable);
        FD_SET(fd, &writable);
        struct timeval timeout = {.tv_sec = 5};
        if (select(fd + 1, NULL, &writable, NULL, &timeout) != 1) return die("select", 1);
        int error = 0;
        socklen_t error_len = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) {
            return die("getsockopt", 1);
        }
        if (error != 0) {
            errno = error;
            return die("connect (SO_ERROR)", 1);
        }
    }
    /* "Connected": say hello. MSG_NOSIGNAL: a socket that is not connected
     * fails with EPIPE instead of killing the process with SIGPIPE. */
    static const char hello[] = "hello\n";
    if (send(fd, hello, sizeof hello - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof hello - 1)) {
        return die("send on a socket connect() said was connected", 3);
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept", 1);
    char buf[16] = {0};
    if (read(peer, buf, sizeof buf - 1) <= 0) return die("read", 1);
    printf("connected; the peer read: %s", buf);
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
