// The ways a process ends, each of which the tracer must report as the shell
// would see it without a tracer.
//
//   exitcode N             exit(N)
//   exitcode segv          write through NULL: SIGSEGV, status 139
//   exitcode abort         abort(): SIGABRT, status 134
//   exitcode thread-exit N a non-leader thread calls exit(N) while main waits in pthread_join
//   exitcode leader-exit N the main thread calls pthread_exit() first; another
//                          thread prints and exits N later (the leader is a zombie meanwhile)
#include "tracee.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

static int code;

static void* exit_from_thread(void* arg) {
    (void)arg;
    sleep_ms(50);
    say("thread calls exit(%d)\n", code);
    exit(code);
}

static void* outlive_leader(void* arg) {
    (void)arg;
    sleep_ms(100);  // the leader has most likely exited by now
    say("worker outlived the main thread, exits with %d\n", code);
    exit(code);
}

int main(int argc, char** argv) {
    CHECK(argc >= 2);
    // No core file in the test's working directory, traced or not.
    struct rlimit no_core = {0, 0};
    CHECK(setrlimit(RLIMIT_CORE, &no_core) == 0);

    if (strcmp(argv[1], "segv") == 0) {
        say("about to write through NULL\n");
        *(volatile int*)0 = 1;
        return 100;
    }
    if (strcmp(argv[1], "abort") == 0) {
        say("about to abort\n");
        abort();
    }
    if (strcmp(argv[1], "thread-exit") == 0 || strcmp(argv[1], "leader-exit") == 0) {
        CHECK(argc == 3);
        code = atoi(argv[2]);
        pthread_t t;
        int leader_exits = strcmp(argv[1], "leader-exit") == 0;
        // Said before the thread exists, so the two lines cannot swap on a slow machine.
        if (leader_exits) say("main thread calls pthread_exit\n");
        CHECK(pthread_create(&t, NULL, leader_exits ? outlive_leader : exit_from_thread, NULL) ==
              0);
        if (leader_exits) pthread_exit(NULL);
        pthread_join(t, NULL);
        return 100;
    }
    code = atoi(argv[1]);
    say("exiting with %d\n", code);
    return code;
}
