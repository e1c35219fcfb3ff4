/* close-while-blocked, silent twin: a thread inside close(N) is not blocked
 * on the file that gets number N next.
 *
 * Story: a browser's hundreds of threads reuse fd numbers constantly. The
 * kernel frees a number as soon as close() starts, while the close itself
 * may still be flushing (a socket with SO_LINGER and unsent data waits for
 * the peer, up to the linger time). Another thread's open gets the number
 * back at once, and a third thread closes that new file: nobody closed a
 * file under a blocked call. The closer of the old file is in close(), not
 * in a blocking call on the new one; and its call was on an earlier file
 * that merely had the same number.
 *
 * Deterministic: thread A closes a connected TCP socket whose send buffer
 * is full (the peer never reads) with SO_LINGER {on, 1 s}, so close() sleeps
 * about a second in the kernel after freeing the number. The main thread
 * waits (through /proc) until A sleeps in close(), opens /dev/null (which
 * gets A's number: the lowest free one), checks that it did, and closes it
 * while A is still inside its close(). Exit 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sample_wait.h"

static int client = -1;
static volatile pid_t closer_tid;

static int die(const char* what) {
    perror(what);
    return 1;
}

static void* closer(void* arg) {
    (void)arg;
    __atomic_store_n(&closer_tid, sample_gettid(), __ATOMIC_RELEASE);
    /* Sleeps up to the linger time: the peer never reads. */
    close(client);
    return NULL;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) return die("bind");
    if (listen(listener, 1) != 0) return die("listen");
    if (getsockname(listener, (struct sockaddr*)&addr, &len) != 0) return die("getsockname");

    client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) return die("socket");
    const int small = 4096;
    setsockopt(client, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    if (connect(client, (struct sockaddr*)&addr, sizeof addr) != 0) return die("connect");
    int server = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (server < 0) return die("accept4");
    setsockopt(server, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

    /* Fill the send path until it would block: close() then has data to
     * wait for. */
    static char chunk[4096];
    int flags = fcntl(client, F_GETFL);
    fcntl(client, F_SETFL, flags | O_NONBLOCK);
    while (send(client, chunk, sizeof chunk, MSG_NOSIGNAL) > 0) {
    }
    fcntl(client, F_SETFL, flags);
    const struct linger linger = {.l_onoff = 1, .l_linger = 1};
    if (setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, sizeof linger) != 0) {
        return die("setsockopt SO_LINGER");
    }

    const int number = client;
    pthread_t t;
    if (pthread_create(&t, NULL, closer, NULL) != 0) return die("pthread_create");
    wait_blocked(wait_tid(&closer_tid), SYS_close, "close (closer)");

    /* The closer is inside close(number); the number is free again. */
    int reused = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (reused < 0) return die("open");
    if (reused != number) {
        fprintf(stderr, "expected /dev/null to get fd %d, got %d\n", number, reused);
        return 1;
    }
    if (close(reused) != 0) return die("close");
    if (!sample_is_blocked_in(closer_tid, SYS_close)) {
        fprintf(stderr, "the closer left close() before the new fd %d was closed\n", number);
        return 1;
    }
    pthread_join(t, NULL);
    printf("fd %d reused and closed while another thread was still inside close(%d)\n", number,
           number);
    close(server);
    close(listener);
    return 0;
}
