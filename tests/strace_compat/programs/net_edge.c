// strace-compat: -e trace=%net -s 16
// Edge cases of the net decoders: iovec and array truncation at -s, control
// messages (SCM_RIGHTS, SCM_CREDENTIALS, cut short), partial getsockopt
// values, int-option lengths, short and odd socket addresses, IPv6 scope ids.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

// An unmapped address the compiler cannot see through.
static volatile unsigned long bad_addr = 8;
#define BAD ((void*)bad_addr)
static void sockopts(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    long long ll = 1;
    int v = 1;
    short sh = 1;
    socklen_t len;
    char buf[200];
    memset(buf, 0, sizeof buf);
    buf[0] = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &ll, 8);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &sh, 2);
    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, buf, 5);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO_OLD, &v, 4);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO_OLD, buf, 20);
    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3);
    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &ll, 8);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &sh, 2);
    setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
    setsockopt(s, IPPROTO_IP, IP_TOS, &ll, 8);
    setsockopt(s, IPPROTO_IP, IP_TOS, &sh, 2);
    setsockopt(s, IPPROTO_IP, IP_TOS, buf, 1);
    setsockopt(s, IPPROTO_IP, IP_OPTIONS, buf, 4);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &ll, 8);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &sh, 2);
    setsockopt(s, IPPROTO_UDP, 1, &sh, 2);
    setsockopt(s, IPPROTO_UDP, 1, &ll, 8);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, buf, 200);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, BAD, 4);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, BAD, 8);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, BAD, 2);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, -1);
    len = 2;
    getsockopt(s, SOL_SOCKET, SO_SNDBUF, buf, &len);
    len = 2;
    getsockopt(s, IPPROTO_TCP, TCP_NODELAY, buf, &len);
    len = 1;
    getsockopt(s, IPPROTO_IP, IP_TOS, buf, &len);
    len = 200;
    getsockopt(s, IPPROTO_TCP, TCP_INFO, buf, &len);
    len = 200;
    getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, buf, &len);
    len = 200;
    getsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, buf, &len);
    len = 8;
    getsockopt(s, SOL_SOCKET, SO_RCVTIMEO_OLD, buf, &len);
    len = 200;
    getsockopt(s, SOL_SOCKET, SO_RCVTIMEO_OLD, buf, &len);
    len = 4;
    getsockopt(s, SOL_SOCKET, SO_RCVBUF, BAD, &len);
    len = 4;
    getsockopt(s, SOL_SOCKET, SO_ERROR, BAD, &len);
    len = -1;
    getsockopt(s, SOL_SOCKET, SO_ERROR, buf, &len);
    len = 4;
    getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, buf, &len);
    len = 4;
    getsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, buf, &len);
    len = 4;
    getsockopt(s, IPPROTO_TCP, TCP_MAXSEG, buf, &len);
    len = 4;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, buf, &len);
    len = 4;
    getsockopt(s, 6666, 1, buf, &len);
    setsockopt(s, 0x7fffffff, 1, &v, 4);
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, "\xff\xff\xff\xff", 4);
    setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &v, 4);
    setsockopt(s, SOL_SOCKET, SO_LINGER, NULL, 8);
    close(s);
}

