#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
void* t(void*a){ char*argv[]={"/bin/true",0}; execv("/bin/true",argv); return 0;}
int main(){pthread_t th; pthread_create(&th,0,t,0); pause(); return 0;}
