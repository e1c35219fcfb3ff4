/* double-close: close(fd) twice; the second close fails with EBADF.
 *
 * Story: docs/rules/double-close.md (BSD TCP for Kyu): when the peer's FIN arrived
 * before the local close, tcp_input() freed the socket and then soclose()
 * called sofree() a second time - the socket went back on the free list while
 * still in use. In user space the same shape is a second close() of an fd: if
 * another thread had opened something in between, it would close that. Here
 * the error path and the normal path both close the connection's fd.
 * Exit 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

/* The "protocol side" tears down the connection when the peer hangs up ... */
static void on_peer_fin(int fd) {
    close(fd);
}

int main(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    close(sv[1]); /* the peer hangs up first */
    char c;
    if (read(sv[0], &c, 1) == 0) on_peer_fin(sv[0]);
    /* ... and the "user side" closes it again, as soclose() did. */
    if (close(sv[0]) == 0) {
        fprintf(stderr, "second close() succeeded?\n");
        return 1;
    }
    printf("second close: %s\n", strerror(errno));
    return 0;
}
