/* io_uring statx submissions through liburing, for the io_uring tracker's
 * end-to-end test: three STATX on a plain ring (submitted by io_uring_enter),
 * then two on an SQPOLL ring (submitted by the kernel's poller thread, seen
 * only by sampling the ring). Prints the results. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int statx_batch(struct io_uring* ring, const char* const* paths, int n, const char* label) {
    struct statx results[8];
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
        io_uring_prep_statx(sqe, AT_FDCWD, paths[i], 0, STATX_SIZE, &results[i]);
        sqe->user_data = (unsigned long long)(100 + i);
    }
    if (io_uring_submit_and_wait(ring, n) < 0) return -1;
    int res[8] = {0};
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe* cqe;
        if (io_uring_wait_cqe(ring, &cqe) != 0) return -1;
        res[cqe->user_data - 100] = cqe->res;
        io_uring_cqe_seen(ring, cqe);
    }
    printf("%s:", label);
    for (int i = 0; i < n; i++) printf(" %d", res[i]);
    printf("\n");
    return 0;
}

int main(void) {
    static const char* const paths[] = {"/", "/etc", "/nonexistent-sctrace"};
    struct io_uring ring;
    if (io_uring_queue_init(8, &ring, 0) != 0) {
        fprintf(stderr, "io_uring_queue_init refused\n");
        return 77;
    }
    if (statx_batch(&ring, paths, 3, "plain") != 0) return 1;
    io_uring_queue_exit(&ring);

    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SQPOLL;
    params.sq_thread_idle = 2000;
    if (io_uring_queue_init_params(8, &ring, &params) != 0) {
        printf("sqpoll: refused\n");
        return 0;
    }
    if (statx_batch(&ring, paths, 2, "sqpoll") != 0) return 1;
    io_uring_queue_exit(&ring);
    return 0;
}
