/* io-uring-write-in-flight-at-exit: a program that hands a write to an
 * io_uring and exits without waiting for its completion. The write goes to
 * a pipe that is full (its reader, this same process, never reads): it
 * cannot finish, and when the process ends the kernel tears the ring down
 * and cancels it. The program never learns that its data was not written.
 *
 * Story: docs/rules/io-uring-write-in-flight-at-exit.md (a logger that
 * submits its last lines through a ring and returns from main). strace
 * shows io_uring_enter and exit_group: no write at all.
 *
 * The argv word chooses a variant:
 *   (none)   the write is in flight at exit: the rule fires;
 *   sqpoll   the same through an IORING_SETUP_SQPOLL ring, whose kernel
 *            thread takes the submission: the rule fires;
 *   threads  the same, but the main thread leaves with exit(2) and the
 *            process ends when a second thread does too (as a runtime
 *            that does not end through exit_group would): the rule fires;
 *   posted   the program reads the pipe itself after submitting, so the
 *            write completes, and exits without reaping the completion
 *            (it waits for it to be posted, looking at the ring's tail,
 *            with no io_uring_enter): nothing in flight, the rule is silent;
 *   killed   a child process does the submitting and then dies of SIGKILL:
 *            killed, not exiting, its rings are never read at its end, and
 *            the rule is silent (the parent, which owns no ring, exits 0);
 *   refused  the ring is set up disabled (IORING_SETUP_R_DISABLED), so the
 *            io_uring_enter that was to submit the write fails with EBADFD
 *            and the kernel never takes it: nothing in flight, silent.
 *
 * Deterministic: the pipe is filled with nonblocking writes until it
 * refuses more, then made blocking again, so the ring's write of one more
 * byte waits for room that never comes.
 *     sctrace -- samples/io-uring-write-in-flight-at-exit [sqpoll|threads|posted|killed|refused]
 * Exit 0 (77 when the kernel refuses io_uring or SQPOLL). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The user_data of the write that never completes. */
#define WRITE_TAG 0xbadc0deULL

static int die(const char* what) {
    perror(what);
    return 1;
}

/* Fills the pipe's buffer through `fd` until it holds no more, and leaves
 * the fd blocking (a ring write on a nonblocking fd fails with EAGAIN at
 * once instead of waiting for room). */
static int fill(int fd) {
    static char chunk[4096];
    if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) return -1;
    while (write(fd, chunk, sizeof chunk) > 0) {
    }
    if (errno != EAGAIN) return -1;
    /* A pipe takes writes of less than a page into a partly used buffer. */
    while (write(fd, chunk, 1) > 0) {
    }
    if (errno != EAGAIN) return -1;
    return fcntl(fd, F_SETFL, 0);
}

/* Sets up the ring, fills the pipe and submits the write that cannot
 * finish. Returns 0, 77 when the kernel refuses the ring, 1 on failure.
 * `disabled`: the ring refuses submissions, and that is what must happen. */
static int submit_stuck_write(struct io_uring* ring, int p[2], int sqpoll, int disabled) {
    struct io_uring_params params = {0};
    if (sqpoll) {
        params.flags = IORING_SETUP_SQPOLL;
        params.sq_thread_idle = 2000; /* ms */
    }
    if (disabled) params.flags |= IORING_SETUP_R_DISABLED;
    int ret = io_uring_queue_init_params(8, ring, &params);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init%s: %s\n", sqpoll ? " (SQPOLL)" : "", strerror(-ret));
        return 77;
    }
    if (pipe(p) != 0) return die("pipe");
    if (fill(p[1]) != 0) return die("filling the pipe");
    static const char last[] = "the last line\n";
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    io_uring_prep_write(sqe, p[1], last, sizeof last - 1, 0);
    io_uring_sqe_set_data64(sqe, WRITE_TAG);
    ret = io_uring_submit(ring);
    if (disabled) {
        if (ret != -EBADFD) {
            fprintf(stderr, "a disabled ring took the write (%d)\n", ret);
            return 1;
        }
        printf("the disabled ring refused the write\n");
        return 0;
    }
    if (ret != 1) {
        fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
        return 1;
    }
    return 0;
}

/* The process's last thread: it ends the process with exit(2), not
 * exit_group (glibc's thread exit would call exit() for the last thread). */
static void* last_thread(void* arg) {
    (void)arg;
    syscall(SYS_exit, 0);
    return NULL;
}

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    struct io_uring ring;
    int p[2];
    if (strcmp(mode, "killed") == 0) {
        const pid_t child = fork();
        if (child < 0) return die("fork");
        if (child == 0) {
            const int ret = submit_stuck_write(&ring, p, 0, 0);
            if (ret != 0) _exit(ret);
            /* The bug's shape, but the process does not exit: it is killed. */
            raise(SIGKILL);
            _exit(1);
        }
        int status;
        if (waitpid(child, &status, 0) != child) return die("waitpid");
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        printf("the submitting child was killed by signal %d\n", WTERMSIG(status));
        return 0;
    }
    const int refused = strcmp(mode, "refused") == 0;
    const int ret = submit_stuck_write(&ring, p, strcmp(mode, "sqpoll") == 0, refused);
    if (ret != 0 || refused) return ret;
    if (strcmp(mode, "posted") == 0) {
        /* Room for the write: it completes, and its completion is posted
         * to the ring, which the program never reaps. */
        static char buf[4096];
        if (read(p[0], buf, sizeof buf) <= 0) return die("read");
        for (int spins = 0; io_uring_cq_ready(&ring) == 0; spins++) {
            if (spins > 1000000) {
                fprintf(stderr, "the write's completion was never posted\n");
                return 1;
            }
            sched_yield();
        }
        printf("the write completed; its completion was left unreaped\n");
        return 0;
    }
    /* The bug: return from main with the write still in flight. */
    printf("exiting with a write in flight\n");
    if (strcmp(mode, "threads") == 0) {
        fflush(stdout);
        pthread_t t;
        if (pthread_create(&t, NULL, last_thread, NULL) != 0) return die("pthread_create");
        syscall(SYS_exit, 0);
    }
    return 0;
}
