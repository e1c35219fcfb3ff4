/* Runs a command where ptrace is refused, as a container's seccomp profile
 * or a locked-down kernel refuses it: a filter of its own makes ptrace()
 * fail with EPERM, then it execs the command. Used to check that sctrace
 * --backend auto falls back to seccomp-notify, and that the ptrace backend
 * says how to go on.
 *
 *   deny_ptrace COMMAND [ARGS...] */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: deny_ptrace COMMAND [ARGS...]\n");
        return 2;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0) != 0 ||
        seccomp_load(ctx) != 0) {
        perror("deny_ptrace: installing the filter");
        return 2;
    }
    seccomp_release(ctx);
    execvp(argv[1], argv + 1);
    perror("deny_ptrace: exec");
    return 127;
}
