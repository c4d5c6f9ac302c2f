#include "vlab.h"

/* Bare metal: no kernel, M-mode; printf goes to the HTIF console, the return value of
 * main to tohost as (status << 1) | 1. */
static unsigned int read_mhartid(void)
{
    unsigned int v;
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mhartid\n.option pop"
                     : "=r"(v));
    return v;
}

int main(void)
{
    int primes = 0;
    for (int n = 2; n < 100; n++) {
        int prime = 1;
        for (int d = 2; d * d <= n; d++)
            if (n % d == 0)
                prime = 0;
        primes += prime;
    }
    printf("bare metal on hart %u: %d primes below 100\n", read_mhartid(), primes);
    return 7;
}
