"""The system call table: number -> name -> handler, and the dispatch through it.

Numbers are Linux's generic ones (include/uapi/asm-generic/unistd.h), which RISC-V Linux
and riscv-pk use, so a program built for Linux (or against musl) calls the right thing.
Like xv6's kernel/syscall.c: one table, one small function per call, in ``sysfile.py``
(files) and ``sysproc.py`` (process, time, system information).  A handler is
``sys_x(kernel, proc, a0, a1, a2, a3, a4, a5) -> int``; it fails by raising
``SyscallError(errno)``, which becomes the result ``-errno``.  How the number and the
arguments travel in registers is the ABI's business (``abi.py``), not the table's.
"""

from __future__ import annotations

from typing import NamedTuple

from . import sysfile, sysproc
from .errno import ENOSYS, SyscallError

MASK32 = 0xFFFF_FFFF


class Syscall(NamedTuple):
    name: str
    handler: object


TABLE: dict[int, Syscall] = {
    56: Syscall("openat", sysfile.sys_openat),
    57: Syscall("close", sysfile.sys_close),
    62: Syscall("lseek", sysfile.sys_lseek),
    63: Syscall("read", sysfile.sys_read),
    64: Syscall("write", sysfile.sys_write),
    80: Syscall("fstat", sysfile.sys_fstat),
    93: Syscall("exit", sysproc.sys_exit),
    94: Syscall("exit_group", sysproc.sys_exit),
    113: Syscall("clock_gettime", sysproc.sys_clock_gettime),
    160: Syscall("uname", sysproc.sys_uname),
    169: Syscall("gettimeofday", sysproc.sys_gettimeofday),
    172: Syscall("getpid", sysproc.sys_getpid),
    214: Syscall("brk", sysproc.sys_brk),
}
NUMBERS = {entry.name: number for number, entry in TABLE.items()}


def dispatch(kernel, proc, number: int, args) -> int:
    """Run system call ``number`` for ``proc`` with a0..a5 = ``args``; the 32-bit result
    (``-errno`` on failure, ``-ENOSYS`` for a number not in the table)."""
    entry = TABLE.get(number)
    if entry is None:
        kernel.unknown[number] += 1
        return -ENOSYS & MASK32
    kernel.calls[entry.name] += 1
    try:
        result = entry.handler(kernel, proc, *args)
    except SyscallError as error:
        result = -error.errno
    return result & MASK32
