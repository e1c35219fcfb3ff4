// The benchmark's second workload, built like a real server: one event-loop
// thread (epoll_wait, accept4, nonblocking reads) hands each request to a
// small pool of worker threads through a mutex and a condition variable
// (futex waits and wakes when they contend), and the workers write the
// replies. A client thread keeps many connections busy at once and reconnects
// some of them as it goes, so accept4, close and end-of-file are part of the
// mix, not only the steady state.
//
//   server_workload [--rounds N] [--conns C] [--workers W] [--bytes B] [--cheap M]
//
// Every round the client writes one request on each of its C connections,
// then reads every reply and checks it (each byte of the request plus one);
// every connection is closed and opened again every kChurn rounds, one at a
// time. M untraced getppid calls per round stand for the work a server does
// between its traced calls. Exits 0 when every reply was right, 1 otherwise.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { kMaxBytes = 4096, kMaxConns = 512, kMaxWorkers = 16, kChurn = 8 };

struct config {
    long rounds;
    long conns;
    long workers;
    long bytes;
    long cheap;
};

// A request, gathered by the loop and answered by a worker.
struct job {
    int fd;  // -1: the worker stops
    unsigned char data[kMaxBytes];
};

// The hand-off between the loop and the workers: a bounded queue under one
// mutex, so workers contend for it as in a real pool.
struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    struct job* slots;
    long capacity, head, size;
};

// What the loop keeps per connection: the part of a request read so far.
struct connection {
    long filled;
    unsigned char data[kMaxBytes];
};

struct server {
    struct config cfg;
    int listen_fd;
    int stop_fd;  // readable when the client is done
    struct queue queue;
};

static void die(const char* what) {
    fprintf(stderr, "server_workload: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void check(int err, const char* what) {
    if (err != 0) {
        errno = err;
        die(what);
    }
}

static void push(struct queue* q, const struct job* j) {
    check(pthread_mutex_lock(&q->lock), "pthread_mutex_lock");
    while (q->size == q->capacity) check(pthread_cond_wait(&q->not_full, &q->lock), "wait");
    q->slots[(q->head + q->size) % q->capacity] = *j;
    q->size++;
    check(pthread_cond_signal(&q->not_empty), "pthread_cond_signal");
    check(pthread_mutex_unlock(&q->lock), "pthread_mutex_unlock");
}

static void pop(struct queue* q, struct job* j) {
    check(pthread_mutex_lock(&q->lock), "pthread_mutex_lock");
    while (q->size == 0) check(pthread_cond_wait(&q->not_empty, &q->lock), "wait");
    *j = q->slots[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->size--;
    check(pthread_cond_signal(&q->not_full), "pthread_cond_signal");
    check(pthread_mutex_unlock(&q->lock), "pthread_mutex_unlock");
}

// Writes all of buf to a nonblocking socket, waiting in poll when it is full.
static void write_all(int fd, const unsigned char* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, -1) < 0 && errno != EINTR) die("poll");
            continue;
        }
        if (w < 0) die("write");
        done += (size_t)w;
    }
}

static void read_exact(int fd, unsigned char* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("read");
        if (r == 0) {
            fprintf(stderr, "server_workload: unexpected EOF after %zu of %zu bytes\n", done, n);
            exit(1);
        }
        done += (size_t)r;
    }
}

static void* work(void* p) {
    struct server* s = p;
    struct job j;
    for (;;) {
        pop(&s->queue, &j);
        if (j.fd < 0) return NULL;
        for (long k = 0; k < s->cfg.bytes; k++) j.data[k]++;
        write_all(j.fd, j.data, (size_t)s->cfg.bytes);
    }
}

// Reads what a connection has; a whole request goes to the workers. Returns
// 0 when the client closed it.
static int serve_readable(struct server* s, int fd, struct connection* c) {
    for (;;) {
        ssize_t r = read(fd, c->data + c->filled, (size_t)(s->cfg.bytes - c->filled));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) return 1;
        if (r < 0) die("read");
        if (r == 0) return 0;
        c->filled += r;
        if (c->filled == s->cfg.bytes) {
            struct job j = {.fd = fd};
            memcpy(j.data, c->data, (size_t)s->cfg.bytes);
            push(&s->queue, &j);
            c->filled = 0;
        }
    }
}

static void* loop(void* p) {
    struct server* s = p;
    static struct connection conns[2 * kMaxConns + 64];  // by fd number: both ends live here
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->listen_fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) die("epoll_ctl");
    ev.data.fd = s->stop_fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->stop_fd, &ev) < 0) die("epoll_ctl");
    struct epoll_event ready[64];
    for (;;) {
        int n = epoll_wait(ep, ready, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd == s->stop_fd) {
                close(ep);
                return NULL;
            }
            if (fd == s->listen_fd) {
                for (;;) {
                    int c = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0 && (errno == EAGAIN || errno == EINTR)) break;
                    if (c < 0) die("accept4");
                    if (c >= (int)(sizeof conns / sizeof conns[0])) {
                        fprintf(stderr, "server_workload: fd %d is beyond the table\n", c);
                        exit(1);
                    }
                    conns[c].filled = 0;
                    struct epoll_event add = {.events = EPOLLIN, .data.fd = c};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &add) < 0) die("epoll_ctl");
                }
                continue;
            }
            // The client closes a connection only once every reply on it
            // has arrived, so no worker holds a job for it any more.
            if (!serve_readable(s, fd, &conns[fd])) {
                if (epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) < 0) die("epoll_ctl");
                if (close(fd) < 0) die("close");
            }
        }
    }
}

