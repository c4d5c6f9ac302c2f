"""Process, time and system-information calls: exit, brk, getpid, clock_gettime,
gettimeofday, uname.

Like xv6's kernel/sysproc.c: small handlers over the calling process (``proc.py``) and
the kernel's clock (``clock.py``).  Handlers are ``sys_x(kernel, proc, a0, ..., a5)``.
"""

from __future__ import annotations

import struct

from . import clock
from .errno import EFAULT, EINVAL, SyscallError

UTS_FIELD = 65
UNAME = ("vlab", "vlab", "0.1.0-pk", "#1 vlab proxy kernel", "riscv32", "(none)")


def sys_exit(kernel, proc, status, *_):
    proc.exit(status)
    return 0


def sys_brk(kernel, proc, address, *_):
    """Set the end of the heap; return the new break, or the old one if refused (Linux)."""
    return proc.set_break(address)


def sys_getpid(kernel, proc, *_):
    return proc.pid


def sys_clock_gettime(kernel, proc, clock_id, timespec, *_):
    try:
        seconds, ns = clock.clock_time(clock_id, kernel.instret())
    except KeyError:
        raise SyscallError(EINVAL, f"unknown clock {clock_id}") from None
    proc.space.write(timespec, struct.pack("<ii", seconds, ns))
    return 0


def sys_gettimeofday(kernel, proc, timeval, timezone, *_):
    seconds, ns = clock.clock_time(clock.CLOCK_REALTIME, kernel.instret())
    if timeval:
        proc.space.write(timeval, struct.pack("<ii", seconds, ns // 1000))
    if timezone:
        proc.space.write(timezone, bytes(8))   # struct timezone: UTC, no DST
    return 0


def sys_uname(kernel, proc, buf, *_):
    """struct utsname: six fields of 65 bytes (sysname, nodename, release, version,
    machine, domainname)."""
    if not buf:
        raise SyscallError(EFAULT, "NULL utsname")
    fields = b"".join(f.encode().ljust(UTS_FIELD, b"\0") for f in UNAME)
    proc.space.write(buf, fields)
    return 0
