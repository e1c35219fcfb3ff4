// strace-compat: -e trace=execve,vfork,wait4,exit_group -s 8
// execve as strace prints it: the path whole, argv cut at -s strings of -s
// bytes, envp as an address and a count. The first line, the tracer's own
// launch of this program, carries an envp address on the launcher's stack
// that differs between strace and sctrace (see the family report).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static char* const true_argv[] = {"/bin/true", "--a", "b c", "0123456789", "4", "5",
                                  "6",         "7",   "8",   "9",          NULL};
static char* const true_envp[] = {"PATH=/bin", NULL};

int main(void) {
    // SIGCHLD stays blocked: whether it is delivered before or after wait4
    // returns is up to the scheduler, and its "---" line would move with it.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int status = 0;
    pid_t child = vfork();
    if (child == 0) {
        execve("/bin/true", true_argv, true_envp);
        _exit(127);
    }
    wait4(child, &status, 0, NULL);
    child = vfork();
    if (child == 0) {
        char* const argv[] = {"nothing-here", NULL};
        char* const envp[] = {NULL};
        execve("/nonexistent/nothing-here", argv, envp);
        execve("/nonexistent/nothing-here", NULL, NULL);
        _exit(0);
    }
    wait4(child, &status, 0, NULL);
    return 0;
}
