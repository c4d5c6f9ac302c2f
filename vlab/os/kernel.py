"""The kernel: a table of processes and the system calls they make.

Like riscv-pk (the RISC-V "proxy kernel"), it does not run on the modeled CPU: when a
U-mode program executes ``ecall``, the machine hands the trap to Python (``trap.py``),
which takes the call number and arguments from the registers (``abi.py``) and asks this
object to run the call for the current process.  Each call is charged to the ledger as one
``syscall`` event, so the kernel's work has a modeled cost.

The kernel holds any number of processes (``proc.py``), keyed by pid as in xv6's
``proc[]`` table; ``current`` is the one the CPU is running.  Today one program runs per
machine; a scheduler, fork/exec and containers build on this table.

The kernel is independent of the CPU that runs the program: it sees user memory through
the process's address space (``vm.py``) and registers only through the ABI adapter, so the
same kernel serves our interpreter, the DBT and unicorn in the lockstep tests.
"""

from __future__ import annotations

import sys
from collections import Counter

from .file import FileTable
from .proc import Process
from .quota import DEFAULT_WRITE_QUOTA
from .syscall import dispatch

FIRST_PID = 1


class Kernel:
    """Processes by pid, system call dispatch and statistics, the clock, the ledger."""

    def __init__(self, *, ledger=None, instret=lambda: 0):
        self.ledger = ledger
        self.instret = instret                  # the clock's source (clock.py)
        self.processes: dict[int, Process] = {}
        self.current: Process | None = None
        self.next_pid = FIRST_PID
        self.calls: Counter[str] = Counter()    # how often each system call was made
        self.unknown: Counter[int] = Counter()  # numbers we answered with -ENOSYS

    def spawn(self, space, *, brk_start: int, brk_limit: int, stdin=None, stdout=None,
              stderr=None, root=None, uid: int = 0, gid: int = 0, cwd: str = "/",
              write_quota: int = DEFAULT_WRITE_QUOTA) -> Process:
        """A new process over the address space ``space`` (its program already loaded),
        stdio connected to the given host streams (ours by default), files under ``root``.
        It becomes the current process if there is none.  ``write_quota``: bytes it may
        write into files under ``root`` (``quota.py``)."""
        files = FileTable(_binary(stdin, sys.stdin), _binary(stdout, sys.stdout),
                          _binary(stderr, sys.stderr), root, write_quota)
        proc = Process(self.next_pid, space, files, brk_start=brk_start, brk_limit=brk_limit,
                       uid=uid, gid=gid, cwd=cwd)
        self.processes[proc.pid] = proc
        self.next_pid += 1
        if self.current is None:
            self.current = proc
        return proc

    def syscall(self, proc: Process, number: int, args) -> int:
        """Run system call ``number`` for ``proc`` with a0..a5 = ``args``; the new a0."""
        if self.ledger is not None:
            self.ledger.charge("syscall")
        return dispatch(self, proc, number, args)


def _binary(stream, fallback):
    """Host stdio as binary streams (the guest writes bytes)."""
    if stream is not None:
        return stream
    return getattr(fallback, "buffer", fallback)
