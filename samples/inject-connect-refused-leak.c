/* Seed 004 (docs/rules/socket-leak-after-failed-connect.md) made to happen
 * by fault injection alone:
 *
 *   sctrace --inject connect:error=ECONNREFUSED:when=1 -- inject-connect-refused-leak
 *
 * The framework's release notes: "sockets leak when outbound connects
 * fail". This client connects to a server of its own, and retries once
 * when connect() fails; its failure path returns without closing the
 * socket. The server is always there, so untraced the connect succeeds,
 * the leak never happens and nothing is wrong: exit 0. With the first
 * connect() made to fail, the client retries and succeeds (exit 0 still),
 * and sctrace names the socket left open after its failed connect, on an
 * injected result. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(const struct sockaddr_in* addr) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr*)addr, sizeof *addr) != 0) {
        fprintf(stderr, "inject-connect-refused-leak: connect: %s; retrying\n", strerror(errno));
        return -1; /* the leak: fd stays open */
    }
    return fd;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr*)&addr, &len) != 0) {
        perror("listener");
        return 1;
    }
    int fd = connect_to(&addr);
    if (fd < 0) fd = connect_to(&addr);
    if (fd < 0) {
        perror("connect");
        return 1;
    }
    int peer = accept(listener, NULL, NULL);
    printf("connected: %s\n", peer >= 0 ? "yes" : "no");
    if (peer >= 0) close(peer);
    close(fd);
    close(listener);
    return 0;
}
