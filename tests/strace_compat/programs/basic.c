// strace-compat: -e trace=getpid,close,exit_group
// The smallest check of the line format itself: calls without decoders of
// their own, results padded to column 40, and the exit line.
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    syscall(SYS_getpid);
    close(-1);
    close(12345);
    return 3;
}
