"""mstatus.MPRV for a guest's emulated M-mode under the ``hw`` VMM.

Privileged spec (20211203) sec. 3.1.6.3: with MPRV = 1 in M-mode, loads and stores are
translated and checked as if the privilege were MPP (with SUM and MXR), fetches are not.
Firmware uses it to read a kernel's memory through the kernel's page tables (the
riscv-tests ``rv32si-p-dirty`` test checks the A/D bits it sets that way).

The ``hw`` VMM runs the guest's virtual M-mode in VU-mode with its own translation off
(vlab/hardware/hw_vmm.py), so the hardware cannot translate *only* the data accesses.
While MPRV is in effect the VMM switches ``hgatp`` to a second G-stage table
(vlab/hardware/g_stage.py ``GUEST_X``, its own VMID so no TLB entry is shared) that maps
guest RAM *execute-only*: fetches run directly, every load and store is a guest-page
fault (21/23), and the VMM performs it in software: ``translate_data`` walks the guest's
Sv32 table as the hardware would (vlab/isa/pagetable.py ``walk``, privilege MPP, the
guest's SUM/MXR), sets the PTE's A bit (D for a store) as the MMU does, and returns the
guest-physical address -- or raises the page fault the bare machine would raise.  (The
shadow-paging VMM does the same with MPRV shadows, vlab/hardware/shadow.py.)
"""
from __future__ import annotations

from vlab.isa.pagetable import PTE_A, PTE_D, STORE, walk
from vlab.isa.privilege import M
from vlab.isa.traps import MPP_SHIFT, MPRV, Trap

SUM, MXR = 1 << 18, 1 << 19
ATP_ON, PPN_MASK = 1 << 31, 0x3FFFFF


def mprv_priv(priv: int, csr) -> int | None:
    """The privilege the guest's loads and stores are translated as, when MPRV is in
    effect for it (virtual M-mode, MPRV = 1, MPP below M, satp on); else None."""
    mpp = csr.mstatus >> MPP_SHIFT & 3
    if priv == M and csr.mstatus & MPRV and mpp != M and csr.satp & ATP_ON:
        return mpp
    return None


def translate_data(memory, csr, va: int, access: int, priv: int) -> int:
    """Guest virtual -> guest physical for one load/store under MPRV (module docstring);
    raises Trap (the guest's page or access fault, tval = ``va``)."""
    found = walk(memory.read_u32, csr.satp & PPN_MASK, va, access, priv,
                 bool(csr.mstatus & SUM), bool(csr.mstatus & MXR))
    if found.fault is not None:
        raise Trap(found.fault, va)
    pte = found.pte | PTE_A | (PTE_D if access == STORE else 0)
    if pte != found.pte:
        memory.write_u32(found.pte_addr, pte)           # the guest's A/D bits
    return found.pa


__all__ = ['mprv_priv', 'translate_data']
