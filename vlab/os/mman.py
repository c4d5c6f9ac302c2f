"""mman: the Linux semantics of mmap, munmap, mprotect, madvise and mremap over an
address space -- argument checks, errors, where a mapping goes.

Semantics from the Linux man pages (man 2 brk, mmap, munmap, mprotect, madvise, mremap)
and mm/mmap.c, mm/mprotect.c, mm/madvise.c, mm/mremap.c; flag values from the generic
``<sys/mman.h>`` that musl's riscv32 port uses.  Each function takes the
``AddressSpace`` (``aspace.py``, whose methods of the same names call these) and the
system call's arguments; errors are ``SyscallError(errno)``.  The system call table
entries are in ``sysmm.py``.

* ``mmap_anonymous(space, addr, length, prot, flags)``: anonymous private mappings are
  lazy (pages on first touch); ``MAP_SHARED`` anonymous ones are populated at once so
  that ``fork`` shares them (see ``aspace.py``; out of memory, the mapping is undone:
  ENOMEM); ``MAP_POPULATE`` faults pages in as far as memory allows; ``MAP_FIXED``
  replaces what was there, ``MAP_FIXED_NOREPLACE`` refuses (EEXIST); without either,
  ``addr`` is a hint used if free, else the highest free gap below the stack (top-down,
  as Linux).  Like Linux's default overcommit heuristic (``vm.overcommit_memory`` = 0),
  a single mapping larger than all of memory is refused with ENOMEM.  Simplified:
  **file mappings are not supported** -- flags without MAP_ANONYMOUS (a mapping of a
  file descriptor) fail with ENODEV ("the underlying file system does not support
  memory mapping"), the answer Linux gives for files that cannot be mapped.
* ``munmap``, ``mprotect`` (ENOMEM if part of the range is not mapped; simplified: then
  nothing is changed, where Linux changes the areas before the hole), ``madvise``
  (MADV_DONTNEED and MADV_FREE drop private pages, the next touch reads zeros; the
  other advice values are accepted and change nothing), ``mremap`` (shrink in place,
  grow in place when the space after is free, else move with MREMAP_MAYMOVE to a free
  gap or to ``new_address`` with MREMAP_FIXED; MREMAP_DONTUNMAP is EINVAL).
"""

from __future__ import annotations

from .errno import EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EPERM, SyscallError
from .frames import OutOfMemory
from .vma import MMAP_MIN, PAGE, PROT_ALL, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP, page_up

MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE = 0x01, 0x02, 0x03, 0x0F
MAP_FIXED, MAP_ANONYMOUS, MAP_POPULATE, MAP_FIXED_NOREPLACE = 0x10, 0x20, 0x8000, 0x100000
MAP_KNOWN = (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_POPULATE | MAP_FIXED_NOREPLACE
             | 0x0100 | 0x0800 | 0x1000 | 0x2000 | 0x4000 | 0x10000 | 0x20000 | 0x40000)
# the rest of MAP_KNOWN: GROWSDOWN, DENYWRITE, EXECUTABLE, LOCKED, NORESERVE, NONBLOCK,
# STACK, HUGETLB -- accepted and without effect here (MAP_SHARED_VALIDATE checks them)
MADV_DONTNEED, MADV_FREE = 4, 8
MADV_NOOP = {0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}   # accepted
MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP = 1, 2, 4


def _range(addr: int, length: int, call: str) -> tuple[int, int]:
    """A page-aligned ``[addr, addr + length)`` of user space, length rounded up."""
    if addr & (PAGE - 1):
        raise SyscallError(EINVAL, f"{call}: address {addr:#x} is not page aligned")
    end = page_up(addr + length)
    if end > USER_TOP:
        raise SyscallError(EINVAL if call == "munmap" else ENOMEM,
                           f"{call}: [{addr:#x}, {end:#x}) goes beyond user space "
                           f"({USER_TOP:#x})")
    return addr, end


def mmap_anonymous(space, addr: int, length: int, prot: int, flags: int) -> int:
    """mmap of anonymous memory: the address of the new mapping (module docstring)."""
    kind = flags & MAP_TYPE
    if kind not in (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE):
        raise SyscallError(EINVAL, f"mmap: flags {flags:#x} name neither MAP_SHARED nor "
                                   "MAP_PRIVATE")
    if kind == MAP_SHARED_VALIDATE and flags & ~MAP_KNOWN:
        raise SyscallError(EINVAL, f"mmap: unknown flags {flags & ~MAP_KNOWN:#x}")
    if prot & ~PROT_ALL:
        raise SyscallError(EINVAL, f"mmap: unknown protection bits {prot & ~PROT_ALL:#x}")
    if not length:
        raise SyscallError(EINVAL, "mmap: length 0")
    if not flags & MAP_ANONYMOUS:
        raise SyscallError(ENODEV, "mmap: file mappings are not supported by this kernel; "
                                   "map MAP_ANONYMOUS memory and read() into it")
    size = page_up(length)
    if size > USER_TOP or size > space.frames.total_frames * PAGE:
        raise SyscallError(ENOMEM, f"mmap: {length} bytes is more than the machine's "
                                   "memory (overcommit heuristic)")
    if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE):
        start, end = _range(addr, size, "mmap")
        if start < MMAP_MIN:
            raise SyscallError(EPERM, f"mmap: {start:#x} is below mmap_min_addr "
                                      f"({MMAP_MIN:#x})")
        if not flags & MAP_FIXED and not space.vmas.is_free(start, end):
            raise SyscallError(EEXIST, f"mmap: [{start:#x}, {end:#x}) is already mapped "
                                       "(MAP_FIXED_NOREPLACE)")
        space.unmap(start, end)
    else:
        start = addr & ~(PAGE - 1)
        if not (MMAP_MIN <= start and start + size <= space.mmap_top
                and space.vmas.is_free(start, start + size)):
            start = space.vmas.find_gap(size, space.mmap_top, MMAP_MIN)
            if start is None:
                raise SyscallError(ENOMEM, f"mmap: no free range of {size} bytes")
        end = start + size
    _add(space, start, end, prot, "anon", shared=kind != MAP_PRIVATE)
    if flags & MAP_POPULATE:
        try:
            space.populate(start, end)
        except OutOfMemory:
            pass                         # best effort, as mm_populate
    return start


