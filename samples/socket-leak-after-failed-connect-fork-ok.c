/* socket-leak-after-failed-connect, a correct program the rule must not
 * flag: connect() to the agent fails, so the client starts a helper process
 * (fork; the child would exec the agent, here it just exits) and then closes
 * its failed socket before exiting. The helper inherited a copy of the fd
 * and never called connect() itself; its exit is not the leak.
 *
 * Story: docs/rules/concurrent-socket-writes.md (the leak there: failed outbound connections that
 * are never closed; this client does close it). Exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

int main(void) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || bind(s, (struct sockaddr*)&addr, sizeof addr) != 0 ||
        getsockname(s, (struct sockaddr*)&addr, &len) != 0)
        return die("finding a free port");
    close(s);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return die("socket");
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
        fprintf(stderr, "connect() to a closed port succeeded?\n");
        return 1;
    }
    printf("agent not running (%s): starting a helper\n", strerror(errno));
    pid_t helper = fork();
    if (helper < 0) return die("fork");
    if (helper == 0) _exit(0); /* would exec the agent */
    int status = 0;
    if (waitpid(helper, &status, 0) != helper) return die("waitpid");
    close(fd);
    printf("helper exited with %d; failed socket closed\n", WEXITSTATUS(status));
    return 0;
}
