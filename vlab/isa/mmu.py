"""The memory management unit: Sv32 page-table walks, a TLB, and the CPU's memory ports.

Sources: RISC-V Privileged Architecture (20211203) sec. 4.3 "Sv32: Page-Based 32-bit
Virtual-Memory Systems" -- the PTE layout (Figure 4.18) and the translation algorithm of
sec. 4.3.2, which ``walk`` follows step by step -- and sec. 4.1.1 (SUM, MXR), 3.1.6.3
(MPRV).

Sv32 in one paragraph.  A 32-bit virtual address is VPN[1] (10 bits) | VPN[0] (10 bits)
| offset (12 bits).  ``satp.PPN`` names the root page table (one 4 KiB page of 1024
four-byte PTEs).  A PTE is PPN[1] (12) | PPN[0] (10) | RSW (2) | D A G U X W R V.  V=0, or
W without R, is invalid.  R/W/X all zero means "pointer to the next level"; otherwise the
PTE is a leaf -- at level 1 a 4 MiB *megapage*, which must have PPN[0] = 0.  Physical
addresses are 34 bits.

Modeling choices (allowed by the spec; the course relies on them):

* **A/D bits are set by hardware.**  When a leaf has A = 0, or D = 0 on a store, the
  walker writes the PTE back with A (and D) set -- the "Svadu" behaviour, as QEMU does.
* **TLB**: ``tlb_entries`` fully associative entries with FIFO replacement, caching leaf
  PTEs (4 KiB pages and megapages).  Permissions are checked against the cached PTE on
  every access.  No ASIDs: writing ``satp`` flushes it, as does SFENCE.VMA (any operands:
  the whole TLB).  Every translated data access is a TLB hit or miss in the ledger
  (``tlb_hit``, ``tlb_miss``, plus one ``page_walk_ref`` per PTE read or written).
* **Instruction fetch**: an instruction is translated when it is first decoded; the
  predecoded instruction then stands for its translation (a virtually tagged instruction
  cache keyed by privilege and satp), so each instruction executed from it is counted as
  a TLB hit.  SFENCE.VMA flushes it, which is what the spec requires before stale
  translations must disappear.
* **Misaligned loads and stores are performed** (the spec allows "handled in hardware"),
  byte by byte when they cross a page, with every byte's translation checked before any
  byte is written.  LR/SC/AMOs must be aligned: address-misaligned exceptions (4 for LR,
  6 for SC/AMOs).
* PMP is not modeled (every physical address the bus maps is accessible).
* **V=1** (the hypervisor extension): ``set_virtual_context`` makes every access go
  through the two-stage translation of vlab/isa/two_stage.py (VS-stage over G-stage, its
  own TLBs tagged by VMID and vsatp); the fast views then map guest virtual pages to host
  RAM, so the memory ports and the DBT's inline accesses work unchanged.  The switch
  replaces ``translate`` and ``flush_tlb`` on the instance, so V=0 runs the code above,
  untouched.  M-mode accesses with MPRV=1 and MPV=1 (two-stage translation on behalf of
  a guest) are not modeled: they are translated as MPP says, single-stage.

The *memory ports* (``make_port``) are the functions the interpreter's handlers call:
``_load_4u(addr)``, ``_store_1(addr, value)``... one set for Bare mode (physical
addresses) and one for translated mode.  Their fast paths index the RAM ``bytearray``
through memoryviews; anything unusual (MMIO, a page with predecoded code, a misaligned or
page-crossing access, a TLB miss) takes the exact slow path here.  A device access needs
the machine's state to be exact (time, counters), so when the interpreter is in its fast
loop the port raises ``NeedSlowPath`` *before any side effect* and the instruction is
re-executed in the slow path.
"""
from __future__ import annotations

from functools import cache

