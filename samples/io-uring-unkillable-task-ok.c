/* io-uring-unkillable-task's twin: the same SQPOLL ring with a read in
 * flight, SIGKILLed - but the read waits on a pipe nobody writes to, which
 * io_uring can cancel. The victim dies at once, as a killed ring owner
 * should: not a finding. Needs no privileges.
 *     sctrace -- samples/io-uring-unkillable-task-ok
 * Exit status 0 (77 when io_uring is refused). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the victim tells the parent through a pipe. */
enum { READ_PENDING = 'R', RING_REFUSED = 'X', VICTIM_FAILED = 'E' };

static void tell(int pipe_fd, char what) {
    if (write(pipe_fd, &what, 1) != 1) perror("pipe");
}

/* Sets up an SQPOLL ring, submits one read of `empty` through it and says so
 * once the SQ thread has taken it; then waits to be killed. */
static void victim(int empty, int told) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SQPOLL;
    params.sq_thread_idle = 10000; /* ms: the SQ thread stays awake */
    int ring = (int)syscall(SYS_io_uring_setup, 8, &params);
    if (ring < 0) {
        fprintf(stderr, "io-uring-unkillable-task-ok: io_uring_setup(SQPOLL): %s\n",
                strerror(errno));
        tell(told, RING_REFUSED);
        _exit(77);
    }
    size_t sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
    size_t cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    char* sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
                    IORING_OFF_SQ_RING);
    struct io_uring_sqe* sqes = mmap(NULL, params.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    void* cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
                    IORING_OFF_CQ_RING);
    if (sq == MAP_FAILED || sqes == MAP_FAILED || cq == MAP_FAILED) {
        perror("io-uring-unkillable-task-ok: mmap");
        tell(told, VICTIM_FAILED);
        _exit(1);
    }
    static char data[4096];
    unsigned* head = (unsigned*)(sq + params.sq_off.head);
    unsigned* tail = (unsigned*)(sq + params.sq_off.tail);
    unsigned* mask = (unsigned*)(sq + params.sq_off.ring_mask);
    unsigned* array = (unsigned*)(sq + params.sq_off.array);
    unsigned* flags = (unsigned*)(sq + params.sq_off.flags);
    unsigned slot = *tail & *mask;
    memset(&sqes[slot], 0, sizeof sqes[slot]);
    sqes[slot].opcode = IORING_OP_READ;
    sqes[slot].fd = empty;
    sqes[slot].addr = (unsigned long)data;
    sqes[slot].len = sizeof data;
    array[slot] = slot;
    const unsigned submitted = *tail + 1;
    __atomic_store_n(tail, submitted, __ATOMIC_RELEASE);
    if (__atomic_load_n(flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP) {
        syscall(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
    }
    /* The SQ thread moves the head past the entry once it has issued it. */
    for (int tries = 0; __atomic_load_n(head, __ATOMIC_ACQUIRE) != submitted; ++tries) {
        if (tries == 5000) {
            fprintf(stderr, "io-uring-unkillable-task-ok: the SQ thread never took the read\n");
            tell(told, VICTIM_FAILED);
            _exit(1);
        }
        usleep(1000);
    }
    tell(told, READ_PENDING);
    for (;;) pause();
}

/* The first word on the pipe, or 0 when none came within `seconds`. */
static char first_word(int pipe_fd, int seconds) {
    struct pollfd p = {pipe_fd, POLLIN, 0};
    char what = 0;
    int ready;
    while ((ready = poll(&p, 1, seconds * 1000)) < 0 && errno == EINTR) {
    }
    if (ready == 1 && read(pipe_fd, &what, 1) != 1) what = 0;
    return what;
}

int main(void) {
    int empty[2], told[2];
    if (pipe2(empty, O_CLOEXEC) != 0 || pipe2(told, O_CLOEXEC) != 0) {
        perror("pipe2");
        return 1;
    }
    pid_t killed = fork();
    if (killed == 0) {
        close(told[0]);
        victim(empty[0], told[1]);
    }
    close(told[1]);
    const char what = first_word(told[0], 10);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    kill(killed, SIGKILL);
    int status = 0;
    waitpid(killed, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (what == RING_REFUSED) return 77;
    if (what != READ_PENDING) return 1;
    printf("the victim died %.0f ms after SIGKILL, its read cancelled\n",
           (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6);
    return 0;
}
