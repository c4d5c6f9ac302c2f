"""vm: a user process's address space, as the kernel builds and accesses it.

Two kinds, chosen when the program is loaded (see ``exec.py``):

* ``FlatSpace`` -- paging off (``satp`` = Bare): a virtual address *is* a physical one.
  The program must be linked inside RAM, above the kernel's area (the first
  ``KERNEL_AREA`` bytes of RAM).  No protection between user and kernel memory (PMP is
  not modeled): the simplification of riscv-pk without virtual memory.
* ``Sv32Space`` -- paging on: a real two-level Sv32 page table in modeled RAM (privileged
  spec sec. 4.3), built with the machine's one page-table builder (``vlab.isa.pagetable``
  ``PageTable``, xv6's ``walk``/``mappages``): a root table of 1024 PTEs, second-level
  tables allocated on demand, one 4 KiB frame per user page, leaf PTEs with U=1, A=D=1
  and R/W/X from the ELF segment flags.  Tables and frames come from one bump allocator
  over RAM (never freed: a process lives for one run).

Both give the kernel ``read``/``write`` of user memory that fail with EFAULT on an address
the program may not use -- the kernel's ``copy_from_user``/``copy_to_user``.  Under Sv32
they obey the page permissions a user load or store would (R for ``read``, W for
``write``): a ``read()`` system call into a read-only text page fails with EFAULT, as on
Linux, instead of patching the code.  ``writable_prefix`` says how much of a buffer the
kernel may write, so ``read()`` checks the buffer *before* it consumes input; ``load`` is
the loader's write (``exec.py``), which fills read-only pages as the kernel sets them up.
"""

from __future__ import annotations

from vlab.isa.pagetable import (
    PAGE,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_V,
    PTE_W,
    PTE_X,
    PageTable,
    leaf_pa,
)

from .errno import EFAULT, ENOMEM, SyscallError

KERNEL_AREA = 4 << 20          # RAM reserved for the kernel when paging is off


def page_down(addr: int) -> int:
    return addr & ~(PAGE - 1)


def page_up(addr: int) -> int:
    return (addr + PAGE - 1) & ~(PAGE - 1)


class FlatSpace:
    """Paging off: user virtual addresses are RAM physical addresses."""

    satp = 0

    def __init__(self, bus):
        self.bus = bus
        self.low = bus.ram.base + KERNEL_AREA
        self.high = bus.ram.base + bus.ram.size

    def _check(self, va: int, n: int) -> None:
        if not (self.low <= va and va + n <= self.high):
            raise SyscallError(EFAULT, f"[{va:#x}, {va + n:#x}) is outside user memory "
                                       f"[{self.low:#x}, {self.high:#x})")

    def map(self, va: int, size: int, readable=True, writable=True, executable=False) -> None:
        """Nothing to build; the range must lie in user RAM.  It is cleared to zero."""
        self._check(va, size)
        self.bus.write_bytes(va, bytes(size))

    def read(self, va: int, n: int) -> bytes:
        self._check(va, n)
        return self.bus.read_bytes(va, n)

    def write(self, va: int, data: bytes) -> None:
        self._check(va, len(data))
        self.bus.write_bytes(va, bytes(data))

    load = write          # no permissions with paging off: the loader writes like anyone

    def writable_prefix(self, va: int, n: int) -> int:
        """How many of the ``n`` bytes at ``va`` lie in user memory (0 if ``va`` does not)."""
        if not self.low <= va < self.high:
            return 0
        return max(0, min(n, self.high - va))


class Sv32Space:
    """Paging on: an Sv32 page table in RAM mapping each user page to its own frame."""

    def __init__(self, bus, frame_base: int | None = None):
        self.bus = bus
        ram = bus.ram
        self.next_frame = page_up(ram.base if frame_base is None else frame_base)
        self.frame_limit = ram.base + ram.size
        self.frames_used = 0
        self.table = PageTable(bus, self._alloc_frame)     # the root is the first frame

    @property
    def satp(self) -> int:
        """MODE=Sv32, ASID=0, PPN = the root table's physical page number."""
        return self.table.atp

    def _alloc_frame(self, nbytes: int = PAGE) -> int:
        """A zeroed physical frame (for a page table or a user page), bump-allocated."""
        if self.next_frame + PAGE > self.frame_limit:
            raise SyscallError(ENOMEM, "out of physical frames (enlarge the RAM)")
        frame = self.next_frame
        self.next_frame += PAGE
        self.frames_used += 1
        self.bus.write_bytes(frame, bytes(PAGE))
        return frame

    def map(self, va: int, size: int, readable=True, writable=True, executable=False) -> None:
        """Map every page of [va, va+size) to a fresh zeroed frame (existing pages kept)."""
        flags = PTE_V | PTE_U | PTE_A | PTE_D
        flags |= (PTE_R if readable else 0) | (PTE_W if writable else 0)
        flags |= PTE_X if executable else 0
        for page in range(page_down(va), page_up(va + size), PAGE):
            found = self.table.lookup(page)
            if found is not None:           # shared page of two segments: widen permissions
                self.table.map(page, found.pa, found.pte | flags)
            else:
                self.table.map(page, self._alloc_frame(), flags)

    def translate(self, va: int, needs: int = 0) -> int:
        """The physical address of user address ``va``: EFAULT if it is not mapped, or if
        its leaf PTE lacks a permission bit of ``needs`` (PTE_R, PTE_W: what a user load or
        store would need)."""
        found = self.table.lookup(va) if 0 <= va < 1 << 32 else None
        if found is None:
            raise SyscallError(EFAULT, f"{va:#x} is not mapped")
        if found.pte & needs != needs:
            kind = "writable" if needs & PTE_W else "readable"
            raise SyscallError(EFAULT, f"{va:#x} is not {kind} by the program (its page "
                                       f"table entry lacks the {kind[0].upper()} bit)")
        return leaf_pa(found.pte, found.level, va)

    def read(self, va: int, n: int) -> bytes:
        out = bytearray()
        for chunk_va, chunk_n in _page_chunks(va, n):
            out += self.bus.read_bytes(self.translate(chunk_va, PTE_R), chunk_n)
        return bytes(out)

    def write(self, va: int, data: bytes) -> None:
        self._store(va, data, PTE_W)

    def load(self, va: int, data: bytes) -> None:
        """The loader's write: fills pages whatever their permissions (text is R-X)."""
        self._store(va, data, 0)

    def _store(self, va: int, data: bytes, needs: int) -> None:
        done = 0
        for chunk_va, chunk_n in _page_chunks(va, len(data)):
            self.bus.write_bytes(self.translate(chunk_va, needs),
                                 bytes(data[done:done + chunk_n]))
            done += chunk_n

    def writable_prefix(self, va: int, n: int) -> int:
        """How many of the ``n`` bytes at ``va`` the program could store to: the length
        of the run of mapped, writable pages from ``va`` (0 if the first is not)."""
        done = 0
        try:
            for chunk_va, chunk_n in _page_chunks(va, n):
                self.translate(chunk_va, PTE_W)
                done += chunk_n
        except SyscallError:
            pass
        return done


def _page_chunks(va: int, n: int):
    """Split [va, va+n) at page boundaries: (address, length) pieces."""
    if va < 0 or va + n > 1 << 32:
        raise SyscallError(EFAULT, f"{va:#x}+{n} is outside the 32-bit address space")
    while n > 0:
        length = min(n, PAGE - (va & (PAGE - 1)))
        yield va, length
        va, n = va + length, n - length
