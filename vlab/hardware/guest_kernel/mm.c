/* mm.c -- physical frames and Sv32 page tables (RISC-V privileged spec sec. 4.3).
 *
 * Frames: a bump allocator over the guest RAM between the kernel's first 4 MiB and the
 * boot block (frames are never freed: the kernel runs one program and exits).
 * The address space: one two-level Sv32 table, shared by the kernel and its user program
 *   [RAM_BASE, +4 MiB)        the kernel image, identity-mapped (a megapage, kernel-only)
 *   [DIRECT_MAP, +RAM size)   all guest RAM (megapages, kernel-only): how the kernel
 *                             reaches a frame once paging is on (kva())
 *   UART_BASE                 the UART's page (native build only)
 *   everything else           user pages (PTE_U), mapped 4 KiB at a time
 * (The user programs of `vlab run --mode user` are linked at 0x80400000, inside guest
 * RAM's addresses: hence the kernel's own view of RAM lives at DIRECT_MAP, as Linux's.)
 * Every PTE write goes through arch_set_pte(): a store natively, a queued hypercall in
 * the paravirtual build.
 */
#include "arch.h"

static u32 next_frame, last_frame, offset, root;
static u32 ram_base_pa, ram_size_b;

void *kva(u32 pa) { return (void *)(pa + offset); }

void mm_init(u32 pool_start, u32 pool_end, u32 ram_base, u32 ram_size)
{
    next_frame = pool_start;
    last_frame = pool_end;
    ram_base_pa = ram_base;
    ram_size_b = ram_size;
    root = frame_alloc();
    arch_pin_root(root);
}

u32 frame_alloc(void)
{
    if (next_frame >= last_frame)
        panic("out of memory");
    u32 pa = next_frame;
    next_frame += PAGE;
    memset(kva(pa), 0, PAGE);
    return pa;
}

static u32 make_pte(u32 pa, u32 flags) { return (pa >> 12) << 10 | flags | PTE_V; }
static u32 pte_pa(u32 pte) { return (pte >> 10) << 12; }

static void set_root_entry(u32 index, u32 value)
{
    u32 *table = kva(root);
    arch_set_pte(&table[index], root + index * 4, value);
}

/* The leaf PTE that maps va, or 0. */
u32 *pte_lookup(u32 va)
{
    u32 *table = kva(root);
    u32 entry = table[va >> 22];
    if (!(entry & PTE_V))
        return 0;
    if (entry & (PTE_R | PTE_X))              /* a megapage */
        return &table[va >> 22];
    u32 *leaves = kva(pte_pa(entry));
    return leaves[va >> 12 & 0x3FF] & PTE_V ? &leaves[va >> 12 & 0x3FF] : 0;
}

int map_page(u32 va, u32 pa, u32 flags)
{
    u32 *table = kva(root);
    u32 entry = table[va >> 22];
    if (entry & PTE_V && entry & (PTE_R | PTE_X))
        return -EINVAL;                        /* inside a kernel megapage */
    if (!(entry & PTE_V)) {
        u32 leaves = frame_alloc();
        set_root_entry(va >> 22, make_pte(leaves, 0));
        arch_sync();                           /* read back below */
        entry = table[va >> 22];
    }
    u32 index = va >> 12 & 0x3FF;
    u32 leaves_pa = pte_pa(entry);
    u32 *leaves = kva(leaves_pa);
    arch_set_pte(&leaves[index], leaves_pa + index * 4, make_pte(pa, flags | PTE_A | PTE_D));
    return 0;
}

/* Map fresh zeroed frames at every page of [va, va + len) not mapped yet (user pages). */
int map_user(u32 va, u32 len, u32 flags)
{
    for (u32 page = va & ~(PAGE - 1); page < va + len; page += PAGE) {
        u32 *pte = pte_lookup(page);
        if (pte) {
            if (!(*pte & PTE_U))
                return -EFAULT;
            if ((*pte & flags) != flags)       /* two segments share this page */
                map_page(page, pte_pa(*pte), (*pte & 0x3E) | flags);
            continue;
        }
        if (map_page(page, frame_alloc(), flags | PTE_U) < 0)
            return -EFAULT;
    }
    arch_flush_tlb();
    return 0;
}

static void map_megapages(u32 va, u32 pa, u32 size, u32 flags)
{
    for (u32 done = 0; done < size; done += MEGAPAGE)
        set_root_entry((va + done) >> 22, make_pte(pa + done, flags | PTE_A | PTE_D | PTE_G));
}

/* Build the kernel's mappings and turn paging on. */
void mm_activate(void)
{
    map_megapages(RAM_BASE, ram_base_pa, MEGAPAGE, PTE_R | PTE_W | PTE_X);
    map_megapages(DIRECT_MAP, ram_base_pa, ram_size_b, PTE_R | PTE_W);
#ifndef PARAVIRT
    map_page(UART_BASE, UART_BASE, PTE_R | PTE_W | PTE_G);
#endif
    arch_set_root(root);
    offset = DIRECT_MAP - ram_base_pa;
}

/* May the user program's pointer [va, va + len) be read (or written)? */
int user_ok(u32 va, u32 len, int write)
{
    if (va + len < va)
        return 0;
    for (u32 page = va & ~(PAGE - 1); page < va + len; page += PAGE) {
        u32 *pte = pte_lookup(page);
        if (!pte || !(*pte & PTE_U) || !(*pte & (write ? PTE_W : PTE_R)))
            return 0;
    }
    return 1;
}
