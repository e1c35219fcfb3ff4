// Job control of a child, seen from its parent. The parent stops the child
// with SIGSTOP and later SIGTSTP, waits for it with WUNTRACED and WCONTINUED,
// and its SA_SIGINFO SIGCHLD handler records CLD_STOPPED / CLD_CONTINUED /
// CLD_EXITED. Under a tracer the child is traced: the tracer must turn the
// stop into a real group-stop (PTRACE_LISTEN, not a resume), or the parent
// never sees it stopped, or sees it never continue.
#include "tracee.h"

#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t chld_count;
static int chld_codes[16], chld_status[16];

static void on_sigchld(int sig, siginfo_t* si, void* uc) {
    (void)sig, (void)uc;
    if (chld_count < 16) {
        chld_codes[chld_count] = si->si_code;
        chld_status[chld_count] = si->si_status;
        chld_count++;
    }
}

static const char* code_name(int code) {
    switch (code) {
        case CLD_EXITED:
            return "CLD_EXITED";
        case CLD_KILLED:
            return "CLD_KILLED";
        case CLD_DUMPED:
            return "CLD_DUMPED";
        case CLD_STOPPED:
            return "CLD_STOPPED";
        case CLD_CONTINUED:
            return "CLD_CONTINUED";
        case CLD_TRAPPED:
            return "CLD_TRAPPED";
    }
    return "?";
}

// Waits (SIGCHLD blocked outside sigsuspend) until the handler has run n times.
static void await_sigchld(int n, const sigset_t* unblocked) {
    while (chld_count < n) sigsuspend(unblocked);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigchld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    CHECK(sigprocmask(SIG_BLOCK, &chld, &old) == 0);

    int go[2];
    CHECK(pipe(go) == 0);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        // Blocks in read() until told to exit; stop signals stop it there.
        close(go[1]);
        char c;
        ssize_t n;
        do n = read(go[0], &c, 1);
        while (n < 0 && errno == EINTR);
        _exit(n == 1 && c == 'q' ? 3 : 1);
    }
    close(go[0]);

    int status;
    int events = 0;
    const int stops[2] = {SIGSTOP, SIGTSTP};
    for (int round = 0; round < 2; round++) {
        CHECK(kill(child, stops[round]) == 0);
        CHECK(waitpid(child, &status, WUNTRACED) == child);
        say("waitpid(WUNTRACED): stopped %s, by SIG%s\n", WIFSTOPPED(status) ? "yes" : "no",
            WIFSTOPPED(status) ? sigabbrev_np(WSTOPSIG(status)) : "-");
        await_sigchld(++events, &old);

        CHECK(kill(child, SIGCONT) == 0);
        CHECK(waitpid(child, &status, WCONTINUED) == child);
        say("waitpid(WCONTINUED): continued %s\n", WIFCONTINUED(status) ? "yes" : "no");
        await_sigchld(++events, &old);
    }

    write_all(go[1], "q", 1);
    CHECK(waitpid(child, &status, 0) == child);
    say("child exited %s, status %d\n", WIFEXITED(status) ? "normally" : "abnormally",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    await_sigchld(++events, &old);

    // si_status of CLD_STOPPED is not printed: the kernel fills it in from
    // group_exit_code after dropping the lock, so a parent whose waitpid()
    // consumes the stop first (which clears it) gets 0. That race exists
    // untraced too; a tracer only widens the window.
    say("SIGCHLD si_codes:");
    for (int i = 0; i < chld_count; i++) {
        if (chld_codes[i] == CLD_STOPPED)
            say(" %s", code_name(chld_codes[i]));
        else
            say(" %s(%d)", code_name(chld_codes[i]), chld_status[i]);
    }
    say("\n");
    return 0;
}
