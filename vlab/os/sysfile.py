"""File system calls: read, write, openat, close, lseek, fstat.

Like xv6's kernel/sysfile.c: each handler checks its arguments, then works on the calling
process's file table (``file.py``) and copies data in or out of its address space
(``proc.space``, which fails with EFAULT on an address the process may not use: the
kernel's ``copyin``/``copyout``).  Handlers are ``sys_x(kernel, proc, a0, ..., a5)``.

``read`` and ``write`` move data in chunks of ``RW_CHUNK`` bytes, so a call costs the host
memory for one chunk whatever count the guest asks for, and ``count`` is capped at
``MAX_RW_COUNT`` as Linux caps it (``fs/read_write.c``).  ``read`` checks the user buffer
first (``writable_prefix``: mapped, and writable as a store would need) and never pulls
more input than the buffer can take: a bad buffer is EFAULT with the input left unread,
as Linux leaves it in the pipe.  A fault part-way returns the bytes copied so far.
"""

from __future__ import annotations

from .errno import EFAULT, ENAMETOOLONG, SyscallError

PATH_MAX = 4096
RW_CHUNK = 64 << 10              # bytes moved per step of a read or write
MAX_RW_COUNT = 0x7FFF_F000       # Linux: INT_MAX rounded down to a page


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
    file = proc.files.get(fd)
    file.read(0)                            # EBADF (not readable) comes before EFAULT
    count = min(count, MAX_RW_COUNT)
    room = proc.space.writable_prefix(buf, count)
    if count and not room:
        raise SyscallError(EFAULT, f"read buffer {buf:#x} is not writable by the program")
    done = 0
    while done < room:
        wanted = min(RW_CHUNK, room - done)
        data = file.read(wanted)
        proc.space.write(buf + done, data)
        done += len(data)
        if len(data) < wanted:              # end of file, or all a stream has now
            break
    return done


def sys_write(kernel, proc, fd, buf, count, *_):
    file = proc.files.get(fd)
    count = min(count, MAX_RW_COUNT)
    done = 0
    while done < count:
        wanted = min(RW_CHUNK, count - done)
        try:
            data = proc.space.read(buf + done, wanted)
        except SyscallError:
            if done:                        # a fault part-way: what was written counts
                return done
            raise
        try:
            written = file.write(data)
        except SyscallError:
            if done:                        # e.g. the quota ran out part-way
                return done
            raise
        done += written
        if written < wanted:
            break
    return done


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
