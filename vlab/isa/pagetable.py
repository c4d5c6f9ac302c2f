"""Sv32 page tables: the PTE format, one pure walk, and a builder for kernels and tests.

Sources: RISC-V Privileged Architecture (20211203) sec. 4.3.1 "Addressing and Memory
Protection" (the Sv32 PTE of Figure 4.18), sec. 4.3.2 "Virtual Address Translation
Process" (the algorithm ``walk`` follows step by step) and sec. 8.5.1 "Guest Physical
Address Translation" (Sv32x4, the G-stage of the H extension).

A PTE, bit by bit (Figure 4.18)::

    31          20 19        10 9  8 7 6 5 4 3 2 1 0
    |  PPN[1] 12  |  PPN[0] 10 | RSW |D|A|G|U|X|W|R|V|

V=0, or W without R, is invalid.  R=W=X=0 means "pointer to the next level"; otherwise
the PTE is a *leaf* -- at level 1 a 4 MiB megapage, which must have PPN[0] = 0.

One walk serves every translation stage, with the *scheme* as a parameter:

* ``SV32``: a 32-bit virtual address, VPN[1] and VPN[0] of 10 bits, a 4 KiB root table;
* ``SV32X4``: a 34-bit guest-physical address; VPN[1] has 2 extra bits (12 bits), so the
  root table is 16 KiB (4096 PTEs, 16 KiB aligned); every leaf must have U=1, since
  G-stage accesses are checked as U-mode accesses; faults are *guest-page* faults
  (causes 20, 21, 23).

The walk is pure: it reads PTEs through a callable ``read_u32(pa)`` and reports what it
did -- every PTE address it read, in order -- instead of writing anything back.  Setting
the A and D bits (hardware "Svadu" update) is the caller's decision: the MMU does it
(vlab/isa/mmu.py), a shadow-paging VMM may do it differently.

``PageTable`` builds tables in memory from Python, as xv6's ``kernel/vm.c`` does with
``walk`` and ``mappages``: ``map``, ``map_range``, ``unmap``, ``lookup``.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.host.memory import AccessFault

PAGE = 4096
MEGAPAGE = PAGE << 10          # a level-1 leaf maps 1024 pages (4 MiB)
PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
FLAG_LETTERS = {'v': PTE_V, 'r': PTE_R, 'w': PTE_W, 'x': PTE_X, 'u': PTE_U, 'g': PTE_G,
                'a': PTE_A, 'd': PTE_D}
FETCH, LOAD, STORE = 0, 1, 2
U_MODE, S_MODE = 0, 1
ACCESS_FAULT = {FETCH: 1, LOAD: 5, STORE: 7}
PAGE_FAULT = {FETCH: 12, LOAD: 13, STORE: 15}
GUEST_PAGE_FAULT = {FETCH: 20, LOAD: 21, STORE: 23}
ATP_MODE_ON = 1 << 31          # satp.MODE = Sv32, hgatp.MODE = Sv32x4 (RV32: one bit)


@dataclass(frozen=True)
class Scheme:
    """One translation scheme: how wide the address is and how it splits."""

    name: str
    va_bits: int               # width of the address being translated
    vpn1_bits: int             # bits of VPN[1] (the root table has 2**vpn1_bits PTEs)
    page_fault: dict           # access -> cause of a page fault of this stage
    leaf_needs_u: bool         # G-stage: every leaf must be a user page

    @property
    def root_size(self) -> int:
        """Bytes of the root table (also its required alignment)."""
        return 4 << self.vpn1_bits

    def vpn(self, va: int, level: int) -> int:
        if level:
            return (va >> 22) & ((1 << self.vpn1_bits) - 1)
        return (va >> 12) & 0x3FF


SV32 = Scheme('Sv32', 32, 10, PAGE_FAULT, False)
SV32X4 = Scheme('Sv32x4', 34, 12, GUEST_PAGE_FAULT, True)


@dataclass(frozen=True)
class Walk:
    """What one walk found.  ``fault`` is None or the cause to raise; ``refs`` are the
    physical addresses of the PTEs read, in order (the memory references it made)."""

    va: int
    pa: int | None
    pte: int                   # the leaf PTE (0 when no leaf was reached)
    pte_addr: int | None       # address of the leaf PTE (where A/D are written)
    level: int                 # 1: megapage, 0: 4 KiB page
    fault: int | None
    refs: tuple[int, ...]


def pte_flags(spec: str) -> int:
    """'rwxu' -> PTE_V | PTE_R | PTE_W | PTE_X | PTE_U (V is always set)."""
    try:
        return PTE_V | sum({FLAG_LETTERS[c] for c in spec.lower()})
    except KeyError as e:
        raise ValueError(f'unknown PTE flag {e.args[0]!r} in {spec!r}; '
                         f'use letters of {"".join(FLAG_LETTERS)}') from None


def make_pte(pa: int, flags: int) -> int:
    """A PTE pointing at physical address ``pa`` (its page number) with ``flags``."""
    return (pa >> 12) << 10 | flags


def pte_pa(pte: int) -> int:
    """The physical address of the page (or table) a PTE points at."""
    return (pte >> 10) << 12


def leaf_pa(pte: int, level: int, va: int) -> int:
    """The physical address ``va`` translates to through leaf ``pte`` at ``level``."""
    if level:
        return ((pte >> 20) << 22) | (va & 0x3FFFFF)
    return pte_pa(pte) | (va & 0xFFF)


def permitted(pte: int, access: int, priv: int, sum_: bool = False,
              mxr: bool = False) -> bool:
    """Step 5 of sec. 4.3.2: may privilege ``priv`` do ``access`` through leaf ``pte``?
    (MXR makes executable pages readable; SUM lets S-mode load/store user pages.)"""
    if access == FETCH:
        ok = pte & PTE_X
    elif access == LOAD:
        ok = pte & PTE_R or (mxr and pte & PTE_X)
    else:
        ok = pte & PTE_W
    if ok:
        if priv == U_MODE:
            ok = pte & PTE_U
        elif pte & PTE_U:                                # S-mode touching a user page
            ok = access != FETCH and sum_
    return bool(ok)


def walk(read_u32, root_ppn: int, va: int, access: int, priv: int = U_MODE,
         sum_: bool = False, mxr: bool = False, scheme: Scheme = SV32) -> Walk:
    """The translation process of sec. 4.3.2 (and 8.5.1 for ``SV32X4``), without side
    effects: ``read_u32(pa)`` reads one PTE (it may raise AccessFault: an access fault).
    The A/D check of step 7 is left to the caller (see the module docstring).  A G-stage
    walk checks permissions as a U-mode access, as the spec requires."""
    if va >> scheme.va_bits:
        return Walk(va, None, 0, None, 0, scheme.page_fault[access], ())
    if scheme.leaf_needs_u:
        priv, sum_ = U_MODE, False
    refs: list[int] = []
    table = root_ppn << 12
    for level in (1, 0):
        pte_addr = table + scheme.vpn(va, level) * 4
        refs.append(pte_addr)
        try:
            pte = read_u32(pte_addr)
        except AccessFault:
            return Walk(va, None, 0, None, level, ACCESS_FAULT[access], tuple(refs))
        if not pte & PTE_V or (pte & PTE_W and not pte & PTE_R):
            return Walk(va, None, 0, None, level, scheme.page_fault[access], tuple(refs))
        if pte & (PTE_R | PTE_X):
            break
        table = pte_pa(pte)
    else:                                                # a level-0 PTE is a pointer
        return Walk(va, None, 0, None, 0, scheme.page_fault[access], tuple(refs))
    misaligned_mega = level == 1 and (pte >> 10) & 0x3FF
    if misaligned_mega or not permitted(pte, access, priv, sum_, mxr):
        return Walk(va, None, pte, pte_addr, level, scheme.page_fault[access], tuple(refs))
    return Walk(va, leaf_pa(pte, level, va), pte, pte_addr, level, None, tuple(refs))


class PoolAllocator:
    """Hands out page-table memory from ``[pool, pool + size)``, bump style (never freed).
    ``alloc(nbytes)`` returns an ``nbytes``-aligned address (``nbytes`` a power of two)."""

    def __init__(self, pool: int, size: int):
        if pool & 0xFFF:
            raise ValueError(f'page-table pool {pool:#x} must be 4 KiB aligned')
        self.next, self.end = pool, pool + size

    def __call__(self, nbytes: int = PAGE) -> int:
        start = (self.next + nbytes - 1) & -nbytes
        if start + nbytes > self.end:
            raise MemoryError('page-table pool exhausted; pass a larger pool_size')
        self.next = start + nbytes
        return start


@dataclass(frozen=True)
class Lookup:
    """A mapping found by ``PageTable.lookup``: the leaf, where it lives, its level."""

    pte: int
    pte_addr: int
    level: int

    @property
    def pa(self) -> int:
        return pte_pa(self.pte)


class PageTable:
    """Build page tables of ``scheme`` in ``memory`` (an object with ``load(pa, 4)``,
    ``store(pa, 4, v)`` and ``write_bytes(pa, data)``: the Bus).  ``alloc(nbytes)``
    returns zeroable, ``nbytes``-aligned physical memory for tables (a PoolAllocator, or
    a kernel's frame allocator).  After changing a live mapping the kernel must execute
    SFENCE.VMA (``Machine.sfence_vma()``)::

        pt = PageTable(machine.bus, PoolAllocator(0x8010_0000, 64 * 4096))
        pt.map(0x0001_0000, 0x8000_0000, 'rwxu')           # one 4 KiB page
        pt.map(0x4000_0000, 0x8040_0000, 'rw', level=1)     # a 4 MiB megapage
        machine.csr['satp'] = pt.atp
    """

    def __init__(self, memory, alloc, scheme: Scheme = SV32):
        self.memory, self.alloc, self.scheme = memory, alloc, scheme
        self.root = self._new_table(scheme.root_size)
        self.tables = 1                                  # tables allocated (statistics)

    @property
    def atp(self) -> int:
        """The satp (Sv32) or hgatp (Sv32x4) value naming this table: MODE on, root PPN."""
        return ATP_MODE_ON | (self.root >> 12)

    satp = atp

    def _new_table(self, nbytes: int = PAGE) -> int:
        table = self.alloc(nbytes)
        if table & (nbytes - 1):
            raise ValueError(f'page table at {table:#x} is not {nbytes}-byte aligned')
        self.memory.write_bytes(table, bytes(nbytes))
        return table

    def _slot(self, va: int, level: int, create: bool) -> int | None:
        """Address of the PTE for ``va`` at ``level`` (xv6 ``walk``): level 1 is in the
        root; level 0 needs the pointer, allocated on demand when ``create``."""
        if va >> self.scheme.va_bits:
            raise ValueError(f'{va:#x} is wider than {self.scheme.name} '
                             f'({self.scheme.va_bits} bits)')
        top = self.root + self.scheme.vpn(va, 1) * 4
        if level == 1:
            return top
        entry = self.memory.load(top, 4)
        if not entry & PTE_V:
            if not create:
                return None
            table = self._new_table()
            self.tables += 1
            entry = make_pte(table, PTE_V)               # a pointer: R=W=X=0
            self.memory.store(top, 4, entry)
        elif entry & (PTE_R | PTE_X):
            raise ValueError(f'{va:#x} is already inside a megapage mapping')
        return pte_pa(entry) + self.scheme.vpn(va, 0) * 4

    def map(self, va: int, pa: int, flags: int | str = 'rwx', level: int = 0) -> int:
        """Map one page (level 0: 4 KiB; level 1: a 4 MiB megapage) with ``flags`` (an int
        of PTE bits or letters such as 'rwxu'); returns the leaf PTE's address."""
        bits = pte_flags(flags) if isinstance(flags, str) else flags | PTE_V
        if not bits & (PTE_R | PTE_W | PTE_X):
            raise ValueError('a leaf needs R, W or X (R=W=X=0 is a pointer to a table)')
        if self.scheme.leaf_needs_u and not bits & PTE_U:
            raise ValueError(f'every {self.scheme.name} leaf must have U set (sec. 8.5.1)')
        span = PAGE << (10 * level)
        if va & (span - 1) or pa & (span - 1):
            raise ValueError(f'a level-{level} page needs va and pa aligned to {span:#x}')
        slot = self._slot(va, level, create=True)
        self.memory.store(slot, 4, make_pte(pa, bits))
        return slot

    def map_range(self, va: int, pa: int, size: int, flags: int | str = 'rwx',
                  megapages: bool = False) -> None:
        """Map ``size`` bytes (rounded up to pages) with 4 KiB pages (xv6 ``mappages``);
        ``megapages``: a 4 MiB leaf wherever ``va`` and ``pa`` are 4 MiB-aligned and a
        whole megapage of the range is left (the fewer, larger entries a VMM uses to map
        guest RAM; privileged spec sec. 4.3.1)."""
        off = 0
        while off < size:
            if megapages and (va + off) % MEGAPAGE == 0 and (pa + off) % MEGAPAGE == 0 \
                    and size - off >= MEGAPAGE:
                self.map(va + off, pa + off, flags, level=1)
                off += MEGAPAGE
            else:
                self.map(va + off, pa + off, flags)
                off += PAGE

    def lookup(self, va: int) -> Lookup | None:
        """The leaf mapping ``va`` (no permission check, no A/D update), or None."""
        top = self.root + self.scheme.vpn(va, 1) * 4
        entry = self.memory.load(top, 4)
        if entry & PTE_V and entry & (PTE_R | PTE_X):
            return Lookup(entry, top, 1)
        slot = self._slot(va, 0, create=False)
        if slot is None:
            return None
        pte = self.memory.load(slot, 4)
        return Lookup(pte, slot, 0) if pte & PTE_V else None

    def unmap(self, va: int) -> int:
        """Remove the leaf mapping ``va``; returns the old PTE (0 if none).  Tables are
        kept (as xv6's ``uvmunmap``); the caller executes SFENCE.VMA."""
        found = self.lookup(va)
        if found is None:
            return 0
        self.memory.store(found.pte_addr, 4, 0)
        return found.pte

    def translate(self, va: int, access: int = LOAD, priv: int = S_MODE) -> Walk:
        """Walk this table as the hardware would (pure: no A/D update)."""
        return walk(lambda a: self.memory.load(a, 4), self.root >> 12, va, access, priv,
                    sum_=True, scheme=self.scheme)


__all__ = ['ACCESS_FAULT', 'FETCH', 'GUEST_PAGE_FAULT', 'LOAD', 'PAGE', 'PAGE_FAULT',
           'PTE_A', 'PTE_D', 'PTE_G', 'PTE_R', 'PTE_U', 'PTE_V', 'PTE_W', 'PTE_X',
           'STORE', 'SV32', 'SV32X4', 'Lookup', 'PageTable', 'PoolAllocator', 'Scheme',
           'Walk', 'leaf_pa', 'make_pte', 'permitted', 'pte_flags', 'pte_pa', 'walk']
