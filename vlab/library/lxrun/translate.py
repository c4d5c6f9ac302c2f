"""The translation table from the vlab-BSD ABI (``programs/bsd_abi.h``) to the host
kernel's Linux RV32 ABI: numbers, open flags, errno values and structures.

Each row maps a foreign call number to a function ``f(k, a0, ..., a5) -> int`` that does
the work with Linux calls (``k.linux(name, *args)``, which returns ``-errno`` on
failure) and returns the foreign result; a failure is raised as
:class:`ForeignErrno` with the *Linux* errno, which the runner converts.  Sources:
FreeBSD ``sys/kern/syscalls.master``, ``sys/sys/fcntl.h``, ``sys/sys/errno.h``; Linux
``asm-generic/unistd.h``, ``fcntl.h``, ``errno.h``.
"""

from __future__ import annotations

import struct

from vlab.os.errno import EINVAL
from vlab.os.vfs.constants import AT_FDCWD, O_APPEND, O_CREAT, O_EXCL, O_TRUNC

# FreeBSD open(2) flag -> Linux flag; the access mode (low two bits) is the same.
BSD_OPEN_FLAGS = {0x0008: O_APPEND, 0x0200: O_CREAT, 0x0400: O_TRUNC, 0x0800: O_EXCL}
BSD_ACCMODE = 0x3
# Linux errno -> FreeBSD errno where they differ (1..34 are the same in both).
BSD_ERRNO = {11: 35, 35: 11, 36: 63, 38: 78, 39: 66, 40: 62, 95: 45, 110: 60, 111: 61}
CLOCK_REALTIME = 0


class ForeignErrno(Exception):
    def __init__(self, linux_errno: int):
        super().__init__(linux_errno)
        self.linux_errno = linux_errno


def bsd_errno(linux_errno: int) -> int:
    return BSD_ERRNO.get(linux_errno, linux_errno)


def _ok(result: int) -> int:
    if result < 0:
        raise ForeignErrno(-result)
    return result


def _open_flags(flags: int) -> int:
    linux = flags & BSD_ACCMODE
    rest = flags & ~BSD_ACCMODE
    for bsd, native in BSD_OPEN_FLAGS.items():
        if rest & bsd:
            linux |= native
            rest &= ~bsd
    if rest:
        raise ForeignErrno(EINVAL)        # a flag this layer does not translate
    return linux


def sys_exit(k, code, *_):
    return k.exit(code)                   # leaves through the kernel's own exit_group


def sys_read(k, fd, buf, count, *_):
    return _ok(k.linux("read", fd, buf, count))


def sys_write(k, fd, buf, count, *_):
    return _ok(k.linux("write", fd, buf, count))


def sys_open(k, path, flags, mode, *_):
    return _ok(k.linux("openat", AT_FDCWD, path, _open_flags(flags), mode))


def sys_close(k, fd, *_):
    return _ok(k.linux("close", fd))


def sys_getpid(k, *_):
    return _ok(k.linux("getpid"))


def sys_gettimeofday(k, tv, *_):
    """Linux has no gettimeofday on RV32: clock_gettime64 fills a struct timespec
    {int64 tv_sec; long tv_nsec;}, converted to BSD's struct timeval {int64 tv_sec;
    int32 tv_usec;} -- a structure translated, not just a number."""
    scratch = k.scratch(16)
    _ok(k.linux("clock_gettime64", CLOCK_REALTIME, scratch))
    seconds, nanoseconds = struct.unpack("<qi", k.read(scratch, 12))
    if tv:
        k.write(tv, struct.pack("<qi4x", seconds, nanoseconds // 1000))
    return 0


# FreeBSD number -> (name, translator)
BSD_CALLS = {1: ("exit", sys_exit), 3: ("read", sys_read), 4: ("write", sys_write),
             5: ("open", sys_open), 6: ("close", sys_close), 20: ("getpid", sys_getpid),
             116: ("gettimeofday", sys_gettimeofday)}
