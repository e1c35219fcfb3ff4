/* A program that uses ptrace itself: a child asks to be traced
 * (PTRACE_TRACEME), and the parent attaches to a second child
 * (PTRACE_ATTACH). A process has one tracer; under a tracer that follows
 * children both fail with EPERM, as they do under strace -f. It prints
 * what each request returned. */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "tracee.h"

static const char* outcome(long rc) {
    return rc == 0 ? "ok" : strerrorname_np(errno);
}

int main(void) {
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        long rc = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        say("child: PTRACE_TRACEME: %s\n", outcome(rc));
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    int go[2];
    CHECK(pipe(go) == 0);
    pid_t target = fork();
    CHECK(target >= 0);
    if (target == 0) {
        char byte;
        close(go[1]);
        while (read(go[0], &byte, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    close(go[0]);
    long rc = ptrace(PTRACE_ATTACH, target, NULL, NULL);
    say("parent: PTRACE_ATTACH to a child: %s\n", outcome(rc));
    if (rc == 0) {
        CHECK(waitpid(target, &status, 0) == target && WIFSTOPPED(status));
        CHECK(ptrace(PTRACE_DETACH, target, NULL, NULL) == 0);
    }
    CHECK(write(go[1], "g", 1) == 1);
    CHECK(waitpid(target, &status, 0) == target);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    say("done\n");
    return 0;
}
