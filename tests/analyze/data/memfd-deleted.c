#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>
int main() {
    int fd = memfd_create("x", 0);
    write(fd, "hi", 2);
    close(fd);
    return 0;
}
