/* The correct nonblocking connect dance, as PhantomJS's Qt does it on a sane
 * kernel (docs/rules/nonblocking-connect-immediate.md): socket(O_NONBLOCK), connect() ->
 * EINPROGRESS, pselect6() until writable, getsockopt(SO_ERROR) == 0, then write.
 *
 * It is the silent twin of the nonblocking-connect-immediate rule: a tracer
 * must show the EINPROGRESS path here and raise nothing. It listens on an
 * ephemeral loopback port of its own, so it needs no network. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
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
        fd_set writable;
        FD_ZERO(&writable);
        FD_SET(fd, &writable);
        struct timespec timeout = {.tv_sec = 5};
        if (pselect(fd + 1, NULL, &writable, NULL, &timeout, NULL) != 1) return die("pselect");
        int error = 0;
        socklen_t error_len = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) return die("getsockopt");
        if (error != 0) {
            errno = error;
            return die("connect (SO_ERROR)");
        }
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    static const char hello[] = "hello over loopback\n";
    if (write(fd, hello, sizeof hello - 1) != (ssize_t)(sizeof hello - 1)) return die("write");
    char buf[64] = {0};
    ssize_t n = read(peer, buf, sizeof buf - 1);
    if (n <= 0) return die("read");
    printf("connected without blocking; peer read: %s", buf);
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
