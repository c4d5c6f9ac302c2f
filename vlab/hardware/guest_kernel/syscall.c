/* syscall.c -- the Linux RV32 system calls the kernel serves (a table, one function each).
 *
 * Numbers: Linux's generic table (include/uapi/asm-generic/unistd.h) as RV32 uses it,
 * plus riscv-pk's 32-bit clock_gettime (113) and gettimeofday (169) that vlab's own C
 * runtime calls (see vlab/os/syscall.py).  a7 = number, a0..a5 arguments, a0 = result
 * (-errno on failure).  Anything else returns -ENOSYS.  Simplified: one process (pid 1),
 * no files: fd 0 reads end-of-file, fds 1 and 2 are the console.
 */
#include "arch.h"

#define NS 1000000000ull
#define NS_PER_MTIME 100ull           /* the 10 MHz timebase */
#define EPOCH 1293840000ull           /* CLOCK_REALTIME starts at 2011-01-01 (vlab.os.clock) */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define MAP_ANONYMOUS 0x20
#define BRK_LIMIT (64u << 20)

typedef long (*syscall_fn)(u32 a0, u32 a1, u32 a2, u32 a3);

static u32 mmap_next = MMAP_BASE;

void kernel_exit(u32 status)
{
    extern volatile u64 tohost;
    tohost = (u64)status << 1 | 1;    /* HTIF exit: the machine's power-off device */
    for (;;)
        ;
}

static long sys_write(u32 fd, u32 buf, u32 n, u32 _)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (!user_ok(buf, n, 0))
        return -EFAULT;
    console_write((const char *)buf, n);
    return n;
}

static long sys_writev(u32 fd, u32 iov, u32 count, u32 _)
{
    if (!user_ok(iov, count * 8, 0))
        return -EFAULT;
    long total = 0;
    for (u32 i = 0; i < count; i++) {
        const u32 *v = (const u32 *)(iov + 8 * i);
        long r = sys_write(fd, v[0], v[1], 0);
        if (r < 0)
            return r;
        total += r;
    }
    return total;
}

static long sys_read(u32 fd, u32 buf, u32 n, u32 _)
{
    if (fd != 0)
        return -EBADF;
    return user_ok(buf, n, 1) ? 0 : -EFAULT;   /* no input: end of file */
}

static long sys_exit(u32 status, u32 a, u32 b, u32 c)
{
    kernel_exit(status & 0xFF);
    return 0;
}

static long sys_brk(u32 addr, u32 a, u32 b, u32 c)
{
    if (addr < user_brk_start || addr > user_brk_start + BRK_LIMIT)
        return user_brk;
    if (addr > user_brk && map_user(user_brk, addr - user_brk, PTE_R | PTE_W) < 0)
        return user_brk;
    user_brk = addr;
    return user_brk;
}

static long sys_mmap(u32 addr, u32 len, u32 prot, u32 flags)
{
    if (!(flags & MAP_ANONYMOUS) || len == 0)
        return -ENOSYS;                       /* no files to map */
    u32 at = mmap_next;
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (at + len > RAM_BASE || map_user(at, len, PTE_R | PTE_W) < 0)
        return -ENOMEM;
    mmap_next += len;
    return at;
}

static long sys_zero(u32 a, u32 b, u32 c, u32 d) { return 0; }
static long sys_one(u32 a, u32 b, u32 c, u32 d) { return 1; }
static long sys_notty(u32 a, u32 b, u32 c, u32 d) { return -ENOTTY; }

static int clock_ns(u32 clock, u64 *ns)
{
    u64 now = read_time() * NS_PER_MTIME;
    if (clock == CLOCK_REALTIME)
        now += EPOCH * NS;
    else if (clock != CLOCK_MONOTONIC && clock != CLOCK_MONOTONIC_RAW)
        return -EINVAL;
    *ns = now;
    return 0;
}

static long sys_clock_gettime64(u32 clock, u32 ts, u32 b, u32 c)
{
    u64 ns;
    if (clock_ns(clock, &ns))
        return -EINVAL;
    if (!user_ok(ts, 16, 1))
        return -EFAULT;
    u64 *out = (u64 *)ts;             /* struct __kernel_timespec: 64-bit fields */
    out[0] = ns / NS;
    out[1] = ns % NS;
    return 0;
}

static long sys_clock_gettime32(u32 clock, u32 ts, u32 b, u32 c)
{
    u64 ns;
    if (clock_ns(clock, &ns))
        return -EINVAL;
    if (!user_ok(ts, 8, 1))
        return -EFAULT;
    u32 *out = (u32 *)ts;
    out[0] = (u32)(ns / NS);
    out[1] = (u32)(ns % NS);
    return 0;
}

static long sys_gettimeofday32(u32 tv, u32 tz, u32 b, u32 c)
{
    u64 ns;
    clock_ns(CLOCK_REALTIME, &ns);
    if (tv) {
        if (!user_ok(tv, 8, 1))
            return -EFAULT;
        ((u32 *)tv)[0] = (u32)(ns / NS);
        ((u32 *)tv)[1] = (u32)(ns % NS / 1000);
    }
    if (tz) {
        if (!user_ok(tz, 8, 1))
            return -EFAULT;
        memset((void *)tz, 0, 8);
    }
    return 0;
}

static long sys_uname(u32 buf, u32 a, u32 b, u32 c)
{
    static const char *const fields[6] = {"vlab", "vlab-guest", "0.1-teaching",
                                          "#1 guest kernel", "riscv32", "(none)"};
    if (!user_ok(buf, 6 * 65, 1))
        return -EFAULT;
    char *out = (char *)buf;          /* struct new_utsname: six 65-byte fields */
    memset(out, 0, 6 * 65);
    for (int i = 0; i < 6; i++)
        memcpy(out + 65 * i, fields[i], strlen(fields[i]));
    return 0;
}

static const syscall_fn SYSCALLS[404] = {
    [29] = sys_notty,                  /* ioctl: the console is no terminal */
    [63] = sys_read,
    [64] = sys_write,
    [66] = sys_writev,
    [93] = sys_exit,
    [94] = sys_exit,                   /* exit_group: one thread */
    [96] = sys_one,                    /* set_tid_address: the tid is 1 */
    [113] = sys_clock_gettime32,       /* riscv-pk's */
    [134] = sys_zero,                  /* rt_sigaction: accepted, never delivered */
    [135] = sys_zero,                  /* rt_sigprocmask */
    [160] = sys_uname,
    [169] = sys_gettimeofday32,        /* riscv-pk's */
    [172] = sys_one,                   /* getpid */
    [173] = sys_zero,                  /* getppid */
    [174] = sys_zero, [175] = sys_zero, [176] = sys_zero, [177] = sys_zero,  /* ids: root */
    [178] = sys_one,                   /* gettid */
    [214] = sys_brk,
    [215] = sys_zero,                  /* munmap: the memory stays (simplified) */
    [222] = sys_mmap,
    [403] = sys_clock_gettime64,
};

void do_syscall(struct frame *f)
{
    u32 number = f->regs[17];
    syscall_fn fn = number < sizeof SYSCALLS / sizeof SYSCALLS[0] ? SYSCALLS[number] : 0;
    u32 *a = &f->regs[10];
    f->regs[10] = fn ? (u32)fn(a[0], a[1], a[2], a[3]) : (u32)-ENOSYS;
}