from vlab.host.memory import AccessFault
from vlab.host.watch import CODE
from vlab.isa.fastpath import port_source
from vlab.isa.pagetable import (
    ACCESS_FAULT,
    FETCH,
    LOAD,
    PAGE_FAULT,
    PTE_A,
    PTE_D,
    PTE_G,
    PTE_R,
    PTE_U,
    PTE_V,
    PTE_W,
    PTE_X,
    STORE,
    PageTable,
    PoolAllocator,
    leaf_pa,
    permitted,
    walk,
)
from vlab.isa.traps import M, S, Trap
from vlab.isa.two_stage import GuestView, TwoStage

MASK32 = 0xFFFFFFFF
MEGA = 1 << 20             # TLB key flag for a megapage entry (key = MEGA | VPN[1])
SUM, MXR, MPRV = 1 << 18, 1 << 19, 1 << 17


class NeedSlowPath(Exception):  # a control signal, not an error
    """The fast path cannot do this access exactly; re-run the instruction slowly."""


class Mmu:
    """Sv32 translation with a TLB, over the bus of a vlab.host Platform."""

    def __init__(self, bus, hart, tlb_entries: int = 32):
        if tlb_entries < 1:
            raise ValueError(f'tlb_entries must be at least 1, got {tlb_entries}')
        self.bus, self.hart = bus, hart
        self._read_pte = lambda pa: bus.load(pa, 4)
        self.ram = bus.ram
        self.tlb_entries = tlb_entries
        self.tlb: dict[int, tuple[int, int, int]] = {}   # key -> (pte, level, pte_addr)
        self.rview: dict[int, int] = {}   # VPN -> RAM offset of the page: loads allowed now
        self.wview: dict[int, int] = {}   # VPN -> RAM offset: stores allowed now (D set)
        self.write_watch = bus.watch        # the write-watch service (vlab/host/watch.py)
        self.watch = bus.watch.pages        # per RAM page: non-zero = stores take the slow path
        bus.watch.on_protect.append(self.wview.clear)
        bus.watch.on_write(CODE, self._code_written)
        self.slow = False                 # True while the interpreter runs its exact path
        self.tlb_hits = self.tlb_misses = self.walk_refs = 0
        self.mem_reads = self.mem_writes = 0   # data accesses, counted by counting_port
        self.on_code_write = None         # callable(ram_offset, size), set by the engine
        self.special_stores = []          # [(addr, size)] ranges stores must report (HTIF)
        self.special_touched = False
        self._context = None
        self.two_stage = TwoStage(self)
        self.virt, self.view, self.vmid = False, None, 0
        self.set_context(hart.priv, 0, 0)

    # ------------------------------------------------------------ context
    def set_context(self, priv: int, mstatus: int, satp: int) -> None:
        """Recompute who translates what; clear the fast views when it changed."""
        data_priv = (mstatus >> 11) & 3 if priv == M and mstatus & MPRV else priv
        context = (priv, data_priv, mstatus & (SUM | MXR), satp)
        if context == self._context:
            return
        if self.virt:                       # back from V=1: the class's translate again
            self.virt = False               # (HS's satp did not change meanwhile)
            del self.translate, self.flush_tlb
        elif self._context is not None and satp != self._context[3]:
            self.flush_tlb()
        self._context = context
        self.priv, self.data_priv, self.satp = priv, data_priv, satp
        self.sum, self.mxr = bool(mstatus & SUM), bool(mstatus & MXR)
        self.fetch_paged = bool(satp >> 31) and priv < M
        self.data_paged = bool(satp >> 31) and data_priv < M
        self.rview.clear()
        self.wview.clear()

    def set_virtual_context(self, priv: int, csr) -> None:
        """V=1: translate with the guest's vsatp (while V=1 the CSR file's ``satp`` and the
        S fields of ``mstatus``, csr.py ``swap_virtual``) over ``hgatp``."""
        view = _guest_view(priv, csr.satp, csr.hgatp, csr.mstatus,
                           csr.swapped['status'])
        context = ('V', view, csr.vmid, priv)
        if context == self._context:
            return
        self._context = context
        self.virt, self.view, self.vmid = True, view, csr.vmid
        self.translate = self._translate_virtual
        self.flush_tlb = self._flush_virtual_tlb
        self.priv = self.data_priv = priv
        self.fetch_paged = self.data_paged = view.vs_on or view.g_on
        self.rview.clear()
        self.wview.clear()

    def _translate_virtual(self, va: int, access: int, priv: int | None = None) -> int:
        """``translate`` while V=1: both stages (vlab/isa/two_stage.py)."""
        view = self.view
        if priv is not None and priv != view.priv:
            view = GuestView(priv, view.vsatp, view.hgatp, view.sum_, view.vmxr, view.mxr)
        return self.two_stage.translate(va, access, view, self.vmid)

    def _flush_virtual_tlb(self) -> None:
        """SFENCE.VMA with V=1: the VS-stage translations of this VMID (sec. 8.3.2)."""
        self.two_stage.flush(self.vmid)
        self.rview.clear()
        self.wview.clear()

    def hypervisor_fence(self, vmid: int | None) -> None:
        """HFENCE.VVMA / HFENCE.GVMA: the guest translations of ``vmid`` (None: all)."""
        self.two_stage.flush(vmid)
        if self.virt:
            self.rview.clear()
            self.wview.clear()

    def forget_virtual_page(self, vpn: int) -> None:
        """A combined translation left its TLB: the fast views forget the page."""
        self.rview.pop(vpn, None)
        self.wview.pop(vpn, None)

    def guest_load(self, va: int, size: int, execute: bool = False) -> int:
        """HLV/HLVX (V=0): read guest memory as the guest at ``hstatus.SPVP`` sees it."""
        pas = self._guest_addresses(va, size, LOAD, execute)
        try:
            return sum(self.phys_load(pa, 1, (va + i) & MASK32) << (8 * i)
                       for i, pa in enumerate(pas))
        except Trap as fault:                      # an access fault: at a guest address
            self.hart.guest_fault = (fault.cause, fault.tval, None, 0)
            raise

    def guest_store(self, va: int, size: int, value: int) -> None:
        """HSV (V=0): write guest memory (every byte's translation checked first)."""
        pas = self._guest_addresses(va, size, STORE, False)
        try:
            for i, pa in enumerate(pas):
                self.phys_store(pa, 1, value >> (8 * i) & 0xFF, (va + i) & MASK32)
        except Trap as fault:
            self.hart.guest_fault = (fault.cause, fault.tval, None, 0)
            raise

    def _guest_addresses(self, va, size, access, execute):
        csr = self.hart.csr                       # V=0: the VS registers are the copies
        view = _guest_view(csr.hstatus >> 8 & 1, csr.swapped['satp'], csr.hgatp,
                           csr.swapped['status'], csr.mstatus)
        pages = {}
        out = []
        for i in range(size):
            a = (va + i) & MASK32
            if a >> 12 not in pages:
                pages[a >> 12] = self.two_stage.translate(a, access, view, csr.vmid,
                                                          execute) & ~0xFFF
            out.append(pages[a >> 12] | (a & 0xFFF))
        return out

    def flush_tlb(self) -> None:
        """SFENCE.VMA / satp write: forget every cached translation."""
        self.tlb.clear()
        self.rview.clear()
        self.wview.clear()

    def watch_page(self, ram_offset: int, reason: int = CODE) -> None:
        """Stores to this RAM page take the slow path from now on and are reported to the
        write-watch service (for ``CODE``: to ``on_code_write``).  Every predecode and
        translation asks, so a page already watched for ``reason`` returns at once."""
        if not self.watch[ram_offset >> 12] & reason:          # (a RAM offset)
            self.write_watch.watch(self.ram.base + ram_offset, reason)

    def _code_written(self, pa: int, size: int) -> None:
        if self.on_code_write is not None:
            self.on_code_write(pa - self.ram.base, size)

    # ------------------------------------------------------------ translation
    def translate(self, va: int, access: int, priv: int | None = None) -> int:
        """Virtual -> physical address for one access (counts TLB hit/miss)."""
        if priv is None:
            priv = self.priv if access == FETCH else self.data_priv
        if not self.satp >> 31 or priv == M:
            return va
        vpn = va >> 12
        entry = self.tlb.get(vpn) or self.tlb.get(MEGA | vpn >> 10)
        if entry is None or not entry[0] & PTE_A or (access == STORE and not entry[0] & PTE_D):
            self.tlb_misses += 1
            entry = self.walk(va, access, priv)
        else:
            self.tlb_hits += 1
            self._check_permission(entry[0], va, access, priv)
        return leaf_pa(entry[0], entry[1], va)

    def walk(self, va: int, access: int, priv: int) -> tuple[int, int, int]:
        """The Sv32 walk (vlab/isa/pagetable.py ``walk``, privileged spec sec. 4.3.2),
        then the A/D update in hardware; fills the TLB.  Every PTE read and written is
        one ``page_walk_ref``."""
        found = walk(self._read_pte, self.satp & 0x3FFFFF, va, access, priv,
                     self.sum, self.mxr)
        self.walk_refs += len(found.refs)
        if found.fault is not None:
            raise Trap(found.fault, va)
        pte, level, pte_addr = found.pte, found.level, found.pte_addr
        wanted = PTE_A | (PTE_D if access == STORE else 0)
        if pte & wanted != wanted:
            pte |= wanted
            self.walk_refs += 1
            self._write_pte(pte_addr, pte, va, access)
        entry = (pte, level, pte_addr)
        self._tlb_insert(MEGA | va >> 22 if level else va >> 12, entry)
        return entry

    def _check_permission(self, pte, va, access, priv):
        if not permitted(pte, access, priv, self.sum, self.mxr):
            raise Trap(PAGE_FAULT[access], va)

    def _write_pte(self, addr, pte, va, access):
        try:
            self.bus.store(addr, 4, pte)
        except AccessFault:
            raise Trap(ACCESS_FAULT[access], va) from None

    def _tlb_insert(self, key, entry):
        tlb = self.tlb
        tlb.pop(key, None)
        if len(tlb) >= self.tlb_entries:
            victim = next(iter(tlb))
            del tlb[victim]
            self._forget_views(victim)
        tlb[key] = entry

    def _forget_views(self, key):
        if key & MEGA:
            first = (key & 0x3FF) << 10
            for view in (self.rview, self.wview):
                for vpn in [v for v in view if v >> 10 == first >> 10]:
                    del view[vpn]
        else:
            self.rview.pop(key, None)
            self.wview.pop(key, None)

    # ------------------------------------------------------------ the slow data path
    def _ram_page(self, pa: int) -> int | None:
        """RAM offset of the 4 KiB page holding ``pa``, or None for non-RAM."""
        page = (pa - self.ram.base) & ~0xFFF
        if 0 <= page and page + 0x1000 <= self.ram.size:
            return page
        return None

    def _translate_data(self, va: int, access: int) -> int:
        pa = self.translate(va, access)
        if self.data_paged:
            page = self._ram_page(pa)
            if page is not None:
                if access == LOAD:
                    self.rview[va >> 12] = page
                elif not self.watch[page >> 12]:
                    self.wview[va >> 12] = page
        return pa

    def slow_load(self, va: int, size: int, signed: bool) -> int:
        """A load the fast path did not handle: misaligned, MMIO, TLB miss, fault."""
        if (va & 0xFFF) + size > 0x1000 and self.data_paged:
            addrs = [self._translate_data((va + i) & MASK32, LOAD) for i in range(size)]
            value = 0
            for i, pa in enumerate(addrs):
                value |= self.phys_load(pa, 1, va + i) << (8 * i)
        else:
            pa = self._translate_data(va, LOAD)
            if pa & (size - 1) and not self._is_ram(pa, size):
                value = 0                               # misaligned MMIO: byte at a time
                for i in range(size):
                    value |= self.phys_load(pa + i, 1, va + i) << (8 * i)
            else:
                value = self.phys_load(pa, size, va)
        if signed and value >> (8 * size - 1):
            value -= 1 << (8 * size)
        return value

    def slow_store(self, va: int, size: int, value: int) -> None:
        """A store the fast path did not handle (see slow_load)."""
        value &= (1 << (8 * size)) - 1
        if (va & 0xFFF) + size > 0x1000 and self.data_paged:
            addrs = [self._translate_data((va + i) & MASK32, STORE) for i in range(size)]
            for i, pa in enumerate(addrs):
                self.phys_store(pa, 1, (value >> (8 * i)) & 0xFF, va + i)
            return
        pa = self._translate_data(va, STORE)
        if pa & (size - 1) and not self._is_ram(pa, size):
            for i in range(size):
                self.phys_store(pa + i, 1, (value >> (8 * i)) & 0xFF, va + i)
        else:
            self.phys_store(pa, size, value, va)

    def _is_ram(self, pa, size):
        return self.ram.base <= pa and pa + size <= self.ram.base + self.ram.size

    def phys_load(self, pa: int, size: int, va: int) -> int:
        if self._is_ram(pa, size):
            off = pa - self.ram.base
            return int.from_bytes(self.ram.data[off:off + size], 'little')
        if not self.slow:
            raise NeedSlowPath
        try:
            return self.bus.load(pa, size)
        except AccessFault:
            raise Trap(5, va) from None

    def phys_store(self, pa: int, size: int, value: int, va: int) -> None:
        if self._is_ram(pa, size):
            for lo, length in self.special_stores:
                if pa < lo + length and lo < pa + size:
                    if not self.slow:
                        raise NeedSlowPath
                    self.special_touched = True
            off = pa - self.ram.base
            self.ram.data[off:off + size] = value.to_bytes(size, 'little')
            if self.watch[off >> 12] or self.watch[(off + size - 1) >> 12]:
                self.write_watch.written(off, size)
            return
        if not self.slow:
            raise NeedSlowPath
        try:
            self.bus.store(pa, size, value)
        except AccessFault:
            raise Trap(7, va) from None

    # ------------------------------------------------------------ atomics
    def load_reserved(self, va: int) -> int:
        va &= MASK32
        if va & 3:
            raise Trap(4, va)
        pa = self._translate_data(va, LOAD)
        value = self.phys_load(pa, 4, va)
        self.hart.reservation = pa
        return value

    def store_conditional(self, va: int, value: int) -> int:
        va &= MASK32
        if va & 3:
            raise Trap(6, va)
        pa = self._translate_data(va, STORE)
        reserved, self.hart.reservation = self.hart.reservation, None
        if reserved != pa:
            return 1
        self.phys_store(pa, 4, value & MASK32, va)
        return 0

    def amo_load(self, va: int) -> int:
        va &= MASK32
        if va & 3:
            raise Trap(6, va)
        pa = self._translate_data(va, STORE)           # AMOs need write permission
        return self.phys_load(pa, 4, va)

    # ------------------------------------------------------------ guest memory helpers
    def read_virtual(self, va: int, n: int, priv: int | None = None) -> bytes:
        """Read ``n`` bytes of guest virtual memory as privilege ``priv`` would (default:
        the current data privilege).  Raises Trap on a page or access fault."""
        out = bytearray()
        for i in range(n):
            a = (va + i) & MASK32
            pa = self.translate(a, LOAD, priv)
            try:
                out.append(self.bus.load(pa, 1))
            except AccessFault:
                raise Trap(5, a) from None
        return bytes(out)

    def write_virtual(self, va: int, data: bytes, priv: int | None = None) -> None:
        """Write bytes into guest virtual memory (all translations checked first)."""
        addrs = [self.translate((va + i) & MASK32, STORE, priv) for i in range(len(data))]
        for i, (pa, byte) in enumerate(zip(addrs, data, strict=True)):
            try:
                self.bus.store(pa, 1, byte)
            except AccessFault:
                raise Trap(7, (va + i) & MASK32) from None


