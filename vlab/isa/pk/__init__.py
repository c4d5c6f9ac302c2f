"""The proxy kernel: Linux-style system calls for RV32 user programs, served from Python.

A user program runs in U-mode; its ``ecall`` traps to a Python handler (DESIGN.md
invariant 2) that plays the operating system, as Berkeley's riscv-pk does for Spike.

Modules: ``syscalls`` (the table: number -> name, handler), ``kernel`` (dispatch, heap
break, exit, ledger), ``files`` (descriptor table, stdio, sandboxed openat), ``errno``,
``clock`` (deterministic time from the instruction count), ``address_space`` (flat or
Sv32 page table), ``process`` (ELF loading, initial stack per the RISC-V Linux ABI),
``machine_adapter`` (attach to a vlab Machine), ``unicorn_backend`` (the same kernel
under unicorn, for lockstep tests and benchmarks).
"""

from .errno import SyscallError
from .kernel import ProxyKernel
from .process import LoadError, UserImage, load_into, load_user_program
from .syscalls import NUMBERS, TABLE

__all__ = ["NUMBERS", "TABLE", "LoadError", "ProxyKernel", "SyscallError", "UserImage",
           "load_into", "load_user_program"]
