/* unkillable-task: a process that survives SIGKILL, for real.
 *
 * A tiny FUSE file server (raw /dev/fuse protocol, no libfuse) reads a
 * request to open its file and never answers. The process that asked is
 * killed with SIGKILL: FUSE then waits for the answer in uninterruptible
 * sleep (fs/fuse/dev.c, request_wait_answer: "Either request is already in
 * userspace, or it was forced. Wait it out."), so the process stays alive in
 * D state with SIGKILL pending - as npm's did on a stuck io_uring
 * (docs/rules/io-uring-hung-task.md). After 8 s the sample kills its server, which aborts the
 * connection and lets the victim die; exit status 0.
 *
 * Needs CAP_SYS_ADMIN (a private mount namespace and a fuse mount); exits 77
 * with the reason when the system refuses.
 *     sctrace -- samples/unkillable-task */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROOT_ID = 1, FILE_ID = 2 };

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

/* Answers what the kernel needs to reach the file, and never answers OPEN. */
static void serve(int dev) {
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
            case FUSE_OPEN:      /* the request that never gets an answer */
            case FUSE_INTERRUPT: /* nor does the kernel's plea to drop it */
            case FUSE_FORGET:
            case FUSE_BATCH_FORGET:
                break;
            default:
                reply(dev, in->unique, ENOSYS, NULL, 0);
                break;
        }
    }
}

static void pause_for(int seconds) {
    struct timespec t = {seconds, 0};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

int main(void) {
    /* A private mount namespace: the mount goes away with us, whatever happens. */
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "unkillable-task: no private mount namespace: %s\n", strerror(errno));
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
        fprintf(stderr, "unkillable-task: cannot mount a fuse file system: %s\n", strerror(errno));
        rmdir(dir);
        return 77;
    }
    pid_t server = fork();
    if (server == 0) serve(dev);
    pid_t victim = fork();
    if (victim == 0) {
        close(dev); /* else the connection could never be aborted */
        char path[64];
        snprintf(path, sizeof path, "%s/stuck", dir);
        open(path, O_RDONLY); /* the server reads the request and never answers */
        _exit(1);
    }
    close(dev);
    pause_for(1);
    kill(victim, SIGKILL); /* now it sleeps in D state with SIGKILL pending */
    pause_for(8);
    int status = 0;
    if (waitpid(victim, &status, WNOHANG) == 0) {
        puts("the victim survived SIGKILL for 8 s; killing the file server frees it");
    }
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    waitpid(victim, &status, 0);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    return 0;
}
