/* The tracee of unwinder_test.cpp, built with -g -O2 like a release build
 * with debug info. One known stack per mode; the test finds the expected
 * source lines by the MARK: comments, so editing this file keeps it honest.
 *
 *   unwind_target chain   main -> outer -> inner -> raise(SIGSTOP)
 *   unwind_target segv    main with crash() inlined: a write to 0xbbadbeef
 *   unwind_target mutex   a second thread blocked in pthread_mutex_lock in
 *                         blocked_on_mutex(), while main waits in pause() */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Keeps the calls below from becoming tail calls (which leave no frame). */
static volatile int sink;

__attribute__((noinline, noclone)) static int inner(int depth) {
    int rc = raise(SIGSTOP); /* MARK:inner-raise */
    sink = depth;
    return rc;
}

__attribute__((noinline, noclone)) static int outer(int depth) {
    int rc = inner(depth + 1); /* MARK:outer-call */
    sink = depth;
    return rc;
}

/* Like WebKit's WTFCrash, and small enough that -O2 inlines it. */
static void crash(void) {
    *(volatile int*)(uintptr_t)0xbbadbeef = 0; /* MARK:crash-write */
}

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline, noclone)) static void* blocked_on_mutex(void* arg) {
    pthread_mutex_lock(&held); /* MARK:mutex-lock */
    sink = 1;
    pthread_mutex_unlock(&held);
    return arg;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    if (strcmp(argv[1], "chain") == 0) {
        int rc = outer(1); /* MARK:main-call */
        sink = rc;
        return 0;
    }
    if (strcmp(argv[1], "segv") == 0) {
        if (sink == 0) crash(); /* MARK:main-crash */
        return 0;
    }
    if (strcmp(argv[1], "mutex") == 0) {
        pthread_mutex_lock(&held);
        pthread_t thread;
        if (pthread_create(&thread, NULL, blocked_on_mutex, NULL) != 0) return 1;
        for (;;) pause();
    }
    return 2;
}
