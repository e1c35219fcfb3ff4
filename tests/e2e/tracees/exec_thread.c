// execve() from a thread that is not the thread-group leader. The kernel kills
// every other thread, and the exec'ing thread takes over the leader's pid
// (its old tid disappears). A tracer sees the leader vanish without an
// ordinary exit and must re-key that thread; getting it wrong loses the
// program's output or exit status, or leaves the tracer waiting forever.
//
//   exec_thread self   a thread re-executes this program, which checks the pid survived
//   exec_thread echo   a thread execs /bin/echo
// While the exec happens, the main thread waits in pthread_join() and a third
// thread is blocked in read().
#include "tracee.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/syscall.h>

static const char* mode;
static char pid_text[32];
static int block_pipe[2];

static int count_threads(void) {
    DIR* d = opendir("/proc/self/task");
    CHECK(d != NULL);
    int n = 0;
    for (struct dirent* e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void* blocked_reader(void* arg) {
    (void)arg;
    char c;
    ssize_t n = read(block_pipe[0], &c, 1);  // never returns: exec kills this thread
    fprintf(stderr, "reader woke up: %zd\n", n);
    _exit(100);
}

static void* exec_thread(void* arg) {
    (void)arg;
    sleep_ms(50);  // let the reader block first
    say("a thread is about to exec; it is the leader: %s\n",
        syscall(SYS_gettid) == getpid() ? "yes" : "no");
    if (strcmp(mode, "echo") == 0) {
        execl("/bin/echo", "echo", "hello from /bin/echo, exec'd by a thread", (char*)NULL);
    } else {
        execl("/proc/self/exe", "exec_thread", "after-exec", pid_text, (char*)NULL);
    }
    CHECK(!"execl failed");
    return NULL;
}

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        say("after exec: pid preserved: %s, now tid == pid: %s, threads: %d\n",
            getpid() == atoi(argv[2]) ? "yes" : "no",
            syscall(SYS_gettid) == getpid() ? "yes" : "no", count_threads());
        return 42;
    }
    CHECK(argc == 2 && (strcmp(argv[1], "self") == 0 || strcmp(argv[1], "echo") == 0));
    mode = argv[1];
    snprintf(pid_text, sizeof pid_text, "%d", getpid());
    CHECK(pipe(block_pipe) == 0);

    pthread_t reader, execer;
    CHECK(pthread_create(&reader, NULL, blocked_reader, NULL) == 0);
    CHECK(pthread_create(&execer, NULL, exec_thread, NULL) == 0);
    pthread_join(execer, NULL);  // never returns
    fprintf(stderr, "pthread_join returned\n");
    return 100;
}
