#include "vlab.h"

static void reverse(char *s)
{
    for (int i = 0, j = (int)strlen(s) - 1; i < j; i++, j--) {
        char t = s[i]; s[i] = s[j]; s[j] = t;
    }
}

int main(void)
{
    char buf[64];
    strcpy(buf, "virtual");
    strcat(buf, " machine");
    printf("[%s] len=%u\n", buf, strlen(buf));
    reverse(buf);
    printf("[%s]\n", buf);
    printf("cmp: %d %d %d\n", strcmp("abc", "abc") == 0, strcmp("abc", "abd") < 0,
           strncmp("hypervisor", "hyperspace", 5) == 0);
    char block[12];
    memset(block, 'x', sizeof block - 1);
    block[11] = '\0';
    memmove(block + 2, block, 4);
    memcpy(block, "ab", 2);
    printf("[%s] memcmp=%d\n", block, memcmp("ISA", "ISA", 3));
    printf("atoi: %d %d\n", atoi("1234"), atoi("-56"));
    return 0;
}
