// Signal delivery as a program sees it. A tracer sits in the middle of every
// signal (it sees the signal-delivery-stop and must re-inject the signal), so
// each step checks one thing it can get wrong: siginfo contents, masking and
// coalescing, real-time queueing order, SA_RESTART versus EINTR, thread-directed
// signals, the alternate stack, a synchronous fault caught by a handler, and
// ignored signals.
#include "tracee.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

// Handlers only record; main prints (printf is not async-signal-safe).
static volatile sig_atomic_t usr1_count, usr1_code, usr1_from_self;  // count: atomic ops
static volatile pid_t usr1_sender, usr1_tid;
static volatile sig_atomic_t usr2_code, usr2_value;
static volatile sig_atomic_t rt_values[8], rt_count;
static volatile sig_atomic_t alrm_count;
static int alarm_pipe[2];
static volatile int on_altstack;
static char* altstack_base;
static size_t altstack_size;
static sigjmp_buf segv_jump;
static volatile uintptr_t segv_addr;
static volatile sig_atomic_t segv_code;

static void on_usr1(int sig, siginfo_t* si, void* uc) {
    (void)sig, (void)uc;
    usr1_code = si->si_code;
    usr1_sender = si->si_pid;
    usr1_from_self = si->si_pid == getpid();
    usr1_tid = (pid_t)syscall(SYS_gettid);
    char here;
    on_altstack = &here >= altstack_base && &here < altstack_base + altstack_size;
    // Counted last: in step 8 another thread waits for the count, then reads the fields.
    __atomic_add_fetch(&usr1_count, 1, __ATOMIC_SEQ_CST);
}

static void on_usr2(int sig, siginfo_t* si, void* uc) {
    (void)sig, (void)uc;
    usr2_code = si->si_code;
    usr2_value = si->si_value.sival_int;
}

static void on_rt(int sig, siginfo_t* si, void* uc) {
    (void)sig, (void)uc;
    if (rt_count < 8) rt_values[rt_count++] = si->si_value.sival_int;
}

// With SA_RESTART, makes the interrupted read() find data once restarted.
static void on_alrm_write(int sig) {
    (void)sig;
    alrm_count++;
    char c = 'x';
    if (write(alarm_pipe[1], &c, 1) != 1) _exit(101);
}

static void on_alrm_count(int sig) {
    (void)sig;
    alrm_count++;
}

static void on_segv(int sig, siginfo_t* si, void* uc) {
    (void)sig, (void)uc;
    segv_addr = (uintptr_t)si->si_addr;
    segv_code = si->si_code;
    siglongjmp(segv_jump, 1);
}

