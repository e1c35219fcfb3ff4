/* Runs a command in an environment whose kernel "refuses" seccomp filters:
 * it installs a filter of its own that makes seccomp() and
 * prctl(PR_SET_SECCOMP) fail with EPERM, then execs the command. Used to check
 * that sctrace falls back to stopping at every syscall, says so in one line,
 * and still sees every call.
 *
 *   deny_seccomp COMMAND [ARGS...] */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: deny_seccomp COMMAND [ARGS...]\n");
        return 2;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) != 0 ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prctl), 1,
                         SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP)) != 0 ||
        seccomp_load(ctx) != 0) {
        perror("deny_seccomp: installing the filter");
        return 2;
    }
    seccomp_release(ctx);
    execvp(argv[1], argv + 1);
    perror("deny_seccomp: exec");
    return 127;
}
