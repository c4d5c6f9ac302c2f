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
  counts the file offset in 4096-byte units.  Only anonymous memory is mapped; a file
  descriptor gets ENODEV (``mman.py`` says why), after the EBADF check Linux makes first.
"""

from __future__ import annotations

from .errno import EBADF, SyscallError
from .mman import MAP_ANONYMOUS


def sys_brk(kernel, proc, address, *_):
    """Set the end of the heap; the new break, or the old one if refused (Linux)."""
    return proc.space.set_brk(address)


def sys_mmap2(kernel, proc, addr, length, prot, flags, fd, pgoff):
    """mmap2: map ``length`` bytes; the address of the mapping."""
    if not flags & MAP_ANONYMOUS:
        files = getattr(proc, "files", None)
        if files is not None and _closed(files, fd):
            raise SyscallError(EBADF, f"mmap: fd {fd} is not open")
    return proc.space.mmap_anonymous(addr, length, prot, flags)


def _closed(files, fd: int) -> bool:
    """Is ``fd`` not an open descriptor of the table?  (``FdTable.get`` raises EBADF.)"""
    try:
        return files.get(fd) is None
    except SyscallError:
        return True


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
