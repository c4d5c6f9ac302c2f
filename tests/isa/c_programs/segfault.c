#include "vlab.h"

int main(void)
{
    printf("about to dereference NULL\n");
    volatile int *p = 0;
    return *p;
}
