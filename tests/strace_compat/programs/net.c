// strace-compat: -e trace=%net -s 16
// The net family on loopback: every socket call, with the sockaddr kinds
// strace decodes (AF_INET, AF_INET6, AF_UNIX path/abstract/unnamed,
// AF_NETLINK), socket options, message headers with iovecs and control
// data, and errors (refused, in progress, bad fd). -s 16 so that some
// buffers are cut. Deterministic: one thread, fixed names, ports only
// through htons() (normalised by the harness).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void wait_writable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    poll(&p, 1, 5000);
}

static void inet_tcp(void) {
    int one = 1, val = 0;
    socklen_t len;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(lfd, (struct sockaddr*)&addr, sizeof addr);
    listen(lfd, 8);
    struct sockaddr_in bound;
    len = sizeof bound;
    getsockname(lfd, (struct sockaddr*)&bound, &len);
    len = 4;
    getsockopt(lfd, SOL_SOCKET, SO_TYPE, &val, &len);
    len = sizeof val;
    getsockopt(lfd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connect(c, (struct sockaddr*)&bound, sizeof bound);
    struct sockaddr_in peer;
    len = sizeof peer;
    int a = accept(lfd, (struct sockaddr*)&peer, &len);
    len = sizeof peer;
    getpeername(c, (struct sockaddr*)&peer, &len);

    send(c, "hello, world: a longer message\n", 31, MSG_NOSIGNAL);
    char buf[64];
    recv(a, buf, sizeof buf, MSG_PEEK);
    recvfrom(a, buf, sizeof buf, 0, NULL, NULL);
    sendto(a, "\0\1\2binary\377", 10, MSG_DONTWAIT, NULL, 0);
    recvfrom(c, buf, 4, MSG_WAITALL, NULL, NULL);
    recvfrom(c, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
    // Nothing left: EAGAIN.
    recvfrom(c, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);

    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    len = sizeof lg;
    getsockopt(a, SOL_SOCKET, SO_LINGER, &lg, &len);
    len = sizeof val;
    getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &val, &len);
    val = 65536;
    setsockopt(c, SOL_SOCKET, SO_RCVBUF, &val, sizeof val);
    setsockopt(c, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
    setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(c, IPPROTO_IP, IP_TOS, &one, sizeof one);
    len = sizeof val;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &val, &len);
    // Short length: the kernel shrinks it.
    len = 2;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &val, &len);
    setsockopt(c, SOL_SOCKET, SO_RCVBUF, &val, 1);
    setsockopt(c, SOL_SOCKET, 12345, &val, sizeof val);
    setsockopt(c, 277, 1, &val, sizeof val);

    shutdown(c, SHUT_WR);
    shutdown(a, SHUT_RDWR);
    close(a);
    close(c);

    // Nonblocking connect: EINPROGRESS, then SO_ERROR.
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
    connect(c, (struct sockaddr*)&bound, sizeof bound);
    wait_writable(c);
    len = sizeof val;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &val, &len);
    a = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    close(a);
    close(c);

    // Refused: a bound port nobody listens on.
    int quiet = socket(AF_INET, SOCK_STREAM, 0);
    bind(quiet, (struct sockaddr*)&addr, sizeof addr);
    len = sizeof bound;
    getsockname(quiet, (struct sockaddr*)&bound, &len);
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr*)&bound, sizeof bound);
    close(c);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (struct sockaddr*)&bound, sizeof bound);
    wait_writable(c);
    len = sizeof val;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &val, &len);
    close(c);
    close(quiet);
    close(lfd);
}

