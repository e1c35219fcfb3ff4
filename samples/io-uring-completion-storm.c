/* io-uring-completion-storm: a program that polls a pipe through an
 * io_uring by resubmitting RWF_NOWAIT reads as fast as they fail: 64 reads
 * per io_uring_enter, each completing with -EAGAIN, round after round, until
 * the data it waits for arrives.
 *
 * Story: docs/rules/io-uring-completion-storm.md (a reactor's ring sends
 * completing -EAGAIN under CPU starvation, and what a program that retries
 * at once does to its ring). The ring does no I/O; strace shows only a run
 * of io_uring_enter calls.
 *
 * Deterministic: the pipe stays empty for 40 rounds (2560 failed reads in
 * well under a second), then the program writes to it and the next round
 * reads the data.
 *     sctrace -- samples/io-uring-completion-storm
 * Exit 0 (77 when the kernel refuses io_uring or RWF_NOWAIT on a pipe). */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BATCH 64
#define EMPTY_ROUNDS 40

static int die(const char* what) {
    perror(what);
    return 1;
}

int main(void) {
    struct io_uring ring;
    int ret = io_uring_queue_init(BATCH, &ring, 0);
    if (ret < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
        return 77;
    }
    int p[2];
    if (pipe(p) != 0) return die("pipe");
    static char bufs[BATCH][8];
    int eagain = 0, got = 0;
    for (int round = 0; got == 0; round++) {
        if (round == EMPTY_ROUNDS && write(p[1], "ready\n", 6) != 6) return die("write");
        for (int i = 0; i < BATCH; i++) {
            struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
            if (!sqe) return die("io_uring_get_sqe");
            io_uring_prep_read(sqe, p[0], bufs[i], sizeof bufs[i], 0);
            /* The bug: never wait, just try again. */
            sqe->rw_flags = RWF_NOWAIT;
            io_uring_sqe_set_data64(sqe, 0x57012000u + (unsigned)i);
        }
        ret = io_uring_submit_and_wait(&ring, BATCH);
        if (ret < 0) {
            fprintf(stderr, "io_uring_submit_and_wait: %s\n", strerror(-ret));
            return 1;
        }
        for (int i = 0; i < BATCH; i++) {
            struct io_uring_cqe* cqe;
            ret = io_uring_wait_cqe(&ring, &cqe);
            if (ret < 0) {
                fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
                return 1;
            }
            const int res = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            if (res == -EAGAIN) {
                eagain++;
            } else if (res > 0) {
                got += res;
            } else if (res == -EINVAL || res == -EOPNOTSUPP) {
                fprintf(stderr, "RWF_NOWAIT read of a pipe: %s\n", strerror(-res));
                return 77;
            } else {
                fprintf(stderr, "read through the ring: %s\n", strerror(-res));
                return 1;
            }
        }
        if (round > EMPTY_ROUNDS + 10) {
            fprintf(stderr, "the data never came\n");
            return 1;
        }
    }
    printf("%d bytes read after %s failed reads\n", got,
           eagain >= EMPTY_ROUNDS * BATCH ? "2560 or more" : "too few");
    close(p[0]);
    close(p[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
