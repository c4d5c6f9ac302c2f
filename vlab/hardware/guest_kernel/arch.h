/* arch.h -- the privileged operations of the kernel, and their paravirtual replacements.
 *
 * This file is the compile-time switch of the course's paravirtualization: built
 * natively, each operation below is the RISC-V privileged instruction (a CSR write,
 * sfence.vma, sret); built with -DPARAVIRT it is a *hypercall*, an SBI-style ecall to the
 * VMM with the vendor extension id PV_EID (SBI v2.0 sec. 3: 0x09000000-0x09FFFFFF is the
 * vendor-specific space), and page-table writes are queued and sent in one batch
 * (a multicall, as Xen's HYPERVISOR_multicall of mmu_update entries).  The rest of the
 * kernel is the same source in both builds.
 *
 * Hypercalls (a7 = PV_EID, a6 = function; the VMM is vlab/hardware/paravirt_vmm.py):
 *   PV_SET_CALLBACK(entry, frame)  where user traps enter the kernel (replaces stvec and
 *                                  sscratch); the VMM saves the user registers in frame
 *   PV_MULTICALL(list, count)      a batch of {op, a, b}: PV_OP_MMU_UPDATE(pte address,
 *                                  value), PV_OP_PIN_ROOT(root), PV_OP_NEW_BASEPTR(root)
 *                                  (replaces the satp write), PV_OP_TLB_FLUSH (sfence.vma)
 *   PV_IRET(frame)                 return to user mode with frame's registers and pc
 *                                  (replaces the register restore + sret)
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include "kernel.h"

#define PV_EID 0x09564C42u            /* "VLB" in the vendor-specific EID space */
#define PV_SET_CALLBACK 0
#define PV_MULTICALL 1
#define PV_IRET 2
#define PV_OP_MMU_UPDATE 1
#define PV_OP_PIN_ROOT 2
#define PV_OP_NEW_BASEPTR 3
#define PV_OP_TLB_FLUSH 4

#define csr_read(name) ({ u32 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"(v))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"(v))

static inline u64 read_time(void)      /* the time CSR: user-readable in both builds */
{
    u32 hi, lo, again;
    do {
        __asm__ volatile("rdtimeh %0" : "=r"(hi));
        __asm__ volatile("rdtime %0" : "=r"(lo));
        __asm__ volatile("rdtimeh %0" : "=r"(again));
    } while (hi != again);
    return (u64)hi << 32 | lo;
}


void arch_set_pte(u32 *ptep, u32 pa_of_ptep, u32 value);  /* write one PTE            */
void arch_pin_root(u32 root_pa);                         /* a new root table          */
void arch_set_root(u32 root_pa);                         /* satp = Sv32 | root        */
void arch_flush_tlb(void);                               /* sfence.vma                */
void arch_sync(void);                  /* paravirtual: send queued PTE writes now */
void arch_trap_init(struct frame *f);                    /* stvec, sscratch, sie      */
void arch_return_to_user(struct frame *f) __attribute__((noreturn));

#endif
