// strace-compat: -e trace=read,write,readv,writev,pread64,pwrite64,close,close_range,dup,dup2,dup3,fcntl,open,openat,creat,pipe,pipe2,eventfd,eventfd2,mmap,munmap -s 24
// The desc family on real fds: a file in /tmp, pipes, an eventfd, a socket
// pair and mappings; successes and errors (EBADF, EINVAL, ENOENT, EEXIST,
// EAGAIN), nonblocking flags, and data longer than -s to show truncation.
// The dynamic loader's own openat/read/mmap/close calls are checked too.
// Buffers are static so that their addresses (printed on errors) are the
// same under both tracers.
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PATH "/tmp/sctrace-compat-desc.txt"
#define PATH2 "/tmp/sctrace-compat-desc-2.txt"

static char buf[256];
static char part1[4], part2[8], part3[64];
static int p[2], q[2], sv[2];

static const char kLong[] = "The quick brown fox jumps over the lazy dog, twice over.";
static const char kBinary[] = {'\0', '\1', '\2', '7', '\177', '\377', '\n', '\t', '"', '\\'};

int main(void) {
    unlink(PATH);
    unlink(PATH2);

    // open/openat/creat: access modes, flags, mode only with O_CREAT.
    int fd = openat(AT_FDCWD, PATH, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    syscall(SYS_openat, AT_FDCWD, PATH, O_WRONLY | O_CREAT | O_EXCL, 0600);
    syscall(SYS_openat, AT_FDCWD, "/tmp/sctrace-compat-no/such", O_RDONLY);
    syscall(SYS_openat, 12345, "relative", O_RDONLY | O_NOFOLLOW | O_DIRECTORY);
    int tmp = syscall(SYS_openat, AT_FDCWD, "/tmp", O_RDWR | O_TMPFILE, 0600);
    close(tmp);
    int ro = syscall(SYS_open, PATH, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    syscall(SYS_open, PATH, O_WRONLY | O_APPEND | O_SYNC);
    int cr = syscall(SYS_creat, PATH2, 0755);
    close(cr);
    unlink(PATH2);

    // write/read/pwrite64/pread64, with data longer than -s and bytes that
    // need escaping.
    write(fd, kLong, sizeof kLong - 1);
    write(fd, kBinary, sizeof kBinary);
    write(fd, "", 0);
    write(99, kLong, 5);
    pwrite64(fd, "tail", 4, 200);
    pread64(fd, buf, 64, 0);
    pread64(fd, buf, 8, 10);
    pread64(fd, buf, 8, 1000);
    pread64(99, buf, 8, 0);
    read(ro, buf, 10);
    read(ro, buf, sizeof buf);
    read(ro, buf, sizeof buf);
    read(99, buf, 10);

    // readv/writev: the data is shown up to the bytes transferred.
    struct iovec out[3] = {
        {(void*)"abc", 3},
        {(void*)kLong, 30},
        {(void*)"", 0},
    };
    writev(fd, out, 3);
    writev(99, out, 2);
    lseek(ro, 0, SEEK_SET);
    struct iovec in[3] = {{part1, sizeof part1}, {part2, sizeof part2}, {part3, sizeof part3}};
    readv(ro, in, 3);
    lseek(ro, 20, SEEK_SET);
    readv(ro, in, 2);
    readv(99, in, 3);
    readv(ro, in, 0);

    // dup family.
    int d = dup(fd);
    dup2(fd, 20);
    dup2(fd, 20);
    dup3(fd, 21, O_CLOEXEC);
    dup3(fd, 21, 0);
    dup3(fd, fd, 0);
    dup(99);
    dup2(99, 22);

    // fcntl: flags, fd flags, dups, locks, pipe sizes, errors.
    fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
    fcntl(fd, F_GETFL);
    fcntl(fd, F_GETFD);
    fcntl(d, F_GETFD);
    fcntl(d, F_SETFD, FD_CLOEXEC);
    fcntl(d, F_GETFD);
    fcntl(fd, F_DUPFD, 30);
    fcntl(fd, F_DUPFD_CLOEXEC, 0);
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    fcntl(fd, F_SETLK, &lk);
    lk.l_type = F_RDLCK;
    lk.l_whence = SEEK_CUR;
    fcntl(fd, F_GETLK, &lk);
    lk.l_type = F_UNLCK;
    fcntl(fd, F_SETLKW, &lk);
    fcntl(99, F_GETFL);
    fcntl(99, F_SETFD, 0);

    // pipes: nonblocking reads on an empty pipe, pipe sizes.
    syscall(SYS_pipe, p);
    pipe2(q, O_CLOEXEC | O_NONBLOCK);
    pipe2(q + 0, 0xffff);
    fcntl(p[0], F_GETFL);
    fcntl(p[1], F_GETFL);
    fcntl(q[0], F_GETFL);
    fcntl(q[0], F_GETPIPE_SZ);
    fcntl(q[0], F_SETPIPE_SZ, 8192);
    read(q[0], buf, 16);
    write(q[1], kLong, 40);
    read(q[0], buf, 16);
    read(q[0], buf, sizeof buf);
    write(p[1], kBinary, sizeof kBinary);
    read(p[0], buf, sizeof buf);

    // eventfd: counters are 8 bytes of binary data.
    int e = eventfd(5, EFD_CLOEXEC | EFD_NONBLOCK);
    int e2 = syscall(SYS_eventfd, 0);
    syscall(SYS_eventfd2, 0, EFD_SEMAPHORE);
    syscall(SYS_eventfd2, 0, 0x10);
    uint64_t v = 0x0102030405060708ull;
    write(e, &v, sizeof v);
    read(e, buf, 8);
    read(e, buf, 8);
    read(e, buf, 4);

    // A socket pair moves data like a pipe.
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    write(sv[0], "ping\n", 5);
    read(sv[1], buf, sizeof buf);
    read(sv[1], buf, sizeof buf);

    // mmap/munmap: anonymous, file-backed, fixed, errors.
    void* a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void* f = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    mmap(a, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED_VALIDATE | MAP_POPULATE, fd, 4096);
    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0);
    mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_GROWSDOWN, -1, 0);
    munmap(f, 4096);
    munmap(a, 8192);
    munmap((char*)a + 1, 4096);

    // close and close_range: errors and a double close.
    close(e);
    close(e2);
    close(d);
    close(d);
    close(-1);
    close_range(20, 21, 0);
    close_range(30, ~0U, CLOSE_RANGE_CLOEXEC);
    close_range(5, 4, 0);
    close_range(40, 50, CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC);
    close_range(40, 50, 0x100);
    close_range(~0U, ~0U, 0);
    fcntl(fd, 0x4000, 7);
    close(fd);
    close(ro);
    unlink(PATH);
    return 0;
}
