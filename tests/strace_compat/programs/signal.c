// strace-compat: -e trace=rt_sigaction,rt_sigprocmask,rt_sigreturn,kill,tgkill,tkill,rt_sigqueueinfo,rt_tgsigqueueinfo,sigaltstack,rt_sigpending,exit_group
// Signals sent to self (kill, tgkill, tkill, sigqueue) and handled, masks
// changed with sigprocmask, an alternate stack, the faults strace names by
// si_code (SEGV_MAPERR, SI_KERNEL, FPE_INTDIV, ILL_ILLOPN, BUS_ADRERR), each
// handled and left with siglongjmp, and timer signals.
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static sigjmp_buf fault_return;
static char alt_stack[65536];

static void on_signal(int signo) {
    handled += signo;
}

static void on_info(int signo, siginfo_t* info, void* context) {
    (void)info;
    (void)context;
    handled += signo;
}

static void on_fault(int signo) {
    (void)signo;
    siglongjmp(fault_return, 1);
}

// Runs `fault` with `signo` handled by on_fault.
static void expect_fault(int signo, void (*fault)(void)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_NODEFER | SA_ONSTACK;
    sigaction(signo, &sa, NULL);
    if (sigsetjmp(fault_return, 1) == 0) fault();
}

static void segv_poison(void) {
    *(volatile int*)(uintptr_t)0xbbadbeef = 1;
}

static void segv_null(void) {
    *(volatile int*)NULL = 1;
}

// A non-canonical address: a general protection fault, si_code SI_KERNEL.
static void segv_kernel(void) {
    *(volatile int*)(uintptr_t)0x8000000000000000ull = 1;
}

static void fpe_divide(void) {
    int zero = 0, one = 1;
    __asm__ volatile("cltd; idivl %1" : "+a"(one) : "r"(zero) : "edx");
}

static void ill_ud2(void) {
    __asm__ volatile("ud2");
}

static void bus_past_end(void) {
    FILE* f = tmpfile();
    char* p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fileno(f), 0);
    volatile char c = p[0];  // the file is empty: SIGBUS, BUS_ADRERR
    (void)c;
}

int main(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, &old);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGPIPE, NULL, &old);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigfillset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGRTMIN + 2, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGKILL, &sa, NULL);  // EINVAL

    // Masks: block, check pending, unblock (the pending signal arrives).
    sigset_t set, old_set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, &old_set);
    kill(getpid(), SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old_set);
    sigfillset(&set);
    sigdelset(&set, SIGINT);
    sigprocmask(SIG_SETMASK, &set, &old_set);
    sigprocmask(SIG_SETMASK, &old_set, NULL);
    syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8);

    // Sent to self, handled at once.
    kill(getpid(), SIGUSR1);
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR2);
    syscall(SYS_tkill, (pid_t)syscall(SYS_gettid), SIGUSR1);
    kill(getpid(), 0);
    kill(-1234567, SIGUSR1);  // ESRCH
    union sigval value = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR2, value);
    sigqueue(getpid(), SIGRTMIN + 2, value);

    // The alternate stack for the fault handlers.
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    stack_t old_ss;
    sigaltstack(&ss, &old_ss);
    sigaltstack(NULL, &old_ss);

    expect_fault(SIGSEGV, segv_poison);
    expect_fault(SIGSEGV, segv_null);
    expect_fault(SIGSEGV, segv_kernel);
    expect_fault(SIGFPE, fpe_divide);
    expect_fault(SIGILL, ill_ud2);
    expect_fault(SIGBUS, bus_past_end);

    // Timer signals, waited for with the signal blocked until sigsuspend so
    // that each arrives exactly there: setitimer's SIGALRM (SI_KERNEL), then
    // a POSIX timer's SIGUSR1 (SI_TIMER, with the timer's value).
    signal(SIGALRM, on_signal);
    sigset_t timer_signals, empty;
    sigemptyset(&empty);
    sigemptyset(&timer_signals);
    sigaddset(&timer_signals, SIGALRM);
    sigaddset(&timer_signals, SIGUSR1);
    sigprocmask(SIG_BLOCK, &timer_signals, NULL);
    struct itimerval it = {{0, 0}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    sigsuspend(&empty);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    sev.sigev_value.sival_int = 7;
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0) {
        struct itimerspec its = {{0, 0}, {0, 1000}};
        timer_settime(timer, 0, &its, NULL);
        sigsuspend(&empty);
    }
    return 0;
}
