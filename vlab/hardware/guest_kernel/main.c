/* main.c -- the kernel's boot: from the firmware's jump to the user program's first
 * instruction.  a0 = hart id, a1 = the boot block's guest-physical address (README.md). */
#include "arch.h"

volatile u64 tohost __attribute__((section(".tohost"), aligned(8)));
volatile u64 fromhost __attribute__((section(".tohost"), aligned(8)));

static u8 kernel_stack[16384] __attribute__((aligned(16)));
extern char _end[];

void kmain(u32 hartid, u32 boot_pa)
{
    (void)hartid;
#ifndef PARAVIRT
    uart_init();
#endif
    const struct bootinfo *bi = (const void *)boot_pa;     /* paging is off: physical */
    if (!boot_pa || bi->magic != BOOT_MAGIC || bi->version != 1)
        panic("no boot block in a1 (the loader passes the user program there)");
    u32 pool_start = ((u32)_end + MEGAPAGE - 1) & ~(MEGAPAGE - 1);
    u32 pool_end = bi->elf_pa & ~(PAGE - 1);
    if (pool_start >= pool_end)
        panic("no free guest RAM between the kernel and the user program");
    mm_init(pool_start, pool_end, bi->ram_base, bi->ram_size);
    mm_activate();
    bi = kva(boot_pa);                                       /* paging is on */
    struct frame *f = (struct frame *)(kernel_stack + sizeof kernel_stack) - 1;
    int err = load_program(bi, f);
    if (err)
        panic(err == -EINVAL ? "the user program is not a static RV32 ELF executable"
                             : "the user program does not fit in guest memory");
    trap_init(f);
    arch_return_to_user(f);
}
