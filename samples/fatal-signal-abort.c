/* fatal-signal, a process that aborts: abort() sends SIGABRT to the calling
 * thread with tgkill() (si_code SI_TKILL, si_pid its own pid), and the
 * default action kills it. The finding names the sender ("itself") instead
 * of a fault address: a kill has none.
 *
 * Story: docs/rules/nonblocking-connect-immediate.md's WebKit asserts end in WTFCrash; a release
 * build of most C and C++ code ends a failed assert() in abort() instead. Exit status 134 (128 +
 * SIGABRT). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    void* volatile handle = (void*)0x1234;
    void* volatile m_handle = NULL; /* "connected at once": never set */
    if (handle != m_handle) {
        fprintf(stderr, "ASSERTION FAILED: handle == m_handle\n");
        abort();
    }
    return 0;
}
