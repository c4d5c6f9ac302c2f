#include "vlab.h"

/* Copies stdin to stdout in upper case: read() until end of file. */
int main(void)
{
    char buf[8];
    int n, total = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (int i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] -= 'a' - 'A';
        write(1, buf, n);
        total += n;
    }
    printf("[%d bytes]\n", total);
    return 0;
}
