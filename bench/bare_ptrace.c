// bare_ptrace: the floor for the tracer-overhead benchmark.
//
//   bare_ptrace [--no-seccomp] [-c] -e SYSCALL[,SYSCALL...] -- COMMAND [ARGS...]
//
// The least a ptrace tracer can do and still know every traced call and its
// result: it follows every fork, vfork and clone, stops the tracee on exactly
// the named syscalls (a libseccomp filter returning SECCOMP_RET_TRACE for them
// and ALLOW for the rest, as strace --seccomp-bpf and sctrace do), fetches the
// call with PTRACE_GET_SYSCALL_INFO at the seccomp stop and the result at the
// syscall-exit stop, and does nothing else: no decoding, no memory reads, no
// output. Whatever a real tracer costs above this is its own doing, so
// bench/run.sh reports sctrace's time against it.
//
// --no-seccomp installs no filter and stops at every syscall entry and exit
// (PTRACE_SYSCALL throughout), the floor for a tracer that cannot filter; -e
// then only selects what -c counts.
// -c prints per-syscall counts of the named calls to stderr at exit, so one can
// check that the floor really saw the workload (it is not timed with -c).
//
// Exit status: the command's own, or 128+N when it was killed by signal N.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// x86_64 syscall numbers are below 512; the x32 ABI (bit 30 set) and anything
// larger is outside the table and simply not counted.
enum { kMaxSyscall = 512 };

struct options {
    bool use_seccomp;
    bool count;
    bool traced[kMaxSyscall];  // the -e set, by syscall number
    char** command;
};

// Per-syscall counts for -c. Entries are counted where the number is known (the
// seccomp stop or, without seccomp, the syscall-entry stop); exits are only
// totalled, as a check that every traced call was seen to completion.
static unsigned long entry_count[kMaxSyscall];
static unsigned long exit_count;
static unsigned long error_count;

static void die(const char* what) {
    fprintf(stderr, "bare_ptrace: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void) {
    fprintf(
        stderr,
        "usage: bare_ptrace [--no-seccomp] [-c] -e SYSCALL[,SYSCALL...] -- COMMAND [ARGS...]\n");
    exit(2);
}

static void parse_syscall_list(struct options* opt, char* list) {
    for (char* name = strtok(list, ","); name != NULL; name = strtok(NULL, ",")) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR || nr < 0 || nr >= kMaxSyscall) {
            fprintf(stderr, "bare_ptrace: unknown syscall '%s'\n", name);
            exit(2);
        }
        opt->traced[nr] = true;
    }
}

static struct options parse_args(int argc, char** argv) {
    struct options opt = {.use_seccomp = true};
    bool have_set = false;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--no-seccomp") == 0) {
            opt.use_seccomp = false;
        } else if (strcmp(argv[i], "-c") == 0) {
            opt.count = true;
        } else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
            parse_syscall_list(&opt, argv[++i]);
            have_set = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            usage();
        }
    }
    if (!have_set || i >= argc) usage();
    opt.command = &argv[i];
    return opt;
}

// Builds the filter in the parent, before fork: the child then only has to
// hand a ready program to the kernel, so nothing between fork and exec
// allocates, and libseccomp's own work is not traced or timed as the command's.
// The program is exported to a memfd and read back because libseccomp 2.5 can
// only export to a file descriptor.
static struct sock_fprog build_filter(const struct options* opt) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL) {
        fprintf(stderr, "bare_ptrace: seccomp_init failed\n");
        exit(1);
    }
    // A call from a foreign ABI (int 0x80, x32) is not in the set: let it run
    // untraced rather than kill the process, which is libseccomp's default.
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
    for (int nr = 0; rc == 0 && nr < kMaxSyscall; nr++) {
        if (opt->traced[nr]) rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), nr, 0);
    }
    if (rc != 0) {
        errno = -rc;
        die("building the seccomp filter");
    }

    int fd = memfd_create("bare_ptrace-bpf", MFD_CLOEXEC);
    if (fd < 0) die("memfd_create");
    rc = seccomp_export_bpf(ctx, fd);
    if (rc != 0) {
        errno = -rc;
        die("seccomp_export_bpf");
    }
    seccomp_release(ctx);

    struct stat st;
    if (fstat(fd, &st) < 0) die("fstat");
    size_t size = (size_t)st.st_size;
    if (size == 0 || size % sizeof(struct sock_filter) != 0) {
        fprintf(stderr, "bare_ptrace: exported filter has odd size %zu\n", size);
        exit(1);
    }
    struct sock_filter* insns = malloc(size);
    if (insns == NULL) die("malloc");
    if (pread(fd, insns, size, 0) != (ssize_t)size) die("reading the exported filter");
    close(fd);
    return (struct sock_fprog){.len = (unsigned short)(size / sizeof *insns), .filter = insns};
}

// Runs in the child between fork and exec. It waits until the parent has
// attached (EOF on the pipe): a SECCOMP_RET_TRACE filter with no tracer
// attached fails the call with ENOSYS, so the filter must not take effect
// before PTRACE_SEIZE.
static void run_child(const struct options* opt, const struct sock_fprog* prog, int gate_fd) {
    char byte;
    while (read(gate_fd, &byte, 1) < 0 && errno == EINTR) {
    }
    close(gate_fd);
    if (opt->use_seccomp) {
        // Unprivileged filters need no_new_privs; root does not, and leaving
        // it unset keeps set-uid programs under a root tracer behaving as
        // they would untraced.
        if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            perror("bare_ptrace: prctl(PR_SET_NO_NEW_PRIVS)");
            _exit(1);
        }
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0) {
            perror("bare_ptrace: seccomp(SECCOMP_SET_MODE_FILTER)");
            _exit(1);
        }
    }
    execvp(opt->command[0], opt->command);
    fprintf(stderr, "bare_ptrace: exec %s: %s\n", opt->command[0], strerror(errno));
    _exit(127);
}