static void install(int sig, void (*action)(int, siginfo_t*, void*), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = action;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void install_plain(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void set_blocked(int sig, int how) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK(sigprocmask(how, &set, NULL) == 0);
}

// A 20 ms periodic timer: periodic, so that a tick that lands before read()
// blocks is followed by one that interrupts it.
static void start_ticks(void) {
    struct itimerval it = {{0, 20000}, {0, 20000}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static void stop_ticks(void) {
    struct itimerval it = {{0, 0}, {0, 0}};
    CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static pid_t target_tid;
static volatile int thread_go;

static void* usr1_target_thread(void* arg) {
    (void)arg;
    target_tid = (pid_t)syscall(SYS_gettid);
    __atomic_store_n(&thread_go, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&thread_go, __ATOMIC_SEQ_CST) != 2) sleep_ms(1);
    return NULL;
}

int main(void) {
    // 1. A handler runs before raise() returns, with the siginfo of tgkill.
    install(SIGUSR1, on_usr1, 0);
    CHECK(raise(SIGUSR1) == 0);
    say("1. raise(SIGUSR1): handler ran %d time(s), si_code is SI_TKILL: %s, sender is self: %s\n",
        (int)usr1_count, usr1_code == SI_TKILL ? "yes" : "no", usr1_from_self ? "yes" : "no");

    // 2. sigqueue() carries a value and SI_QUEUE.
    install(SIGUSR2, on_usr2, 0);
    union sigval v = {.sival_int = 4242};
    CHECK(sigqueue(getpid(), SIGUSR2, v) == 0);
    say("2. sigqueue(SIGUSR2, 4242): si_code is SI_QUEUE: %s, value %d\n",
        usr2_code == SI_QUEUE ? "yes" : "no", (int)usr2_value);

    // 3. A blocked standard signal stays pending and coalesces.
    usr1_count = 0;
    set_blocked(SIGUSR1, SIG_BLOCK);
    CHECK(raise(SIGUSR1) == 0);
    CHECK(raise(SIGUSR1) == 0);
    sigset_t pending;
    CHECK(sigpending(&pending) == 0);
    say("3. blocked SIGUSR1 raised twice: pending %s, handled %d time(s) while blocked\n",
        sigismember(&pending, SIGUSR1) ? "yes" : "no", (int)usr1_count);
    set_blocked(SIGUSR1, SIG_UNBLOCK);
    say("   after unblocking: handled %d time(s)\n", (int)usr1_count);

    // 4. Real-time signals queue, and arrive in order.
    install(SIGRTMIN + 1, on_rt, 0);
    set_blocked(SIGRTMIN + 1, SIG_BLOCK);
    for (int i = 1; i <= 3; i++) {
        union sigval rv = {.sival_int = i * 10};
        CHECK(sigqueue(getpid(), SIGRTMIN + 1, rv) == 0);
    }
    set_blocked(SIGRTMIN + 1, SIG_UNBLOCK);
    say("4. three queued SIGRTMIN+1: delivered %d, values %d %d %d\n", (int)rt_count,
        (int)rt_values[0], (int)rt_values[1], (int)rt_values[2]);

    // 5. SA_RESTART: read() on an empty pipe is interrupted by SIGALRM, the
    //    handler writes a byte, the read restarts and returns it.
    CHECK(pipe(alarm_pipe) == 0);
    install_plain(SIGALRM, on_alrm_write, SA_RESTART);
    start_ticks();
    char buf[8];
    ssize_t n = read(alarm_pipe[0], buf, 1);
    stop_ticks();
    say("5. SA_RESTART read: returned %zd byte(s) '%c'\n", n, n == 1 ? buf[0] : '?');

    // 6. Without SA_RESTART the same read fails with EINTR.
    install_plain(SIGALRM, on_alrm_count, 0);
    int before = alrm_count;
    // A fresh pipe: ticks of step 5 that came after its read left bytes in the old one.
    CHECK(close(alarm_pipe[0]) == 0 && close(alarm_pipe[1]) == 0);
    CHECK(pipe(alarm_pipe) == 0);
    start_ticks();
    n = read(alarm_pipe[0], buf, 1);
    int err = errno;
    stop_ticks();
    say("6. plain read: returned %zd, errno EINTR: %s, handler ran: %s\n", n,
        err == EINTR ? "yes" : "no", alrm_count > before ? "yes" : "no");

    // 7. sigsuspend() waits for a signal sent by a child; si_pid names it.
    set_blocked(SIGUSR1, SIG_BLOCK);
    usr1_count = 0;
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        if (kill(getppid(), SIGUSR1) != 0) _exit(1);
        _exit(0);
    }
    sigset_t none;
    sigemptyset(&none);
    while (usr1_count == 0) sigsuspend(&none);
    set_blocked(SIGUSR1, SIG_UNBLOCK);
    int status;
    CHECK(waitpid(child, &status, 0) == child);
    say("7. SIGUSR1 from a child: si_code is SI_USER: %s, si_pid is the child: %s, child "
        "status %d\n",
        usr1_code == SI_USER ? "yes" : "no", usr1_sender == child ? "yes" : "no",
        WEXITSTATUS(status));

    // 8. A thread-directed signal runs its handler on that thread, here on
    //    the alternate stack.
    altstack_size = 1 << 16;
    altstack_base = malloc(altstack_size);
    CHECK(altstack_base != NULL);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, usr1_target_thread, NULL) == 0);
    while (__atomic_load_n(&thread_go, __ATOMIC_SEQ_CST) != 1) sleep_ms(1);
    usr1_count = 0;
    // sigaltstack is per thread: give the main thread one, then deliver to
    // main and to the other thread; only main's handler may be on the alt stack.
    stack_t ss = {.ss_sp = altstack_base, .ss_size = altstack_size, .ss_flags = 0};
    CHECK(sigaltstack(&ss, NULL) == 0);
    install(SIGUSR1, on_usr1, SA_ONSTACK);
    CHECK(raise(SIGUSR1) == 0);
    int main_on_alt = on_altstack;
    CHECK(pthread_kill(t, SIGUSR1) == 0);
    while (__atomic_load_n(&usr1_count, __ATOMIC_SEQ_CST) < 2) sleep_ms(1);
    int thread_on_alt = on_altstack;
    int ran_in_target = usr1_tid == target_tid;
    __atomic_store_n(&thread_go, 2, __ATOMIC_SEQ_CST);
    CHECK(pthread_join(t, NULL) == 0);
    say("8. handler on alternate stack in main: %s; pthread_kill ran it in the target thread: "
        "%s, on the alternate stack there: %s\n",
        main_on_alt ? "yes" : "no", ran_in_target ? "yes" : "no", thread_on_alt ? "yes" : "no");

    // 9. A SIGSEGV from a NULL read is caught and left with siglongjmp.
    install(SIGSEGV, on_segv, SA_NODEFER);
    if (sigsetjmp(segv_jump, 1) == 0) {
        volatile int* null = NULL;
        (void)*null;
        say("9. NULL read did not fault\n");
    } else {
        say("9. NULL read caught: si_code SEGV_MAPERR: %s, si_addr 0x%lx\n",
            segv_code == SEGV_MAPERR ? "yes" : "no", (unsigned long)segv_addr);
    }

    // 10. An ignored signal does nothing, a default-ignored one neither.
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    CHECK(raise(SIGUSR2) == 0);
    CHECK(raise(SIGWINCH) == 0);
    say("10. ignored SIGUSR2 and default SIGWINCH: still running\n");
    return 0;
}
