/* nonblocking-connect-immediate, a correct program the rule must not flag:
 * a client that asks for TCP Fast Open (TCP_FASTOPEN_CONNECT), whose
 * nonblocking connect() then returns 0 at once by design. The kernel only
 * records the address; the SYN leaves with the first write(), carrying its
 * data. sctrace notes it (nonblocking-connect-fastopen, info) and warns of
 * nothing.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (the real pattern is WSL1's connect() = 0 with
 * no Fast Open asked for); curl --tcp-fastopen and browsers do what this does.
 *
 * Client Fast Open needs bit 1 of net.ipv4.tcp_fastopen (the default, 1).
 * Without a cookie from the server, connect() would take the normal path
 * (EINPROGRESS); TCP_FASTOPEN_NO_COOKIE on the socket sends data in the SYN
 * without one, so the deferred connect() happens on any machine with client
 * Fast Open on, and the host's sysctl stays untouched. The listener is an
 * ordinary one on an ephemeral loopback port: it ignores the data in the SYN,
 * and the client's kernel sends it again after the handshake.
 *
 * Exit status: 0 when connect() returned 0 and the data arrived; 77 (with the
 * reason on stderr) when client Fast Open is off here; 1 on any other
 * failure, and 4 if connect() did not return 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
#endif
#ifndef TCP_FASTOPEN_NO_COOKIE
#define TCP_FASTOPEN_NO_COOKIE 34
#endif

static int die(const char* what) {
    perror(what);
    return 1;
}

static int skip(const char* what) {
    fprintf(stderr, "SKIP: %s: %s\n", what, strerror(errno));
    return 77;
}

int main(void) {
    FILE* sysctl = fopen("/proc/sys/net/ipv4/tcp_fastopen", "re");
    int mode = 0;
    if (!sysctl || fscanf(sysctl, "%d", &mode) != 1) return skip("reading net.ipv4.tcp_fastopen");
    fclose(sysctl);
    if (!(mode & 1)) {
        errno = EOPNOTSUPP;
        return skip("client TCP Fast Open is off (net.ipv4.tcp_fastopen has no bit 1)");
    }

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind");
    if (listen(listener, 4) != 0) return die("listen");
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname");

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_NO_COOKIE, &one, sizeof one) != 0)
        return skip("setsockopt(TCP_FASTOPEN_NO_COOKIE) refused");
    if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof one) != 0)
        return skip("setsockopt(TCP_FASTOPEN_CONNECT) refused");
    int rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
    if (rc != 0) {
        fprintf(stderr, "connect() did not return 0 at once: %s\n", strerror(errno));
        return 4;
    }
    printf("nonblocking connect() with TCP_FASTOPEN_CONNECT returned 0 at once\n");

    /* The first write sends the SYN, with the data when the kernel can. */
    static const char hello[] = "hello over fast open\n";
    ssize_t n = write(fd, hello, sizeof hello - 1);
    if (n < 0 && errno != EINPROGRESS && errno != EAGAIN) return die("write");
    if (n < 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) != 1) return die("poll");
        n = write(fd, hello, sizeof hello - 1);
    }
    if (n != (ssize_t)(sizeof hello - 1)) return die("write");

    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    char buf[64] = {0};
    size_t got = 0;
    while (got < sizeof hello - 1) {
        ssize_t r = read(peer, buf + got, sizeof buf - 1 - got);
        if (r <= 0) return die("read");
        got += (size_t)r;
    }
    printf("peer read: %s", buf);
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
