/* double-close, the correct twin: the peer hangs up first, the protocol side
 * notices, and exactly one owner closes the fd (the fix in docs/rules/double-close.md:
 * soclose() checks so->so_pcb and does not free twice). The fd number is then
 * reused by a new socket, which is closed once too. Must raise nothing.
 * Exit 0. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what) {
    perror(what);
    return 1;
}

int main(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return die("socketpair");
    close(sv[1]);
    char c;
    int peer_gone = read(sv[0], &c, 1) == 0;
    if (close(sv[0]) != 0) return die("close");
    /* A new descriptor lands on the same number; closing it is no double close. */
    int again[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, again) != 0) return die("socketpair");
    if (close(again[0]) != 0 || close(again[1]) != 0) return die("close");
    printf("peer gone: %s; each fd closed once\n", peer_gone ? "yes" : "no");
    return 0;
}