int main(void) {
    sockopts();
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct msghdr m;
    memset(&m, 0, sizeof m);
    struct iovec iov[20];
    for (int i = 0; i < 20; i++) {
        iov[i].iov_base = "ab";
        iov[i].iov_len = 2;
    }
    m.msg_iov = iov;
    m.msg_iovlen = 0;
    sendmsg(sv[0], &m, 0);
    m.msg_iov = NULL;
    sendmsg(sv[0], &m, 0);
    m.msg_iov = iov;
    m.msg_iovlen = 20;
    sendmsg(sv[0], &m, 0);
    m.msg_iovlen = 17;
    sendmsg(sv[0], &m, 0);
    m.msg_iovlen = 16;
    sendmsg(sv[0], &m, 0);
    m.msg_iov = BAD;
    m.msg_iovlen = 1;
    sendmsg(sv[0], &m, 0);
    m.msg_iov = iov;
    m.msg_iovlen = 1;
    m.msg_control = BAD;
    m.msg_controllen = 16;
    sendmsg(sv[0], &m, 0);
    char cb[64];
    memset(cb, 0, sizeof cb);
    m.msg_control = cb;
    m.msg_controllen = 8;
    sendmsg(sv[0], &m, 0);
    int on = 1;
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    struct cmsghdr* c = (struct cmsghdr*)cb;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    struct ucred uc = {getpid(), getuid(), getgid()};
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    m.msg_controllen = CMSG_SPACE(sizeof uc);
    sendmsg(sv[0], &m, MSG_DONTWAIT | 0x80000000);
    char rb[8];
    struct iovec riov[3] = {{rb, 1}, {rb + 1, 1}, {rb + 2, 6}};
    struct msghdr r;
    memset(&r, 0, sizeof r);
    r.msg_iov = riov;
    r.msg_iovlen = 3;
    char rc[64];
    r.msg_control = rc;
    r.msg_controllen = sizeof rc;
    recvmsg(sv[1], &r, 0);
    r.msg_controllen = 4;
    recvmsg(sv[1], &r, 0);
    r.msg_controllen = 16;
    recvmsg(sv[1], &r, MSG_DONTWAIT);
    struct sockaddr_un sun;
    r.msg_name = &sun;
    r.msg_namelen = sizeof sun;
    recvmsg(sv[1], &r, MSG_DONTWAIT);
    int v = 0;
    socklen_t len = sizeof(struct timeval);
    struct timeval tv = {1, 2};
    getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO_OLD, &tv, &len);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO_OLD, &tv, sizeof tv);
    struct ucred pc;
    len = sizeof pc;
    getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &len);
    long long ll = 1;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &ll, 8);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, NULL, 4);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, 0);
    len = 8;
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &ll, &len);
    len = 0;
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &ll, &len);
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &ll, NULL);
    len = 4;
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, NULL, &len);
    len = 4;
    getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len);
    len = 4;
    getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &len);
    len = 8;
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &ll, &len);
    struct linger lg = {0, 5};
    setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, 4);
    len = 4;
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &len);
    shutdown(sv[0], 5);
    listen(sv[0], -1);
    accept4(sv[0], NULL, NULL, 0x40000000 | SOCK_NONBLOCK);
    sendto(sv[0], NULL, 0, 0, NULL, 0);
    sendto(sv[0], "", 0, 0, NULL, 4);
    sendto(sv[0], "abc", 3, 0, BAD, 16);
    sendto(sv[0], "abc", 3, 0, (void*)&sun, 1);
    char big[300];
    memset(big, 'z', sizeof big);
    send(sv[0], big, sizeof big, 0);
    recvfrom(sv[1], big, sizeof big, 0, NULL, &len);
    close(sv[0]);
    close(sv[1]);

    int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK | 0x10000};
    bind(s, (void*)&nl, sizeof nl);
    len = 4;
    getsockname(s, (void*)&nl, &len);
    len = 2;
    getsockname(s, (void*)&nl, &len);
    len = 1;
    getsockname(s, (void*)&nl, &len);
    len = 12;
    getsockname(s, NULL, &len);
    getsockname(s, (void*)&nl, NULL);
    close(s);
    s = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(7), .sin6_scope_id = 3};
    inet_pton(AF_INET6, "ff02::1", &a6.sin6_addr);
    connect(s, (void*)&a6, 24);
    connect(s, (void*)&a6, 28);
    a6.sin6_scope_id = 99;
    connect(s, (void*)&a6, 28);
    inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
    connect(s, (void*)&a6, 28);
    connect(s, (void*)&a6, 20);
    connect(s, (void*)&a6, 200);
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    connect(s, (void*)&a4, 15);
    connect(s, (void*)&a4, 2);
    char raw[20] = {0x77, 0x00, 1, 2, 3};
    connect(s, (void*)raw, 20);
    raw[0] = 17;
    connect(s, (void*)raw, 20);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memset(un.sun_path, 'p', sizeof un.sun_path);
    connect(s, (void*)&un, sizeof un);
    connect(s, (void*)&un, 3);
    un.sun_path[0] = 0;
    connect(s, (void*)&un, 3);
    un.sun_path[1] = '\n';
    un.sun_path[2] = 0;
    un.sun_path[3] = 'x';
    connect(s, (void*)&un, 6);
    close(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET};
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (void*)&me, sizeof me);
    struct timespec ts = {0, 1000000};
    struct mmsghdr mm[1];
    memset(mm, 0, sizeof mm);
    char b[4];
    struct iovec bi = {b, 4};
    mm[0].msg_hdr.msg_iov = &bi;
    mm[0].msg_hdr.msg_iovlen = 1;
    recvmmsg(s, mm, 1, MSG_DONTWAIT, &ts);
    sendmmsg(99, mm, 1, 0);
    sendmmsg(s, mm, 1, 0);
    socket(AF_UNIX, SOCK_STREAM, 5);
    socket(AF_INET, SOCK_RAW, 255);
    socket(AF_INET, SOCK_STREAM | 0x100, 99);
    socket(AF_BLUETOOTH, SOCK_STREAM, 3);
    socketpair(AF_UNIX, SOCK_STREAM, 7, BAD);
    return 0;
}
