/* fatal-signal, a crash signal the program ignores: like
 * `bash -c 'trap "" SEGV; kill -SEGV $$'`, it sets SIGSEGV to SIG_IGN and
 * kill()s itself with it. An ignored signal that a process sends does
 * nothing (only a fault the kernel raises is forced to kill), so the
 * process goes on and exits 0. A child started after the exec of a program
 * that keeps SIG_IGN does the same: the exec keeps ignored signals.
 *
 * Story: the issue "findings people can trust on real programs": sctrace
 * reported an error for that bash line. Must raise nothing. Exit 0. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc > 1) { /* the re-exec'd child: SIGSEGV is still ignored */
        kill(getpid(), SIGSEGV);
        puts("child: still here");
        return 0;
    }
    signal(SIGSEGV, SIG_IGN);
    kill(getpid(), SIGSEGV);
    puts("still here after kill(SIGSEGV)");
    fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        execl("/proc/self/exe", argv[0], "child", (char*)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
