// workload: the program bench/run.sh times with and without a tracer.
//
//   workload [--rounds N] [--cheap M] [--bytes B]
//
// A server thread listens on 127.0.0.1 (ephemeral port). The main thread runs N
// rounds; each round makes M cheap syscalls that no tracer in the benchmark
// traces (getppid), then one TCP exchange:
//
//   client: socket, connect, write(B), read(B), close
//   server: accept, read(B), write(B), close
//
// so a round costs 9 traced calls (socket, connect, accept, 2 read, 2 write,
// 2 close) and M untraced ones. The untraced calls are what a seccomp prefilter
// is for: they must cost (almost) nothing under a tracer that filters, and
// they dominate under one that does not (--no-seccomp).
//
// The two threads talk only through the sockets (no mutex, no condition
// variable), so the traced set above is exactly what a round does and no futex
// or other stray call creeps into the per-round cost. The reply is the request
// with every byte incremented and is checked, so a tracer that corrupts data
// makes the run fail. Prints nothing on success; exits 1 with a message on any
// failure.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { kMaxBytes = 65536 };

struct config {
    long rounds;
    long cheap;
    size_t bytes;
};

struct server_args {
    int listen_fd;
    struct config cfg;
};

static void die(const char* what) {
    fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
    exit(1);
}

// Loopback delivers a small message in one piece, but a signal or a large
// --bytes can split it; loop so the check below never sees a short read.
static void read_exact(int fd, unsigned char* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("read");
        if (r == 0) {
            fprintf(stderr, "workload: unexpected EOF after %zu of %zu bytes\n", done, n);
            exit(1);
        }
        done += (size_t)r;
    }
}

static void write_all(int fd, const unsigned char* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, buf + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("write");
        done += (size_t)r;
    }
}

static void* serve(void* p) {
    const struct server_args* args = p;
    static unsigned char buf[kMaxBytes];
    for (long i = 0; i < args->cfg.rounds; i++) {
        int fd = accept(args->listen_fd, NULL, NULL);
        if (fd < 0) die("accept");
        read_exact(fd, buf, args->cfg.bytes);
        for (size_t k = 0; k < args->cfg.bytes; k++) buf[k]++;
        write_all(fd, buf, args->cfg.bytes);
        // The server closes first, so TIME_WAIT lands on the listener's side
        // and the client never runs out of ephemeral ports on long runs.
        if (close(fd) < 0) die("close");
    }
    return NULL;
}

static long parse_count(const char* flag, const char* value) {
    char* end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < 0) {
        fprintf(stderr, "workload: %s wants a non-negative integer, got '%s'\n", flag, value);
        exit(2);
    }
    return v;
}

static struct config parse_args(int argc, char** argv) {
    struct config cfg = {.rounds = 1000, .cheap = 50, .bytes = 64};
    for (int i = 1; i < argc; i++) {
        const char* flag = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "usage: workload [--rounds N] [--cheap M] [--bytes B]\n");
            exit(2);
        }
        long v = parse_count(flag, argv[++i]);
        if (strcmp(flag, "--rounds") == 0) {
            cfg.rounds = v;
        } else if (strcmp(flag, "--cheap") == 0) {
            cfg.cheap = v;
        } else if (strcmp(flag, "--bytes") == 0 && v >= 1 && v <= kMaxBytes) {
            cfg.bytes = (size_t)v;
        } else {
            fprintf(stderr, "workload: bad option %s (--bytes is 1..%d)\n", flag, kMaxBytes);
            exit(2);
        }
    }
    return cfg;
}

int main(int argc, char** argv) {
    struct config cfg = parse_args(argc, argv);

    int listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd, (struct sockaddr*)&addr, sizeof addr) < 0) die("bind");
    if (listen(listen_fd, 64) < 0) die("listen");
    socklen_t len = sizeof addr;
    if (getsockname(listen_fd, (struct sockaddr*)&addr, &len) < 0) die("getsockname");

    struct server_args args = {.listen_fd = listen_fd, .cfg = cfg};
    pthread_t server;
    int err = pthread_create(&server, NULL, serve, &args);
    if (err != 0) {
        errno = err;
        die("pthread_create");
    }

    static unsigned char request[kMaxBytes], reply[kMaxBytes];
    for (size_t k = 0; k < cfg.bytes; k++) request[k] = (unsigned char)(k * 7);

    for (long i = 0; i < cfg.rounds; i++) {
        // syscall() rather than getppid() so no libc ever caches the answer:
        // each of these really enters the kernel.
        for (long c = 0; c < cfg.cheap; c++) syscall(SYS_getppid);

        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr) < 0) die("connect");
        request[0] = (unsigned char)i;  // vary the payload between rounds
        write_all(fd, request, cfg.bytes);
        read_exact(fd, reply, cfg.bytes);
        for (size_t k = 0; k < cfg.bytes; k++) {
            if (reply[k] != (unsigned char)(request[k] + 1)) {
                fprintf(stderr, "workload: round %ld: reply byte %zu is wrong\n", i, k);
                return 1;
            }
        }
        if (close(fd) < 0) die("close");
    }

    err = pthread_join(server, NULL);
    if (err != 0) {
        errno = err;
        die("pthread_join");
    }
    if (close(listen_fd) < 0) die("close");
    return 0;
}
