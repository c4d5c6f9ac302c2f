"""Two-stage address translation of the hypervisor extension: VS-stage over G-stage.

Source: RISC-V Privileged Architecture (20211203) ch. 8, sec. 8.5 "Two-Stage Address
Translation": with V=1 (and for HLV/HSV) a guest virtual address is translated by the
guest's own page tables (the *VS-stage*: ``vsatp``, Sv32) into a *guest-physical* address,
which the hypervisor's tables (the *G-stage*: ``hgatp``, Sv32x4, sec. 8.5.1) translate
into a host-physical address.  The VS-stage page tables live in guest-physical memory,
so every PTE the VS-stage walk reads is itself translated by the G-stage first.

The cost of a walk (Bhargava et al., "Accelerating two-dimensional page walks for
virtualized systems", ASPLOS 2008): with n levels in the guest's tables and m in the
host's, a walk that misses every cache reads n*m + n + m PTEs -- for Sv32 (n=2) over
Sv32x4 (m=2) that is 8, against 2 for a native Sv32 walk.  ``translate`` counts each PTE
read (and each A/D write-back) as one ``page_walk_ref`` in the MMU's counters, so the
ledger shows it (tests/isa/test_hext_mmu.py checks the 8).

Rules followed (sec. 8.5.1-8.5.3):

* G-stage accesses are checked as U-mode accesses (every leaf needs U=1); the implicit
  reads of VS-stage PTEs need G-stage *read* permission; ``mstatus.MXR`` (HS's) makes
  executable pages readable in both stages, ``vsstatus.MXR`` in the VS-stage only;
  ``vsstatus.SUM`` is the guest's SUM.
* A fault of the G-stage is a *guest-page fault* (20, 21, 23) of the *original* access
  type, also when the G-stage translated a VS-stage PTE; the faulting guest-physical
  address goes to htval/mtval2 (shifted right by 2); stval gets the guest virtual
  address (``hstatus.GVA`` = 1).  A VS-stage fault is an ordinary page fault (12, 13, 15)
  that the hypervisor may delegate to the guest (``hedeleg``).
* HLVX reads with *execute* permission, but faults as a load.
* htinst/mtinst: zero (no transformed instruction is provided, which sec. 8.6.3 allows),
  except for a guest-page fault on the implicit read of a VS-stage PTE, where zero is not
  allowed: the pseudoinstruction ``IMPLICIT_PTE_READ`` (Table 8.12, a 32-bit read).

Modeling choices (documented, as the MMU's): A/D bits of both stages are set by the walker
(the Svadu behaviour the single-stage MMU has), the A/D write-back of a VS-stage PTE goes
to the host address its read was translated to; the combined translation is cached per
4 KiB page (a leaf of either stage may be a megapage; the cached unit is the smaller)
in a TLB per (VMID, vsatp) -- the address-space tags -- so a world switch between guests
loses nothing, and HFENCE.VVMA / HFENCE.GVMA (or SFENCE.VMA with V=1) empty them.

Two walk caches of Bhargava et al. (sec. 4), each a switch, off by default (so the
counts above stay the plain 2D walk's):

* ``nested_tlb`` -- the *nested TLB*: caches G-stage translations, guest-physical page ->
  host-physical page, per (VMID, hgatp), so a walk whose guest page-table pages (and data
  page) were translated before skips their G-stage walks: a warm miss costs n = 2
  references instead of 8.
* ``walk_cache`` -- a *page-walk cache* of the guest's non-leaf VS-stage PTEs, per (VMID,
  vsatp, VPN[1]): a hit skips the root-level read and the G-stage walk of the root
  page, 3 of the 8 references.

Simplified: both are unbounded dictionaries (real ones hold 8-32 entries); their hits
cost nothing; they are emptied by the same fences as the TLB.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.host.memory import AccessFault
from vlab.isa.pagetable import (
    ACCESS_FAULT,
    FETCH,
    GUEST_PAGE_FAULT,
    LOAD,
    PAGE_FAULT,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_V,
    PTE_W,
    PTE_X,
    STORE,
    SV32,
    SV32X4,
    permitted,
    walk,
)
from vlab.isa.traps import Trap

MASK32 = 0xFFFFFFFF
ATP_ON = 1 << 31
IMPLICIT_PTE_READ = 0x00002000     # htinst for a fault on a VS-stage PTE read (RV32)
PPN_MASK = 0x3FFFFF


@dataclass(frozen=True)
class GuestView:
    """How the guest sees memory for one kind of access: the two roots and the bits that
    change permission checks."""

    priv: int              # 1: VS-mode (or HLV with SPVP=1), 0: VU
    vsatp: int
    hgatp: int
    sum_: bool             # vsstatus.SUM
    vmxr: bool             # vsstatus.MXR (VS-stage only)
    mxr: bool              # mstatus.MXR of HS (both stages)

    @property
    def vs_on(self) -> bool:
        return bool(self.vsatp & ATP_ON)

    @property
    def g_on(self) -> bool:
        return bool(self.hgatp & ATP_ON)


class GuestFault(Exception):  # a control signal inside this module
    """A walk of one stage failed: ``cause`` (of the original access) and, for the
    G-stage, the guest-physical address."""

    def __init__(self, cause: int, gpa: int | None, tinst: int = 0):
        super().__init__(cause, gpa)
        self.cause, self.gpa, self.tinst = cause, gpa, tinst


def _remap(cause: int, access: int) -> int:
    """A walk reports the cause of the access it checked; report the original one's."""
    for table in (PAGE_FAULT, GUEST_PAGE_FAULT, ACCESS_FAULT):
        if cause in table.values():
            return table[access]
    return cause


