/* nonblocking-connect-immediate, a correct program the rule must not flag:
 * the nonblocking connect dance split across a fork. The parent starts the
 * connect (EINPROGRESS) and waits until the socket is writable; its child,
 * which shares the socket, finishes the dance with the second connect(),
 * which returns 0 - in a process that never called connect() on it before.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (the real pattern is WSL1's connect() = 0 on a
 * socket's first call). Here 0 is the documented end of a connect already
 * under way on the same socket: the child's descriptor is the parent's, and
 * so is its EINPROGRESS. A rule that counted connects per process would warn
 * here, which is why the rule's sample does not work this way.
 *
 * It listens on an ephemeral loopback port of its own, so it needs no
 * network. Exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
        fprintf(stderr, "connect() returned 0 at once: this sample needs EINPROGRESS\n");
        return 1;
    }
    if (errno != EINPROGRESS) return die("connect");
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, 10000) != 1) return die("poll");

    pid_t child = fork();
    if (child < 0) return die("fork");
    if (child == 0) {
        /* The child's first connect() on the shared socket: the second on it. */
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) return die("connect (child)");
        static const char hello[] = "hello from the child\n";
        if (write(fd, hello, sizeof hello - 1) != (ssize_t)(sizeof hello - 1)) return die("write");
        return 0;
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the child failed\n");
        return 1;
    }
    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    char buf[64] = {0};
    ssize_t n = read(peer, buf, sizeof buf - 1);
    if (n <= 0) return die("read");
    printf("connect finished in the child; peer read: %s", buf);
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
