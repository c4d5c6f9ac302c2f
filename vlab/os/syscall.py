"""The system call table: number -> name -> handler, and the dispatch through it.

Numbers are Linux's generic ones for RV32 (``unistd.py``, checked against the toolchain's
header), so a program built for Linux (or against musl) calls the right thing.  Like
xv6's kernel/syscall.c: one table, one small function per call, grouped by subsystem in
the ``sys*.py`` modules, each exporting ``CALLS: dict[name, handler]`` keyed by the
``unistd.py`` name; this module joins them to the numbers.  A handler is
``sys_x(kernel, proc, a0, a1, a2, a3, a4, a5) -> int``; it fails by raising
``SyscallError(errno)``, which becomes the result ``-errno``, and it waits by raising
``Blocked`` (``waitq.py``), which the trap handler turns into sleep-and-restart.

riscv-pk compatibility: the hand-written runtime (``vlab/isa/runtime/vlab.h``) uses the
numbers riscv-pk serves for 32-bit time and stat calls that RV32 Linux no longer has:
``clock_gettime`` 113, ``gettimeofday`` 169 and ``fstat`` 80 (riscv-pk's
``pk/syscall.h``).  No RV32 Linux call has those numbers, so they are kept here
(``RISCV_PK``), with their riscv-pk meaning.
"""

from __future__ import annotations

from typing import NamedTuple

from . import sysfile, sysfork, sysmm, sysnet, sysns, sysproc, syssig, systime
from .errno import ENOMEM, ENOSYS, SyscallError
from .unistd import NUMBERS as LINUX_NUMBERS

MASK32 = 0xFFFF_FFFF
RISCV_PK = {"clock_gettime": 113, "gettimeofday": 169, "fstat": 80}


class Syscall(NamedTuple):
    name: str
    handler: object


def _legacy_file_calls() -> dict:
    """sysfile's calls, as named before it exported CALLS."""
    names = ("openat", "close", "read", "write", "fstat")
    calls = {name: getattr(sysfile, f"sys_{name}") for name in names}
    calls["_llseek"] = sysfile.sys_lseek          # riscv-pk's 3-argument lseek at 62
    return calls


def _join(modules) -> dict[str, object]:
    """name -> handler over every module; the first module to name a call serves it."""
    joined: dict[str, object] = {}
    for calls in modules:
        for name, handler in calls.items():
            joined.setdefault(name, handler)
    return joined


def _needs_vmas(handler):
    """mmap and friends work on an AddressSpace (``aspace.py``); the flat space of a
    program run with paging off has no areas to map: ENOMEM, saying why."""
    def call(kernel, proc, *args):
        if not hasattr(proc.space, "vmas"):
            raise SyscallError(ENOMEM, "this process runs with paging off (a flat address "
                                       "space): mmap needs Sv32 (vlab run --sv32)")
        return handler(kernel, proc, *args)
    call.__name__ = handler.__name__
    return call


HANDLERS = _join([getattr(sysfile, "CALLS", None) or _legacy_file_calls(),
                  sysproc.CALLS,            # brk first: it serves flat spaces as well
                  {name: _needs_vmas(h) for name, h in sysmm.CALLS.items()},
                  sysfork.CALLS, syssig.CALLS, systime.CALLS, sysns.CALLS,
                  sysnet.CALLS])
if "fstat" not in HANDLERS and hasattr(sysfile, "sys_fstat"):
    HANDLERS["fstat"] = sysfile.sys_fstat        # riscv-pk's fstat (80)
for _name in HANDLERS:
    if _name not in LINUX_NUMBERS and _name not in RISCV_PK:
        raise ImportError(f"system call {_name!r} has no RV32 number in unistd.py")

TABLE: dict[int, Syscall] = {}
for _name, _handler in HANDLERS.items():
    if _name in LINUX_NUMBERS:
        TABLE[LINUX_NUMBERS[_name]] = Syscall(_name, _handler)
    if _name in RISCV_PK:
        TABLE[RISCV_PK[_name]] = Syscall(_name, _handler)
NUMBERS = {entry.name: number for number, entry in sorted(TABLE.items())}


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
        signal = getattr(error, "signal", None)      # e.g. SIGPIPE with EPIPE (pipe.py)
        if signal:
            kernel.send_signal(proc, signal)
    return result & MASK32
