// strace-compat: -e trace=io_uring_setup,io_uring_enter,io_uring_register
// io_uring through liburing: a plain ring and an SQPOLL ring, NOP, STATX and
// READ submissions, and the register opcodes whose arguments strace decodes
// (files, buffers, eventfd, probe, files update, personality, restrictions,
// ring fds, provided buffer rings, io-wq limits), plus calls that fail.
// Every batch is submitted with submit_and_wait, so each is exactly one
// io_uring_enter whatever the timing: nothing depends on whether a
// completion was already there.
#include <fcntl.h>
#include <liburing.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buffer[8192] __attribute__((aligned(4096)));

static long raw_setup(unsigned entries, struct io_uring_params* p) {
    return syscall(__NR_io_uring_setup, entries, p);
}

static long raw_register(int fd, unsigned op, void* arg, unsigned nr) {
    return syscall(__NR_io_uring_register, fd, op, arg, nr);
}

static long raw_enter(int fd, unsigned to_submit, unsigned min, unsigned flags, void* sig,
                      unsigned long size) {
    return syscall(__NR_io_uring_enter, fd, to_submit, min, flags, sig, size);
}

// Drains the completion queue without a syscall.
static void drain(struct io_uring* ring) {
    struct io_uring_cqe* cqe;
    while (io_uring_peek_cqe(ring, &cqe) == 0) io_uring_cqe_seen(ring, cqe);
}

static void plain_ring(void) {
    struct io_uring ring;
    if (io_uring_queue_init(8, &ring, 0) != 0) return;

    // A file with known contents to READ from.
    const int file = memfd_create("data", 0);
    if (write(file, "io_uring compat", 15) != 15) return;

    // Probe: the kernel fills the ops array (the first 32 are shown).
    struct io_uring_probe* probe = io_uring_get_probe_ring(&ring);
    if (probe) io_uring_free_probe(probe);

    int fds[2] = {file, -1};
    io_uring_register_files(&ring, fds, 2);
    int update[2] = {file, IORING_REGISTER_FILES_SKIP};
    io_uring_register_files_update(&ring, 0, update, 2);

    struct iovec iov = {buffer, 4096};
    io_uring_register_buffers(&ring, &iov, 1);

    const int efd = eventfd(0, 0);
    io_uring_register_eventfd(&ring, efd);
    io_uring_unregister_eventfd(&ring);

    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    sqe->user_data = 1;

    static struct statx stx;
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_statx(sqe, AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx);
    sqe->user_data = 2;

    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, file, buffer, 15, 0);
    sqe->user_data = 3;

    io_uring_submit_and_wait(&ring, 3);
    drain(&ring);

    // A fixed-file read through the registered table (index 0).
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, 0, buffer, 8, 0);
    sqe->flags |= IOSQE_FIXED_FILE;
    sqe->user_data = 4;
    io_uring_submit_and_wait(&ring, 1);
    drain(&ring);

    io_uring_unregister_buffers(&ring);
    io_uring_unregister_files(&ring);

    // Resources with tags (the *2 opcodes).
    __u64 tags[2] = {0x11, 0};
    io_uring_register_files_tags(&ring, fds, tags, 2);
    __u64 new_tag = 0x22;
    io_uring_register_files_update_tag(&ring, 1, &update[1], &new_tag, 1);
    io_uring_unregister_files(&ring);
    struct iovec iovs[2] = {{buffer, 4096}, {buffer + 4096, 4096}};
    io_uring_register_buffers_tags(&ring, iovs, tags, 2);
    io_uring_register_buffers_update_tag(&ring, 1, &iovs[0], &new_tag, 1);
    io_uring_unregister_buffers(&ring);

    const int personality = io_uring_register_personality(&ring);
    io_uring_unregister_personality(&ring, personality);

    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    io_uring_register_iowq_aff(&ring, sizeof cpus, &cpus);
    io_uring_unregister_iowq_aff(&ring);

    // Ask for the limits without changing them (zeros), so the old values
    // printed at exit are the same on every run.
    unsigned int workers[2] = {0, 0};
    io_uring_register_iowq_max_workers(&ring, workers);

    io_uring_register_ring_fd(&ring);
    io_uring_unregister_ring_fd(&ring);

    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (unsigned long)buffer;
    reg.ring_entries = 8;
    reg.bgid = 3;
    io_uring_register_buf_ring(&ring, &reg, 0);
    io_uring_unregister_buf_ring(&ring, 3);

    // Restrictions are only accepted on a disabled ring, so this fails.
    struct io_uring_restriction res[3];
    memset(res, 0, sizeof res);
    res[0].opcode = IORING_RESTRICTION_SQE_OP;
    res[0].sqe_op = IORING_OP_READ;
    res[1].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
    res[1].sqe_flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK;
    res[2].opcode = IORING_RESTRICTION_REGISTER_OP;
    res[2].register_op = IORING_REGISTER_PROBE;
    raw_register(ring.ring_fd, IORING_REGISTER_RESTRICTIONS, res, 3);

    // A probe the caller filled in (the kernel refuses it), opcodes strace
    // 6.1 does not know, and a ring fd that is not one.
    static struct {
        struct io_uring_probe probe;
        struct io_uring_probe_op ops[2];
    } filled;
    filled.probe.last_op = 1;
    filled.ops[0].op = IORING_OP_READV;
    raw_register(ring.ring_fd, IORING_REGISTER_PROBE, &filled, 2);
    raw_register(ring.ring_fd, IORING_REGISTER_PROBE, (void*)8, 2);
    raw_register(ring.ring_fd, 99, NULL, 0);
    raw_register(ring.ring_fd, 24, NULL, 0);
    raw_register(0, IORING_UNREGISTER_FILES, NULL, 0);

    // Waits with signal masks, nothing to submit and nothing to wait for.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    raw_enter(ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, &mask, 8);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGCHLD);
    raw_enter(ring.ring_fd, 0, 0, 0, &mask, 8);
    raw_enter(ring.ring_fd, 0, 0, 0, &mask, 4);
    raw_enter(ring.ring_fd, 0, 0, 0x100, NULL, 8);
    // An extended argument, which strace 6.1 shows as an address.
    struct io_uring_getevents_arg ext;
    memset(&ext, 0, sizeof ext);
    raw_enter(ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ext, sizeof ext);

    close(efd);
    close(file);
    io_uring_queue_exit(&ring);
}

