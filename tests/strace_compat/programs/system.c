// strace-compat: -e trace=brk,mprotect,madvise,mincore,mlock,munlock,msync,mremap,pkey_alloc,nanosleep,clock_nanosleep,clock_getres,setitimer,getitimer,getrlimit,setrlimit,prlimit64,getpriority,sched_getaffinity,uname,setresuid,setresgid,getresuid,getgroups,capget,prctl,arch_prctl,ioctl,set_robust_list,getpgid,setpgid
// Memory, time, resources, credentials, prctl and ioctl, each with values
// that are the same on every run (no clocks read, no random bytes): page
// protections and advice, sleeps of no time, interval timers, limits, the
// CPU mask, ids, capabilities, the task's name, and a pseudo-terminal's
// settings through ioctl.
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static unsigned char vec[4];
static char name[16];
static int sig;
static struct rlimit rl;
static struct itimerval itv;
static struct termios tio;
static struct winsize ws;
static unsigned long fsbase;
static cpu_set_t mask;
static uid_t ids[3];
static gid_t groups[64];
static struct __user_cap_header_struct cap_header = {_LINUX_CAPABILITY_VERSION_3, 0};
static struct __user_cap_data_struct cap_data[2];

int main(void) {
    // The heap's end, read and moved.
    void* end = (void*)syscall(SYS_brk, 0);
    syscall(SYS_brk, (char*)end + 4096);

    // Pages: protections, advice, residency, locks.
    char* page = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    mprotect(page, 4096, PROT_READ);
    mprotect(page, 4096, PROT_NONE);
    mprotect(page, 4096, 0x10000);
    madvise(page, 4 * 4096, MADV_DONTNEED);
    madvise(page, 4096, 12345);
    mincore(page, 3 * 4096 - 1, vec);
    mlock(page, 4096);
    munlock(page, 4096);
    msync(page, 4096, MS_ASYNC | MS_INVALIDATE);
    mremap(page, 4 * 4096, 2 * 4096, 0);
    syscall(SYS_pkey_alloc, 0, 0x1);

    // Sleeps of no time, clocks' resolutions, a timer set and read back.
    const struct timespec zero = {0, 0};
    nanosleep(&zero, NULL);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &zero, NULL);
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &zero, NULL);
    clock_getres(CLOCK_MONOTONIC, (struct timespec*)&itv);
    clock_getres(123, NULL);
    setitimer(ITIMER_VIRTUAL, &itv, NULL);
    getitimer(ITIMER_REAL, &itv);

    // Limits: named resources, infinity and multiples of 1024.
    getrlimit(RLIMIT_STACK, &rl);
    setrlimit(RLIMIT_CORE, &rl);
    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl);
    syscall(SYS_prlimit64, 0, 99, NULL, &rl);
    getpriority(PRIO_PROCESS, 0);
    syscall(SYS_sched_getaffinity, 0, sizeof mask, &mask);

    // Ids, groups, capabilities.
    setresuid(-1, -1, -1);
    setresgid(-1, -1, -1);
    getresuid(&ids[0], &ids[1], &ids[2]);
    getgroups(64, groups);
    syscall(SYS_capget, &cap_header, cap_data);
    setpgid(0, 0);
    syscall(SYS_getpgid, 0);  // its own pid now

    // prctl: a name set and read back, a signal, a capability, an unknown option.
    prctl(PR_SET_NAME, "compat-system", 0, 0, 0);
    prctl(PR_GET_NAME, name, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0);
    prctl(0x7777, 1, 2, 3, 4);
    syscall(SYS_arch_prctl, 0x1003, &fsbase);

    // ioctl: a terminal's settings and size, requests on a non-terminal.
    const int pty = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    ioctl(pty, TCGETS, &tio);
    ioctl(pty, TIOCGWINSZ, &ws);
    ioctl(pty, TIOCSWINSZ, &ws);
    int on = 1;
    ioctl(pty, FIONBIO, &on);
    ioctl(pty, FIOCLEX);
    const int null = open("/dev/null", O_RDONLY);
    ioctl(null, TCGETS, &tio);
    ioctl(null, TIOCGPGRP, &sig);
    ioctl(null, _IOR('z', 0x42, int), &sig);
    return 0;
}
