/* fd-use-after-close, the correct twin: the connection's fd is reset to -1 on
 * close and every later use checks it (docs/rules/double-close.md: the fix is to know
 * that the socket is gone before touching it). Must raise nothing. Exit 0. */
#include <stdio.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

struct conn {
    int fd;
};

static void conn_close(struct conn* c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

int main(void) {
    int p[2];
    if (pipe(p) != 0) return die("pipe");
    struct conn c = {.fd = p[1]};
    static const char msg[] = "reply\n";
    if (write(c.fd, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) return die("write");
    conn_close(&c);
    if (c.fd >= 0 && write(c.fd, msg, sizeof msg - 1) < 0) return die("write");
    char buf[16] = {0};
    if (read(p[0], buf, sizeof buf - 1) <= 0) return die("read");
    printf("read back: %s", buf);
    close(p[0]);
    return 0;
}
