"""Tiny workloads in RV32 assembly for graded container experiments: spin, hog, forker.

The chapter's C programs need the pinned C toolchain (and a first build takes a while);
a grader must be quick and self-contained, so these three are written in assembly and
assembled by vlab's own assembler (:mod:`vlab.isa.asm`) in milliseconds.  They make raw
Linux system calls (numbers from :mod:`vlab.os.unistd`):

* ``spin``: a loop that never makes a system call (CPU-bound);
* ``hog``: ``mmap2`` 64 KiB of anonymous memory at a time and write one byte in every
  4 KiB page, until it has touched ``TOTAL`` KiB; then ``exit_group(0)``
  (``exit_group(1)`` if ``mmap2`` fails);
* ``forker``: ``clone(SIGCHLD)`` ten times, one child per call (a child spins); the
  parent spins afterwards.  With ``pids.max`` the later calls fail with ``EAGAIN``.

:func:`workload_layer` is an image layer holding ``/bin/spin``, ``/bin/forker`` and one
``/bin/hogN`` per size N in KiB asked for.
"""

from __future__ import annotations

import functools

from vlab.isa.asm import assemble
from vlab.os.fs import ImageLayer
from vlab.os.unistd import NUMBERS

TEXT_BASE = 0x1_0000
STEP_KIB = 64
PAGE = 4096
SIGCHLD = 17
PROT_READ_WRITE = 0x3
MAP_PRIVATE_ANONYMOUS = 0x22
FORKS = 10

SPIN = """
_start:
    addi t0, t0, 1
    j _start
"""

FORKER = f"""
_start:
    li s0, {FORKS}
fork:
    beqz s0, spin
    li a0, {SIGCHLD}
    li a1, 0
    li a2, 0
    li a3, 0
    li a4, 0
    li a7, {NUMBERS["clone"]}
    ecall
    beqz a0, spin                  # the child
    addi s0, s0, -1
    j fork
spin:
    addi t0, t0, 1
    j spin
"""


def hog_source(total_kib: int) -> str:
    """The hog for ``total_kib`` KiB (a multiple of 64)."""
    if total_kib <= 0 or total_kib % STEP_KIB:
        raise ValueError(f"hog size {total_kib} KiB: use a positive multiple of {STEP_KIB}")
    return f"""
_start:
    li s0, {total_kib // STEP_KIB}           # steps left
step:
    beqz s0, done
    li a0, 0
    li a1, {STEP_KIB * 1024}
    li a2, {PROT_READ_WRITE}
    li a3, {MAP_PRIVATE_ANONYMOUS}
    li a4, -1
    li a5, 0
    li a7, {NUMBERS["mmap2"]}
    ecall
    li t1, -4095                 # -4095..-1 is an errno, not an address
    bgeu a0, t1, failed
    li t0, {STEP_KIB * 1024 // PAGE}         # pages in this step
    li t2, {PAGE}
touch:
    sb t0, 0(a0)
    add a0, a0, t2
    addi t0, t0, -1
    bnez t0, touch
    addi s0, s0, -1
    j step
done:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
failed:
    li a0, 1
    li a7, {NUMBERS["exit_group"]}
    ecall
"""


def _elf(source: str) -> bytes:
    return assemble(source, text_base=TEXT_BASE).to_elf()


@functools.cache
def workload_layer(hog_sizes_kib: tuple[int, ...] = ()) -> ImageLayer:
    """An image layer with ``/bin/spin``, ``/bin/forker`` and ``/bin/hogN`` for each N."""
    files = {"/bin/spin": _elf(SPIN), "/bin/forker": _elf(FORKER)}
    files.update({f"/bin/hog{n}": _elf(hog_source(n)) for n in hog_sizes_kib})
    return ImageLayer(files, name="workloads")


#: greet: print $GREETING, then the file message.txt of the working directory.
GREET = f"""
_start:
    lw t0, 0(sp)                   # argc
    slli t0, t0, 2
    add t1, sp, t0
    addi t1, t1, 8                 # envp: past argc, argv[0..argc-1] and argv's NULL
find:
    lw a0, 0(t1)
    beqz a0, unset
    la a1, key
    li t2, 9                       # len("GREETING=")
compare:
    lbu t3, 0(a0)
    lbu t4, 0(a1)
    bne t3, t4, next
    addi a0, a0, 1
    addi a1, a1, 1
    addi t2, t2, -1
    bnez t2, compare
    mv a1, a0                      # the value
    li a2, 0
length:
    add t5, a1, a2
    lbu t6, 0(t5)
    beqz t6, say
    addi a2, a2, 1
    j length
say:
    li a0, 1
    li a7, {NUMBERS["write"]}
    ecall
    li a0, 1
    la a1, newline
    li a2, 1
    li a7, {NUMBERS["write"]}
    ecall
    li a0, -100                    # AT_FDCWD: relative to the working directory
    la a1, file
    li a2, 0                       # O_RDONLY
    li a3, 0
    li a7, {NUMBERS["openat"]}
    ecall
    bltz a0, missing
    mv s1, a0
copy:
    mv a0, s1
    la a1, buffer
    li a2, 256
    li a7, {NUMBERS["read"]}
    ecall
    blez a0, done
    mv a2, a0
    li a0, 1
    la a1, buffer
    li a7, {NUMBERS["write"]}
    ecall
    j copy
done:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
next:
    addi t1, t1, 4
    j find
unset:
    li a0, 2
    la a1, no_greeting
    li a2, 20
    li a7, {NUMBERS["write"]}
    ecall
    li a0, 1
    li a7, {NUMBERS["exit_group"]}
    ecall
missing:
    li a0, 2
    la a1, no_file
    li a2, 48
    li a7, {NUMBERS["write"]}
    ecall
    li a0, 2
    li a7, {NUMBERS["exit_group"]}
    ecall
    .data
key: .ascii "GREETING="
newline: .ascii "\\n"
file: .asciz "message.txt"
no_greeting: .ascii "GREETING is not set\\n"
no_file: .ascii "message.txt: not found in the working directory\\n"
    .align 2
buffer: .space 256
"""


def greet_elf() -> bytes:
    """The ``greet`` program (see :data:`GREET`) as an RV32 ELF executable."""
    return _elf(GREET)
