"""The system call table of the proxy kernel: number -> (name, handler).

Numbers are Linux's generic ones (include/uapi/asm-generic/unistd.h), used by RISC-V Linux
and by riscv-pk.  Calling convention (RISC-V Linux): number in a7, arguments in a0..a5,
result in a0; failure is a negative ``-errno``.  Each handler is
``handler(kernel, a0, a1, a2, a3, a4, a5) -> int`` and reads or writes user memory only
through ``kernel.space`` (which fails with EFAULT on a bad pointer).  Like xv6's
``kernel/syscall.c``: one table, one small function per call.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from . import clock
from .errno import EFAULT, EINVAL, ENAMETOOLONG, SyscallError

PATH_MAX = 4096
UTS_FIELD = 65
UNAME = ("vlab", "vlab", "0.1.0-pk", "#1 vlab proxy kernel", "riscv32", "(none)")


def _signed(value: int) -> int:
    return (value ^ 0x8000_0000) - 0x8000_0000


def read_cstring(kernel, address: int, limit: int = PATH_MAX) -> str:
    """A NUL-terminated string from user memory (a path), read page piece by piece."""
    data = bytearray()
    while len(data) < limit:
        chunk = kernel.space.read(address + len(data), 1)
        if chunk == b"\0":
            return data.decode("utf-8", errors="replace")
        data += chunk
    raise SyscallError(ENAMETOOLONG, "path longer than PATH_MAX")


def sys_read(kernel, fd, buf, count, *_):
    data = kernel.files.get(fd).read(count)
    kernel.space.write(buf, data)
    return len(data)


def sys_write(kernel, fd, buf, count, *_):
    file = kernel.files.get(fd)
    return file.write(kernel.space.read(buf, count))


def sys_openat(kernel, dirfd, path, flags, mode, *_):
    return kernel.files.open(_signed(dirfd), read_cstring(kernel, path), flags, mode)


def sys_close(kernel, fd, *_):
    kernel.files.close(fd)
    return 0


def sys_lseek(kernel, fd, offset, whence, *_):
    return kernel.files.get(fd).seek(_signed(offset), whence)


def sys_fstat(kernel, fd, statbuf, *_):
    data = kernel.files.get(fd).stat()
    kernel.space.write(statbuf, data)
    return 0


def sys_brk(kernel, address, *_):
    """Set the end of the heap; return the new break, or the old one if refused (Linux)."""
    return kernel.set_break(address)


def sys_exit(kernel, status, *_):
    kernel.exit(status)
    return 0


def sys_clock_gettime(kernel, clock_id, timespec, *_):
    try:
        seconds, ns = clock.clock_time(clock_id, kernel.instret())
    except KeyError:
        raise SyscallError(EINVAL, f"unknown clock {clock_id}") from None
    kernel.space.write(timespec, struct.pack("<ii", seconds, ns))
    return 0


def sys_gettimeofday(kernel, timeval, timezone, *_):
    seconds, ns = clock.clock_time(clock.CLOCK_REALTIME, kernel.instret())
    if timeval:
        kernel.space.write(timeval, struct.pack("<ii", seconds, ns // 1000))
    if timezone:
        kernel.space.write(timezone, bytes(8))   # struct timezone: UTC, no DST
    return 0


def sys_getpid(kernel, *_):
    return kernel.pid


def sys_uname(kernel, buf, *_):
    if not buf:
        raise SyscallError(EFAULT, "NULL utsname")
    fields = b"".join(f.encode().ljust(UTS_FIELD, b"\0") for f in UNAME)
    kernel.space.write(buf, fields)
    return 0


class Syscall(NamedTuple):
    name: str
    handler: object


TABLE: dict[int, Syscall] = {
    56: Syscall("openat", sys_openat),
    57: Syscall("close", sys_close),
    62: Syscall("lseek", sys_lseek),
    63: Syscall("read", sys_read),
    64: Syscall("write", sys_write),
    80: Syscall("fstat", sys_fstat),
    93: Syscall("exit", sys_exit),
    94: Syscall("exit_group", sys_exit),
    113: Syscall("clock_gettime", sys_clock_gettime),
    160: Syscall("uname", sys_uname),
    169: Syscall("gettimeofday", sys_gettimeofday),
    172: Syscall("getpid", sys_getpid),
    214: Syscall("brk", sys_brk),
}
NUMBERS = {entry.name: number for number, entry in TABLE.items()}
