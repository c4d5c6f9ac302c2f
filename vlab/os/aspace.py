"""aspace: a process's address space -- VMAs over a real Sv32 page table, with demand
paging, copy-on-write fork, and the kernel's copies to and from user memory.

What it models (Linux mm/memory.c, mm/mmap.c, kernel/fork.c; xv6 kernel/vm.c):

* **Areas and pages.**  The VMAs (``vma.py``) say which ranges may be used and how; the
  Sv32 page table (built in modeled RAM with ``vlab.isa.pagetable``, walked by the
  machine's MMU) says which pages are present.  Frames come from the kernel's
  ``FrameAllocator`` (``frames.py``), charged to the space's memory cgroup ``account``,
  page tables included (cgroup v2's ``memory.stat`` counts them as ``pagetables``).
* **Demand paging.**  Heap, stack and anonymous pages get a frame at their first touch:
  the U-mode access page-faults, the kernel calls ``handle_fault(va, access)``, which
  allocates a zeroed frame if the VMA permits the access (``do_anonymous_page``).
  Simplified: a read fault gets its own zeroed frame, not Linux's shared zero page.
* **Stack growth.**  A fault just below a ``stack`` area grows it down (Linux
  ``expand_stack``), up to ``STACK_LIMIT`` (8 MiB, the default RLIMIT_STACK; ``mmap``
  hands out addresses below that) and never closer than ``STACK_GUARD`` (1 MiB,
  ``stack_guard_gap``) to the area below.
* **Copy-on-write.**  ``fork()`` gives the child a copy of the VMA list and shares every
  present page of a private area: both page tables point at the same frame with W
  cleared and the PTE's first software bit (RSW, bit 8: ``PTE_COW``) set, and the frame's
  reference count goes up (``copy_pte_range``).  A write fault on a COW page
  (``do_wp_page``) copies the frame -- or, if this space holds the last reference, just
  sets W again.  ``MAP_SHARED`` anonymous areas are shared writable instead; they are
  populated when mapped (simplified: Linux backs them with a shmem object and still
  faults lazily).
* **PROT_NONE pages** keep their frame: the PTE has V=0 (hardware then ignores every
  other bit, privileged spec sec. 4.3.1) but keeps the PPN and the COW bit, so a later
  ``mprotect`` restores the page.
* **The kernel's user copies.**  ``read`` (copy_from_user) and ``write``
  (copy_to_user) check the VMAs -- an address outside, or without the permission a user
  access would need, is EFAULT -- and fault pages in as the hardware would
  (``write`` breaks copy-on-write first).  ``write`` checks every page before it writes
  a byte.  ``load`` is the ELF loader's write: it ignores the protection (text is R-X).
* **TLB shootdown.**  After changing a PTE that might be cached, the space calls
  ``fence(code)``: ``code`` is True when an executable mapping changed or went away, so
  the machine must also forget predecoded and translated code (``Machine.sfence_vma``);
  False when a TLB flush suffices (``Machine.flush_tlb``).  ``machine_fence(machine)``
  builds that callable; the kernel sets it once on the ``FrameAllocator``
  (``frames.fence``) and every space on it uses it.  Adding a mapping needs no fence (a
  TLB caches no invalid entries).
* **ASID.**  ``satp`` is MODE=Sv32 | ASID | root PPN.  The hart implements no ASID bits
  (vlab/isa/csr.py: the ASID field reads 0, which the spec allows, sec. 4.1.11), so
  ``asid`` is 0 and writing another space's satp flushes the TLB (vlab/isa/mmu.py); the
  predecoded and translated code is kept per satp (vlab/isa/context.py) and survives a
  switch.  So a dead space's code may stay cached under its satp: ``destroy`` records
  its root frame as *retired* (``frames.retired_roots``) instead of flushing, and a new
  space whose root is a retired one fences with ``code=True`` before it is used -- the
  role of ASID generations in Linux's ``arch/riscv/mm/context.c``.  Any ``code=True``
  fence forgets every retired root.

Out of memory.  ``handle_fault``, ``write`` and ``fork`` may raise ``OutOfMemory``
(``frames.py``: a SyscallError with ENOMEM and the ``account`` that refused).  A system
call then returns -ENOMEM; the page-fault path should OOM-kill (memory cgroup's
``memory.events`` oom/oom_kill).
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
    make_pte,
    pte_pa,
)

from . import mman
from .errno import EFAULT, SyscallError
from .frames import OutOfMemory
from .vma import (
    MMAP_MIN,
    PROT_EXEC,
    PROT_READ,
    PROT_WRITE,
    STACK_GAP,
    USER_TOP,
    Vma,
    VmaList,
    page_down,
    page_up,
)

PTE_COW = 1 << 8                # RSW bit 0: "copy this page before writing it"
STACK_LIMIT = STACK_GAP         # the stack grows to 8 MiB (RLIMIT_STACK's default)
STACK_GUARD = 256 * PAGE        # and stays 1 MiB above the next area (stack_guard_gap)
ACCESS = ("r", "w", "x")
NEEDS = {"r": PROT_READ | PROT_WRITE, "w": PROT_WRITE, "x": PROT_EXEC}  # W implies R
ACCESS_OF_CAUSE = {12: "x", 13: "r", 15: "w"}   # page-fault causes (priv. spec table 3.6)


def machine_fence(machine):
    """The ``fence(code)`` a kernel running on ``machine`` gives its spaces."""
    def fence(code: bool) -> None:
        if code:
            machine.sfence_vma()
        else:
            machine.flush_tlb()
    return fence


def _no_fence(code: bool) -> None:
    """No machine (unit tests of the data structure alone): nothing is cached."""


class AddressSpace:
    """One user address space: VMAs, an Sv32 page table, its frames (module docstring).

    ``frames``: the kernel's FrameAllocator; ``account``: the memory cgroup charged for
    this space's new frames (None: nobody); ``fence``: see the module docstring (default:
    ``frames.fence`` if the kernel set one)."""

    def __init__(self, frames, account=None, *, fence=None):
        self.frames, self.account = frames, account
        self.bus = frames.bus
        self.fence = fence or getattr(frames, "fence", None) or _no_fence
        self.table_frames: list[int] = []
        self.vmas = VmaList()
        self.pages: dict[int, int] = {}          # page address -> frame (present pages)
        self.brk_start = self.brk = self.brk_limit = 0
        self.mmap_top = USER_TOP - STACK_GAP
        self.asid = 0
        self.exe = ""                            # the program's path, for maps()
        self.destroyed = False
        self.faults = {"demand_zero": 0, "cow_copy": 0, "cow_reuse": 0, "spurious": 0}
        self.table = PageTable(self.bus, self._alloc_table)
        if self.table.root in frames.retired_roots:     # its satp may still be cached
            self._fence(True)

    def _fence(self, code: bool) -> None:
        """Tell the machine a live mapping changed (see the module docstring)."""
        self.fence(code)
        if code:
            self.frames.retired_roots.clear()           # every cached context is gone

    # ------------------------------------------------------------ the page table
    @property
    def satp(self) -> int:
        """MODE = Sv32, ASID (0: see the module docstring), PPN = the root table's."""
        return self.table.atp | self.asid << 22

    @property
    def vm_size(self) -> int:
        """Bytes of all areas (VmSize in /proc/<pid>/status), present or not."""
        return sum(area.length for area in self.vmas)

    @property
    def rss_pages(self) -> int:
        """Pages present in memory (VmRSS / 4 KiB), shared ones included."""
        return len(self.pages)

    def _alloc_table(self, nbytes: int = PAGE) -> int:
        pa = self.frames.alloc(self.account)
        self.table_frames.append(pa)
        return pa

    def _slot(self, page: int, create: bool = False) -> int | None:
        """Where the level-0 PTE of ``page`` lives (xv6 ``walk``); the level-0 table is
        made when ``create`` (else None if it does not exist)."""
        top_addr = self.table.root + (page >> 22) * 4
        top = self.bus.load(top_addr, 4)
        if not top & PTE_V:
            if not create:
                return None
            top = make_pte(self._alloc_table(), PTE_V)      # a pointer: R=W=X=0
            self.bus.store(top_addr, 4, top)
            self.table.tables += 1
        return pte_pa(top) + (page >> 12 & 0x3FF) * 4

    def pte(self, page: int) -> int:
        """The raw level-0 PTE of ``page`` (0 if none), V=0 ones included."""
        slot = self._slot(page)
        return self.bus.load(slot, 4) if slot is not None else 0

    def _set_pte(self, page: int, pte: int) -> None:
        self.bus.store(self._slot(page, create=True), 4, pte)

    @staticmethod
    def _leaf(vma: Vma, pa: int, cow: bool) -> int:
        """The PTE for a present page of ``vma``: U, A and D set (nothing for the MMU to
        write back), R/W/X from the protection (W implies R; COW withholds W)."""
        prot = vma.prot
        flags = PTE_COW if cow else 0
        if prot:
            flags |= PTE_V | PTE_U | PTE_A | PTE_D
            flags |= PTE_R if prot & (PROT_READ | PROT_WRITE) else 0
            flags |= PTE_W if prot & PROT_WRITE and not cow else 0
            flags |= PTE_X if prot & PROT_EXEC else 0
        return make_pte(pa, flags)

    def _install(self, page: int, pa: int, vma: Vma, cow: bool = False) -> None:
        self._set_pte(page, self._leaf(vma, pa, cow))
        self.pages[page] = pa

    def _new_page(self, page: int, vma: Vma) -> None:
        """A zeroed frame at ``page``; its table is made first, so running out of memory
        on either leaves nothing half done."""
        self._slot(page, create=True)
        self._install(page, self.frames.alloc(self.account), vma)

    def _drop(self, page: int) -> bool:
        """Unmap one present page and drop its frame reference; was it executable?"""
        pa = self.pages.pop(page)
        old = self.pte(page)
        self.bus.store(self._slot(page), 4, 0)
        self.frames.unref(pa)
        return bool(old & PTE_X)

    def _present(self, start: int, end: int) -> list[int]:
        """The present pages in ``[start, end)``, in order."""
        if (end - start) // PAGE > len(self.pages):
            return sorted(p for p in self.pages if start <= p < end)
        return [p for p in range(start, end, PAGE) if p in self.pages]

    # ------------------------------------------------------------ page faults
    def handle_fault(self, va: int, access: str) -> bool:
        """A U-mode access ``access`` ('r', 'w', 'x') to ``va`` faulted.  True: resolved
        (demand-zero page, copy-on-write, or a stale TLB entry) -- re-run the
        instruction; False: a true fault (SIGSEGV).  May raise OutOfMemory."""
        if access not in NEEDS:
            raise ValueError(f"access must be one of {ACCESS}, not {access!r}")
        vma = self._area(va)
        if vma is None or not vma.prot & NEEDS[access]:
            return False
        page = page_down(va)
        pa = self.pages.get(page)
        if pa is None:                                   # first touch: demand zero
            self._new_page(page, vma)
            self.faults["demand_zero"] += 1
            return True
        pte = self.pte(page)
        if access == "w" and pte & PTE_COW:
            self._break_cow(page, pa, vma)
            return True
        wanted = self._leaf(vma, pa, bool(pte & PTE_COW))
        if pte != wanted:                                # repair (never expected)
            self._set_pte(page, wanted)
        self.faults["spurious"] += 1                     # a stale TLB entry
        self._fence(bool(pte & PTE_X))
        return True

    def _area(self, va: int) -> Vma | None:
        """The area holding ``va`` -- after growing the stack down to it if ``va`` lies
        just below a stack area (Linux ``expand_stack``): the stack may reach
        ``STACK_LIMIT`` bytes and must keep ``STACK_GUARD`` bytes from the area below
        (``stack_guard_gap``)."""
        if self.destroyed or not 0 <= va < USER_TOP:
            return None
        vma = self.vmas.find(va)
        if vma is not None:
            return vma
        above = next((a for a in self.vmas if a.start > va), None)
        if above is None or above.kind != "stack" or above.end - page_down(va) > STACK_LIMIT:
            return None
        start = page_down(va)
        if not self.vmas.is_free(max(0, start - STACK_GUARD), above.start):
            return None
        above.start = start
        return above

    def _break_cow(self, page: int, pa: int, vma: Vma) -> None:
        """``do_wp_page``: the last reference keeps the frame, others copy it."""
        if self.frames.refcount(pa) == 1:
            self._install(page, pa, vma)
            self.faults["cow_reuse"] += 1
        else:
            new = self.frames.alloc(self.account)
            self.bus.write_bytes(new, self.bus.read_bytes(pa, PAGE))
            self.frames.charge("page_copy")
            self._install(page, new, vma)
            self.frames.unref(pa)
            self.faults["cow_copy"] += 1
        self._fence(bool(vma.prot & PROT_EXEC))

    def _fault_in(self, page: int, access: str) -> int:
        """The frame of ``page`` ready for ``access`` by the kernel (get_user_pages)."""
        pa = self.pages.get(page)
        if pa is None or access == "w" and self.pte(page) & PTE_COW:
            if not self.handle_fault(page, access):
                raise SyscallError(EFAULT, f"{page:#x} cannot be faulted in")
            pa = self.pages[page]
        return pa

    # ------------------------------------------------------------ kernel copies
    def _chunks(self, va: int, n: int, access: str | None):
        """[va, va+n) split at pages, every page checked against the VMAs first: EFAULT
        names the first address the program may not ``access`` (None: the loader)."""
        if n < 0 or va < 0 or va + n > USER_TOP:
            raise SyscallError(EFAULT, f"[{va:#x}, {va + n:#x}) is outside user memory "
                                       f"[0, {USER_TOP:#x})")
        chunks = []
        while n > 0:
            length = min(n, PAGE - (va & (PAGE - 1)))
            vma = self._area(va)
            if vma is None:
                raise SyscallError(EFAULT, f"{va:#x} is not mapped")
            if access is not None and not vma.prot & NEEDS[access]:
                kind = {"r": "readable", "w": "writable"}[access]
                raise SyscallError(EFAULT, f"{va:#x} is not {kind} by the program "
                                           f"(its area is {vma.perms})")
            chunks.append((va, length))
            va, n = va + length, n - length
        return chunks

    def read(self, va: int, n: int) -> bytes:
        """copy_from_user: ``n`` bytes at ``va`` (EFAULT if the program could not read
        them); untouched pages are faulted in."""
        out = bytearray()
        for chunk, length in self._chunks(va, n, "r"):
            pa = self._fault_in(page_down(chunk), "r")
            out += self.bus.read_bytes(pa + (chunk & (PAGE - 1)), length)
        return bytes(out)

    def write(self, va: int, data: bytes) -> None:
        """copy_to_user: every page is checked writable before a byte is written; then
        each is faulted in and copy-on-write broken, as a user store would."""
        self._store(va, data, "w")

    def load(self, va: int, data: bytes) -> None:
        """The ELF loader's write: fills pages of any protection (text is R-X)."""
        self._store(va, data, None)

    def _store(self, va: int, data: bytes, access: str | None) -> None:
        done = 0
        for chunk, length in self._chunks(va, len(data), access):
            page = page_down(chunk)
            if access is None and page not in self.pages:    # the loader: any protection
                self._new_page(page, self.vmas.find(page))
            pa = self._fault_in(page, "w" if access else "r")
            if access is None and self.pte(page) & PTE_COW:
                self._break_cow(page, pa, self.vmas.find(page))
                pa = self.pages[page]
            self.bus.write_bytes(pa + (chunk & (PAGE - 1)), bytes(data[done:done + length]))
            done += length

    def writable_prefix(self, va: int, n: int) -> int:
        """How many of the ``n`` bytes at ``va`` the program could store to: the run of
        writable areas from ``va`` (0 if ``va`` is not writable)."""
        done = 0
        while done < n:
            vma = self._area(va + done)
            if vma is None or not vma.prot & PROT_WRITE:
                break
            done = min(n, vma.end - va)
        return done

    # ------------------------------------------------------------ areas
    def map(self, va: int, size: int, readable: bool = True, writable: bool = True,
            executable: bool = False, kind: str | None = None, shared: bool = False) -> None:
        """Make ``[va, va+size)`` (rounded out to pages) usable -- the loader's call
        (``exec.py``).  Parts already mapped get the union of the protections (two ELF
        segments sharing a page); new parts become an area of ``kind`` (default: text if
        executable, else data).  Pages come on demand."""
        start, end = page_down(va), page_up(va + size)
        prot = (PROT_READ if readable else 0) | (PROT_WRITE if writable else 0) | \
            (PROT_EXEC if executable else 0)
        kind = kind or ("text" if executable else "data")
        for area in self.vmas.carve(start, end):
            if area.prot | prot != area.prot:
                self._reprotect(area, area.prot | prot)
        at = start
        for area in self.vmas.overlapping(start, end) + [Vma(end, end, 0)]:
            if area.start > at:
                self.vmas.insert(Vma(at, area.start, prot, kind, shared))
            at = max(at, area.end)
        self.vmas.merge()

    def _reprotect(self, area: Vma, prot: int) -> bool:
        """Give ``area`` protection ``prot`` and rewrite its present PTEs; True if an
        executable mapping changed."""
        code = bool((area.prot | prot) & PROT_EXEC)
        area.prot = prot
        for page in self._present(area.start, area.end):
            cow = bool(self.pte(page) & PTE_COW)
            self._set_pte(page, self._leaf(area, self.pages[page], cow))
        return code

    def unmap(self, start: int, end: int) -> None:
        """Remove every area and page in the page-aligned ``[start, end)``."""
        self.vmas.remove(start, end)
        code = False
        for page in self._present(start, end):
            code |= self._drop(page)
        self._fence(code)

    def protect(self, start: int, end: int, prot: int) -> None:
        """Set the protection of every area in ``[start, end)`` (all mapped)."""
        code = False
        for area in self.vmas.carve(start, end):
            code |= self._reprotect(area, prot)
        self.vmas.merge()
        self._fence(code)

    def discard(self, start: int, end: int) -> None:
        """MADV_DONTNEED: drop the private pages of ``[start, end)``; the next touch
        gets zeros.  Shared areas keep theirs (they have no other copy here)."""
        code = False
        for page in self._present(start, end):
            vma = self.vmas.find(page)
            if vma is not None and not vma.shared:
                code |= self._drop(page)
        self._fence(code)

    def populate(self, start: int, end: int) -> None:
        """Fault every page of ``[start, end)`` in now (MAP_POPULATE, shared areas)."""
        for page in range(start, end, PAGE):
            vma = self.vmas.find(page)
            if page not in self.pages and vma is not None:
                self._new_page(page, vma)

    def move(self, old: int, new: int, length: int) -> None:
        """Move the area at ``[old, old+length)`` (one VMA) and its pages to ``new``
        (mremap with MREMAP_MAYMOVE): the frames move, nothing is copied."""
        (area,) = self.vmas.remove(old, old + length)
        code = bool(area.prot & PROT_EXEC)
        moved = Vma(new, new + length, area.prot, area.kind, area.shared)
        self.vmas.insert(moved)
        for page in self._present(old, old + length):
            pte = self.pte(page)
            self.bus.store(self._slot(page), 4, 0)
            pa = self.pages.pop(page)
            self._set_pte(page - old + new, pte)
            self.pages[page - old + new] = pa
        self.vmas.merge()
        self._fence(code)

    def vma_list(self) -> list[Vma]:
        """Copies of the areas, in address order (for /proc/<pid>/maps)."""
        return [Vma(a.start, a.end, a.prot, a.kind, a.shared) for a in self.vmas]

    def maps(self) -> str:
        """The text of /proc/<pid>/maps (proc(5)), one line per area; text and data are
        named by ``exe``, the program's path (set by exec; empty: no name)."""
        return "".join(a.maps_line(self.exe) + "\n" for a in self.vmas)

    # ------------------------------------------------------------ the system calls
    def mmap_anonymous(self, addr: int, length: int, prot: int, flags: int) -> int:
        """mmap(2) of anonymous memory (``mman.py``): the mapping's address."""
        return mman.mmap_anonymous(self, addr, length, prot, flags)

    def munmap(self, addr: int, length: int) -> int:
        """munmap(2): 0, or SyscallError (``mman.py``)."""
        return mman.munmap(self, addr, length)

    def mprotect(self, addr: int, length: int, prot: int) -> int:
        """mprotect(2): 0, or SyscallError (``mman.py``)."""
        return mman.mprotect(self, addr, length, prot)

    def madvise(self, addr: int, length: int, advice: int) -> int:
        """madvise(2): 0, or SyscallError (``mman.py``)."""
        return mman.madvise(self, addr, length, advice)

    def mremap(self, old: int, old_size: int, new_size: int, flags: int,
               new_address: int = 0) -> int:
        """mremap(2): the mapping's new address (``mman.py``)."""
        return mman.mremap(self, old, old_size, new_size, flags, new_address)

    # ------------------------------------------------------------ the heap
    def set_heap(self, start: int, limit: int) -> None:
        """exec: the heap starts (empty) at ``start`` and may grow up to ``limit``."""
        self.brk_start = self.brk = page_up(start)
        self.brk_limit = limit

    def set_brk(self, address: int) -> int:
        """brk(2) as Linux does it: the new break, or the old one when ``address`` is 0,
        outside [brk_start, brk_limit], or would run into another mapping."""
        if not self.brk_start <= address <= self.brk_limit:
            return self.brk
        old_top, new_top = page_up(self.brk), page_up(address)
        if new_top > old_top:
            if not self.vmas.is_free(old_top, new_top):
                return self.brk
            self.vmas.insert(Vma(old_top, new_top, PROT_READ | PROT_WRITE, "heap"))
            self.vmas.merge()
        elif new_top < old_top:
            self.unmap(new_top, old_top)
        self.brk = address
        return self.brk

    # ------------------------------------------------------------ fork, destroy
    def fork(self, account=None) -> AddressSpace:
        """A copy-on-write child (module docstring), charged to ``account`` (default:
        this space's).  On OutOfMemory nothing of the child is left."""
        child = AddressSpace(self.frames, self.account if account is None else account,
                             fence=self.fence)
        child.vmas = self.vmas.copy()
        child.brk_start, child.brk, child.brk_limit = self.brk_start, self.brk, self.brk_limit
        child.mmap_top, child.exe = self.mmap_top, self.exe
        try:
            for page, pa in self.pages.items():
                pte = self.pte(page)
                if not self.vmas.find(page).shared and not pte & PTE_COW:
                    pte = (pte | PTE_COW) & ~PTE_W
                    self.bus.store(self._slot(page), 4, pte)
                child._set_pte(page, pte)
                child.pages[page] = pa
                self.frames.ref(pa)
        except OutOfMemory:
            child.destroy()
            raise
        finally:
            self._fence(False)                     # W went away in this table
        return child

    def destroy(self) -> None:
        """Give every frame back (pages, then the tables); the cgroup is uncharged by
        the allocator as the last reference of each goes.  Idempotent."""
        if self.destroyed:
            return
        for pa in self.pages.values():
            self.frames.unref(pa)
        for pa in self.table_frames:
            self.frames.unref(pa)
        self.pages.clear()
        self.table_frames.clear()
        self.vmas = VmaList()
        self.destroyed = True
        self.frames.retired_roots.add(self.table.root)

    def __repr__(self) -> str:
        return (f"<AddressSpace satp={self.satp:#010x} areas={len(self.vmas)} "
                f"rss={self.rss_pages}{' destroyed' if self.destroyed else ''}>")


__all__ = ["ACCESS_OF_CAUSE", "MMAP_MIN", "PTE_COW", "USER_TOP", "AddressSpace",
           "machine_fence"]
