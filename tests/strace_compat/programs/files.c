// strace-compat: -e trace=access,faccessat,faccessat2,chdir,fchdir,chmod,fchmod,fchmodat,chown,fchown,fchownat,mkdir,mkdirat,rmdir,unlink,unlinkat,link,linkat,symlink,symlinkat,rename,renameat,renameat2,readlink,readlinkat,getcwd,utimensat,utimes,truncate,ftruncate,fsync,fdatasync,flock,umask,lseek,sendfile,getdents64,mknod,mknodat,stat,lstat,fstat,newfstatat,statx -s 24
// The file and stat families on a directory of its own in /tmp: paths that
// exist and paths that do not, modes and ids, links and renames, a link's
// target read back, file times (UTIME_NOW, UTIME_OMIT and fixed ones, with
// their dates), offsets, a sendfile that moves its offset, a directory
// listing and the stat calls. Both tracers see the same files: each run
// starts from an empty directory.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define DIR_ "/tmp/sctrace-compat-files"

static char buf[128];
static char dents[4096];
static struct stat st;
static char stx[256];

static void clean(void) {
    unlink(DIR_ "/a");
    unlink(DIR_ "/b");
    unlink(DIR_ "/c");
    unlink(DIR_ "/fifo");
    unlink(DIR_ "/link");
    rmdir(DIR_ "/sub");
    rmdir(DIR_);
}

int main(void) {
    clean();
    const mode_t old = umask(022);
    umask(old);
    mkdir(DIR_, 0755);
    mkdir(DIR_, 0755);  // EEXIST
    syscall(SYS_mkdirat, AT_FDCWD, DIR_ "/sub", 0700);
    const int dir = open(DIR_, O_RDONLY | O_DIRECTORY);

    // access and its *at forms: modes by name, a missing path, AT_* flags.
    access(DIR_, R_OK | W_OK | X_OK);
    access(DIR_ "/missing", F_OK);
    syscall(SYS_faccessat, AT_FDCWD, DIR_, X_OK);
    syscall(SYS_faccessat2, dir, "sub", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW);
    syscall(SYS_faccessat2, AT_FDCWD, DIR_, 0x10, 0x8000000);

    // A file: its mode, owner and size; locks and syncs.
    const int fd = open(DIR_ "/a", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "0123456789abcdefghijklmnopqrstuvwxyz", 36);
    chmod(DIR_ "/a", 0644);
    fchmod(fd, 04711);
    syscall(SYS_fchmodat, dir, "a", 0640);
    chown(DIR_ "/a", getuid(), -1);
    fchown(fd, -1, getgid());
    fchownat(dir, "a", -1, -1, AT_SYMLINK_NOFOLLOW);
    ftruncate(fd, 30);
    truncate(DIR_ "/a", 32);
    truncate(DIR_ "/missing", 1);
    fsync(fd);
    fdatasync(fd);
    flock(fd, LOCK_EX | LOCK_NB);
    flock(fd, LOCK_UN);
    flock(-1, 0x40000);

    // Offsets: whence by name, a negative offset, a bad whence.
    lseek(fd, 0, SEEK_SET);
    lseek(fd, 4, SEEK_CUR);
    lseek(fd, -2, SEEK_END);
    lseek(fd, 0, 7);

    // sendfile: the offset before and after, no offset, a failure.
    const int out = open(DIR_ "/b", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    off_t offset = 10;
    sendfile(out, fd, &offset, 8);
    sendfile(out, fd, NULL, 4);
    sendfile(out, -1, &offset, 4);

    // Links, renames, a link's target.
    link(DIR_ "/a", DIR_ "/c");
    linkat(dir, "c", dir, "c", 0);  // EEXIST
    symlink("a", DIR_ "/link");
    syscall(SYS_symlinkat, "a", dir, "link");  // EEXIST
    readlink(DIR_ "/link", buf, sizeof buf);
    readlink(DIR_ "/link", buf, 0);
    readlink(DIR_ "/a", buf, sizeof buf);  // EINVAL: not a link
    syscall(SYS_readlinkat, dir, "link", buf, 1);
    rename(DIR_ "/c", DIR_ "/c2");
    syscall(SYS_renameat, dir, "c2", AT_FDCWD, DIR_ "/c");
    syscall(SYS_renameat2, dir, "c", dir, "b", 1);  // RENAME_NOREPLACE: EEXIST

    // Times: now and omitted, fixed ones (dated in a comment), none.
    const struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    const struct timespec fixed[2] = {{1000000000, 5}, {1700000000, 0}};
    utimensat(AT_FDCWD, DIR_ "/a", now_omit, 0);
    utimensat(dir, "a", fixed, AT_SYMLINK_NOFOLLOW);
    syscall(SYS_utimensat, fd, NULL, NULL, 0);
    const struct timeval tv[2] = {{1000000000, 7}, {0, 0}};
    utimes(DIR_ "/a", tv);

    // A fifo (a device node needs more than we ask for).
    mknod(DIR_ "/fifo", S_IFIFO | 0644, 0);
    syscall(SYS_mknodat, dir, "fifo", S_IFIFO | 0600, 0);  // EEXIST

    // stat and friends: a file, a directory, a character device, failures.
    stat(DIR_ "/a", &st);
    lstat(DIR_ "/link", &st);
    fstat(fd, &st);
    syscall(SYS_newfstatat, AT_FDCWD, "/dev/null", &st, 0);
    syscall(SYS_newfstatat, dir, "", &st, AT_EMPTY_PATH);
    stat(DIR_ "/missing", &st);
    syscall(SYS_statx, AT_FDCWD, DIR_ "/a", AT_STATX_SYNC_AS_STAT, STATX_TYPE | STATX_SIZE, stx);
    syscall(SYS_statx, dir, "sub", AT_SYMLINK_NOFOLLOW, 0xfff, stx);
    syscall(SYS_statx, AT_FDCWD, DIR_ "/missing", 0, 0x7ff, stx);

    // The directory's entries (counted, not shown, without -v).
    syscall(SYS_getdents64, dir, dents, sizeof dents);
    syscall(SYS_getdents64, dir, dents, sizeof dents);
    syscall(SYS_getdents64, -1, dents, sizeof dents);

    // The working directory.
    chdir(DIR_);
    syscall(SYS_getcwd, buf, sizeof buf);
    syscall(SYS_getcwd, buf, 2);  // ERANGE
    fchdir(dir);
    chdir("/");

    // Removal: files, a directory, the *at form.
    close(out);
    close(fd);
    unlink(DIR_ "/link");
    unlink(DIR_ "/missing");
    syscall(SYS_unlinkat, dir, "sub", AT_REMOVEDIR);
    syscall(SYS_unlinkat, dir, "fifo", 0);
    close(dir);
    clean();
    return 0;
}
