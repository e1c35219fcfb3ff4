// Many threads, each making a known number of one distinctive syscall
// (getppid, which nothing else in the process calls). The test counts the
// calls the tracer reports: exactly threads * calls, from exactly `threads`
// distinct tids. All threads are alive at once (two barriers), so their tids
// are distinct and a tracer has to keep up with many new threads at the same
// time, including calls made before it has finished setting a thread up.
//
//   threads N K
#include "tracee.h"

#include <pthread.h>
#include <sys/syscall.h>

static int calls_per_thread;
static pthread_barrier_t start, finish;
static long first_ppid;  // every call must return the same parent
static int mismatches;

static void* worker(void* arg) {
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < calls_per_thread; i++) {
        long ppid = syscall(SYS_getppid);
        long expected = 0;
        if (!__atomic_compare_exchange_n(&first_ppid, &expected, ppid, 0, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST) &&
            expected != ppid)
            __atomic_add_fetch(&mismatches, 1, __ATOMIC_SEQ_CST);
    }
    pthread_barrier_wait(&finish);
    return NULL;
}

int main(int argc, char** argv) {
    CHECK(argc == 3);
    int nthreads = atoi(argv[1]);
    calls_per_thread = atoi(argv[2]);
    CHECK(nthreads > 0 && calls_per_thread > 0);

    pthread_t* threads = calloc((size_t)nthreads, sizeof *threads);
    CHECK(threads != NULL);
    CHECK(pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1) == 0);
    CHECK(pthread_barrier_init(&finish, NULL, (unsigned)nthreads + 1) == 0);
    pthread_attr_t attr;
    CHECK(pthread_attr_init(&attr) == 0);
    CHECK(pthread_attr_setstacksize(&attr, 64 * 1024) == 0);  // 1000 threads stay small
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&threads[i], &attr, worker, NULL);
        errno = rc;
        CHECK(rc == 0);
    }
    pthread_barrier_wait(&start);
    pthread_barrier_wait(&finish);
    for (int i = 0; i < nthreads; i++) CHECK(pthread_join(threads[i], NULL) == 0);

    say("%d threads made %d getppid calls each; all returned the same parent: %s\n", nthreads,
        calls_per_thread, mismatches == 0 ? "yes" : "no");
    return 0;
}
