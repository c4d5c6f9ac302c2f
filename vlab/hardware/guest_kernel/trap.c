/* trap.c -- what happens when the user program traps into the kernel.
 *
 * scause (privileged spec sec. 4.1.9): an ecall from U-mode (8) is a system call; the
 * supervisor timer interrupt (interrupt 5) is the tick, re-armed through SBI set_timer;
 * any other exception ends the program as Linux's default signal action would, with
 * status 128 + the signal's number (SIGSEGV 11 for page/access faults, SIGILL 4,
 * SIGBUS 7 for misaligned accesses, SIGTRAP 5 for ebreak).
 */
#include "arch.h"

#define INTERRUPT 0x80000000u
#define IRQ_S_TIMER 5
#define ECALL_FROM_U 8

u64 ticks;

/* exception cause -> the signal Linux sends (arch/riscv/kernel/traps.c) */
static const u8 SIGNAL_OF[16] = {
    [0] = 7, [1] = 11, [2] = 4, [3] = 5, [4] = 7, [5] = 11, [6] = 7, [7] = 11,
    [12] = 11, [13] = 11, [15] = 11,
};

void trap_init(struct frame *f)
{
    arch_trap_init(f);
    sbi_set_timer(read_time() + TICK_MTIME);
}

void trap_handler(struct frame *f)
{
    u32 cause = f->scause;
    if (cause == (INTERRUPT | IRQ_S_TIMER)) {
        ticks++;
        sbi_set_timer(read_time() + TICK_MTIME);
        return;
    }
    if (cause == ECALL_FROM_U) {
        f->sepc += 4;
        do_syscall(f);
        return;
    }
    u32 signal = cause < 16 && SIGNAL_OF[cause] ? SIGNAL_OF[cause] : 11;
    kernel_exit(128 + signal);
}
