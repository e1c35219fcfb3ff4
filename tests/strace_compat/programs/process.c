// strace-compat: -e trace=clone,clone3,fork,vfork,execveat,exit,exit_group,wait4,waitid,kill,tkill,tgkill
// Process life cycle calls with fixed results: fork and wait4, vfork and
// execveat of /bin/true with a small explicit environment, a failed
// execveat, clone and clone3 made directly, children that exit with a code
// or are killed, waitid, and exit_group. (execve itself is in
// process_execve.c: the first execve, the tracer's own launch, shows an
// envp address that differs between tracers.)
//
// SIGCHLD stays blocked (with sigprocmask, which the trace set leaves out)
// except right after each wait, so that each "--- SIGCHLD" line comes at a
// fixed place whatever the order in which parent and child run.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char* const true_argv[] = {"/bin/true", "--a", "b c", NULL};
static char* const true_envp[] = {"PATH=/bin", "LANG=C", NULL};

static void deliver_sigchld(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

int main(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int status = 0;

    // fork: the child exits with 3.
    pid_t child = fork();
    if (child == 0) _exit(3);
    wait4(child, &status, 0, NULL);
    deliver_sigchld();

    // vfork + execveat with an explicit environment.
    child = vfork();
    if (child == 0) {
        execveat(AT_FDCWD, "/bin/true", true_argv, true_envp, 0);
        _exit(127);
    }
    wait4(-1, &status, 0, NULL);
    deliver_sigchld();

    // A failed execveat, in a child.
    child = fork();
    if (child == 0) {
        char* const argv[] = {"nothing-here", NULL};
        char* const envp[] = {NULL};
        execveat(AT_FDCWD, "/nonexistent/nothing-here", argv, envp, AT_SYMLINK_NOFOLLOW);
        _exit(0);
    }
    wait4(child, &status, __WALL, NULL);
    deliver_sigchld();

    // clone made directly, fork-like (no CLONE_VM): the child is killed.
    child = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (child == 0) {
        for (;;) pause();
    }
    kill(child, SIGKILL);
    wait4(child, &status, 0, NULL);
    deliver_sigchld();

    // clone3 made directly; the child ends with exit(2), not exit_group.
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (child == 0) syscall(SYS_exit, 5);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    waitid(P_PID, (id_t)child, &info, WEXITED);
    deliver_sigchld();

    // (A child that stops itself is left out: whether a tracer reports the
    // group-stop before the parent's SIGKILL ends it is a race in the
    // tracer, not something of this family's decoding.)

    // Nothing left to wait for: the pointers are printed as addresses.
    struct rusage usage;
    wait4(-1, &status, WNOHANG, &usage);
    return 0;
}
