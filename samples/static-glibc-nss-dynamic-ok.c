/* static-glibc-nss-dynamic-ok: the same lookup as static-glibc-nss (a second
 * thread makes the passwd database use libnss_compat and calls getpwnam),
 * in a dynamically linked program. The module shares the program's one
 * libc.so.6, so every thread sees the same initialised state: nothing to
 * report. Exit 0. */
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