class TwoStage:
    """The two-stage walker and its TLBs, on an MMU's bus and counters."""

    def __init__(self, mmu):
        self.mmu = mmu
        self.tlbs: dict[tuple[int, int], dict] = {}   # (vmid, vsatp) -> {vpn: entry}
        self.nested_tlb = self.walk_cache = False     # switches (module docstring)
        self.ntlb: dict[tuple, int] = {}    # (vmid, hgatp, gpa page, check, store) -> hpa page
        self.pwc: dict[tuple, int] = {}     # (vmid, vsatp, VPN[1]) -> level-0 table's gpa
        self.ntlb_hits = self.pwc_hits = 0

    # ------------------------------------------------------------ the G-stage
    def g_stage(self, gpa: int, view: GuestView, check: int, report: int,
                store: bool = False) -> int:
        """Guest-physical -> host-physical (sec. 8.5.1): a walk of hgatp's Sv32x4 tables
        checking ``check`` permission, faulting as the original access ``report``."""
        if not view.g_on:
            return gpa
        key = (view.hgatp >> 22 & 0x7F, view.hgatp, gpa >> 12, check, store)
        if self.nested_tlb and key in self.ntlb:
            self.ntlb_hits += 1
            return self.ntlb[key] | (gpa & 0xFFF)
        mmu = self.mmu
        found = walk(mmu._read_pte, view.hgatp & PPN_MASK, gpa, check, 0, False, view.mxr,
                     scheme=SV32X4)
        mmu.walk_refs += len(found.refs)
        if found.fault is not None:
            raise GuestFault(_remap(found.fault, report), gpa)
        wanted = PTE_A | (PTE_D if store else 0)
        if found.pte & wanted != wanted:
            mmu.walk_refs += 1
            self._write_back(found.pte_addr, found.pte | wanted, report, gpa)
        if self.nested_tlb:
            self.ntlb[key] = found.pa & ~0xFFF
        return found.pa

    # ------------------------------------------------------------ both stages
    def walk(self, va: int, view: GuestView, check: int, report: int) -> tuple:
        """A full two-dimensional walk of ``va``: (host-physical address, VS leaf PTE or
        None).  Raises GuestFault."""
        if not view.vs_on:
            return self.g_stage(va, view, check, report, report == STORE), None
        mmu = self.mmu
        table = (view.vsatp & PPN_MASK) << 12
        levels = (1, 0)
        pwc_key = (view.hgatp >> 22 & 0x7F, view.vsatp, SV32.vpn(va, 1))
        if self.walk_cache and pwc_key in self.pwc:
            self.pwc_hits += 1
            table, levels = self.pwc[pwc_key], (0,)
        for level in levels:
            pte_gpa = table + SV32.vpn(va, level) * 4
            try:
                pte_hpa = self.g_stage(pte_gpa, view, LOAD, report)  # implicit read
            except GuestFault as fault:
                fault.tinst = IMPLICIT_PTE_READ
                raise
            mmu.walk_refs += 1
            try:
                pte = mmu._read_pte(pte_hpa)
            except AccessFault:
                raise GuestFault(ACCESS_FAULT[report], None) from None
            found = _leaf_or_next(pte, level)
            if found == 'fault':
                raise GuestFault(PAGE_FAULT[report], None)
            if found == 'leaf':
                break
            table = (pte >> 10) << 12
            if self.walk_cache:
                self.pwc[pwc_key] = table
        else:
            raise GuestFault(PAGE_FAULT[report], None)
        if (level == 1 and (pte >> 10) & 0x3FF) or not permitted(
                pte, check, view.priv, view.sum_, view.vmxr or view.mxr):
            raise GuestFault(PAGE_FAULT[report], None)
        wanted = PTE_A | (PTE_D if report == STORE else 0)
        if pte & wanted != wanted:
            pte |= wanted
            mmu.walk_refs += 1
            self._write_back(pte_hpa, pte, report, None)
        if level:
            gpa = ((pte >> 20) << 22) | (va & 0x3FFFFF)
        else:
            gpa = ((pte >> 10) << 12) | (va & 0xFFF)
        return self.g_stage(gpa, view, check, report, report == STORE), pte

    def _write_back(self, addr: int, pte: int, report: int, gpa) -> None:
        try:
            self.mmu.bus.store(addr, 4, pte)
        except AccessFault:
            raise GuestFault(ACCESS_FAULT[report], gpa) from None

    # ------------------------------------------------------------ with the TLB
    def translate(self, va: int, access: int, view: GuestView, vmid: int,
                  execute_as_load: bool = False) -> int:
        """Guest virtual -> host physical for one access, through the combined TLB of
        (vmid, vsatp); counts TLB hits and misses like the MMU.  Raises Trap, with the
        fault's guest-physical address left on the hart for trap entry (``guest_fault``)."""
        mmu = self.mmu
        check, report = (FETCH, LOAD) if execute_as_load else (access, access)
        tlb = self.tlbs.setdefault((vmid, view.vsatp), {})
        key = (va >> 12, check, view.priv, view.sum_, view.vmxr, view.mxr)
        page = tlb.get(key)              # a store's entry was walked as a store: D set
        if page is not None:
            mmu.tlb_hits += 1
            return page | (va & 0xFFF)
        mmu.tlb_misses += 1
        try:
            pa, _ = self.walk(va, view, check, report)
        except GuestFault as fault:
            mmu.hart.guest_fault = (fault.cause, va, fault.gpa, fault.tinst)
            raise Trap(fault.cause, va) from None
        if len(tlb) >= mmu.tlb_entries:
            victim = next(iter(tlb))
            del tlb[victim]
            mmu.forget_virtual_page(victim[0])
        tlb[key] = pa & ~0xFFF
        return pa

    def flush(self, vmid: int | None = None) -> None:
        """HFENCE.VVMA / HFENCE.GVMA: forget the translations of ``vmid`` (None: all)."""
        for cache in (self.tlbs, self.ntlb, self.pwc):
            for key in [k for k in cache if vmid is None or k[0] == vmid]:
                del cache[key]


def _leaf_or_next(pte: int, level: int) -> str:
    """Steps 3-4 of sec. 4.3.2 for one PTE: 'fault', 'leaf' or 'next'."""
    if not pte & PTE_V or (pte & PTE_W and not pte & PTE_R):
        return 'fault'
    if pte & (PTE_R | PTE_X):
        return 'leaf'
    return 'next' if level else 'fault'


__all__ = ['GuestView', 'TwoStage']
