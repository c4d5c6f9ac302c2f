#include "vlab.h"

int main(void)
{
    printf("Hello, RV32!\n");
    return 0;
}
