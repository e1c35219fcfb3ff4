// Closes one fd twice (the second close fails with EBADF, which the program
// ignores), so that the bundled pack raises a double-close finding: the
// output tests need a run with a finding to write.
//
//   double_close N    then exits N
#include "tracee.h"

#include <fcntl.h>

int main(int argc, char** argv) {
    CHECK(argc == 2);
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0);
    CHECK(close(fd) == 0);
    CHECK(close(fd) == -1 && errno == EBADF);
    say("closed twice\n");
    return atoi(argv[1]);
}