class Sv32PageTables(PageTable):
    """Sv32 tables built in guest RAM from Python (for kernels, tests, demos): the
    builder of vlab/isa/pagetable.py with tables taken from ``[pool, pool + pool_size)``.
    ``satp`` is the value to write into the satp CSR.  After changing a live mapping,
    execute SFENCE.VMA (``Machine.sfence_vma()``)::

        pt = Sv32PageTables(machine.bus, pool=0x8010_0000)
        pt.map(0x0001_0000, 0x8000_0000, 'rwxu')       # one 4 KiB page
        pt.map(0x4000_0000, 0x8040_0000, 'rw', mega=True)   # a 4 MiB megapage
        machine.csr['satp'] = pt.satp
    """

    def __init__(self, bus, pool: int, pool_size: int = 64 * 4096):
        super().__init__(bus, PoolAllocator(pool, pool_size))

    def map(self, va: int, pa: int, perms: int | str = 'rwx', mega: bool = False,
            level: int = 0) -> int:
        """Map one page (4 KiB, or 4 MiB if ``mega``); returns the leaf PTE's address."""
        return super().map(va, pa, perms, level=1 if mega else level)


def _guest_view(priv: int, vsatp: int, hgatp: int, vsstatus: int, hs_status: int) -> GuestView:
    """The guest's view of memory from its registers (vlab/isa/two_stage.py)."""
    return GuestView(priv, vsatp, hgatp, bool(vsstatus & SUM), bool(vsstatus & MXR),
                     bool(hs_status & MXR))