static void inet_udp(void) {
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    bind(s, (struct sockaddr*)&addr, sizeof addr);
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    getsockname(s, (struct sockaddr*)&me, &len);
    int t = socket(AF_INET, SOCK_DGRAM, 0);
    sendto(t, "ping", 4, 0, (struct sockaddr*)&me, sizeof me);
    char buf[32];
    struct sockaddr_in from;
    len = sizeof from;
    recvfrom(s, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);

    // sendmmsg / recvmmsg with two datagrams.
    struct iovec iov1[2] = {{"one", 3}, {"-two", 4}};
    struct iovec iov2[1] = {{"three, a longer datagram", 24}};
    struct mmsghdr out[2];
    memset(out, 0, sizeof out);
    out[0].msg_hdr.msg_name = &me;
    out[0].msg_hdr.msg_namelen = sizeof me;
    out[0].msg_hdr.msg_iov = iov1;
    out[0].msg_hdr.msg_iovlen = 2;
    out[1].msg_hdr.msg_name = &me;
    out[1].msg_hdr.msg_namelen = sizeof me;
    out[1].msg_hdr.msg_iov = iov2;
    out[1].msg_hdr.msg_iovlen = 1;
    sendmmsg(t, out, 2, 0);

    char b1[8], b2[40];
    struct iovec in1[1] = {{b1, sizeof b1}};
    struct iovec in2[1] = {{b2, sizeof b2}};
    struct sockaddr_in f1, f2;
    struct mmsghdr in[2];
    memset(in, 0, sizeof in);
    in[0].msg_hdr.msg_name = &f1;
    in[0].msg_hdr.msg_namelen = sizeof f1;
    in[0].msg_hdr.msg_iov = in1;
    in[0].msg_hdr.msg_iovlen = 1;
    in[1].msg_hdr.msg_name = &f2;
    in[1].msg_hdr.msg_namelen = sizeof f2;
    in[1].msg_hdr.msg_iov = in2;
    in[1].msg_hdr.msg_iovlen = 1;
    recvmmsg(s, in, 2, MSG_DONTWAIT, NULL);
    // Nothing left.
    recvmmsg(s, in, 2, MSG_DONTWAIT, NULL);

    // sendmsg with an address, recvmsg with a name buffer.
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &me;
    m.msg_namelen = sizeof me;
    struct iovec iov3[2] = {{"abc", 3}, {"defghijklmnopqrstuvwxyz", 23}};
    m.msg_iov = iov3;
    m.msg_iovlen = 2;
    sendmsg(t, &m, 0);
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    char small[5];
    struct iovec iov4[1] = {{small, sizeof small}};
    m.msg_iov = iov4;
    m.msg_iovlen = 1;
    recvmsg(s, &m, 0);
    close(t);
    close(s);
}

static void inet6(void) {
    struct sockaddr_in6 addr = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int one = 1;
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    bind(l, (struct sockaddr*)&addr, sizeof addr);
    listen(l, 1);
    struct sockaddr_in6 me;
    socklen_t len = sizeof me;
    getsockname(l, (struct sockaddr*)&me, &len);
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    connect(c, (struct sockaddr*)&me, sizeof me);
    struct sockaddr_storage peer;
    len = sizeof peer;
    int a = accept4(l, (struct sockaddr*)&peer, &len, SOCK_CLOEXEC);
    close(a);
    close(c);
    close(l);

    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 ll = {.sin6_family = AF_INET6,
                              .sin6_port = htons(9),
                              .sin6_flowinfo = htonl(0x12345),
                              .sin6_scope_id = 1};
    inet_pton(AF_INET6, "fe80::1:2", &ll.sin6_addr);
    sendto(u, "x", 1, 0, (struct sockaddr*)&ll, sizeof ll);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &ll.sin6_addr);
    ll.sin6_scope_id = 0;
    connect(u, (struct sockaddr*)&ll, sizeof ll);
    close(u);
}

