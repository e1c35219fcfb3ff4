// strace-compat: -e trace=read,readv,write,epoll_wait,epoll_pwait,poll,pselect6
// Calls that block in one thread while another makes them ready: strace
// splits them into "<unfinished ...>" and "<... resumed>" lines, which show
// what each decoder prints at entry and what it adds at exit. The harness
// joins the two halves, so the output does not depend on which thread runs
// first; the sleeps only make the split likely.
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int p[2], q[2], r[2], s[2], ep;
static char buf[64], part1[2], part2[16];
static struct epoll_event events[4];
static struct pollfd pfd;

static void* waiter(void* arg) {
    (void)arg;
    epoll_wait(ep, events, 4, -1);
    read(p[0], buf, sizeof buf);
    pfd.fd = q[0];
    pfd.events = POLLIN;
    poll(&pfd, 1, -1);
    struct iovec iov[2] = {{part1, sizeof part1}, {part2, sizeof part2}};
    readv(q[0], iov, 2);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(r[0], &rd);
    syscall(SYS_pselect6, r[0] + 1, &rd, NULL, NULL, NULL, NULL);
    read(r[0], buf, sizeof buf);
    epoll_pwait(ep, events, 4, -1, NULL);
    write(s[1], "done", 4);
    return NULL;
}

int main(void) {
    pipe(p);
    pipe(q);
    pipe(r);
    pipe(s);
    ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    usleep(50000);
    write(p[1], "wake up", 7);
    usleep(50000);
    write(q[1], "a vector read of more than two bytes", 36);
    usleep(50000);
    write(r[1], "selected", 8);
    usleep(50000);
    write(p[1], "again", 5);
    read(s[0], buf, sizeof buf);
    pthread_join(t, NULL);
    return 0;
}
