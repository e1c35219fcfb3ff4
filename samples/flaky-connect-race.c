/* A flaky test: a client that does not wait for its server to be ready.
 *
 * The test starts an echo server on a thread and "gives it time to start"
 * with a sleep before connecting, the most common flaky-test bug there is.
 * The server binds at once (so the port is known) but listens only once it
 * has loaded its configuration, which usually takes less than the sleep.
 * When it takes longer, the client's connect() finds a port that is bound
 * but not listening, fails with ECONNREFUSED, and the test fails:
 *
 *   FAIL: connect: Connection refused
 *
 * Under sctrace --repeat, the difference between a passing and a failing
 * run is that connect's result, and the listen() that came after it.
 *
 * How often it fails:
 *   flaky-connect-race                         the server is slow at random
 *                                              (about one run in three)
 *   flaky-connect-race --fail-every N COUNTER  deterministic, for tests: the
 *                                              runs counted in file COUNTER
 *                                              fail when the count is a
 *                                              multiple of N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flaky_run.h"

static int server_fd = -1;
static unsigned server_delay_ms = 0;

static void* server(void* arg) {
    (void)arg;
    sleep_ms(server_delay_ms); /* "loading the configuration" */
    if (listen(server_fd, 1) != 0) {
        perror("listen");
        return NULL;
    }
    int conn = accept(server_fd, NULL, NULL);
    if (conn < 0) return NULL; /* the client gave up: the test is over */
    char buf[64];
    ssize_t n = read(conn, buf, sizeof buf);
    if (n > 0) (void)write(conn, buf, (size_t)n);
    close(conn);
    return NULL;
}

int main(int argc, char** argv) {
    const unsigned client_wait_ms = 100;
    const int slow = flaky_unlucky(argc, argv);
    server_delay_ms = slow ? 500 : 0;

    server_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (server_fd < 0 || bind(server_fd, (struct sockaddr*)&addr, sizeof addr) != 0 ||
        getsockname(server_fd, (struct sockaddr*)&addr, &len) != 0) {
        perror("server socket");
        return 2;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, server, NULL) != 0) return 2;

    sleep_ms(client_wait_ms); /* the bug: hoping the server is ready by now */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
        printf("FAIL: connect: %s\n", strerror(errno));
        close(fd);
        /* The server thread is still sleeping; the test ends without it. */
        return 1;
    }
    const char msg[] = "ping";
    char reply[sizeof msg] = {0};
    if (write(fd, msg, sizeof msg) != (ssize_t)sizeof msg ||
        read(fd, reply, sizeof reply) != (ssize_t)sizeof reply || memcmp(msg, reply, sizeof msg)) {
        printf("FAIL: no echo\n");
        return 1;
    }
    close(fd);
    pthread_join(thread, NULL);
    printf("ok\n");
    return 0;
}
