/* What reading a stopped tracee's memory costs on this machine, against a
 * bare system call: the part of a stop that a tracer printing buffers (as
 * strace and `sctrace --format strace` do) pays and the floor
 * (bare_ptrace.c) does not. bench/run.sh turns it into "the floor plus the
 * reads alone" beside the measured strace-format rows.
 *
 *   remote_read [ITERATIONS]
 *
 * Prints, one per line, microseconds per call:
 *   syscall_us            getppid, the cheapest call there is
 *   process_vm_readv_us   64 bytes from a ptrace-stopped child
 *   proc_mem_us           the same through pread on /proc/PID/mem */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tracee_buffer[4096];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char* what) {
    perror(what);
    exit(1);
}

int main(int argc, char** argv) {
    const long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n <= 0) {
        fprintf(stderr, "usage: remote_read [ITERATIONS]\n");
        return 2;
    }
    memset(tracee_buffer, 'x', sizeof tracee_buffer);
    const pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        for (;;) pause();
    }
    /* Stopped under ptrace, as a tracee is while its tracer reads it. */
    if (ptrace(PTRACE_SEIZE, child, 0, 0) != 0) die("PTRACE_SEIZE");
    if (ptrace(PTRACE_INTERRUPT, child, 0, 0) != 0) die("PTRACE_INTERRUPT");
    int status = 0;
    if (waitpid(child, &status, 0) != child) die("waitpid");

    char out[64];
    const double t0 = now();
    for (long i = 0; i < n; ++i) getppid();
    const double t1 = now();
    for (long i = 0; i < n; ++i) {
        struct iovec local = {out, sizeof out}, remote = {tracee_buffer, sizeof out};
        if (process_vm_readv(child, &local, 1, &remote, 1, 0) != (ssize_t)sizeof out) {
            die("process_vm_readv");
        }
    }
    const double t2 = now();
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
    const int mem = open(path, O_RDONLY | O_CLOEXEC);
    if (mem < 0) die(path);
    for (long i = 0; i < n; ++i) {
        if (pread(mem, out, sizeof out, (off_t)(unsigned long)tracee_buffer) !=
            (ssize_t)sizeof out) {
            die("pread /proc/PID/mem");
        }
    }
    const double t3 = now();
    close(mem);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    printf("syscall_us %.3f\n", (t1 - t0) / (double)n * 1e6);
    printf("process_vm_readv_us %.3f\n", (t2 - t1) / (double)n * 1e6);
    printf("proc_mem_us %.3f\n", (t3 - t2) / (double)n * 1e6);
    return 0;
}
