/* fatal-signal, NULL dereference variant: reading a field of a NULL struct
 * pointer faults at a small address (si_addr < 4096), which the rule names as
 * a NULL dereference.
 *
 * Story: docs/rules/static-glibc-nss.md (a statically linked Go program with cgo): NSS code
 * in a static glibc binary running on a second thread reads thread-local
 * state that was never set up, and getpwuid_r crashes with SIGSEGV on a
 * pointer that should not be NULL. Exit status 139 (128 + SIGSEGV). */
#include <stdio.h>

struct nss_state {
    long initialised;
    const char* module;
};

int main(void) {
    struct nss_state* volatile tls = NULL;     /* never initialised on this thread */
    const char* volatile module = tls->module; /* faults at address 8 */
    printf("module: %s\n", module);
    return 0;
}
