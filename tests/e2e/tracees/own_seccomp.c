/* A program with a seccomp filter of its own, as sandboxes install them:
 * getuid returns SECCOMP_RET_TRACE with data 1234 (the kernel makes that
 * fail with ENOSYS when no tracer asked for seccomp stops), getgid returns
 * SECCOMP_RET_ERRNO(EACCES), everything else is allowed. It prints what each
 * call returned, in itself and in a forked child (filters are inherited).
 * Under a transparent tracer the output is the same as without one. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tracee.h"

static void install_filter(void) {
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getuid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 1234),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getgid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof insns / sizeof insns[0], insns};
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

/* "returned 0" or "failed with ENOSYS": what the program's user sees. */
static void report(const char* who, const char* call, long nr) {
    errno = 0;
    long rc = syscall(nr);
    if (rc < 0) {
        say("%s: %s failed with %s\n", who, call, strerrorname_np(errno));
    } else {
        say("%s: %s returned %s\n", who, call, rc == 0 ? "0" : "non-zero");
    }
}

int main(void) {
    pid_t parent = getppid();
    install_filter();
    report("parent", "getuid", SYS_getuid);
    report("parent", "getgid", SYS_getgid);
    say("parent: getppid unchanged: %s\n", syscall(SYS_getppid) == parent ? "yes" : "no");
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        report("child", "getuid", SYS_getuid);
        report("child", "getgid", SYS_getgid);
        _exit(3);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    say("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 5;
}
