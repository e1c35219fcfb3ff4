/* socket-leak-after-failed-connect, the correct twin: the same refused
 * connect(), and the error path closes the socket before the process exits.
 *
 * Story: docs/rules/concurrent-socket-writes.md (the framework's fix: connections that fail to be
 * established are closed). Also retries once with a fresh socket, as a
 * client would, and closes that one too. Must raise nothing. Exit 0. */
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

    for (int attempt = 1; attempt <= 2; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return die("socket");
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
            fprintf(stderr, "connect() to a closed port succeeded?\n");
            close(fd);
            return 1;
        }
        printf("attempt %d: outbound connect failed: %s\n", attempt, strerror(errno));
        close(fd); /* the fix */
    }
    return 0;
}
