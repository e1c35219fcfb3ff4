/* fatal-signal: WebKit's WTFCrash - a write to the poison address 0xbbadbeef,
 * which kills the process with SIGSEGV (si_code SEGV_MAPERR,
 * si_addr=0xbbadbeef).
 *
 * Story: docs/rules/nonblocking-connect-immediate.md (PhantomJS 2.1.1 on WSL1): after the
 * nonblocking connect() returned 0, ASSERT(handle == m_handle) failed in WebKit's
 * SocketStreamHandle and WTFCrash() did exactly this:
 *     --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xbbadbeef} ---
 * Exit status 139 (128 + SIGSEGV). */
#include <stdint.h>
#include <stdio.h>

/* As WebKit's wtf/Assertions.cpp has it. */
static void WTFCrash(void) {
    *(volatile int*)(uintptr_t)0xbbadbeef = 0;
}

int main(void) {
    void* volatile handle = (void*)0x1234;
    void* volatile m_handle = NULL; /* "connected at once": never set */
    if (handle != m_handle) {
        fprintf(stderr, "ASSERTION FAILED: handle == m_handle\n");
        WTFCrash();
    }
    return 0;
}
