/* io-uring-hung-task's twin: the same SQPOLL ring, and a vfork child that
 * execs at once; then the process waits 3 s in S state. Must stay silent
 * with --hang-after 1s. Exit status 0 (77 when io_uring is refused). */
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
    params.sq_thread_idle = 10000;
    int ring = (int)syscall(SYS_io_uring_setup, 64, &params);
    if (ring < 0) {
        fprintf(stderr, "io_uring_setup(SQPOLL): %s\n", strerror(errno));
        return 77;
    }
    pid_t child = vfork();
    if (child == 0) {
        execl("/bin/true", "true", (char*)NULL);
        _exit(127);
    }
    int status = 0;
    if (child > 0) waitpid(child, &status, 0);
    struct timespec wait = {3, 0};
    nanosleep(&wait, NULL);
    close(ring);
    puts("slept 3 s in S state with an SQPOLL ring");
    return 0;
}
