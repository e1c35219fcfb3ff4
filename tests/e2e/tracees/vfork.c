// vfork() and its relatives. The parent is suspended until the child execs or
// exits, sharing its memory meanwhile; a tracer sees a vfork event and, with
// a seccomp prefilter, a child that starts life inside the parent's
// filter. Each child's exit status must reach the parent unchanged.
#include "tracee.h"

#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

static int wait_code(pid_t pid) {
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "child") == 0) {
        say("child running after exec, exiting with %s\n", argv[2]);
        return atoi(argv[2]);
    }

    // vfork + exec of ourselves.
    pid_t pid = vfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        execl("/proc/self/exe", "vfork", "child", "11", (char*)NULL);
        _exit(127);
    }
    say("vfork + exec: child exited with %d\n", wait_code(pid));

    // vfork + _exit without exec.
    pid = vfork();
    CHECK(pid >= 0);
    if (pid == 0) _exit(12);
    say("vfork + _exit: child exited with %d\n", wait_code(pid));

    // vfork + an exec that fails, then _exit(127), as a shell does.
    pid = vfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        execl("/nonexistent/e2e-vfork-target", "nothing", (char*)NULL);
        _exit(127);
    }
    say("vfork + failed exec: child exited with %d\n", wait_code(pid));

    // posix_spawn: glibc's clone(CLONE_VM | CLONE_VFORK) path.
    char* spawn_argv[] = {"vfork", "child", "13", NULL};
    CHECK(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, spawn_argv, environ) == 0);
    say("posix_spawn: child exited with %d\n", wait_code(pid));
    (void)argv;
    return 0;
}
