/* 150 fsync() calls spread over 3 s (one every 20 ms): 50 a second, never
 * 101 within one. Exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    char path[] = "/tmp/fsync-150-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    unlink(path);
    const struct timespec pause = {0, 20 * 1000 * 1000};
    for (int i = 0; i < 150; ++i) {
        if (write(fd, "x", 1) != 1 || fsync(fd) != 0) return 1;
        nanosleep(&pause, NULL);
    }
    close(fd);
    return 0;
}
