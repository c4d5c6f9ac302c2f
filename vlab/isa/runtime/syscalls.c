/* syscalls.c -- Linux-style system call wrappers for vlab user programs.
 *
 * RISC-V Linux calling convention for system calls: number in a7, arguments in a0..a5,
 * `ecall`, result in a0 (a negative value in -4095..-1 is -errno).  The proxy kernel
 * (vlab/os/syscall.py, the system call table) serves them.
 */
#include "vlab.h"

long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a4 __asm__("a4") = a4;
    register long r_a5 __asm__("a5") = a5;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

#define SYSCALL3(n, a, b, c) syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

ssize_t read(int fd, void *buf, size_t count) { return SYSCALL3(SYS_read, fd, buf, count); }
ssize_t write(int fd, const void *buf, size_t count)
{
    return SYSCALL3(SYS_write, fd, buf, count);
}
int openat(int dirfd, const char *path, int flags, int mode)
{
    return syscall6(SYS_openat, dirfd, (long)path, flags, mode, 0, 0);
}
int open(const char *path, int flags, int mode) { return openat(AT_FDCWD, path, flags, mode); }
int close(int fd) { return SYSCALL3(SYS_close, fd, 0, 0); }
/* RV32 Linux has no 32-bit lseek: number 62 is _llseek(fd, offset_high, offset_low,
   loff_t *result, whence), as musl's lseek calls it (src/unistd/lseek.c). */
off_t lseek(int fd, off_t offset, int whence) {
    long long result;
    long r = syscall6(SYS_lseek, fd, offset < 0 ? -1 : 0, offset, (long)&result, whence, 0);
    return r < 0 ? (off_t)r : (off_t)result;
}
int fstat(int fd, struct stat *st) { return SYSCALL3(SYS_fstat, fd, st, 0); }
void *brk(void *addr) { return (void *)SYSCALL3(SYS_brk, addr, 0, 0); }
int clock_gettime(int clock, struct timespec *ts)
{
    return SYSCALL3(SYS_clock_gettime, clock, ts, 0);
}
int gettimeofday(struct timeval *tv, void *tz) { return SYSCALL3(SYS_gettimeofday, tv, tz, 0); }
int getpid(void) { return SYSCALL3(SYS_getpid, 0, 0, 0); }
int uname(struct utsname *u) { return SYSCALL3(SYS_uname, u, 0, 0); }

/* sbrk on top of brk, as C libraries do: brk(0) asks for the current break */
void *sbrk(int increment)
{
    static char *current;
    if (!current)
        current = brk(0);
    char *old = current;
    char *wanted = old + increment;
    char *got = brk(wanted);
    if (got != wanted)
        return (void *)-1;
    current = got;
    return old;
}

void vlab_write_out(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t done = write(1, s, n);
        if (done <= 0)
            return;
        s += done;
        n -= done;
    }
}

void vlab_exit(int status)
{
    SYSCALL3(SYS_exit_group, status, 0, 0);
    for (;;)
        ;
}

void exit(int status)
{
    vlab_flush();
    vlab_exit(status);
}
