"""Memory system calls: brk, mmap2, munmap, mprotect, madvise, mremap.

The entries of the system call table (``CALLS``, keyed by the names of ``unistd.py``):
each handler is ``sys_NAME(kernel, proc, a0..a5)`` over the calling process's address
space ``proc.space`` (``aspace.py``); the semantics -- argument checks, errors, where a
mapping goes -- are in ``mman.py``, after the Linux man pages (man 2 brk, mmap, munmap,
mprotect, madvise, mremap).

* ``brk(addr)`` returns the new break, or the *old* one when it refuses: Linux's raw
  system call (musl's ``brk()`` turns that into ENOMEM; musl's malloc asks brk first
  and falls back to mmap when the break does not move).
* ``mmap2(addr, length, prot, flags, fd, pgoff)``: RV32 has no ``mmap``; ``mmap2``
  counts the file offset in 4096-byte units.  Anonymous memory as ``mman.py`` says.
  A **private mapping of a regular file** is made by copying: anonymous pages filled
  with the file's bytes from the offset at the time of the call (``pread``), zeros
  past its end.  Simplified: Linux maps the page cache and copies on write, so later
  writes to the file show through until the process writes the page itself; here they
  never do, and a page wholly past the end of the file reads zeros instead of raising
  SIGBUS.  A **shared** file mapping would have to write back to the file: it fails
  with ENODEV ("the underlying file system does not support memory mapping").  Errors
  as Linux checks them: EBADF (not open), EACCES (not open for reading), ENODEV (not a
  regular file), EINVAL (a negative offset past 32 bits).
"""

from __future__ import annotations

import stat as stat_bits

from .errno import EACCES, EBADF, EINVAL, ENODEV, SyscallError
from .frames import OutOfMemory
from .mman import MAP_ANONYMOUS, MAP_PRIVATE, MAP_TYPE
from .vma import PAGE


def sys_brk(kernel, proc, address, *_):
    """Set the end of the heap; the new break, or the old one if refused (Linux)."""
    return proc.space.set_brk(address)


def sys_mmap2(kernel, proc, addr, length, prot, flags, fd, pgoff):
    """mmap2: map ``length`` bytes; the address of the mapping."""
    if flags & MAP_ANONYMOUS:
        return proc.space.mmap_anonymous(addr, length, prot, flags)
    file = _file(proc, fd)
    if not getattr(file, "readable", True):
        raise SyscallError(EACCES, f"mmap: fd {fd} is not open for reading")
    if not stat_bits.S_ISREG(file.stat().mode):
        raise SyscallError(ENODEV, f"mmap: fd {fd} is not a regular file")
    if flags & MAP_TYPE != MAP_PRIVATE:
        raise SyscallError(ENODEV, "mmap: shared file mappings are not supported by this "
                                   "kernel (map it MAP_PRIVATE, or read() the file)")
    if pgoff >> 20:                        # 2**20 pages: 4 GiB, past any 32-bit offset
        raise SyscallError(EINVAL, f"mmap: file offset of {pgoff} pages is too large")
    space = proc.space
    start = space.mmap_anonymous(addr, length, prot, flags | MAP_ANONYMOUS)
    try:
        space.load(start, file.pread(pgoff * PAGE, length))
    except (OutOfMemory, SyscallError):
        space.unmap(start, start + length)
        raise
    return start


def _file(proc, fd: int):
    """The open file of descriptor ``fd`` (``FdTable.get`` raises EBADF)."""
    files = getattr(proc, "files", None)
    file = files.get(fd) if files is not None else None
    if file is None:
        raise SyscallError(EBADF, f"mmap: fd {fd} is not open")
    return file


def sys_munmap(kernel, proc, addr, length, *_):
    return proc.space.munmap(addr, length)


def sys_mprotect(kernel, proc, addr, length, prot, *_):
    return proc.space.mprotect(addr, length, prot)


def sys_madvise(kernel, proc, addr, length, advice, *_):
    return proc.space.madvise(addr, length, advice)


def sys_mremap(kernel, proc, old, old_size, new_size, flags, new_address, *_):
    return proc.space.mremap(old, old_size, new_size, flags, new_address)


CALLS = {
    "brk": sys_brk,
    "mmap2": sys_mmap2,
    "munmap": sys_munmap,
    "mprotect": sys_mprotect,
    "madvise": sys_madvise,
    "mremap": sys_mremap,
}

__all__ = ["CALLS"]
