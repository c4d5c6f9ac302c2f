"""A bare-metal guest that pages in S-mode, with a knob for its page-table update rate.

It builds an Sv32 table in M-mode (a megapage mapping the code, identity; a level-0 table
mapping ``pages`` data pages at virtual 0x0040_0000), enters S-mode with ``mret`` and
loops ``rounds`` times.  Each round does ``work`` iterations of an arithmetic loop (4
instructions each) and touches every data page once (a load and a store); every
``update_every``-th round it also rewrites ``updates`` PTEs (remapping a page to the
other of two physical frames) and executes ``sfence.vma`` -- the fork/exec, mmap/munmap
churn of an OS kernel (Adams & Agesen 2006, sec. 6).  ``update_every=0``: the tables
never change after boot.

With more data pages than the TLB's 32 entries every round misses in the TLB, so the
walks' length matters; the update rate decides how often shadow paging exits.

Two named workloads (``WORKLOADS``): ``pt-heavy`` (an update every round) and
``compute`` (none).  The guest exits through HTIF with code 0, so the same ELF runs on
the bare machine, under trap-and-emulate (shadow paging) and under the
hardware-assisted VMM (nested paging).
"""
from __future__ import annotations

from functools import cache

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf

PAGES, MAX_PAGES = 8, 64
WORKLOADS = {'pt-heavy': dict(update_every=1, work=50),
             'compute': dict(update_every=0, work=200)}

SOURCE = '''
.text
.globl _start
_start:
    la t0, pt_root
    li t1, 0x200000CF               # megapage 0x80000000 -> itself: V R W X A D
    li t2, 0x800
    add t2, t0, t2
    sw t1, 0(t2)
    la t1, pt_l0                    # VPN[1] = 1 -> the level-0 table
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sw t1, 4(t0)
    la t2, pt_l0                    # the leaves: va 0x400000 + i*4K -> frame i
    la t1, frames
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 0xC7                # V R W A D
    li t3, {pages}
1:  sw t1, 0(t2)
    addi t2, t2, 4
    li t4, 0x400
    add t1, t1, t4
    addi t3, t3, -1
    bnez t3, 1b
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0
    li t0, 0x800                    # MPP = S
    csrw mstatus, t0
    la t0, s_code
    csrw mepc, t0
    mret
s_code:
    sfence.vma
    li s0, {rounds}
    li s1, {update_every}
round:
    li t3, {work}                   # the computation
2:  addi t5, t5, 3
    xor t6, t6, t5
    addi t3, t3, -1
    bnez t3, 2b
    beqz s1, touch                  # update_every = 0: never
    addi s1, s1, -1
    bnez s1, touch
    li s1, {update_every}
    la t2, pt_l0                    # rewrite the first PTEs: frame i <-> frame i + pages
    li t3, {updates}
    li t4, {flip}
5:  lw t1, 0(t2)
    xor t1, t1, t4
    sw t1, 0(t2)
    addi t2, t2, 4
    addi t3, t3, -1
    bnez t3, 5b
    sfence.vma
touch:
    li t0, 0x00400000               # touch every data page once
    li t3, {pages}
3:  lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    li t4, 4096
    add t0, t0, t4
    addi t3, t3, -1
    bnez t3, 3b
    addi s0, s0, -1
    bnez s0, round
    li a0, 1
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
4:  j 4b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
.align 12
pt_root: .zero 4096
pt_l0: .zero 4096
frames: .zero {frame_bytes}
'''


@cache
def guest(kind: str | None = None, pages: int = PAGES, rounds: int = 20,
          update_every: int = 1, updates: int = 4, work: int = 50):
    """The ELF image of the workload (``kind`` names preset knobs, see WORKLOADS)."""
    if kind is not None:
        if kind not in WORKLOADS:
            raise ValueError(f'workload {kind!r}: choose one of {sorted(WORKLOADS)}')
        return guest(None, pages, rounds, updates=updates, **WORKLOADS[kind])
    if not 0 < pages <= MAX_PAGES:
        raise ValueError(f'pages must be 1..{MAX_PAGES} (one level-0 table), got {pages}')
    if not 0 < updates <= pages:
        raise ValueError(f'updates must be 1..{pages} (the PTEs there are), got {updates}')
    if rounds < 1 or update_every < 0 or work < 1:
        raise ValueError('rounds and work must be positive, update_every >= 0')
    return load_elf(assemble(guest_source(pages, rounds, update_every, updates, work),
                             filename='memvirt.s').to_elf())


def guest_source(pages: int = PAGES, rounds: int = 20, update_every: int = 1,
                 updates: int = 4, work: int = 50) -> str:
    """The assembly source of the workload (``guest`` checks the knobs)."""
    return SOURCE.format(pages=pages, rounds=rounds, updates=updates,
                         update_every=update_every, work=work,
                         flip=(pages * 4096 >> 12) << 10, frame_bytes=2 * pages * 4096)


__all__ = ['MAX_PAGES', 'PAGES', 'WORKLOADS', 'guest', 'guest_source']
