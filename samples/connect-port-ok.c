/* Not a bundled rule's pattern: a client that connects to a chosen port on
 * loopback (25, SMTP's, unless given another), from a forked child that
 * asked for its user id first. Given "ppid" after the port, the first
 * process prints its own parent's pid (what proc.ppid must say of a process
 * whose fork the trace never saw). The fields a rule like "connects to port 25"
 * reads (fd.sport, fd.sip, fd.name, proc.cmdline, proc.ppid, user.uid) are
 * tested on it, live and from its saved log; the bundled pack must stay
 * silent on it.
 *
 * Harmless whatever listens there: the connect is refused (nothing
 * listens, the usual case) or made and closed at once without a byte
 * sent. Exit 0. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const int port = argc > 1 ? atoi(argv[1]) : 25;
    if (argc > 2 && strcmp(argv[2], "ppid") == 0) {
        printf("ppid %d\n", (int)getppid());
        fflush(stdout);
    }
    const pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        printf("uid %u\n", (unsigned)getuid());
        fflush(stdout);
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("socket");
            _exit(1);
        }
        struct sockaddr_in to = {.sin_family = AF_INET,
                                 .sin_port = htons((unsigned short)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        /* Refused or made: either way the attempt is what is traced. */
        (void)connect(fd, (struct sockaddr*)&to, sizeof to);
        close(fd);
        _exit(0);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        perror("waitpid");
        return 1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
