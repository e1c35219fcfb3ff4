/* fixed-files-uring, the correct twin: the same work on the ring's own
 * descriptor table, each slot used while it holds its file and closed once.
 *
 *   use-after-close  a socket registered in slot 0, its process fd closed,
 *                    the slot read through (IOSQE_FIXED_FILE: the slot holds
 *                    its own reference, so this is no use after close), then
 *                    closed (IORING_OP_CLOSE, file_index)
 *   leak             a direct socket whose fixed-file connect is refused,
 *                    its slot closed on the failure path
 *   leak-registered  a registered socket(2) connected through its slot and
 *                    refused: the process closes its fd and clears the slot
 *                    (IORING_REGISTER_FILES_UPDATE with -1)
 *   double-close     a direct socket's slot closed once
 *
 * Must raise nothing at warning or above.
 * Exit 0 (77 when the kernel refuses io_uring, registered files or direct
 * descriptors). */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Each ring operation of this program carries this user_data. */
#define TAG 0xf1eedULL

/* Submits the prepared SQE and returns its completion's res. */
static int complete_one(struct io_uring* ring) {
    struct io_uring_cqe* cqe;
    int ret = io_uring_submit_and_wait(ring, 1);
    if (ret < 0) return ret;
    ret = io_uring_wait_cqe(ring, &cqe);
    if (ret < 0) return ret;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res;
}

static struct io_uring_sqe* next_sqe(struct io_uring* ring) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(ring);
    if (sqe) io_uring_sqe_set_data64(sqe, TAG);
    return sqe;
}

static int close_slot(struct io_uring* ring, unsigned slot) {
    struct io_uring_sqe* sqe = next_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_close_direct(sqe, slot);
    return complete_one(ring);
}

static int read_slot(struct io_uring* ring, unsigned slot, char* buf, unsigned len) {
    struct io_uring_sqe* sqe = next_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_read(sqe, (int)slot, buf, len, 0);
    io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
    return complete_one(ring);
}

static int socket_into_slot(struct io_uring* ring, unsigned slot) {
    struct io_uring_sqe* sqe = next_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_socket_direct(sqe, AF_INET, SOCK_STREAM, 0, slot, 0);
    return complete_one(ring);
}

static int connect_slot(struct io_uring* ring, unsigned slot, const struct sockaddr_in* addr) {
    struct io_uring_sqe* sqe = next_sqe(ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_connect(sqe, (int)slot, (const struct sockaddr*)addr, sizeof *addr);
    io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
    return complete_one(ring);
}

/* A loopback port nobody listens on: bound, never listening, held open. */
static int refused_port(struct sockaddr_in* addr, int* held) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    socklen_t len = sizeof *addr;
    if (bind(s, (struct sockaddr*)addr, sizeof *addr) != 0 ||
        getsockname(s, (struct sockaddr*)addr, &len) != 0) {
        close(s);
        return -1;
    }
    *held = s;
    return 0;
}

/* The kernel lacks something this program needs: not a failure of it. */
static int refused(const char* what, int err) {
    fprintf(stderr, "%s: %s\n", what, strerror(-err));
    return 77;
}

static int use_after_close(struct io_uring* ring) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return 1;
    int ret = io_uring_register_files(ring, &sv[0], 1);
    if (ret < 0) return refused("io_uring_register_files", ret);
    close(sv[0]); /* the slot keeps the socket */
    if (write(sv[1], "hello", 5) != 5) return 1;
    char buf[16];
    ret = read_slot(ring, 0, buf, sizeof buf);
    if (ret != 5) {
        fprintf(stderr, "read through slot 0: %d\n", ret);
        return 1;
    }
    ret = close_slot(ring, 0);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) return refused("IORING_OP_CLOSE direct", ret);
    if (ret != 0) {
        fprintf(stderr, "close of slot 0: %s\n", strerror(-ret));
        return 1;
    }
    printf("read %d bytes through the slot\n", 5);
    close(sv[1]);
    return 0;
}

static int leak(struct io_uring* ring, int registered) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int held;
    if (refused_port(&addr, &held) != 0) return 1;
    unsigned slot = 1;
    int s = -1;
    if (registered) {
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) return 1;
        int ret = io_uring_register_files(ring, &s, 1);
        if (ret < 0) return refused("io_uring_register_files", ret);
        slot = 0;
    } else {
        int ret = io_uring_register_files_sparse(ring, 4);
        if (ret < 0) return refused("io_uring_register_files_sparse", ret);
        ret = socket_into_slot(ring, slot);
        if (ret == -EINVAL || ret == -EOPNOTSUPP) return refused("IORING_OP_SOCKET direct", ret);
        if (ret != 0) return 1;
    }
    int ret = connect_slot(ring, slot, &addr);
    if (ret != -ECONNREFUSED) {
        fprintf(stderr, "connect through slot %u: %d\n", slot, ret);
        return 1;
    }
    printf("connect: %s\n", strerror(-ret));
    /* The failure path lets go of the socket: every reference to it. */
    if (registered) {
        close(s);
        int none = -1;
        ret = io_uring_register_files_update(ring, slot, &none, 1);
        if (ret != 1) {
            fprintf(stderr, "io_uring_register_files_update: %d\n", ret);
            return 1;
        }
    } else {
        ret = close_slot(ring, slot);
        if (ret == -EINVAL || ret == -EOPNOTSUPP) return refused("IORING_OP_CLOSE direct", ret);
        if (ret != 0) return 1;
    }
    close(held);
    return 0;
}

static int double_close(struct io_uring* ring) {
    int ret = io_uring_register_files_sparse(ring, 4);
    if (ret < 0) return refused("io_uring_register_files_sparse", ret);
    ret = socket_into_slot(ring, 0);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) return refused("IORING_OP_SOCKET direct", ret);
    if (ret != 0) return 1;
    ret = close_slot(ring, 0);
    if (ret == -EINVAL || ret == -EOPNOTSUPP) return refused("IORING_OP_CLOSE direct", ret);
    if (ret != 0) return 1;
    printf("closed once\n");
    return 0;
}
int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "use-after-close";
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) return refused("io_uring_queue_init", ret);
    if (strcmp(mode, "use-after-close") == 0) return use_after_close(&ring);
    if (strcmp(mode, "leak") == 0) return leak(&ring, 0);
    if (strcmp(mode, "leak-registered") == 0) return leak(&ring, 1);
    if (strcmp(mode, "double-close") == 0) return double_close(&ring);
    fprintf(stderr, "usage: %s use-after-close|leak|leak-registered|double-close\n", argv[0]);
    return 2;
}