// A tracee can vanish between its stop and our request (SIGKILL from
// elsewhere, or its thread group exec'ing): ESRCH is normal and its exit will
// be reported by waitpid.
static void request(int req, pid_t tid, void* addr, void* data) {
    if (ptrace(req, tid, addr, data) < 0 && errno != ESRCH) die("ptrace");
}

// Fetches the stop's syscall info. This is the one read every real tracer
// makes at every stop (number and arguments at entry, result at exit), so it
// stays in the floor.
static bool get_info(pid_t tid, struct __ptrace_syscall_info* info) {
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void*)sizeof *info, info);
    if (n < 0 && errno != ESRCH) die("PTRACE_GET_SYSCALL_INFO");
    return n > 0;
}

static void note_entry(const struct options* opt, uint64_t nr) {
    if (nr < kMaxSyscall && opt->traced[nr]) entry_count[nr]++;
}

static void note_exit(const struct __ptrace_syscall_info* info) {
    exit_count++;
    if (info->exit.is_error) error_count++;
}

static void print_counts(const struct options* opt) {
    unsigned long total = 0;
    fprintf(stderr, "%10s  %s\n", "calls", "syscall");
    for (int nr = 0; nr < kMaxSyscall; nr++) {
        if (!opt->traced[nr]) continue;
        char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        fprintf(stderr, "%10lu  %s\n", entry_count[nr], name != NULL ? name : "?");
        free(name);
        total += entry_count[nr];
    }
    fprintf(stderr, "%10lu  total (%lu exits seen, %lu errors)\n", total, exit_count, error_count);
}

// The tracing loop. Every stop is resumed exactly once:
//  - seccomp stop: fetch the call, PTRACE_SYSCALL to get its exit stop
//    (kernels since 4.8 report seccomp after syscall-entry, so the next
//    syscall stop is the exit);
//  - syscall stop: an exit (with seccomp) or either kind (without): fetch,
//    then resume;
//  - PTRACE_EVENT_STOP with a stopping signal: a group-stop, held with
//    PTRACE_LISTEN so job control still works; any other PTRACE_EVENT_STOP is
//    a new tracee's first stop or our PTRACE_INTERRUPT: resume;
//  - other ptrace events (fork, clone, exec ...): resume;
//  - anything else is a signal-delivery stop: resume and deliver the signal.
// Returns the command's wait status once no tracee is left.
static int trace(const struct options* opt, pid_t child) {
    // Without a filter every syscall must stop, so every resume is
    // PTRACE_SYSCALL; with one, only seccomp stops lead to syscall stops.
    const int resume = opt->use_seccomp ? PTRACE_CONT : PTRACE_SYSCALL;
    int child_status = 0;
    struct __ptrace_syscall_info info;

    for (;;) {
        int status;
        pid_t tid = waitpid(-1, &status, __WALL);
        if (tid < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD) break;
            die("waitpid");
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (tid == child) child_status = status;
            continue;
        }
        if (!WIFSTOPPED(status)) continue;

        int sig = WSTOPSIG(status);
        unsigned event = (unsigned)status >> 16;
        if (sig == (SIGTRAP | 0x80)) {
            if (get_info(tid, &info)) {
                if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
                    note_entry(opt, info.entry.nr);
                } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
                    note_exit(&info);
                }
            }
            // After an entry stop (only without seccomp) the exit must stop
            // too, which PTRACE_SYSCALL is in that mode anyway.
            request(resume, tid, 0, 0);
        } else if (event == PTRACE_EVENT_SECCOMP) {
            if (get_info(tid, &info)) note_entry(opt, info.seccomp.nr);
            request(PTRACE_SYSCALL, tid, 0, 0);
        } else if (event == PTRACE_EVENT_STOP) {
            if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                request(PTRACE_LISTEN, tid, 0, 0);
            } else {
                request(resume, tid, 0, 0);
            }
        } else if (event != 0) {
            // PTRACE_CONT here would lose the exit stop of a traced call that
            // raised the event (execve, clone in the set); the benchmark set
            // has none, and the floor keeps no per-thread state to know.
            request(resume, tid, 0, 0);
        } else {
            request(resume, tid, 0, (void*)(long)sig);
        }
    }
    return child_status;
}

int main(int argc, char** argv) {
    struct options opt = parse_args(argc, argv);
    struct sock_fprog prog = {0};
    if (opt.use_seccomp) prog = build_filter(&opt);

    int gate[2];
    if (pipe2(gate, O_CLOEXEC) < 0) die("pipe2");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(gate[1]);
        run_child(&opt, &prog, gate[0]);
    }
    close(gate[0]);

    long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK |
                   PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                   PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SEIZE, child, 0, (void*)options) < 0) {
        int err = errno;
        kill(child, SIGKILL);
        errno = err;
        die("PTRACE_SEIZE");
    }
    // A seized tracee runs on until something stops it, and without a filter
    // nothing would: interrupt it once so the loop can switch it to
    // PTRACE_SYSCALL before it leaves the gate.
    if (!opt.use_seccomp) request(PTRACE_INTERRUPT, child, 0, 0);
    close(gate[1]);  // EOF: the child may install its filter and exec

    int status = trace(&opt, child);
    if (opt.count) print_counts(&opt);
    free(prog.filter);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
