/* A correct program whose connect() is checked in another thread: the main
 * thread starts a nonblocking connect (EINPROGRESS), a second thread waits
 * for it (poll POLLOUT) and reads SO_ERROR, and only after joining it does
 * the main thread write. Recorded as an untimed -ff set, the write (main
 * thread's file) and the check (the other thread's file) have no common
 * order. Exit 0. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;

static void* check(void* unused) {
    (void)unused;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 10000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err)
        return (void*)1;
    return NULL;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) || listen(listener, 1) ||
        getsockname(listener, (struct sockaddr*)&addr, &len))
        return 1;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(fd, (struct sockaddr*)&addr, sizeof addr);
    pthread_t t;
    void* failed = NULL;
    if (pthread_create(&t, NULL, check, NULL) || pthread_join(t, &failed) || failed) return 1;
    if (write(fd, "hello\n", 6) != 6) return 1;
    int peer = accept(listener, NULL, NULL);
    char buf[8];
    if (read(peer, buf, sizeof buf) != 6) return 1;
    close(peer);
    close(fd);
    close(listener);
    return 0;
}
