/* socket-leak-after-failed-connect: connect() fails (ECONNREFUSED) and the
 * socket is never closed; the process exits with it still open.
 *
 * Story: docs/rules/concurrent-socket-writes.md (an I/O completion port server framework's release
 * notes): "The bug prevents connections which fail to be established from
 * closing and causes a socket leak" - one descriptor per failed outbound
 * connection, for the life of a long-running server.
 *
 * Deterministic: the refused port is one this program bound and released
 * itself (bound, never listened on, closed), on loopback. Exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

/* A loopback port nobody listens on: bind to port 0, read it, close. */
static int refused_port(struct sockaddr_in* addr) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    socklen_t len = sizeof *addr;
    if (bind(s, (struct sockaddr*)addr, sizeof *addr) != 0 ||
        getsockname(s, (struct sockaddr*)addr, &len) != 0) {
        close(s);
        return -1;
    }
    close(s);
    return 0;
}

int main(void) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (refused_port(&addr) != 0) return die("finding a free port");

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
        fprintf(stderr, "connect() to a closed port succeeded?\n");
        return 1;
    }
    printf("outbound connect failed: %s\n", strerror(errno));
    /* The bug: the error path forgets close(fd). */
    return 0;
}
