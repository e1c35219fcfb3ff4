#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static int p[2];
void* t(void* a) {
    char b;
    read(p[0], &b, 1);
    return 0;
}
int main() {
    pipe(p);
    pthread_t th;
    pthread_create(&th, 0, t, 0);
    usleep(100000);
    exit(0);
}
