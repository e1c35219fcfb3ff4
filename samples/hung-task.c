/* hung-task: a vfork parent is a real D-state task.
 *
 * After vfork() the parent sleeps uninterruptibly (wait_for_vfork_done) until
 * the child calls execve or exits. Here the child takes its time (3 s), so
 * the parent sits in D state that long - as a service does when its vfork'd
 * helper hangs before exec. Run with --hang-after 1s to see hung-task:
 *     sctrace --hang-after 1s -- samples/hung-task
 * Exit status 0. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    pid_t child = vfork();
    if (child == 0) {
        /* Only async-signal-safe calls in a vfork child: nanosleep, _exit. */
        struct timespec slow = {3, 0};
        nanosleep(&slow, NULL);
        _exit(0);
    }
    if (child < 0) {
        perror("vfork");
        return 1;
    }
    int status = 0;
    waitpid(child, &status, 0);
    puts("the vfork child finally exited");
    return 0;
}
