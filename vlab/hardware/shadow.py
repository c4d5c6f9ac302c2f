"""Shadow page tables: the guest's Sv32 tables composed with the guest-physical map.

When a guest turns on its own translation (virtual ``satp`` in Sv32 mode, virtual
privilege S or U), its page tables say guest-virtual -> guest-physical; the hardware
must translate guest-virtual -> host-physical.  A VMM without nested paging builds that
composition itself, in tables the guest never sees -- *shadow page tables* -- and points
the real ``satp`` at them (Adams & Agesen, ASPLOS 2006, sec. 2.3; Smith & Nair, *Virtual
Machines*, 2005, sec. 8.3.3).

This shadow is filled lazily, like a TLB:

* it starts empty; the guest's first access to a page is a real page fault, a *hidden*
  page fault the guest never sees;
* the VMM walks the guest's table as the hardware would (vlab/isa/pagetable.py ``walk``,
  with the guest's virtual privilege, SUM and MXR), sets the guest PTE's A bit (and D for a
  store: hardware A/D update, as vlab/isa/mmu.py does), maps the guest-physical page
  through the guest-physical map and writes one shadow leaf;
* if the guest's own walk fails, it is a *true* page fault: the VMM reflects it into the
  guest (its cause and faulting address, as on the bare machine).

The guest's S-mode runs in real U-mode, so every shadow leaf is a *user* page -- the
hardware can no longer tell the guest kernel's pages from its user pages.  The VMM
checks privilege itself when it fills: it keeps one shadow per (guest satp, virtual
privilege, SUM, MXR) and writes into each only the permissions the guest's PTE grants
*that* privilege under *that* SUM/MXR; switching virtual level switches the real
``satp``.  A shadow leaf is writable only once the guest PTE's D bit is set, so the first
store to a clean page faults and the VMM sets D -- the guest sees its dirty bits.

Keeping shadows coherent: the guest must execute SFENCE.VMA (or write satp, which on this
machine flushes the TLB) after changing a PTE before the change is guaranteed visible --
the same rule as for a TLB (privileged spec sec. 4.2.1).  So the VMM drops every shadow
at SFENCE.VMA and satp writes and refills on demand ("rebuild on flush"; the other
classic choice, write-protecting guest page-table pages to follow each PTE write, is the
write-watch service's PAGE_TABLE reason, vlab/host/watch.py).  Each leaf written is one
``shadow_pt_update`` in the ledger.  Shadow memory comes from the VMM's pool; when it
runs out, every shadow is dropped and filling starts again.

Tracing (``tracing=True``, a switch, default off): the VMM write-protects every guest
page-table page a shadow entry was built from -- the write-watch service's PAGE_TABLE
reason -- and a guest store to one is a write-protection fault: one ``vm_exit`` and one
``shadow_pt_update`` in the ledger, after which the shadow leaves built from the PTEs
written are removed (the VMM remembers, per guest PTE read by a fill, which shadow leaf
it went into; a write to a root entry removes every leaf below it).  The write itself
has happened: the VMM here follows it rather than emulating it, the effect is the
same.  The shadows are then always coherent, so SFENCE.VMA and satp writes no longer
drop anything (``drop_all`` from the VMM keeps them) and the shadow of each guest satp
stays cached across the guest's context switches (Adams & Agesen 2006,
sec. 2.3: "tracing" and the shadow cache).  Simplified: a guest page stays protected
until the shadows are reset (when the pool runs out), even once none of its PTEs is in
use.

mstatus.MPRV in virtual M-mode (privileged spec sec. 3.1.6.3: loads and stores
translated as privilege MPP, fetches not) gets shadows of its own (``fetch_physical``):
a fetch fault fills an identity, execute-only leaf; a load/store fault fills from the
guest's table walked as MPP.  (A page fetched physically and accessed as data at the same
virtual address would alternate between the two leaves; correct, only slow.)
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.host.watch import PAGE_TABLE
from vlab.isa.pagetable import (
    FETCH,
    LOAD,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_V,
    PTE_W,
    PTE_X,
    STORE,
    PageTable,
    PoolAllocator,
    permitted,
    walk,
)

SUM, MXR = 1 << 18, 1 << 19


@dataclass(frozen=True)
class Resolution:
    """What filling one access found: ``kind`` is 'filled' (a hidden fault, the shadow
    now maps the page), 'guest-fault' (reflect ``cause``) or 'not-guest-memory' (the
    guest's table points outside guest-physical memory: ``gpa``)."""

    kind: str
    cause: int = 0
    gpa: int = 0


class ShadowPager:
    """The shadow tables of one VM (see the module docstring)."""

    def __init__(self, memory, ledger, on_drop=lambda: None, tracing: bool = False):
        self.memory, self.ledger, self.on_drop = memory, ledger, on_drop
        self.pool = (memory.pool_base, memory.vmm_base + memory.vmm_size - memory.pool_base)
        self.tables: dict[tuple, PageTable] = {}
        self._alloc = PoolAllocator(*self.pool)
        self.fills = self.true_faults = self.drops = self.traced_writes = 0
        self.tracing = tracing
        self.built_from: dict[int, set[int]] = {}    # guest PT page -> its PTEs used
        self.derived: dict[int, set[tuple]] = {}     # guest PTE -> (shadow key, va page)
        self._own_write = False
        memory.bus.watch.on_write(PAGE_TABLE, self._page_table_written)

    def satp_for(self, guest_satp: int, priv: int, mstatus: int,
                 fetch_physical: bool = False) -> int:
        """The real satp for the guest whose accesses are checked as ``priv`` with this
        satp and mstatus (``fetch_physical``: MPRV in M-mode, see the module docstring)."""
        return self._table(guest_satp, priv, mstatus & (SUM | MXR), fetch_physical).atp

    def _table(self, guest_satp, priv, bits, fetch_physical) -> PageTable:
        key = (guest_satp, priv, bits, fetch_physical)
        table = self.tables.get(key)
        if table is None:
            try:
                table = PageTable(self.memory.bus, self._alloc)
            except MemoryError:
                self._drop_everything()
                table = PageTable(self.memory.bus, self._alloc)
            self.tables[key] = table
        return table

    def drop_all(self) -> None:
        """The guest executed SFENCE.VMA or wrote satp: forget every shadow -- unless
        tracing keeps them coherent (module docstring)."""
        if not self.tracing:
            self._drop_everything()

    def _drop_everything(self) -> None:
        """Forget every shadow (and, tracing, every write protection)."""
        for page in self.built_from:
            self.memory.bus.watch.unwatch(page, PAGE_TABLE)
        self.built_from.clear()
        self.derived.clear()
        if self.tables:
            self.drops += 1
        self.tables.clear()
        self._alloc = PoolAllocator(*self.pool)
        self.on_drop()

    def resolve(self, va: int, access: int, priv: int, guest_satp: int, mstatus: int,
                fetch_physical: bool = False) -> Resolution:
        """A real page fault at ``va``: walk the guest's table, then fill or reflect."""
        sum_, mxr = bool(mstatus & SUM), bool(mstatus & MXR)
        memory = self.memory
        table = self._table(guest_satp, priv, mstatus & (SUM | MXR), fetch_physical)
        if fetch_physical and access == FETCH:
            if memory.host_address(va) is None:
                return Resolution('not-guest-memory', gpa=va)
            return self._fill(table, va, va, PTE_V | PTE_U | PTE_A | PTE_X)
        found = walk(memory.read_u32, guest_satp & 0x3FFFFF, va, access, priv, sum_, mxr)
        if found.fault is not None:
            self.true_faults += 1
            return Resolution('guest-fault', found.fault)
        pte = found.pte | PTE_A | (PTE_D if access == STORE else 0)
        if pte != found.pte:
            self._own_write = True
            try:
                memory.write_u32(found.pte_addr, pte)    # the guest's A/D bits
            finally:
                self._own_write = False
        if self.tracing:
            self._protect(found.refs, (guest_satp, priv, mstatus & (SUM | MXR),
                                       fetch_physical), va)
        host = memory.host_address(found.pa)
        if host is None:
            return Resolution('not-guest-memory', gpa=found.pa)
        flags = PTE_V | PTE_U | PTE_A
        if permitted(pte, LOAD, priv, sum_, mxr):
            flags |= PTE_R
        if permitted(pte, FETCH, priv, sum_, mxr):
            flags |= PTE_X
        if pte & PTE_D and permitted(pte, STORE, priv, sum_, mxr):
            flags |= PTE_W | PTE_D
        return self._fill(table, va, host, flags)

    def _fill(self, table, va: int, host: int, flags: int) -> Resolution:
        try:
            table.map(va & ~0xFFF, host & ~0xFFF, flags)
        except MemoryError:                              # the pool is full: start over
            self._drop_everything()
            return Resolution('filled')
        self.fills += 1
        self.ledger.charge('shadow_pt_update')
        return Resolution('filled')

    # ------------------------------------------------------------ tracing
    def _protect(self, refs, key, va: int) -> None:
        """Write-protect the guest page-table pages this walk read, and remember which
        shadow leaf each PTE read went into (tracing)."""
        watch = self.memory.bus.watch
        for pte_addr in refs:
            host = self.memory.host_address(pte_addr)
            if host is None:
                continue
            page = host & ~0xFFF
            if page not in self.built_from:
                watch.watch(page, PAGE_TABLE)
                self.built_from[page] = set()
            self.built_from[page].add(host)
            self.derived.setdefault(host, set()).add((key, va & ~0xFFF))

    def _page_table_written(self, pa: int, size: int) -> None:
        """A store hit a write-protected guest page-table page: the trace exit; the
        shadow leaves built from the PTEs written are removed."""
        if self._own_write or pa & ~0xFFF not in self.built_from:
            return
        self.traced_writes += 1
        self.ledger.charge('vm_exit')
        self.ledger.charge('shadow_pt_update')
        for pte_addr in range(pa & ~3, pa + size, 4):
            for key, va in self.derived.pop(pte_addr, ()):
                table = self.tables.get(key)
                if table is not None:
                    table.unmap(va)
            self.built_from[pa & ~0xFFF].discard(pte_addr)
        self.on_drop()


__all__ = ['Resolution', 'ShadowPager']
