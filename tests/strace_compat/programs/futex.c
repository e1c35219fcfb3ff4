// strace-compat: -e trace=futex,futex_waitv
// Every futex operation with a result that does not depend on timing: waits
// that fail at once (EAGAIN) or time out (ETIMEDOUT, relative and absolute
// timeouts), wakes and requeues of a thread that is known to be asleep, PI
// locks, FUTEX_WAKE_OP, and futex_waitv.
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

static uint32_t word_a, word_b, word_c, pi_word, op_word;
static pid_t sleeper_tid;

static long futex(uint32_t* uaddr, int op, uint32_t val, const void* timeout_or_val2,
                  uint32_t* uaddr2, uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

// True once `tid` sleeps inside futex(2) on `word`: state S, syscall 202
// (x86_64) with `word` as its first argument. Read from /proc, which the
// trace set leaves out, so the check adds no lines.
static int asleep_in_futex(pid_t tid, const uint32_t* word) {
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE* f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char* state = strrchr(buf, ')');
    if (!state || state[2] != 'S') return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
    f = fopen(path, "r");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    unsigned long nr = 0, addr = 0;
    return sscanf(buf, "%lu %lx", &nr, &addr) == 2 && nr == 202 && addr == (uintptr_t)word;
}

static void wait_until_asleep(pid_t tid, const uint32_t* word) {
    while (!asleep_in_futex(tid, word)) usleep(1000);
}

// Polls until the thread is gone, so that pthread_join finds it finished and
// makes no futex call of its own.
static void wait_until_gone(pid_t tid) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/self/task/%d", tid);
    while (stat(path, &st) == 0) usleep(1000);
}

static void* sleeper(void* arg) {
    (void)arg;
    __atomic_store_n(&sleeper_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    // Woken by FUTEX_WAKE from main: returns 0.
    futex(&word_a, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    // Requeued from word_c to word_b by main, then woken on word_b: returns 0.
    futex(&word_c, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    // A relative timeout that expires: ETIMEDOUT.
    const struct timespec rel = {0, 20 * 1000 * 1000};
    futex(&word_b, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
    return NULL;
}

int main(void) {
    // Fails at once: the word is not 1.
    futex(&word_a, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    futex(&word_a, FUTEX_WAIT, 1, NULL, NULL, 0);
    // Relative timeout, expires.
    const struct timespec rel = {0, 1000 * 1000};
    futex(&word_a, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
    // Absolute timeouts long past: ETIMEDOUT at once.
    const struct timespec past = {1, 500};
    futex(&word_a, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &past, NULL,
          FUTEX_BITSET_MATCH_ANY);
    futex(&word_a, FUTEX_WAIT_BITSET, 0, &past, NULL, 0x5);
    futex(&word_a, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, &past, NULL, 0);
    // Wakes with no waiter: 0.
    futex(&word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    futex(&word_a, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
    futex(&word_a, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
    futex(&word_a, FUTEX_REQUEUE_PRIVATE, 1, (void*)2, &word_b, 0);
    futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void*)2, &word_b, 7);  // EAGAIN
    // FUTEX_WAKE_OP: *op_word += 1, wake on word_b if the old value > 0.
    futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, (void*)1, &op_word,
          FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
    futex(&word_a, FUTEX_WAKE_OP, 1, (void*)0, &op_word,
          FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 3, FUTEX_OP_CMP_EQ, 5));
    futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 0, (void*)0, &op_word,
          FUTEX_OP(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_NE, 0x12));
    // PI: lock, try-lock (already ours: EDEADLK), unlock, lock2, unlock.
    futex(&pi_word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    futex(&pi_word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    futex(&pi_word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0);
    futex(&pi_word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    futex(&pi_word, FUTEX_LOCK_PI2_PRIVATE, 0, &past, NULL, 0);
    futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    // The word is not 1: EAGAIN.
    futex(&word_a, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 1, &past, &pi_word, 0);
    futex(&word_a, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, (void*)0, &pi_word, 9);
    // An unknown command, FUTEX_FD (gone since Linux 2.6.26), a flag the
    // command does not take.
    futex(&word_a, 14, 3, (void*)0x10, &word_b, 0x20);
    futex(&word_a, FUTEX_FD, 0, NULL, NULL, 0);
    futex(&word_a, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0);

    // futex_waitv: one waiter whose word is not 5 (EAGAIN), and one with a
    // timeout long past.
    struct futex_waitv waiters[2] = {
        {.val = 5, .uaddr = (uintptr_t)&word_a, .flags = FUTEX_32 | FUTEX_PRIVATE_FLAG},
        {.val = 0, .uaddr = (uintptr_t)&word_b, .flags = FUTEX_32},
    };
    syscall(SYS_futex_waitv, waiters, 2, 0, NULL, CLOCK_MONOTONIC);
    waiters[0].val = 0;
    syscall(SYS_futex_waitv, waiters, 2, 0, &past, CLOCK_REALTIME);

    // A second thread that sleeps on word_a: each wake and requeue has a
    // known result because main first waits until the sleeper sleeps.
    pthread_t thread;
    pthread_create(&thread, NULL, sleeper, NULL);
    while (__atomic_load_n(&sleeper_tid, __ATOMIC_ACQUIRE) == 0) usleep(1000);
    wait_until_asleep(sleeper_tid, &word_a);
    futex(&word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);  // 1
    wait_until_asleep(sleeper_tid, &word_c);
    futex(&word_c, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void*)1, &word_b, 0);  // 1 (requeued)
    futex(&word_b, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);                // 1
    wait_until_gone(sleeper_tid);
    pthread_join(thread, NULL);
    return 0;
}
