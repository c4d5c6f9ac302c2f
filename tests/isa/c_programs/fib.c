#include "vlab.h"

static int fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static unsigned int factorial(unsigned int n)
{
    return n <= 1 ? 1 : n * factorial(n - 1);
}

int main(void)
{
    for (int i = 0; i <= 20; i += 5)
        printf("fib(%d) = %d\n", i, fib(i));
    printf("12! = %u\n", factorial(12));
    printf("7 / -2 = %d, 7 %% -2 = %d\n", 7 / -2, 7 % -2);
    return fib(10) % 256;
}
