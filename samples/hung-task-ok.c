/* hung-task's twin: a vfork whose child execs at once (the parent is in D
 * state only for a moment), then a long *interruptible* sleep (S state),
 * which is waiting, not hanging. Must stay silent with --hang-after 1s.
 * Exit status 0. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    pid_t child = vfork();
    if (child == 0) {
        execl("/bin/true", "true", (char*)NULL);
        _exit(127);
    }
    if (child < 0) {
        perror("vfork");
        return 1;
    }
    int status = 0;
    waitpid(child, &status, 0);
    struct timespec wait = {3, 0};
    nanosleep(&wait, NULL);
    puts("slept 3 s in S state");
    return 0;
}
