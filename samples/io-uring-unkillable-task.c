/* io-uring-unkillable-task: a process that survives SIGKILL because of its
 * io_uring, for real - the shape of npm's hang on an SQPOLL ring
 * (docs/rules/io-uring-unkillable-task.md).
 *
 * The victim sets up an SQPOLL ring, as libuv does, and reads a file through
 * it. The file belongs to a tiny FUSE file server (raw /dev/fuse protocol, no
 * libfuse) that answers the open and never the read. The ring's own kernel
 * thread is the one that waits for the answer, and once the request is in
 * the server's hands FUSE waits for it uninterruptibly (fs/fuse/dev.c,
 * request_wait_answer: "Either request is already in userspace, or it was
 * forced. Wait it out."). Then the victim is SIGKILLed: its exit cancels the
 * ring's requests and waits for the ones it cannot cancel, so the process
 * stays alive with SIGKILL pending, its iou-sqp thread in D state. (On
 * Linux 6.18 the SQ thread issues the read itself and the exiting thread
 * waits for the ring's lock that it holds; a kernel that hands the read to a
 * worker leaves iou-wrk-* stuck instead, and the exit waits for that.)
 * After 8 s the sample kills its server, which aborts the connection, fails
 * the read and lets the victim die; exit status 0.
 *
 * Needs CAP_SYS_ADMIN (a private mount namespace and a fuse mount) and
 * io_uring with SQPOLL; exits 77 with the reason when the system refuses.
 *     sctrace -- samples/io-uring-unkillable-task */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROOT_ID = 1, FILE_ID = 2 };

/* What the server and the victim tell the parent through a pipe. */
enum { READ_PENDING = 'R', RING_REFUSED = 'X', VICTIM_FAILED = 'E' };

static void reply(int dev, uint64_t unique, int error, const void* payload, size_t size) {
    char buf[sizeof(struct fuse_out_header) + 256];
    struct fuse_out_header out = {(uint32_t)(sizeof out + size), -error, unique};
    memcpy(buf, &out, sizeof out);
    if (size) memcpy(buf + sizeof out, payload, size);
    if (write(dev, buf, out.len) < 0 && errno != ENOENT) perror("fuse reply");
}

static void fill_attr(struct fuse_attr* attr, uint64_t node) {
    memset(attr, 0, sizeof *attr);
    attr->ino = node;
    attr->nlink = node == ROOT_ID ? 2 : 1;
    attr->mode = node == ROOT_ID ? (S_IFDIR | 0755) : (S_IFREG | 0444);
    attr->size = node == ROOT_ID ? 0 : 5;
    attr->blksize = 4096;
}

static void tell(int pipe_fd, char what) {
    if (write(pipe_fd, &what, 1) != 1) perror("pipe");
}

/* Answers what the kernel needs to open the file, and never answers READ;
 * says on `told` when the read has arrived. */
static void serve(int dev, int told) {
    static char buf[1 << 20];
    for (;;) {
        ssize_t n = read(dev, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR || errno == ENOENT) continue;
            _exit(0); /* ENODEV: unmounted */
        }
        const struct fuse_in_header* in = (const struct fuse_in_header*)buf;
        const char* arg = buf + sizeof *in;
        switch (in->opcode) {
            case FUSE_INIT: {
                /* No flags: in particular no FUSE_ASYNC_DIO, so a direct
                 * read is one request its reader waits on. */
                struct fuse_init_out init;
                memset(&init, 0, sizeof init);
                init.major = FUSE_KERNEL_VERSION;
                init.minor = FUSE_KERNEL_MINOR_VERSION;
                init.max_write = 65536;
                init.max_readahead = 65536;
                reply(dev, in->unique, 0, &init, sizeof init);
                break;
            }
            case FUSE_LOOKUP: {
                if (in->nodeid != ROOT_ID || strcmp(arg, "stuck") != 0) {
                    reply(dev, in->unique, ENOENT, NULL, 0);
                    break;
                }
                struct fuse_entry_out entry;
                memset(&entry, 0, sizeof entry);
                entry.nodeid = FILE_ID;
                entry.generation = 1;
                fill_attr(&entry.attr, FILE_ID);
                reply(dev, in->unique, 0, &entry, sizeof entry);
                break;
            }
            case FUSE_GETATTR: {
                struct fuse_attr_out attr;
                memset(&attr, 0, sizeof attr);
                fill_attr(&attr.attr, in->nodeid);
                reply(dev, in->unique, 0, &attr, sizeof attr);
                break;
            }
            case FUSE_OPEN: {
                /* Direct I/O: the ring's read itself goes to the server,
                 * not a readahead the page cache makes of it, whose wait
                 * depends on the kernel's readahead path. */
                struct fuse_open_out open_out;
                memset(&open_out, 0, sizeof open_out);
                open_out.open_flags = FOPEN_DIRECT_IO;
                reply(dev, in->unique, 0, &open_out, sizeof open_out);
                break;
            }
            case FUSE_READ: /* the request that never gets an answer */
                tell(told, READ_PENDING);
                break;
            case FUSE_INTERRUPT: /* nor does the kernel's plea to drop it */
            case FUSE_FORGET:
            case FUSE_BATCH_FORGET:
                break;
            case FUSE_RELEASE:
                reply(dev, in->unique, 0, NULL, 0);
                break;
            default:
                reply(dev, in->unique, ENOSYS, NULL, 0);
                break;
        }
    }
}

