#include "vlab.h"

/* A bump allocator on top of brk/sbrk, the way the simplest malloc works. */
static void *bump_alloc(size_t size)
{
    void *p = sbrk((int)((size + 7) & ~7u));
    return p == (void *)-1 ? NULL : p;
}

int main(void)
{
    char *start = brk(0);
    int *squares = bump_alloc(1000 * sizeof(int));
    for (int i = 0; i < 1000; i++)
        squares[i] = i * i;
    char *name = bump_alloc(13);
    strcpy(name, "bump pointer");
    long sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += squares[i];
    printf("sum of squares: %d\n", (int)sum);
    printf("name: %s\n", name);
    printf("heap used: %d bytes\n", (int)((char *)sbrk(0) - start));
    printf("page aligned start: %d\n", ((unsigned int)start & 4095) == 0);
    printf("fresh memory is zero: %d\n", *(int *)bump_alloc(4096) == 0);
    printf("huge request fails: %d\n", bump_alloc(0x40000000) == NULL);
    return 0;
}
