#include <stdio.h>

#include "parts.h"

int main(void) {
    long primes = 0;
    for (long n = 2; n < 20000; n++) primes += is_prime(n);
    printf("%s: add %ld, mul %ld, fib(40) %ld, primes below 20000: %ld\n", text(), add(2, 3),
           mul(6, 7), fib(40), primes);
    return 0;
}
