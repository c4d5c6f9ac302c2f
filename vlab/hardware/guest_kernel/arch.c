/* arch.c -- the privileged operations (arch.h), natively or as hypercalls (-DPARAVIRT).
 *
 * Native: the kernel runs in S-mode and executes csrw/sfence.vma/sret itself; in a VM
 * under trap-and-emulate each of them is a trap into the VMM.  Paravirtual: the kernel
 * runs deprivileged and asks the VMM instead; page-table writes wait in a queue and go
 * to the VMM as one multicall (Barham et al., "Xen and the Art of Virtualization",
 * SOSP 2003, sec. 3.3.2: "the guest OS may batch update requests").
 */
#include "arch.h"

extern char trap_entry[];
void user_return(struct frame *f) __attribute__((noreturn));

#ifndef PARAVIRT

#define SSTATUS_SUM (1u << 18)        /* S-mode may touch user pages (sec. 4.1.1.2) */
#define SSTATUS_SPP (1u << 8)
#define SIE_STIE (1u << 5)

void arch_set_pte(u32 *ptep, u32 pa_of_ptep, u32 value) { (void)pa_of_ptep; *ptep = value; }
void arch_pin_root(u32 root_pa) { (void)root_pa; }
void arch_set_root(u32 root_pa)
{
    csr_set(sstatus, SSTATUS_SUM);    /* the kernel reads and writes user pages */
    csr_write(satp, 0x80000000u | root_pa >> 12);
    arch_flush_tlb();
}
void arch_flush_tlb(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
void arch_sync(void) { }               /* natively every PTE write is done at once */

void arch_trap_init(struct frame *f)
{
    csr_write(stvec, (u32)trap_entry);
    csr_write(sscratch, (u32)f);      /* entry.S swaps it with the user's sp */
    __asm__ volatile("csrc sstatus, %0" :: "r"(SSTATUS_SPP));   /* sret goes to U */
    csr_write(sie, SIE_STIE);         /* timer interrupts (taken in U-mode) */
}

void arch_return_to_user(struct frame *f) { user_return(f); }

#else /* PARAVIRT */

struct pv_op { u32 op, a, b; };
#define PV_BATCH 64
static struct pv_op queue[PV_BATCH];
static u32 queued;

static struct sbiret hypercall(u32 fid, u32 a0, u32 a1)
{
    return sbi_call(PV_EID, fid, a0, a1, 0);
}

static void pv_queue(u32 op, u32 a, u32 b)
{
    if (queued == PV_BATCH)
        arch_sync();
    queue[queued++] = (struct pv_op){op, a, b};
}

void arch_set_pte(u32 *ptep, u32 pa_of_ptep, u32 value)
{
    (void)ptep;                       /* the VMM writes it, after checking it */
    pv_queue(PV_OP_MMU_UPDATE, pa_of_ptep, value);
}

void arch_pin_root(u32 root_pa) { pv_queue(PV_OP_PIN_ROOT, root_pa, 0); }

void arch_set_root(u32 root_pa)
{
    pv_queue(PV_OP_NEW_BASEPTR, root_pa, 0);
    arch_flush_tlb();
}

void arch_flush_tlb(void)
{
    pv_queue(PV_OP_TLB_FLUSH, 0, 0);
    arch_sync();
}

/* Send the queue (the kernel's own memory: identity-mapped, so its address is physical). */
void arch_sync(void)
{
    if (queued == 0)
        return;
    struct sbiret r = hypercall(PV_MULTICALL, (u32)queue, queued);
    if (r.error)
        panic("the VMM refused a page-table update");
    queued = 0;
}

void arch_trap_init(struct frame *f)
{
    if (hypercall(PV_SET_CALLBACK, (u32)trap_entry, (u32)f).error)
        panic("the VMM refused the trap callback");
}

void arch_return_to_user(struct frame *f)
{
    arch_sync();
    hypercall(PV_IRET, (u32)f, 0);
    panic("PV_IRET returned");
    for (;;)
        ;
}

#endif
