/* futex-deadlock-suspected: a lock-order inversion, deadlocked for real.
 *
 * Thread A takes lock_a then wants lock_b; thread B takes lock_b then wants
 * lock_a; a barrier makes sure each holds its first lock before asking for
 * the second. main waits in pthread_join. Every thread now sits in a futex
 * wait with no timeout (docs/rules/concurrent-socket-writes.md: "lock inversions").
 *
 * The sample ends itself: alarm(4) kills it with SIGALRM (exit status 142),
 * so run it with --hang-after 1s:
 *     sctrace --hang-after 1s -- samples/futex-deadlock-suspected */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void* take_a_then_b(void* unused) {
    (void)unused;
    pthread_mutex_lock(&lock_a);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_b); /* deadlocks: B holds lock_b */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void* take_b_then_a(void* unused) {
    (void)unused;
    pthread_mutex_lock(&lock_b);
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_a); /* deadlocks: A holds lock_a */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void) {
    alarm(4);
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_t a, b;
    pthread_create(&a, NULL, take_a_then_b, NULL);
    pthread_create(&b, NULL, take_b_then_a, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    puts("no deadlock this time");
    return 0;
}
