/* hostile-names: a program that tries to forge sctrace's report through the
 * names it controls. Not a rule's reproducer: tests/e2e runs it, copied to
 * an executable path that holds a newline and terminal escapes, and checks
 * that every human output escapes them (docs/security.md).
 *
 *   hostile-names DIR        opens and closes a file named with a newline,
 *                            ESC and a forged "sctrace: critical ..." line
 *                            in DIR, then closes it again (double-close, so
 *                            the name lands in a finding), and exits 0.
 *   hostile-names DIR hang   also names a second thread with ESC and a
 *                            newline (prctl PR_SET_NAME) and sleeps, for
 *                            the --timeout report; prints "ready" first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* What a finding line looks like, behind a newline and a colour change. */
#define FORGED "\n\033[31msctrace: critical [forged-finding] pid 1 (init)\033[0m\n"

static void* named_sleeper(void* arg) {
    (void)arg;
    /* 15 bytes, the most a comm holds: ESC, a colour, a newline, a prefix. */
    prctl(PR_SET_NAME, "\033[31mx\nsctrace:", 0, 0, 0);
    for (;;) pause();
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: hostile-names DIR [hang]\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path,
             "%s/f" FORGED
             "\233"
             "31m",
             argv[1]);
    int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    close(fd);
    if (close(fd) == 0) {
        fprintf(stderr, "second close() succeeded?\n");
        return 1;
    }
    unlink(path);
    if (argc > 2 && strcmp(argv[2], "hang") == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, named_sleeper, NULL) != 0) return 1;
        printf("ready\n");
        fflush(stdout);
        for (;;) pause();
    }
    printf("second close: %s\n", strerror(errno));
    return 0;
}
