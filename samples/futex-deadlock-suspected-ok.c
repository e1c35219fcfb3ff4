/* futex-deadlock-suspected's twin: the same two threads and locks, taken in
 * one order by both (no inversion), and a third thread that waits on a
 * condition variable *with a timeout* for 3 s while main joins: every thread
 * sits in a futex wait for a while, but one of them wakes up by itself.
 * Must stay silent with --hang-after 1s. Exit status 0. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void* take_a_then_b(void* unused) {
    (void)unused;
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void* wait_with_timeout(void* unused) {
    (void)unused;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 3;
    pthread_mutex_lock(&idle_lock);
    while (pthread_cond_timedwait(&never, &idle_lock, &until) == 0) {
    }
    pthread_mutex_unlock(&idle_lock);
    return NULL;
}

int main(void) {
    pthread_t a, b, idle;
    pthread_create(&a, NULL, take_a_then_b, NULL);
    pthread_create(&b, NULL, take_a_then_b, NULL);
    pthread_create(&idle, NULL, wait_with_timeout, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_join(idle, NULL);
    puts("no deadlock: one lock order, and a timed wait");
    return 0;
}
