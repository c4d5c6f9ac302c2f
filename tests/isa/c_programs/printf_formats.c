#include "vlab.h"

int main(void)
{
    printf("d: %d %d %d\n", 0, 42, -42);
    printf("i: %i\n", -2147483647 - 1);
    printf("u: %u %u\n", 7u, 4294967295u);
    printf("x: %x %X %x\n", 255, 255, 0xdeadbeef);
    printf("s: [%s] [%s]\n", "abc", "");
    printf("c: %c%c%c\n", 'R', 'V', '!');
    printf("p: %p\n", (void *)0x1234);
    printf("%%: 100%%\n");
    printf("w: [%5d] [%-5d] [%05d] [%05d]\n", 42, 42, 42, -42);
    printf("w: [%8x] [%-6s] [%6s] [%3c]\n", 0xbeef, "ab", "ab", 'z');
    char buf[8];
    int n = snprintf(buf, sizeof buf, "%d-%d", 1234, 5678);
    printf("snprintf: %d [%s]\n", n, buf);
    return 0;
}