static void unix_sockets(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    // SCM_RIGHTS: pass a descriptor.
    struct msghdr m;
    memset(&m, 0, sizeof m);
    struct iovec iov = {"fd", 2};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr* cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    int passed = sv[0];
    memcpy(CMSG_DATA(cm), &passed, sizeof passed);
    sendmsg(sv[0], &m, 0);
    char got[4];
    struct iovec riov = {got, sizeof got};
    union {
        struct cmsghdr h;
        char buf[64];
    } rctl;
    memset(&m, 0, sizeof m);
    m.msg_iov = &riov;
    m.msg_iovlen = 1;
    m.msg_control = rctl.buf;
    m.msg_controllen = sizeof rctl.buf;
    recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC);
    int received;
    memcpy(&received, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof received);
    close(received);
    close(sv[0]);
    close(sv[1]);

    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
    struct sockaddr_un name;
    socklen_t len = sizeof name;
    getsockname(sv[0], (struct sockaddr*)&name, &len);
    close(sv[0]);
    close(sv[1]);

    // A path socket.
    const char* path = "/tmp/sctrace-compat-net.sock";
    unlink(path);
    struct sockaddr_un pa = {.sun_family = AF_UNIX};
    strcpy(pa.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(s, (struct sockaddr*)&pa, offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
    listen(s, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c, (struct sockaddr*)&pa, sizeof pa);
    len = sizeof name;
    int a = accept(s, (struct sockaddr*)&name, &len);
    len = sizeof name;
    getpeername(a, (struct sockaddr*)&name, &len);
    len = sizeof name;
    getpeername(c, (struct sockaddr*)&name, &len);
    close(a);
    close(c);
    close(s);
    unlink(path);

    // An abstract socket.
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    const char abstract[] = "\0sctrace-compat-abstract";
    memcpy(ab.sun_path, abstract, sizeof abstract - 1);
    socklen_t ablen = offsetof(struct sockaddr_un, sun_path) + sizeof abstract - 1;
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(s, (struct sockaddr*)&ab, ablen);
    len = sizeof name;
    getsockname(s, (struct sockaddr*)&name, &len);
    c = socket(AF_UNIX, SOCK_DGRAM, 0);
    sendto(c, "to abstract", 11, 0, (struct sockaddr*)&ab, ablen);
    char buf[32];
    len = sizeof name;
    recvfrom(s, buf, sizeof buf, 0, (struct sockaddr*)&name, &len);
    close(c);
    close(s);

    // Nobody there.
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(pa.sun_path, "/tmp/sctrace-compat-net-missing");
    connect(c, (struct sockaddr*)&pa, sizeof pa);
    close(c);
}

static void netlink(void) {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
    bind(s, (struct sockaddr*)&nl, sizeof nl);
    socklen_t len = sizeof nl;
    getsockname(s, (struct sockaddr*)&nl, &len);
    close(s);
}

static void errors(void) {
    char buf[8];
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(80)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int val = 0;
    connect(-1, (struct sockaddr*)&addr, sizeof addr);
    connect(12345, NULL, 0);
    bind(12345, (struct sockaddr*)&addr, 8);
    accept(12345, NULL, NULL);
    accept4(12345, (struct sockaddr*)&addr, &len, 0);
    getsockname(12345, (struct sockaddr*)&addr, &len);
    getpeername(12345, (struct sockaddr*)&addr, &len);
    listen(12345, 0);
    shutdown(12345, SHUT_RD);
    sendto(12345, "x", 1, 0, (struct sockaddr*)&addr, sizeof addr);
    recvfrom(12345, buf, sizeof buf, 0, (struct sockaddr*)&addr, &len);
    getsockopt(12345, SOL_SOCKET, SO_ERROR, &val, &len);
    setsockopt(12345, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &val, sizeof val);
    sendmsg(12345, NULL, 0);
    recvmsg(12345, NULL, 0);
    socket(AF_INET, 12345, 0);
    socket(12345, SOCK_STREAM, 0);
    socketpair(AF_INET, SOCK_STREAM, 0, NULL);
    // A not-connected socket and a bad pointer.
    int s = socket(AF_INET, SOCK_STREAM, 0);
    len = sizeof addr;
    getpeername(s, (struct sockaddr*)&addr, &len);
    connect(s, (struct sockaddr*)8, sizeof addr);
    int fo = 1;
    setsockopt(s, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &fo, sizeof fo);
    close(s);
}

int main(void) {
    inet_tcp();
    inet_udp();
    inet6();
    unix_sockets();
    netlink();
    errors();
    return 0;
}
