// Writes a deterministic binary pattern (every byte value, NULs included) to
// stdout and a different one to stderr, alternating in chunks of uneven sizes
// (1 byte to 100 KB, so some writes are partial on a pipe), then exits with
// the given code. The test compares both streams byte for byte.
//
//   bigout OUT_BYTES ERR_BYTES EXIT_CODE
#include "tracee.h"

static unsigned char out_byte(size_t i) {
    return (unsigned char)(i * 131 + i / 251);
}
static unsigned char err_byte(size_t i) {
    return (unsigned char)(i * 7 + 3 + i / 4099);
}

int main(int argc, char** argv) {
    CHECK(argc == 4);
    size_t out_total = strtoul(argv[1], NULL, 10), err_total = strtoul(argv[2], NULL, 10);
    static const size_t chunk_sizes[] = {1, 17, 4096, 65536, 777, 100000, 4097, 3};
    enum { kChunks = sizeof chunk_sizes / sizeof chunk_sizes[0] };
    static unsigned char buf[100000];
    size_t out_done = 0, err_done = 0;
    for (unsigned turn = 0; out_done < out_total || err_done < err_total; turn++) {
        size_t chunk = chunk_sizes[turn % kChunks];
        if (turn % 2 == 0 && out_done < out_total) {
            size_t n = out_total - out_done < chunk ? out_total - out_done : chunk;
            for (size_t i = 0; i < n; i++) buf[i] = out_byte(out_done + i);
            write_all(STDOUT_FILENO, buf, n);
            out_done += n;
        } else if (err_done < err_total) {
            size_t n = err_total - err_done < chunk ? err_total - err_done : chunk;
            for (size_t i = 0; i < n; i++) buf[i] = err_byte(err_done + i);
            write_all(STDERR_FILENO, buf, n);
            err_done += n;
        }
    }
    return atoi(argv[3]);
}
