/* A program for the vlab-BSD ABI: it never makes a Linux system call. */
#include "bsd_abi.h"

static int length(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    bsd_syscall(SYS_write, 1, (long)s, length(s));
}

static void say_number(long long n)
{
    char buf[24];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do {
        buf[--i] = '0' + n % 10;
        n /= 10;
    } while (n);
    say(buf + i);
}

void _start(void)
{
    say("hello from a vlab-BSD program\n");
    long fd = bsd_syscall(SYS_open, (long)"bsd.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bsd_syscall(SYS_write, fd, (long)"written with BSD numbers\n", 25);
    bsd_syscall(SYS_close, fd, 0, 0);
    if (bsd_syscall(SYS_open, (long)"bsd.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0
            && bsd_errno == EEXIST)
        say("O_EXCL on an existing file: EEXIST\n");
    if (bsd_syscall(SYS_open, (long)"nowhere/x", O_RDONLY, 0) < 0 && bsd_errno == ENOENT)
        say("a missing file: ENOENT\n");
    struct timeval tv;
    bsd_syscall(SYS_gettimeofday, (long)&tv, 0, 0);
    say("seconds since 1970: ");
    say_number(tv.tv_sec);
    say("\npid: ");
    say_number(bsd_syscall(SYS_getpid, 0, 0, 0));
    say("\n");
    bsd_syscall(SYS_exit, 0, 0, 0);
}
