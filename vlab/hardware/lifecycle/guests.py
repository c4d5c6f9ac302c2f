"""Bare-metal guests that dirty memory at a controllable rate (for suspend and migration).

Clark et al. (NSDI 2005, sec. 4) characterize a workload by its *writable working set*
(WWS): the pages it keeps writing.  ``dirtying_guest`` is a program with exactly that
knob set by its parameters:

* ``wws_pages`` pages form its working set; each outer iteration writes ``dirty``
  of them, round-robin (so after ``wws_pages / dirty`` iterations all were written);
* ``work`` iterations of a two-instruction delay loop follow, so the dirtying rate is
  ``dirty`` pages per about ``2 * work + 8 * dirty + 10`` instructions;
* ``static_pages`` pages are written once at start (memory that pre-copy's first round
  sends and that never dirties again);
* every ``print_every`` iterations it prints one character (``a``..``z`` in turn) on
  the UART, so the console shows how far it got;
* at the end it sums the first word of every working-set page: iteration ``i`` adds
  ``i + 1`` to ``dirty`` pages, so the sum must be ``dirty * iters * (iters + 1) / 2``
  (mod 2^32); it exits (HTIF) with 0 when it is, 3 when not -- a page lost or stale in
  transit changes the exit status.

A *diabolical* guest in Clark et al.'s sense (their MMuncher) is one whose dirtying
rate exceeds the link's page rate: ``work=0`` and a large ``dirty``.
"""
from __future__ import annotations

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.pagetable import PAGE

UART_THR = 0x1000_0000
REGION = 0x8001_0000            # the working set starts 64 KiB into guest RAM

SOURCE = '''
.text
.globl _start
_start:
    li s0, {region}
    li s1, {wws}
    li s2, {iters}
    li s3, 0                # next working-set page
    li s4, 0                # iteration
    li s6, {uart}
    li s7, 0                # letter
    li s8, 0                # iterations until the next letter
    li t0, {static}         # static pages: written once, above the working set
    slli t1, s1, 12
    add t1, t1, s0
static:
    beqz t0, loop
    sw t0, 0(t1)
    li t2, {page}
    add t1, t1, t2
    addi t0, t0, -1
    j static
loop:
    li t0, {dirty}
dirty:
    beqz t0, work_start
    slli t1, s3, 12
    add t1, t1, s0
    lw t2, 0(t1)
    add t2, t2, s4
    addi t2, t2, 1
    sw t2, 0(t1)
    addi s3, s3, 1
    blt s3, s1, 1f
    li s3, 0
1:  addi t0, t0, -1
    j dirty
work_start:
    li t0, {work}
work:
    beqz t0, progress
    addi t0, t0, -1
    j work
progress:
    addi s8, s8, 1
    li t1, {print_every}
    blt s8, t1, next
    li s8, 0
    addi t2, s7, 97
    sb t2, 0(s6)
    addi s7, s7, 1
    li t1, 26
    blt s7, t1, next
    li s7, 0
next:
    addi s4, s4, 1
    blt s4, s2, loop
    li t0, 0                # checksum of the working set
    li t1, 0
sum:
    slli t2, t1, 12
    add t2, t2, s0
    lw t3, 0(t2)
    add t0, t0, t3
    addi t1, t1, 1
    blt t1, s1, sum
    li t3, 10
    sb t3, 0(s6)
    li a0, 1                # exit 0: the sum is what every increment adds up to
    li t3, {expected}
    beq t0, t3, 2f
    li a0, 7                # exit 3: a page lost or stale
2:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def dirtying_source(wws_pages: int = 16, dirty: int = 2, work: int = 50,
                    iters: int = 200, static_pages: int = 8, print_every: int = 10) -> str:
    """The assembly of a guest with these knobs (see the module docstring)."""
    for name, value in (('wws_pages', wws_pages), ('dirty', dirty), ('work', work),
                        ('iters', iters), ('static_pages', static_pages),
                        ('print_every', print_every)):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f'dirtying guest: {name} must be a non-negative integer, '
                             f'got {value!r}')
    if wws_pages < 1 or iters < 1 or print_every < 1:
        raise ValueError('dirtying guest: wws_pages, iters and print_every must be >= 1')
    if (wws_pages + static_pages) * PAGE > 0x0300_0000:
        raise ValueError('dirtying guest: working set plus static pages must fit in '
                         '48 MiB above the program')
    return SOURCE.format(region=REGION, wws=wws_pages, iters=iters, uart=UART_THR,
                         static=static_pages, page=PAGE, dirty=dirty, work=work,
                         print_every=print_every,
                         expected=_signed(dirty * iters * (iters + 1) // 2))


def _signed(value: int) -> int:
    value &= 0xFFFF_FFFF
    return value - (1 << 32) if value >> 31 else value


def dirtying_guest(**knobs):
    """The ELF image of :func:`dirtying_source` (a ``vlab.isa.elf.ElfImage``)."""
    return load_elf(assemble(dirtying_source(**knobs), filename='dirtying-guest.s').to_elf())


def dirtying_guest_elf(**knobs) -> bytes:
    """The same guest as ELF file bytes (for the CLI and for files)."""
    return assemble(dirtying_source(**knobs), filename='dirtying-guest.s').to_elf()


def guest_ram_needed(wws_pages: int, static_pages: int) -> int:
    """Guest RAM the guest touches: its 64 KiB of program, then its pages (rounded to
    64 KiB)."""
    top = REGION - 0x8000_0000 + (wws_pages + static_pages) * PAGE
    return -(-top // 0x10000) * 0x10000


__all__ = ['dirtying_guest', 'dirtying_guest_elf', 'dirtying_source', 'guest_ram_needed']
