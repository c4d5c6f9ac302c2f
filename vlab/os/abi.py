"""The RISC-V Linux system call ABI: how a call travels in registers.

``ecall`` with the call number in a7 (x17) and up to six arguments in a0..a5 (x10-x15);
the result comes back in a0, a value in -4095..-1 meaning ``-errno`` (RISC-V ELF psABI,
"Linux-specific ABI"; the kernel side is arch/riscv/kernel/traps.c ``do_trap_ecall_u``).
A call that ends the process (exit, exit_group) never returns, so a0 keeps its value.

This is the only place that knows those register numbers.  Every CPU backend serves
system calls through ``serve_ecall``, giving it two functions to read and write its
integer registers: the vlab Machine (``trap.py``) and unicorn (``unicorn_backend.py``).
"""

from __future__ import annotations

from collections.abc import Callable

A0, A7 = 10, 17
ARGUMENT_REGISTERS = range(10, 16)   # a0..a5


def serve_ecall(kernel, proc, read_register: Callable[[int], int],
                write_register: Callable[[int, int], None]) -> None:
    """Run the system call the registers describe for ``proc``; put the result in a0."""
    number = read_register(A7)
    args = [read_register(r) for r in ARGUMENT_REGISTERS]
    result = kernel.syscall(proc, number, args)
    if proc.alive:
        write_register(A0, result)
