/* The "vlab-BSD" system-call ABI: a second, deliberately different ABI for the
   foreign-ABI layer (vlab/library/lxrun).  Modeled on FreeBSD's:
   - numbers from FreeBSD's syscalls.master: exit 1, read 3, write 4, open 5,
     close 6, getpid 20, gettimeofday 116;
   - the number goes in t0 (not a7), arguments in a0-a5;
   - on failure t0 is set to 1 and a0 holds a *positive* BSD errno (FreeBSD's
     carry-flag convention), on success t0 is 0;
   - open(2) flags and errno values are FreeBSD's (sys/fcntl.h, sys/errno.h);
   - gettimeofday fills a struct timeval {int64 tv_sec; int32 tv_usec;}. */
#ifndef BSD_ABI_H
#define BSD_ABI_H

#define SYS_exit 1
#define SYS_read 3
#define SYS_write 4
#define SYS_open 5
#define SYS_close 6
#define SYS_getpid 20
#define SYS_gettimeofday 116

#define O_RDONLY 0x0000
#define O_WRONLY 0x0001
#define O_RDWR 0x0002
#define O_APPEND 0x0008
#define O_CREAT 0x0200
#define O_TRUNC 0x0400
#define O_EXCL 0x0800

#define ENOENT 2
#define EEXIST 17
#define EAGAIN 35

struct timeval { long long tv_sec; int tv_usec; };

static int bsd_errno;

static long bsd_syscall(long number, long a, long b, long c)
{
    register long t0 asm("t0") = number;
    register long a0 asm("a0") = a;
    register long a1 asm("a1") = b;
    register long a2 asm("a2") = c;
    asm volatile("ecall" : "+r"(t0), "+r"(a0) : "r"(a1), "r"(a2) : "memory");
    if (t0) {
        bsd_errno = a0;
        return -1;
    }
    return a0;
}

#endif
