/* double-close, a correct program the rule must not flag: classic daemon
 * start-up closes every descriptor it may have inherited, 3 up to a limit,
 * ignoring EBADF for numbers that are not open. Nothing in this program ever
 * closed fd 3 - but the dynamic loader did (it opens and closes
 * /etc/ld.so.cache and libc.so.6 on fd 3 before main()), so the sweep's
 * close(3) = -1 EBADF follows a successful close(3) in the same process.
 *
 * Story: docs/rules/double-close.md (the real pattern is a second close by a second
 * owner; this is a blind sweep before any fd is in use). Exit 0. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    int closed = 0, not_open = 0;
    for (int fd = 3; fd < 64; fd++) {
        if (close(fd) == 0)
            closed++;
        else if (errno == EBADF)
            not_open++;
    }
    printf("start-up sweep: %d inherited fds closed, %d numbers were not open\n", closed, not_open);
    return 0;
}
