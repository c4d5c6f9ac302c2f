/* elf.c -- load the static user program and build its initial stack.
 *
 * ELF: the System V gABI (ELF32 header and program headers); only PT_LOAD segments are
 * mapped, with the permissions of their p_flags.  The initial stack is Linux's
 * (fs/binfmt_elf.c create_elf_tables): sp -> argc, argv[], NULL, envp[], NULL, auxv
 * pairs ending in AT_NULL, then the strings and AT_RANDOM's 16 bytes above.
 */
#include "arch.h"

#define EM_RISCV 243
#define ET_EXEC 2
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define AT_NULL 0
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_RANDOM 25

struct ehdr {
    u8 ident[16];
    unsigned short type, machine;
    u32 version, entry, phoff, shoff, flags;
    unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr { u32 type, offset, vaddr, paddr, filesz, memsz, flags, align; };

u32 user_brk, user_brk_start;

static u32 page_flags(u32 pf)
{
    return (pf & PF_R ? PTE_R : 0) | (pf & PF_W ? PTE_W : 0) | (pf & PF_X ? PTE_X : 0);
}

static int load_segments(const u8 *image, u32 size, u32 *entry)
{
    const struct ehdr *eh = (const void *)image;
    if (size < sizeof *eh || eh->ident[0] != 0x7F || eh->ident[1] != 'E' || eh->ident[4] != 1
        || eh->machine != EM_RISCV || eh->type != ET_EXEC
        || eh->phoff + (u32)eh->phnum * sizeof(struct phdr) > size)
        return -EINVAL;
    u32 end = 0;
    for (u32 i = 0; i < eh->phnum; i++) {
        const struct phdr *ph = (const void *)(image + eh->phoff + i * sizeof(struct phdr));
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (ph->filesz > ph->memsz || ph->offset + ph->filesz > size
            || ph->vaddr + ph->memsz < ph->vaddr || ph->vaddr + ph->memsz > DIRECT_MAP)
            return -EINVAL;
        if (map_user(ph->vaddr, ph->memsz, page_flags(ph->flags) | PTE_W) < 0)
            return -EFAULT;   /* writable, to copy it in (simplified: stays so, no W^X) */
        memcpy((void *)ph->vaddr, image + ph->offset, ph->filesz);
        if (ph->vaddr + ph->memsz > end)
            end = ph->vaddr + ph->memsz;
    }
    *entry = eh->entry;
    user_brk = user_brk_start = (end + PAGE - 1) & ~(PAGE - 1);
    return 0;
}

/* Push argv/envp strings and the vectors; returns the new sp. */
static u32 build_stack(const struct bootinfo *bi, u32 entry)
{
    u32 n = bi->argc + bi->envc;
    u32 sp = USER_STACK_TOP - bi->strings_size;
    memcpy((void *)sp, bi->strings, bi->strings_size);
    u32 strings = sp;
    sp -= 16;                                   /* AT_RANDOM: 16 fixed bytes (deterministic) */
    u32 random = sp;
    for (u32 i = 0; i < 16; i++)
        ((u8 *)random)[i] = (u8)(0x5A ^ i * 37);
    u32 words = 1 + n + 2 + 2 * 4;
    sp = (sp - words * 4) & ~15u;
    u32 *v = (u32 *)sp;
    *v++ = bi->argc;
    for (u32 i = 0; i < n; i++) {
        if (i == bi->argc)
            *v++ = 0;
        *v++ = strings;
        strings += strlen((const char *)strings) + 1;
    }
    *v++ = 0;
    if (n == bi->argc)
        *v++ = 0;                               /* empty environment */
    u32 aux[] = {AT_PAGESZ, PAGE, AT_ENTRY, entry, AT_RANDOM, random, AT_NULL, 0};
    memcpy(v, aux, sizeof aux);
    return sp;
}

int load_program(const struct bootinfo *bi, struct frame *f)
{
    u32 entry;
    int err = load_segments(kva(bi->elf_pa), bi->elf_size, &entry);
    if (err)
        return err;
    u32 stack = USER_STACK_PAGES * PAGE;
    if (map_user(USER_STACK_TOP - stack, stack, PTE_R | PTE_W) < 0)
        return -EFAULT;
    memset(f, 0, sizeof *f);
    f->regs[2] = build_stack(bi, entry);
    f->sepc = entry;
    return 0;
}
