/* kernel.h -- the teaching guest kernel's types, constants and functions (one header).
 *
 * The kernel boots in S-mode under an SBI firmware (the VMM's SBI in a VM), runs one
 * static Linux-ABI RV32 user program in U-mode over Sv32 paging, and serves a subset of
 * the Linux RV32 system calls.  Built twice from the same sources (build.py): natively
 * (privileged instructions) and with -DPARAVIRT (hypercalls instead, see arch.h).
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned char u8;
typedef unsigned long usize;

#define PAGE 4096u
#define MEGAPAGE (4u << 20)
#define RAM_BASE 0x80000000u          /* guest-physical RAM; the kernel is linked here   */
#define DIRECT_MAP 0xC0000000u        /* all guest RAM again, kernel-only (as Linux's)   */
#define UART_BASE 0x10000000u         /* the 16550 of QEMU's virt board                  */
#define USER_STACK_TOP 0x80000000u    /* the user stack grows down from here             */
#define USER_STACK_PAGES 32u
#define MMAP_BASE 0x40000000u         /* anonymous mmap() regions start here             */
#define TICK_MTIME 10000u             /* timer tick: 1 ms of the 10 MHz timebase         */

/* Sv32 page-table entry bits (privileged spec sec. 4.3.1) */
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_G 0x020u
#define PTE_A 0x040u
#define PTE_D 0x080u

/* Linux errno values (include/uapi/asm-generic/errno-base.h) */
#define EPERM 1
#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOTTY 25
#define ENOSYS 38

/* What the loader puts in guest RAM and passes in a1 (see README.md, "Boot block"). */
#define BOOT_MAGIC 0x54424C56u        /* "VLBT" little-endian */
struct bootinfo {
    u32 magic, version;
    u32 ram_base, ram_size;           /* guest RAM                                       */
    u32 elf_pa, elf_size;             /* the user program's ELF bytes                    */
    u32 argc, envc, strings_size;     /* then argc + envc NUL-terminated strings         */
    char strings[];
};

/* A trapped user context: what entry.S (or the paravirtual VMM) saves. */
struct frame {
    u32 regs[32];                     /* x0..x31 (x2 = the user's sp)                    */
    u32 sepc, scause, stval;
};

/* lib.c */
void *memset(void *dst, int c, usize n);
void *memcpy(void *dst, const void *src, usize n);
usize strlen(const char *s);

/* console.c and uart.c: the console (16550 UART natively, SBI DBCN when paravirtual) */
void uart_init(void);
void uart_putc(char c);
void console_write(const char *buf, u32 n);
void panic(const char *why);

/* sbi.c: calls into the firmware (SBI v2.0, ch. 3 calling convention) */
struct sbiret { long error, value; };
struct sbiret sbi_call(u32 eid, u32 fid, u32 a0, u32 a1, u32 a2);
void sbi_set_timer(u64 when);
void sbi_debug_write(u32 pa, u32 n);

/* mm.c: frames and Sv32 page tables */
void mm_init(u32 pool_start, u32 pool_end, u32 ram_base, u32 ram_size);
u32 frame_alloc(void);
void *kva(u32 pa);
u32 *pte_lookup(u32 va);
int map_page(u32 va, u32 pa, u32 flags);
int map_user(u32 va, u32 len, u32 flags);
void mm_activate(void);
int user_ok(u32 va, u32 len, int write);

/* elf.c: load the user program and build its stack */
int load_program(const struct bootinfo *bi, struct frame *f);
extern u32 user_brk, user_brk_start;

/* trap.c and syscall.c */
void trap_init(struct frame *f);
void trap_handler(struct frame *f);
void do_syscall(struct frame *f);
void kernel_exit(u32 status);
extern u64 ticks;

#endif
