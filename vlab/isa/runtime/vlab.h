/* vlab.h -- the whole C library of a vlab RV32 program (compile with -nostdlib).
 *
 * User programs (mode 'user') run in U-mode under vlab's proxy kernel and reach it through
 * Linux-style system calls: `ecall` with the call number in a7 and arguments in a0..a5,
 * the result (or -errno) back in a0 (numbers from Linux include/uapi/asm-generic/unistd.h).
 * The wrappers below return that raw result: a negative value is -errno, there is no
 * global errno.  Bare-metal programs (mode 'bare') have no kernel: only the output
 * functions, the string functions and vlab_exit() work there (through HTIF).
 */
#ifndef VLAB_H
#define VLAB_H

typedef unsigned int size_t;
typedef int ssize_t;
typedef int off_t;
typedef unsigned int uintptr_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define NULL ((void *)0)

/* system call numbers (asm-generic/unistd.h) */
#define SYS_openat 56
#define SYS_close 57
#define SYS_lseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_fstat 80
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_clock_gettime 113
#define SYS_uname 160
#define SYS_gettimeofday 169
#define SYS_getpid 172
#define SYS_brk 214

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_APPEND 02000
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define S_IFMT 0170000
#define S_IFREG 0100000
#define S_IFCHR 0020000

/* errno values (asm-generic/errno-base.h); system calls return their negation */
#define ENOENT 2
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EINVAL 22
#define EMFILE 24
#define ESPIPE 29
#define ENOSYS 38

/* asm-generic struct stat64 as the proxy kernel fills it (104 bytes) */
struct stat {
    unsigned long long st_dev, st_ino;
    unsigned int st_mode, st_nlink, st_uid, st_gid;
    unsigned long long st_rdev, __pad1;
    long long st_size;
    int st_blksize, __pad2;
    long long st_blocks;
    int st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    unsigned int __unused4, __unused5;
};
struct timespec { int tv_sec; int tv_nsec; };   /* 32-bit time, as RV32 newlib/pk used */
struct timeval { int tv_sec; int tv_usec; };
struct utsname { char sysname[65], nodename[65], release[65], version[65], machine[65],
                 domainname[65]; };

/* system calls (syscalls.c) */
long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int openat(int dirfd, const char *path, int flags, int mode);
int open(const char *path, int flags, int mode);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
int fstat(int fd, struct stat *st);
void *brk(void *addr);              /* returns the new (or, on failure, unchanged) break */
void *sbrk(int increment);          /* returns the old break, or (void *)-1 */
void exit(int status) __attribute__((noreturn));
int clock_gettime(int clock, struct timespec *ts);
int gettimeofday(struct timeval *tv, void *tz);
int getpid(void);
int uname(struct utsname *u);

/* output (printf.c); in user mode it goes to fd 1, in bare mode to the HTIF console */
int putchar(int c);
int puts(const char *s);
int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
void vlab_flush(void);
void vlab_write_out(const char *s, size_t n);   /* user: write(1,..); bare: HTIF/UART */
void vlab_exit(int status) __attribute__((noreturn));

/* strings and memory (string.c) */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strcat(char *dst, const char *src);
int atoi(const char *s);

#endif
