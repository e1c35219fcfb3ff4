/* static-glibc-nss: a statically linked glibc program looks up a user on a
 * second thread, so glibc initialises NSS there: it reads /etc/nsswitch.conf
 * and dlopen()s an NSS module (libnss_compat.so.2), a shared object built for
 * the dynamic glibc, which brings a second libc into the static process.
 *
 * Story: docs/rules/static-glibc-nss.md (golang/go#13470, glibc bug 19341): a static Go
 * binary built with cgo called getpwuid_r through os/user.Current(). The
 * first call loaded libnss_compat on one thread; when another thread later
 * ran in the module, __ctype_b_loc() returned garbage (the module's libc had
 * set up its thread-local ctype table only for the loading thread) and
 * isspace() segfaulted. The program also needs, at run time, the glibc
 * version it was linked with.
 *
 * Deterministic on any /etc/nsswitch.conf: glibc 2.34 and later build the
 * "files" and "dns" services into libc, so "passwd: files" would load no
 * module at all. __nss_configure_lookup() (glibc's own API) makes the passwd
 * database use "compat", which always comes from libnss_compat.so.2. Only the
 * loading thread uses NSS, so the program does not crash: it exits 0, and
 * prints root's home directory, or "(not found)" where the module is missing.
 *
 * The linker warns that getpwnam in a static program needs glibc's shared
 * libraries at run time: that warning is the bug report, and
 * samples/CMakeLists.txt silences it for this target only. */
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>

static const char* home = "(not found)";

static void* lookup(void* arg) {
    (void)arg;
    if (__nss_configure_lookup("passwd", "compat") != 0) perror("__nss_configure_lookup");
    const struct passwd* pw = getpwnam("root");
    if (pw) home = pw->pw_dir;
    return NULL;
}

int main(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, lookup, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    pthread_join(t, NULL);
    printf("root's home: %s\n", home);
    return 0;
}
