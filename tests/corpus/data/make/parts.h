long add(long a, long b);
long mul(long a, long b);
long fib(int n);
int is_prime(long n);
const char* text(void);
