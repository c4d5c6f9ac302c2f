"""File system calls: read, write, openat, close, lseek, fstat.

Like xv6's kernel/sysfile.c: each handler checks its arguments, then works on the calling
process's file table (``file.py``) and copies data in or out of its address space
(``proc.space``, which fails with EFAULT on an address the process may not use: the
kernel's ``copyin``/``copyout``).  Handlers are ``sys_x(kernel, proc, a0, ..., a5)``.
"""

from __future__ import annotations

from .errno import ENAMETOOLONG, SyscallError

PATH_MAX = 4096


def signed(value: int) -> int:
    """A 32-bit register value as a C ``int`` (dirfd AT_FDCWD = -100, lseek offsets)."""
    return (value ^ 0x8000_0000) - 0x8000_0000


def read_cstring(space, address: int, limit: int = PATH_MAX) -> str:
    """A NUL-terminated string from user memory (xv6's ``copyinstr``), byte by byte so a
    string ending just before an unmapped page is read without a fault."""
    data = bytearray()
    while len(data) < limit:
        chunk = space.read(address + len(data), 1)
        if chunk == b"\0":
            return data.decode("utf-8", errors="replace")
        data += chunk
    raise SyscallError(ENAMETOOLONG, "path longer than PATH_MAX")


def sys_read(kernel, proc, fd, buf, count, *_):
    data = proc.files.get(fd).read(count)
    proc.space.write(buf, data)
    return len(data)


def sys_write(kernel, proc, fd, buf, count, *_):
    file = proc.files.get(fd)
    return file.write(proc.space.read(buf, count))


def sys_openat(kernel, proc, dirfd, path, flags, mode, *_):
    return proc.files.open(signed(dirfd), read_cstring(proc.space, path), flags, mode,
                           cwd=proc.cwd)


def sys_close(kernel, proc, fd, *_):
    proc.files.close(fd)
    return 0


def sys_lseek(kernel, proc, fd, offset, whence, *_):
    return proc.files.get(fd).seek(signed(offset), whence)


def sys_fstat(kernel, proc, fd, statbuf, *_):
    data = proc.files.get(fd).stat()
    proc.space.write(statbuf, data)
    return 0
