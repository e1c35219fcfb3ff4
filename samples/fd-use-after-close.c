/* fd-use-after-close: write() to an fd after it was closed fails with EBADF.
 *
 * Story: docs/rules/double-close.md (BSD TCP for Kyu): a socket went back on the free
 * list while code still used it. The user-space twin keeps a stale fd number
 * after close() and writes to it; once the number is reused, the write goes
 * to someone else's file or socket. Exit 0. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

struct conn {
    int fd;
};

static void conn_close(struct conn* c) {
    close(c->fd); /* the bug: c->fd is not reset to -1 */
}

int main(void) {
    int p[2];
    if (pipe(p) != 0) return die("pipe");
    struct conn c = {.fd = p[1]};
    conn_close(&c);
    static const char msg[] = "late reply\n";
    if (write(c.fd, msg, sizeof msg - 1) >= 0) {
        fprintf(stderr, "write to a closed fd succeeded?\n");
        return 1;
    }
    printf("write after close: %s\n", strerror(errno));
    close(p[0]);
    return 0;
}
