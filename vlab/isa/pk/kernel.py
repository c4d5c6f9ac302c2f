"""The proxy kernel: serves a user program's system calls from Python.

Like riscv-pk (the RISC-V "proxy kernel"), it does not run on the modeled CPU: when the
U-mode program executes ``ecall``, the machine delivers the trap to this Python object
(DESIGN.md invariant 2), which reads the call number from a7 and the arguments from
a0..a5, runs the handler from the table in ``syscalls.py``, writes the result to a0 and
resumes the program after the ``ecall``.  Each call is charged to the ledger as one
``syscall`` event, so the kernel's work has a modeled cost.

The kernel is independent of the CPU that runs the program: it sees user memory through
an address space (``address_space.py``) and the registers through the arguments it is
given, so the same kernel serves our interpreter and unicorn in the lockstep tests.
"""

from __future__ import annotations

import sys
from collections import Counter

from .errno import ENOSYS, SyscallError
from .files import FileTable
from .syscalls import TABLE

MASK32 = 0xFFFF_FFFF


class ProxyKernel:
    """System calls of one user process: files, heap break, exit status, time, pid."""

    def __init__(self, space, *, brk_start: int, brk_limit: int, stdin=None, stdout=None,
                 stderr=None, root=None, ledger=None, instret=lambda: 0, pid: int = 1):
        self.space = space
        self.files = FileTable(_default(stdin, sys.stdin), _default(stdout, sys.stdout),
                               _default(stderr, sys.stderr), root)
        self.brk_start = self.brk = brk_start
        self.brk_limit = brk_limit
        self.ledger = ledger
        self.instret = instret
        self.pid = pid
        self.exit_code: int | None = None
        self.fault: tuple | None = None        # (cause, epc, tval, name) if it was killed
        self.calls: Counter[str] = Counter()   # how often each system call was made
        self.unknown: Counter[int] = Counter()  # numbers we answered with -ENOSYS

    @property
    def exited(self) -> bool:
        return self.exit_code is not None

    def syscall(self, number: int, args) -> int:
        """Run system call ``number`` with a0..a5 = ``args``; return the new a0 (32-bit)."""
        if self.ledger is not None:
            self.ledger.charge("syscall")
        entry = TABLE.get(number)
        if entry is None:
            self.unknown[number] += 1
            return -ENOSYS & MASK32
        self.calls[entry.name] += 1
        try:
            result = entry.handler(self, *args)
        except SyscallError as error:
            result = -error.errno
        return result & MASK32

    def exit(self, status: int) -> None:
        """exit/exit_group: the process is over; its status is the low byte (as wait())."""
        self.exit_code = status & 0xFF
        self.files.close_all()

    def set_break(self, address: int) -> int:
        """brk: grow or shrink the heap inside [brk_start, brk_limit]; new pages are zero."""
        if address < self.brk_start or address > self.brk_limit:
            return self.brk                      # refused (or a query with 0)
        if address > self.brk:
            try:
                self.space.map(self.brk, address - self.brk, readable=True, writable=True)
                self.space.write(self.brk, bytes(address - self.brk))
            except SyscallError:                 # out of memory: brk fails, as in Linux
                return self.brk
        self.brk = address
        return self.brk


def _default(stream, fallback):
    """Host stdio as binary streams (the guest writes bytes)."""
    if stream is not None:
        return stream
    return getattr(fallback, "buffer", fallback)