static void sqpoll_ring(void) {
    struct io_uring ring;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SQPOLL;
    // Long enough that the poller never idles, so no enter needs SQ_WAKEUP.
    p.sq_thread_idle = 2000;
    if (io_uring_queue_init_params(4, &ring, &p) != 0) return;
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    sqe->user_data = 7;
    // Publish the entry ourselves and always ask for a wakeup: liburing
    // adds IORING_ENTER_SQ_WAKEUP only when the poller happens to sleep.
    const unsigned tail = ring.sq.sqe_tail;
    ring.sq.array[(tail - 1) & *ring.sq.kring_mask] = (tail - 1) & *ring.sq.kring_mask;
    ring.sq.sqe_head = tail;
    io_uring_smp_store_release(ring.sq.ktail, tail);
    raw_enter(ring.ring_fd, 1, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP, NULL, 8);
    drain(&ring);
    io_uring_queue_exit(&ring);
}

static void failing_setups(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    raw_setup(0, &p);  // EINVAL: no entries
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | 0x80000000u;
    p.cq_entries = 4;
    raw_setup(4, &p);  // EINVAL: an unknown flag
    memset(&p, 0, sizeof p);
    p.flags = 0xffffc000u;  // only flags strace 6.1 does not know
    raw_setup(4, &p);
    memset(&p, 0, sizeof p);
    p.sq_thread_cpu = 0x12;
    p.resv[1] = 0xabc;
    raw_setup(4, &p);    // EINVAL: reserved words set
    raw_setup(4, NULL);  // EFAULT
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_ATTACH_WQ;
    p.wq_fd = 12345;
    raw_setup(4, &p);  // wq_fd is not a ring
}

int main(void) {
    plain_ring();
    sqpoll_ring();
    failing_setups();
    return 0;
}
