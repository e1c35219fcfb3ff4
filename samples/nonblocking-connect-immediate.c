/* nonblocking-connect-immediate: a nonblocking TCP connect() that returns 0
 * on its first call.
 *
 * Story: shared/seeds/000 (PhantomJS 2.1.1 on WSL1). WSL1 made a nonblocking
 * connect() to 127.0.0.1:8080 return 0 instead of EINPROGRESS; Qt took its
 * rarely used "connected at once" path and WebKit's WebSocket code hit
 * ASSERT(handle == m_handle) -> WTFCrash.
 *
 * Real Linux does the same thing, legitimately, with TCP_FASTOPEN_CONNECT
 * when net.ipv4.tcp_fastopen has the client "no cookie" bit: connect() only
 * records the address and returns 0, and the SYN leaves with the first
 * write(). To leave the host's sysctl alone, all of this happens in a private
 * network namespace (unshare(CLONE_NEWNET), bring lo up, write 5 = client
 * enable | client no-cookie to /proc/sys/net/ipv4/tcp_fastopen there).
 *
 * Exit status: 0 when connect() returned 0 as intended; 77 (with the reason
 * on stderr) when this machine refuses the namespace or the sysctl, so a
 * test can skip loudly; 1 on any other failure, and 4 if connect() did not
 * return 0 (this kernel does not defer the connect). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30
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
    if (unshare(CLONE_NEWNET) != 0) return skip("unshare(CLONE_NEWNET) refused");

    /* A new namespace has only lo, and it is down. */
    int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ctl < 0) return die("socket(AF_INET, SOCK_DGRAM)");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(ctl, SIOCGIFFLAGS, &ifr) != 0) return die("ioctl(SIOCGIFFLAGS, lo)");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(ctl, SIOCSIFFLAGS, &ifr) != 0) return skip("ioctl(SIOCSIFFLAGS, lo up) refused");
    close(ctl);

    /* This namespace's sysctl, not the host's. */
    int sysctl = open("/proc/sys/net/ipv4/tcp_fastopen", O_WRONLY | O_CLOEXEC);
    if (sysctl < 0) return skip("open /proc/sys/net/ipv4/tcp_fastopen for writing refused");
    if (write(sysctl, "5\n", 2) != 2) return skip("write 5 to /proc/sys/net/ipv4/tcp_fastopen refused");
    close(sysctl);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int qlen = 16;
    if (setsockopt(listener, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof qlen) != 0)
        return die("setsockopt(TCP_FASTOPEN)");
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind");
    if (listen(listener, 4) != 0) return die("listen");
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname");

    /* The client, as Qt opens it: nonblocking from the start. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof one) != 0)
        return skip("setsockopt(TCP_FASTOPEN_CONNECT) refused");
    int rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
    if (rc != 0) {
        fprintf(stderr, "connect() did not return 0 at once: %s\n",
                rc < 0 ? strerror(errno) : "?");
        return 4;
    }
    printf("nonblocking connect() returned 0 at once\n");

    /* "Connected at once": write straight away. The SYN carries the data. */
    static const char hello[] = "hello over fast open\n";
    ssize_t n = write(fd, hello, sizeof hello - 1);
    if (n < 0 && errno != EINPROGRESS && errno != EAGAIN) return die("write");

    int peer = accept(listener, NULL, NULL);
    if (peer < 0) return die("accept");
    if (n < 0) {
        /* Kernel did not take the data with the SYN: wait, then send it. */
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) != 1) return die("poll");
        if (write(fd, hello, sizeof hello - 1) != (ssize_t)(sizeof hello - 1)) return die("write");
    }
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
