"""Oracles of chapter 5's exercises: each answer is checked against a real run.

* ``measured_walk(levels_guest, levels_host)`` -- the PTE reads of a cold TLB miss, from
  the walker itself: Sv32 natively (2, 0) or Sv32 over Sv32x4 (2, 2), the only schemes
  the machine has;
* ``real_shadow_pte(guest_pte, store)`` -- the shadow leaf vlab's shadow pager
  (vlab/hardware/shadow.py) writes after a hidden fault of a guest S-mode access to a
  page whose guest PTE is ``guest_pte`` (its PPN is replaced by the guest page below);
* ``frames_after_sharing(vms)`` -- host frames in use after the page-sharing scan of the
  chapter's overcommit experiment.
"""
from __future__ import annotations

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.shadow import ShadowPager
from vlab.isa.machine import Machine
from vlab.isa.pagetable import LOAD, STORE, PageTable, PoolAllocator, walk
from vlab.isa.privilege import S, U
from vlab.lab.memvirt import overcommit_demo, walk2d

BASE = 0x8000_0000
GUEST_PAGE = BASE + 0x20000              # the guest-physical page the PTE maps
VA = 0x0040_0000


def measured_walk(levels_guest: int, levels_host: int) -> int:
    """PTE reads of one cold TLB miss with these page-table depths (measured)."""
    if (levels_guest, levels_host) == (2, 2):
        return len(walk2d.walk_trace().cold)
    if (levels_guest, levels_host) == (2, 0):
        m = Machine(ram_size=4 << 20)
        table = PageTable(m.bus, PoolAllocator(BASE + 0x28_0000, 4 * 4096))
        table.map(VA, GUEST_PAGE, 'rwad')
        m.csr['satp'] = table.atp
        m.priv = 'S'
        m.mmu.walk_refs = 0
        m.mmu.translate(VA, LOAD)
        return m.mmu.walk_refs
    raise ValueError('the machine has Sv32 (2 levels) and Sv32x4 (2 levels) only: '
                     'measure (2, 2) or (2, 0)')


def real_shadow_pte(guest_pte_flags: int, store: bool = False) -> int | None:
    """The shadow leaf (its flag bits and PPN as written) after a guest S-mode access;
    None when the access is a true guest fault."""
    machine = Machine(ram_size=2 << 20)
    memory = GuestMemory(machine.bus, 1 << 20, 1 << 20)
    table = PageTable(memory.bus, PoolAllocator(BASE + 0x10000, 0x4000))
    table.map(VA, GUEST_PAGE, guest_pte_flags)
    shadow = ShadowPager(memory, machine.ledger)
    found = shadow.resolve(VA, STORE if store else LOAD, S, table.atp, 0)
    if found.kind != 'filled':
        return None
    root = shadow.satp_for(table.atp, S, 0) & 0x3FFFFF
    leaf = walk(lambda a: memory.bus.load(a, 4), root, VA, LOAD, U)
    return leaf.pte


def frames_after_sharing(vms: int) -> int:
    """Host frames in use after the scan, in the chapter's overcommit experiment."""
    return overcommit_demo.overcommit_run(vms, 'on', 0).frames[1]


__all__ = ['GUEST_PAGE', 'frames_after_sharing', 'measured_walk', 'real_shadow_pte']