static long parse_count(const char* flag, const char* value, long min, long max) {
    char* end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "server_workload: %s wants an integer in %ld..%ld, got '%s'\n", flag, min,
                max, value);
        exit(2);
    }
    return v;
}

static struct config parse_args(int argc, char** argv) {
    struct config cfg = {.rounds = 1000, .conns = 32, .workers = 3, .bytes = 64, .cheap = 10};
    for (int i = 1; i < argc; i += 2) {
        const char* flag = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr,
                    "usage: server_workload [--rounds N] [--conns C] [--workers W] [--bytes B] "
                    "[--cheap M]\n");
            exit(2);
        }
        const char* v = argv[i + 1];
        if (strcmp(flag, "--rounds") == 0) {
            cfg.rounds = parse_count(flag, v, 0, 1L << 40);
        } else if (strcmp(flag, "--conns") == 0) {
            cfg.conns = parse_count(flag, v, 1, kMaxConns);
        } else if (strcmp(flag, "--workers") == 0) {
            cfg.workers = parse_count(flag, v, 1, kMaxWorkers);
        } else if (strcmp(flag, "--bytes") == 0) {
            cfg.bytes = parse_count(flag, v, 1, kMaxBytes);
        } else if (strcmp(flag, "--cheap") == 0) {
            cfg.cheap = parse_count(flag, v, 0, 1L << 40);
        } else {
            fprintf(stderr, "server_workload: unknown option %s\n", flag);
            exit(2);
        }
    }
    return cfg;
}

static int connect_to(const struct sockaddr_in* addr) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (const struct sockaddr*)addr, sizeof *addr) < 0) die("connect");
    return fd;
}

int main(int argc, char** argv) {
    static struct server s;
    s.cfg = parse_args(argc, argv);
    const struct config cfg = s.cfg;

    s.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.listen_fd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s.listen_fd, (struct sockaddr*)&addr, sizeof addr) < 0) die("bind");
    if (listen(s.listen_fd, kMaxConns) < 0) die("listen");
    socklen_t len = sizeof addr;
    if (getsockname(s.listen_fd, (struct sockaddr*)&addr, &len) < 0) die("getsockname");
    int stop[2];
    if (pipe2(stop, O_CLOEXEC) < 0) die("pipe2");
    s.stop_fd = stop[0];

    s.queue.capacity = cfg.conns;
    s.queue.slots = calloc((size_t)cfg.conns, sizeof(struct job));
    if (!s.queue.slots) die("calloc");
    check(pthread_mutex_init(&s.queue.lock, NULL), "pthread_mutex_init");
    check(pthread_cond_init(&s.queue.not_empty, NULL), "pthread_cond_init");
    check(pthread_cond_init(&s.queue.not_full, NULL), "pthread_cond_init");

    pthread_t loop_thread, workers[kMaxWorkers];
    check(pthread_create(&loop_thread, NULL, loop, &s), "pthread_create");
    for (long w = 0; w < cfg.workers; w++) {
        check(pthread_create(&workers[w], NULL, work, &s), "pthread_create");
    }

    // The client: blocking sockets, every connection busy every round.
    static int fds[kMaxConns];
    static unsigned char request[kMaxBytes], reply[kMaxBytes];
    for (long c = 0; c < cfg.conns; c++) fds[c] = connect_to(&addr);
    int status = 0;
    for (long r = 0; r < cfg.rounds && status == 0; r++) {
        for (long k = 0; k < cfg.cheap; k++) syscall(SYS_getppid);
        for (long c = 0; c < cfg.conns; c++) {
            request[0] = (unsigned char)(r + c);  // each reply tells its own request
            for (long k = 1; k < cfg.bytes; k++) request[k] = (unsigned char)(k * 7 + r);
            write_all(fds[c], request, (size_t)cfg.bytes);
        }
        for (long c = 0; c < cfg.conns; c++) {
            read_exact(fds[c], reply, (size_t)cfg.bytes);
            if (reply[0] != (unsigned char)(r + c + 1)) {
                fprintf(stderr, "server_workload: round %ld, connection %ld: wrong reply\n", r, c);
                status = 1;
            }
        }
        // One connection in kChurn ends and a new one takes its place.
        long c = r % cfg.conns;
        if (r % kChurn == kChurn - 1) {
            if (close(fds[c]) < 0) die("close");
            fds[c] = connect_to(&addr);
        }
    }
    for (long c = 0; c < cfg.conns; c++) close(fds[c]);

    // Stop the loop, then the workers.
    if (write(stop[1], "x", 1) != 1) die("write");
    check(pthread_join(loop_thread, NULL), "pthread_join");
    struct job quit = {.fd = -1};
    for (long w = 0; w < cfg.workers; w++) push(&s.queue, &quit);
    for (long w = 0; w < cfg.workers; w++) check(pthread_join(workers[w], NULL), "pthread_join");
    return status;
}