def munmap(space, addr: int, length: int) -> int:
    """munmap: remove mappings in the range (unmapped parts are no error)."""
    if not length:
        raise SyscallError(EINVAL, "munmap: length 0")
    start, end = _range(addr, length, "munmap")
    space.unmap(start, end)
    return 0


def _mapped(space, start: int, end: int, call: str) -> None:
    if not space.vmas.covered(start, end):
        raise SyscallError(ENOMEM, f"{call}: part of [{start:#x}, {end:#x}) is not mapped")


def mprotect(space, addr: int, length: int, prot: int) -> int:
    """mprotect: set the protection of a mapped range."""
    if prot & ~PROT_ALL:
        raise SyscallError(EINVAL, f"mprotect: unknown protection bits "
                                   f"{prot & ~PROT_ALL:#x} (PROT_GROWSDOWN/UP not modeled)")
    start, end = _range(addr, length, "mprotect")
    if start == end:
        return 0
    _mapped(space, start, end, "mprotect")
    space.protect(start, end, prot)
    return 0


def madvise(space, addr: int, length: int, advice: int) -> int:
    """madvise: MADV_DONTNEED/MADV_FREE drop private pages; other advice is a hint."""
    if advice not in MADV_NOOP and advice not in (MADV_DONTNEED, MADV_FREE):
        raise SyscallError(EINVAL, f"madvise: unknown advice {advice}")
    start, end = _range(addr, length, "madvise")
    if start == end:
        return 0
    _mapped(space, start, end, "madvise")
    if advice in (MADV_DONTNEED, MADV_FREE):
        space.discard(start, end)
    return 0


def mremap(space, old: int, old_size: int, new_size: int, flags: int, new_address: int = 0
           ) -> int:
    """mremap: resize (and maybe move) one mapping; its new address."""
    if flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED) or (flags & MREMAP_FIXED
                                                     and not flags & MREMAP_MAYMOVE):
        raise SyscallError(EINVAL, f"mremap: flags {flags:#x} (MREMAP_FIXED needs "
                                   "MREMAP_MAYMOVE; MREMAP_DONTUNMAP is not supported)")
    if not new_size or not old_size:
        raise SyscallError(EINVAL, "mremap: a size is 0 (duplicating a shared mapping "
                                   "with old_size 0 is not supported)")
    start, old_end = _range(old, old_size, "mremap")
    new_len = page_up(new_size)
    area = space.vmas.find(start)
    if area is None or old_end > area.end:
        raise SyscallError(EFAULT, f"mremap: [{start:#x}, {old_end:#x}) is not one "
                                   "mapping")
    if flags & MREMAP_FIXED:
        target, target_end = _range(new_address, new_len, "mremap")
        if target < old_end and start < target_end:
            raise SyscallError(EINVAL, "mremap: the new range overlaps the old one")
        space.unmap(target, target_end)
        return _move(space, start, old_end, target, new_len)
    if new_len <= old_end - start:
        space.unmap(start + new_len, old_end)
        return start
    if old_end == area.end and start + new_len <= USER_TOP \
            and space.vmas.is_free(old_end, start + new_len):
        _add(space, old_end, start + new_len, area.prot, area.kind, area.shared)
        return start
    if not flags & MREMAP_MAYMOVE:
        raise SyscallError(ENOMEM, "mremap: cannot grow in place and MREMAP_MAYMOVE is "
                                   "not set")
    target = space.vmas.find_gap(new_len, space.mmap_top, MMAP_MIN)
    if target is None:
        raise SyscallError(ENOMEM, f"mremap: no free range of {new_len} bytes")
    return _move(space, start, old_end, target, new_len)


def _move(space, start: int, end: int, target: int, new_len: int) -> int:
    """Move ``[start, end)`` to ``target`` and make it ``new_len`` long there."""
    area = space.vmas.find(start)
    keep = min(end - start, new_len)
    space.vmas.carve(start, start + keep)
    space.unmap(start + keep, end)
    space.move(start, target, keep)
    if new_len > keep:
        _add(space, target + keep, target + new_len, area.prot, area.kind, area.shared)
    return target


def _add(space, start: int, end: int, prot: int, kind: str, shared: bool) -> None:
    """A new area; a shared one gets its pages now (undone if memory runs out)."""
    space.map(start, end - start, readable=bool(prot & PROT_READ),
              writable=bool(prot & PROT_WRITE), executable=bool(prot & PROT_EXEC),
              kind=kind, shared=shared)
    if shared:
        try:
            space.populate(start, end)
        except OutOfMemory:
            space.unmap(start, end)
            raise


__all__ = ["MADV_DONTNEED", "MADV_FREE", "MAP_ANONYMOUS", "MAP_FIXED", "MAP_FIXED_NOREPLACE",
           "MAP_POPULATE", "MAP_PRIVATE", "MAP_SHARED", "MREMAP_FIXED", "MREMAP_MAYMOVE",
           "madvise", "mmap_anonymous", "mprotect", "mremap", "munmap"]
