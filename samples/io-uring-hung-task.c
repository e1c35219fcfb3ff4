/* io-uring-hung-task: a process that owns an SQPOLL io_uring (as libuv does
 * for `npm ci`, docs/rules/io-uring-hung-task.md) then sits in D state: here a vfork parent
 * whose child takes 3 s. The ring's kernel thread, iou-sqp-PID, lives in the
 * process's thread group; the finding names it.
 *     sctrace --hang-after 1s -- samples/io-uring-hung-task
 * Exit status 0 (77 when the kernel refuses io_uring: nothing to show). */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SQPOLL;
    params.sq_thread_idle = 10000; /* ms: the SQ thread stays awake */
    int ring = (int)syscall(SYS_io_uring_setup, 64, &params);
    if (ring < 0) {
        fprintf(stderr, "io_uring_setup(SQPOLL): %s\n", strerror(errno));
        return 77;
    }
    pid_t child = vfork();
    if (child == 0) {
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
    close(ring);
    puts("the vfork child finally exited");
    return 0;
}
