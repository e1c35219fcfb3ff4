#include <pthread.h>
void* t(void* a) {
    *(volatile int*)0 = 1;
    return 0;
}
int main() {
    pthread_t th;
    pthread_create(&th, 0, t, 0);
    pthread_join(th, 0);
    return 0;
}
