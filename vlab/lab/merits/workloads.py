"""The merits suite's workload set: six small RV32 programs in assembly, sized by ``n``.

Each workload stresses one thing a virtualization level may slow down (Hwang et al. 2011,
sec. 3.1.1 rates performance without saying on what; these are the usual suspects of
Adams & Agesen 2006's nanobenchmarks and Felter et al. 2014's container study):

=============  ==========================================================================
compute        an arithmetic loop, no system call, no memory beyond registers
syscall        ``getpid`` in a loop (a null system call)
file           ``openat`` a file, ``write`` 64 bytes to it, ``close`` -- per iteration
page_table     ``mmap2`` 16 KiB anonymous, touch each 4 KiB page, ``munmap`` (demand
               paging: page faults, page-table updates, TLB fences)
device         ``write`` 16 bytes to the console (fd 1), a device behind the kernel
process        ``clone(SIGCHLD)`` a child that exits at once, then ``waitid`` it
=============  ==========================================================================

They are user programs for the Linux RV32 ABI (numbers from :mod:`vlab.os.unistd`),
assembled by vlab's own assembler in milliseconds (no C toolchain needed, so the suite
is quick).  Every one ends with ``exit_group(0)``; a failed call ends it with status 1.

The same loops written bare-metal (M-mode, HTIF exit) are the guests of the hardware
level: :func:`bare_guest` (``compute``, and ``syscall`` as a U-mode ``ecall`` answered by
the guest's own M-mode handler -- a guest system call without a guest kernel).
"""

from __future__ import annotations

import functools

from vlab.isa.asm import assemble
from vlab.os.unistd import NUMBERS

TEXT_BASE = 0x1_0000
WORKLOADS: tuple[str, ...] = ("compute", "syscall", "file", "page_table", "device",
                              "process")
SIGCHLD = 17
AT_FDCWD = -100
O_WRONLY_CREAT_TRUNC = 0o1 | 0o100 | 0o1000

_EXIT = f"""
done:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
failed:
    li a0, 1
    li a7, {NUMBERS["exit_group"]}
    ecall
"""

#: The loop body of each workload; s0 counts iterations down from n.
_BODIES: dict[str, str] = {
    "compute": """
    addi t0, t0, 3
    xor t1, t1, t0
    slli t2, t1, 1
    add t1, t1, t2
""",
    "syscall": f"""
    li a7, {NUMBERS["getpid"]}
    ecall
""",
    "file": f"""
    li a0, {AT_FDCWD}
    la a1, path
    li a2, {O_WRONLY_CREAT_TRUNC}
    li a3, 0x1a4
    li a7, {NUMBERS["openat"]}
    ecall
    bltz a0, failed
    mv s1, a0
    la a1, buffer
    li a2, 64
    li a7, {NUMBERS["write"]}
    ecall
    bltz a0, failed
    mv a0, s1
    li a7, {NUMBERS["close"]}
    ecall
""",
    "page_table": f"""
    li a0, 0
    li a1, 16384
    li a2, 3
    li a3, 0x22
    li a4, -1
    li a5, 0
    li a7, {NUMBERS["mmap2"]}
    ecall
    li t1, -4095
    bgeu a0, t1, failed
    mv s1, a0
    sb s0, 0(a0)
    sb s0, 1024(s1)
    li t2, 4096
    add a0, s1, t2
    sb s0, 0(a0)
    add a0, a0, t2
    sb s0, 0(a0)
    add a0, a0, t2
    sb s0, 0(a0)
    mv a0, s1
    li a1, 16384
    li a7, {NUMBERS["munmap"]}
    ecall
""",
    "device": f"""
    li a0, 1
    la a1, buffer
    li a2, 16
    li a7, {NUMBERS["write"]}
    ecall
    bltz a0, failed
""",
    "process": f"""
    li a0, {SIGCHLD}
    li a1, 0
    li a2, 0
    li a3, 0
    li a4, 0
    li a7, {NUMBERS["clone"]}
    ecall
    bltz a0, failed
    beqz a0, child
    li a0, 0                   # P_ALL
    li a1, 0
    li a2, 0                   # no siginfo wanted
    li a3, 4                   # WEXITED
    li a4, 0
    li a7, {NUMBERS["waitid"]}
    ecall
    bltz a0, failed
""",
}

_CHILD = f"""
child:
    li a0, 0
    li a7, {NUMBERS["exit"]}
    ecall
"""

_DATA = """
    .data
path: .asciz "merits.dat"
buffer: .ascii "0123456789abcdef0123456789abcdef0123456789abcdef012345678\\n"
"""


def source(workload: str, n: int) -> str:
    """The assembly source of ``workload`` running its loop ``n`` times."""
    if workload not in _BODIES:
        raise ValueError(f"unknown workload {workload!r}: choose from {', '.join(WORKLOADS)}")
    if n < 1:
        raise ValueError(f"workload size {n}: give at least one iteration")
    return (f"_start:\n    li s0, {n}\nloop:\n    beqz s0, done\n{_BODIES[workload]}"
            f"    addi s0, s0, -1\n    j loop\n{_EXIT}{_CHILD}{_DATA}")


@functools.cache
def user_elf(workload: str, n: int) -> bytes:
    """The workload as a user-mode ELF for the Linux RV32 ABI."""
    return assemble(source(workload, n), text_base=TEXT_BASE).to_elf()


# --- bare-metal guests for the hardware level ------------------------------------------

_BARE_EPILOGUE = """
finish:
    li a0, 1
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
"""

#: Bare-metal loops: M-mode sets a trap vector, drops to U-mode, loops n times.
_BARE_BODIES: dict[str, str] = {
    "compute": _BODIES["compute"],
    "syscall": "    ecall\n",
}

_BARE_PROLOGUE = """
.text
.globl _start
_start:
    la t0, m_handler
    csrw mtvec, t0
    la t0, user
    csrw mepc, t0
    li t0, 0x1800
    csrc mstatus, t0           # MPP = U
    mret
m_handler:
    csrr t3, mcause
    li t4, 8                   # ecall from U: a guest system call, answered here
    bne t3, t4, finish
    csrr t3, mepc
    addi t3, t3, 4
    csrw mepc, t3
    mret
user:
"""


def bare_source(workload: str, n: int) -> str:
    if workload not in _BARE_BODIES:
        raise ValueError(f"no bare-metal form of {workload!r}: only "
                         f"{', '.join(_BARE_BODIES)}")
    return (f"{_BARE_PROLOGUE}    li s0, {n}\nloop:\n    beqz s0, leave\n"
            f"{_BARE_BODIES[workload]}    addi s0, s0, -1\n    j loop\n"
            "leave:\n    ebreak\n" + _BARE_EPILOGUE)


@functools.cache
def bare_elf(workload: str, n: int) -> bytes:
    """The workload as a bare-metal guest (linked at 0x80000000, HTIF exit code 0):
    the loop runs in U-mode; its end is an ``ebreak`` whose trap the M-mode handler turns
    into the HTIF exit."""
    return assemble(bare_source(workload, n), filename="guest.s").to_elf()


BARE_WORKLOADS: tuple[str, ...] = tuple(_BARE_BODIES)