/* Sets up an SQPOLL ring and submits one read of `path` through it; then
 * waits to be killed. */
static void victim(const char* path, int told) {
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    params.flags = IORING_SETUP_SQPOLL;
    params.sq_thread_idle = 10000; /* ms: the SQ thread stays awake */
    int ring = (int)syscall(SYS_io_uring_setup, 8, &params);
    if (ring < 0) {
        fprintf(stderr, "io-uring-unkillable-task: io_uring_setup(SQPOLL): %s\n", strerror(errno));
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
    int file = open(path, O_RDONLY | O_CLOEXEC); /* the server answers this one */
    if (sq == MAP_FAILED || sqes == MAP_FAILED || cq == MAP_FAILED || file < 0) {
        perror("io-uring-unkillable-task: victim");
        tell(told, VICTIM_FAILED);
        _exit(1);
    }
    static char data[4096];
    unsigned* tail = (unsigned*)(sq + params.sq_off.tail);
    unsigned* mask = (unsigned*)(sq + params.sq_off.ring_mask);
    unsigned* array = (unsigned*)(sq + params.sq_off.array);
    unsigned* flags = (unsigned*)(sq + params.sq_off.flags);
    unsigned slot = *tail & *mask;
    memset(&sqes[slot], 0, sizeof sqes[slot]);
    sqes[slot].opcode = IORING_OP_READ;
    sqes[slot].fd = file;
    sqes[slot].addr = (unsigned long)data;
    sqes[slot].len = sizeof data;
    array[slot] = slot;
    __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP) {
        syscall(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
    }
    for (;;) pause();
}

static void pause_for(int seconds) {
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
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
    /* A private mount namespace: the mount goes away with us, whatever happens. */
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "io-uring-unkillable-task: no private mount namespace: %s\n",
                strerror(errno));
        return 77;
    }
    char dir[] = "/tmp/sctrace-fuse-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    int dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    char options[128];
    snprintf(options, sizeof options, "fd=%d,rootmode=40000,user_id=0,group_id=0", dev);
    if (dev < 0 || mount("sctrace-sample", dir, "fuse", MS_NOSUID | MS_NODEV, options) != 0) {
        fprintf(stderr, "io-uring-unkillable-task: cannot mount a fuse file system: %s\n",
                strerror(errno));
        rmdir(dir);
        return 77;
    }
    int told[2];
    if (pipe2(told, O_CLOEXEC) != 0) {
        perror("pipe2");
        return 1;
    }
    pid_t server = fork();
    if (server == 0) {
        close(told[0]);
        serve(dev, told[1]);
    }
    pid_t killed = fork();
    if (killed == 0) {
        close(dev); /* else the connection could never be aborted */
        close(told[0]);
        char path[64];
        snprintf(path, sizeof path, "%s/stuck", dir);
        victim(path, told[1]);
    }
    close(dev);
    close(told[1]);
    const char what = first_word(told[0], 10);
    int status = 0;
    if (what == READ_PENDING) {
        kill(killed, SIGKILL); /* its ring's thread waits for the server, in D state */
        pause_for(8);
        if (waitpid(killed, &status, WNOHANG) == 0) {
            puts("the victim survived SIGKILL for 8 s; killing the file server frees it");
        } else {
            fprintf(stderr,
                    "io-uring-unkillable-task: the victim died within 8 s of SIGKILL: this "
                    "kernel did not keep it alive\n");
        }
    } else if (what != RING_REFUSED) {
        fprintf(stderr, "io-uring-unkillable-task: the read never reached the file server\n");
        kill(killed, SIGKILL);
    }
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    waitpid(killed, &status, 0);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    if (what == RING_REFUSED) return 77;
    return what == READ_PENDING ? 0 : 1;
}
