// Maps and unmaps COUNT anonymous pages, one at a time, touching each: a
// program that owns no io_uring but makes the calls a tracer follows rings
// through (mmap, munmap).
//
//   mmaps COUNT
#include "tracee.h"

#include <sys/mman.h>

int main(int argc, char** argv) {
    CHECK(argc == 2);
    const long count = strtol(argv[1], NULL, 10);
    const long page = sysconf(_SC_PAGESIZE);
    for (long i = 0; i < count; ++i) {
        char* p =
            mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED);
        p[0] = (char)i;
        CHECK(munmap(p, (size_t)page) == 0);
    }
    printf("%ld mappings\n", count);
    return 0;
}