def counting_port(port: dict, mmu: Mmu) -> dict:
    """The exact memory-reference mode: ``port`` with every data access that completes
    counted in ``mmu.mem_reads`` / ``mmu.mem_writes`` (an access that faults or asks for
    the slow path is counted when it is re-executed and completes).  LR and AMOs read;
    an AMO's write is its ``_store_4``; an SC writes only when it succeeds."""

    def counted_load(fn):
        def load(a):
            value = fn(a)
            mmu.mem_reads += 1
            return value
        return load

    def counted_store(fn):
        def store(a, v):
            fn(a, v)
            mmu.mem_writes += 1
        return store

    def store_conditional(a, v):
        failed = port['store_conditional'](a, v)
        mmu.mem_writes += not failed
        return failed

    counted = {name: counted_load(fn) if name.startswith('_load_') else counted_store(fn)
               for name, fn in port.items() if name.startswith(('_load_', '_store_'))}
    return {**port, **counted, 'load_reserved': counted_load(port['load_reserved']),
            'amo_load': counted_load(port['amo_load']), 'store_conditional': store_conditional}


def make_port(mmu: Mmu, paged: bool) -> tuple[dict, callable]:
    """The memory functions handlers call, and a function returning+zeroing fast TLB hits.

    Bare: addresses are physical.  Paged: the views map VPN -> RAM page offset for pages
    the current privilege may read (``rview``) or write (``wview``); a hit there is a TLB
    hit; everything else goes to ``Mmu.slow_load``/``slow_store``.  The functions are
    generated by vlab/isa/fastpath.py (``port_source``), the one description of the fast
    path that the interpreter's inlined handlers and the DBT use too.
    """
    ram = mmu.ram
    port, take_hits = _port_maker('paged' if paged else 'bare')(
        base=ram.base, size=ram.size, data=ram.data, halves=memoryview(ram.data).cast('H'),
        words=memoryview(ram.data).cast('I'), watch=mmu.watch, slow_load=mmu.slow_load,
        slow_store=mmu.slow_store, rget=mmu.rview.get, wget=mmu.wview.get)
    port.update({'load_reserved': mmu.load_reserved,
                 'store_conditional': mmu.store_conditional, 'amo_load': mmu.amo_load})
    return port, take_hits


@cache
def _port_maker(mode: str):
    """The generated ``make_port`` of one mode, compiled once (see fastpath.port_source)."""
    namespace = {'MASK32': MASK32}
    exec(compile(port_source(mode), f'<memory port: {mode}>', 'exec'), namespace)
    return namespace['make_port']


__all__ = ['ACCESS_FAULT', 'FETCH', 'LOAD', 'PAGE_FAULT', 'PTE_A', 'PTE_D', 'PTE_G', 'PTE_R',
           'PTE_U', 'PTE_V', 'PTE_W', 'PTE_X', 'STORE', 'Mmu', 'NeedSlowPath', 'S',
           'Sv32PageTables', 'counting_port', 'make_port']
