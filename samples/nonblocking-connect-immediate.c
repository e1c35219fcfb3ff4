/* nonblocking-connect-immediate: a nonblocking TCP connect() that returns 0
 * on its first call, though the program never asked for TCP Fast Open.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (PhantomJS 2.1.1 on WSL1). WSL1 made a
 * nonblocking connect() to 127.0.0.1:8080 return 0 instead of EINPROGRESS; Qt took its rarely used
 * "connected at once" path and WebKit's WebSocket code hit ASSERT(handle == m_handle) -> WTFCrash.
 *
 * Linux answers a nonblocking TCP connect() that has to shake hands with
 * EINPROGRESS, loopback included: the peer's SYN-ACK is processed only after
 * connect() has returned. The one way a socket's first connect() returns 0
 * without TCP Fast Open is TCP_REPAIR, the kernel's checkpoint/restore mode
 * (what CRIU restores connections with): in repair mode connect() records
 * the peer and puts the socket straight into ESTABLISHED, sending nothing.
 * So this connect() returns 0 exactly as WSL1's did, for a kernel-true
 * reason a reader can check in tcp_connect(). Nothing reaches the wire: the
 * socket is closed while still in repair mode, which sends no FIN or RST,
 * and no one listens on 127.0.0.1:8080 (none has to).
 *
 * TCP_REPAIR needs CAP_NET_ADMIN over the socket's network namespace: as
 * root the host's is used; otherwise the sample makes a user and network
 * namespace of its own, where it has it, and brings lo up there.
 *
 * Exit status: 0 when connect() returned 0 as intended; 77 (with the reason
 * on stderr) when this machine refuses TCP_REPAIR and the namespaces, so a
 * test can skip loudly; 1 on any other failure, and 4 if connect() did not
 * return 0. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TCP_REPAIR
#define TCP_REPAIR 19
#endif

static int die(const char* what) {
    perror(what);
    return 1;
}

static int skip(const char* what) {
    fprintf(stderr, "SKIP: %s: %s\n", what, strerror(errno));
    return 77;
}

/* The client, as Qt opens it: nonblocking from the start; then repair mode. */
static int repair_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* A new network namespace has only lo, and it is down. */
static int bring_lo_up(void) {
    int ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ctl < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(ctl, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(ctl, SIOCSIFFLAGS, &ifr);
    }
    close(ctl);
    return rc;
}

int main(void) {
    int fd = repair_socket();
    if (fd < 0 && errno == EPERM) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
            return skip(
                "TCP_REPAIR needs CAP_NET_ADMIN, and unshare(CLONE_NEWUSER|CLONE_NEWNET) was "
                "refused");
        if (bring_lo_up() != 0) return skip("bringing lo up in the new network namespace");
        fd = repair_socket();
    }
    if (fd < 0) return skip("setsockopt(TCP_REPAIR) refused");

    struct sockaddr_in peer = {
        .sin_family = AF_INET, .sin_port = htons(8080), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int rc = connect(fd, (struct sockaddr*)&peer, sizeof peer);
    if (rc != 0) {
        fprintf(stderr, "connect() did not return 0 at once: %s\n", strerror(errno));
        return 4;
    }
    /* Qt's "connected at once" path would start talking here. */
    printf("nonblocking connect() to 127.0.0.1:8080 returned 0 at once\n");
    if (close(fd) != 0) return die("close");
    return 0;
}
