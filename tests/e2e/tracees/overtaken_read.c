// One thread blocks in read() on a pipe while another opens a file and then
// writes to the pipe: the read is overtaken by the open, so a tracer's event
// stream shows it as "<unfinished ...>" and later "<... read resumed>" with
// the bytes it got.
#include "tracee.h"

#include <fcntl.h>
#include <pthread.h>

static int pipe_fds[2];
static char got[64];
static ssize_t got_len;

static void* reader(void* arg) {
    (void)arg;
    got_len = read(pipe_fds[0], got, sizeof got);
    return NULL;
}

int main(void) {
    CHECK(pipe(pipe_fds) == 0);
    pthread_t thread;
    errno = pthread_create(&thread, NULL, reader, NULL);
    CHECK(errno == 0);
    sleep_ms(200);  // the reader is blocked in read() by now
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0);
    CHECK(close(fd) == 0);
    CHECK(write(pipe_fds[1], "overtaken\n", 10) == 10);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(got_len == 10);
    say("read back: %.*s", (int)got_len, got);
    return 0;
}
