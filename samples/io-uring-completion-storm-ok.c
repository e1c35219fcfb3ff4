/* io-uring-completion-storm-ok, the correct twin: the same 40 rounds of 64
 * reads of a pipe through an io_uring, but the reads wait for data (no
 * RWF_NOWAIT: the kernel arms a poll and completes each one when a byte
 * arrives), and each round writes the 64 bytes they read. 2560 reads, all
 * of them doing I/O. Must raise nothing.
 * Exit 0 (77 when the kernel refuses io_uring). */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BATCH 64
#define ROUNDS 40

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
    static char bufs[BATCH][1];
    static char bytes[BATCH];
    memset(bytes, 'x', sizeof bytes);
    int got = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCH; i++) {
            struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
            if (!sqe) return die("io_uring_get_sqe");
            io_uring_prep_read(sqe, p[0], bufs[i], sizeof bufs[i], 0);
            io_uring_sqe_set_data64(sqe, 0x57012000u + (unsigned)i);
        }
        ret = io_uring_submit(&ring);
        if (ret != BATCH) {
            fprintf(stderr, "io_uring_submit: %s\n", strerror(ret < 0 ? -ret : EIO));
            return 1;
        }
        if (write(p[1], bytes, sizeof bytes) != (ssize_t)sizeof bytes) return die("write");
        for (int i = 0; i < BATCH; i++) {
            struct io_uring_cqe* cqe;
            ret = io_uring_wait_cqe(&ring, &cqe);
            if (ret < 0) {
                fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
                return 1;
            }
            const int res = cqe->res;
            io_uring_cqe_seen(&ring, cqe);
            if (res < 0) {
                fprintf(stderr, "read through the ring: %s\n", strerror(-res));
                return 1;
            }
            got += res;
        }
    }
    printf("%d bytes read by %d reads that waited\n", got, ROUNDS * BATCH);
    close(p[0]);
    close(p[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
