#include "vlab.h"

static void finish(int status)
{
    printf("leaving with %d\n", status);
    exit(status);                       /* exits from deep inside: main never returns */
}

int main(void)
{
    finish(42);
    printf("not reached\n");
    return 0;
}
