#include "vlab.h"

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    printf("env: %s\n", envp[0] ? envp[0] : "(none)");
    printf("pid=%d\n", getpid());
    struct utsname u;
    uname(&u);
    printf("uname: %s %s\n", u.sysname, u.machine);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int i = 0; i < 1000; i++)
        ;
    clock_gettime(CLOCK_MONOTONIC, &b);
    int ns = (b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
    printf("time advances with instructions: %d\n", ns > 0 && ns % 10 == 0);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("realtime after 2011: %d\n", tv.tv_sec >= 1293840000);
    printf("bad clock: %d\n", clock_gettime(99, &a) == -EINVAL);
    printf("unknown syscall: %d\n", syscall6(999, 0, 0, 0, 0, 0, 0) == -ENOSYS);
    return 0;
}
