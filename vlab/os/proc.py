"""A process: everything the kernel keeps about one running user program.

Like xv6's ``struct proc`` (kernel/proc.h): the address space (xv6's ``pagetable``), the
open files (``ofile``), the heap break (``sz``), the process id, the working directory,
and how it ended (``xstate``, ``killed``).  We add the credentials (uid, gid) that a
multi-user kernel checks, and the fault that killed the process, so a caller can say
which instruction did it.

The heap grows with ``set_break`` (xv6's ``growproc``): new pages are mapped in the
address space and zeroed; a request outside [brk_start, brk_limit] is refused and the
old break returned, as Linux's ``brk`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errno import SyscallError


@dataclass(frozen=True)
class Fault:
    """The trap that killed a process: cause code, pc, tval, the cause's name and the
    signal a Linux kernel would send for it (``signal.py``)."""

    cause: int
    epc: int
    tval: int
    name: str
    signal: int


class Process:
    """One user process: address space, file table, heap break, pid, credentials, cwd,
    exit status."""

    def __init__(self, pid: int, space, files, *, brk_start: int, brk_limit: int,
                 uid: int = 0, gid: int = 0, cwd: str = "/"):
        self.pid = pid
        self.space = space                 # FlatSpace or Sv32Space (vm.py): user memory
        self.files = files                 # FileTable (file.py): descriptor -> open file
        self.brk_start = self.brk = brk_start
        self.brk_limit = brk_limit
        self.uid, self.gid = uid, gid
        self.cwd = cwd
        self.exit_status: int | None = None
        self.fault: Fault | None = None

    @property
    def exited(self) -> bool:
        return self.exit_status is not None

    @property
    def alive(self) -> bool:
        return self.exit_status is None and self.fault is None

    def exit(self, status: int) -> None:
        """exit/exit_group: the process is over; its status is the low byte (as wait())."""
        self.exit_status = status & 0xFF
        self.files.close_all()

    def kill(self, fault: Fault) -> None:
        """The process took a trap it cannot survive (a real kernel sends a signal)."""
        self.fault = fault
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

    def __repr__(self) -> str:
        state = ("running" if self.alive else f"killed by {self.fault.name}" if self.fault
                 else f"exited {self.exit_status}")
        return f"<Process pid={self.pid} {state}>"
