/* Seed 002 (docs/rules/double-close.md) made to happen by fault injection
 * alone:
 *
 *   sctrace --inject sendto:error=EPIPE:when=1 -- inject-epipe-double-close
 *
 * The BSD stack's bug was an error path: the peer's FIN arrived before the
 * local close, and the socket was freed twice. This client has the same
 * shape in user space: when send() fails (the peer went away first), its
 * error path closes the socket, and the common cleanup closes it again.
 * Normally send() succeeds, the error path never runs and nothing is wrong:
 * exit 0. With the first send() made to fail with EPIPE the second close()
 * fails with EBADF (had another thread opened an fd meanwhile, it would
 * have closed that one), and sctrace raises double-close on an injected
 * result. The program itself does not notice: exit 0 either way. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_request(int fd) {
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    if (send(fd, request, sizeof request - 1, MSG_NOSIGNAL) < 0) {
        fprintf(stderr, "inject-epipe-double-close: send: %s; closing\n", strerror(errno));
        close(fd); /* the error path's close ... */
        return -1;
    }
    return 0;
}

int main(void) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        perror("socketpair");
        return 1;
    }
    const int ok = send_request(pair[0]) == 0;
    if (ok) {
        char buf[64];
        ssize_t n = read(pair[1], buf, sizeof buf);
        printf("the peer read %zd bytes\n", n);
    }
    close(pair[0]); /* ... and the cleanup's, whatever happened */
    close(pair[1]);
    return 0;
}
