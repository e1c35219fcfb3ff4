// A process that SIGKILLs itself while one thread is blocked in read() on a
// pipe and the main thread waits in pthread_join(). SIGKILL cannot be caught
// or delayed by a tracer: every thread dies mid-call, and the exit arrives as
// PTRACE_EVENT_EXIT / a killed status for each thread, in no fixed order. The
// tracer must report 137 and exit, not wait for a syscall exit that never comes.
#include "tracee.h"

#include <pthread.h>
#include <signal.h>

static int block_pipe[2];
static volatile int reader_started;

static void* reader(void* arg) {
    (void)arg;
    __atomic_store_n(&reader_started, 1, __ATOMIC_SEQ_CST);
    char c;
    ssize_t n = read(block_pipe[0], &c, 1);  // blocks until the SIGKILL
    fprintf(stderr, "read returned %zd\n", n);
    _exit(100);
}

static void* killer(void* arg) {
    (void)arg;
    kill(getpid(), SIGKILL);
    for (;;) pause();
    return NULL;
}

int main(void) {
    CHECK(pipe(block_pipe) == 0);
    say("about to kill myself\n");
    pthread_t r, k;
    CHECK(pthread_create(&r, NULL, reader, NULL) == 0);
    while (!__atomic_load_n(&reader_started, __ATOMIC_SEQ_CST)) sleep_ms(1);
    sleep_ms(100);  // most likely blocked in read() by now; the result is the same if not
    CHECK(pthread_create(&k, NULL, killer, NULL) == 0);
    pthread_join(r, NULL);
    fprintf(stderr, "still alive\n");
    return 100;
}
