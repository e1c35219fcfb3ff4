// strace-compat: -e trace=select,pselect6,poll,ppoll,epoll_create,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2
// The poll family on pipes, an eventfd and a socket pair: fd sets in and
// out, poll results, epoll registrations and events, timeouts that expire
// and that do not, signal masks, and errors (EBADF, EINVAL, EEXIST, ENOENT).
// Timeouts that are left over depend on the scheduler; the harness
// normalises "left {...}", and the calls here that would print other
// time-dependent values use zero or no timeouts.
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int p[2], sv[2];
static struct epoll_event events[8];
static struct pollfd pfds[4];
static sigset_t mask;
static struct {
    const sigset_t* ss;
    size_t ss_len;
} sig;

int main(void) {
    pipe(p);                                  // 3, 4: the read end is empty, the write end writable
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);  // 5, 6
    int efd = eventfd(1, EFD_NONBLOCK);       // 7: readable

    // select with the old timeval: a zero timeout leaves zero.
    fd_set rd, wr, ex;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    FD_SET(p[0], &rd);
    FD_SET(efd, &rd);
    FD_SET(p[1], &wr);
    FD_SET(sv[0], &ex);
    struct timeval tv = {0, 0};
    syscall(SYS_select, 8, &rd, &wr, &ex, &tv);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
    FD_ZERO(&wr);
    FD_SET(p[1], &wr);
    FD_SET(sv[0], &wr);
    syscall(SYS_select, 7, NULL, &wr, NULL, NULL);
    syscall(SYS_select, -1, NULL, NULL, NULL, NULL);
    FD_ZERO(&rd);
    FD_SET(20, &rd);
    syscall(SYS_select, 21, &rd, NULL, NULL, NULL);

    // pselect6: a timespec, and the sigmask/sigsetsize pair.
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sig.ss = &mask;
    sig.ss_len = 8;
    struct timespec ts = {5, 0};
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(p[0], &rd);
    FD_SET(p[1], &wr);
    FD_SET(efd, &rd);
    syscall(SYS_pselect6, 8, &rd, &wr, NULL, &ts, &sig);
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    syscall(SYS_pselect6, 4, &rd, NULL, NULL, &ts, NULL);
    sig.ss = NULL;
    FD_ZERO(&wr);
    FD_SET(sv[1], &wr);
    syscall(SYS_pselect6, 7, NULL, &wr, NULL, NULL, &sig);
    ts.tv_nsec = 2000000000;
    syscall(SYS_pselect6, 4, NULL, NULL, NULL, &ts, NULL);

    // poll and ppoll: events in, revents out, negative fds, timeouts.
    pfds[0] = (struct pollfd){.fd = p[0], .events = POLLIN | POLLPRI};
    pfds[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    pfds[2] = (struct pollfd){.fd = -1, .events = POLLIN};
    pfds[3] = (struct pollfd){.fd = efd, .events = POLLIN | POLLRDHUP};
    poll(pfds, 4, 1000);
    poll(pfds, 1, 0);
    poll(NULL, 0, 0);
    pfds[2].fd = 99;
    poll(pfds, 3, 0);
    pfds[2].fd = -1;
    ts.tv_sec = 2;
    ts.tv_nsec = 0;
    ppoll(pfds, 4, &ts, &mask);
    ppoll(pfds, 2, NULL, NULL);
    ts.tv_sec = 0;
    ppoll(pfds, 1, &ts, NULL);
    syscall(SYS_ppoll, pfds, 1, &ts, &mask, 4);

    // epoll: instances, registrations, events.
    int ep = epoll_create(10);
    int ep1 = epoll_create1(EPOLL_CLOEXEC);
    epoll_create(0);
    epoll_create1(0x10);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x100000007ull};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    ev.events = EPOLLOUT;
    ev.data.fd = p[1];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u32 = 3;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    epoll_ctl(ep1, EPOLL_CTL_ADD, sv[0], &ev);
    ev.events = EPOLLIN | EPOLLPRI;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &ev);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    epoll_ctl(99, EPOLL_CTL_ADD, p[0], &ev);
    epoll_ctl(ep, 7, p[0], &ev);

    epoll_wait(ep, events, 8, 1000);
    epoll_wait(ep1, events, 8, 0);
    epoll_wait(99, events, 8, 0);
    epoll_wait(ep, events, 0, 0);
    epoll_wait(ep, events, 1, -1);
    epoll_pwait(ep, events, 8, 100, &mask);
    epoll_pwait(ep1, events, 8, 0, NULL);
    ts.tv_sec = 1;
    ts.tv_nsec = 0;
    syscall(SYS_epoll_pwait2, ep, events, 8, &ts, &mask, 8);
    ts.tv_sec = 0;
    syscall(SYS_epoll_pwait2, ep1, events, 8, &ts, NULL, 8);
    syscall(SYS_epoll_pwait2, ep, events, 8, NULL, NULL, 8);
    syscall(SYS_epoll_pwait2, ep, events, 8, NULL, &mask, 4);
    return 0;
}
