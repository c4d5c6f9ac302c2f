"""The G-stage page table of a hardware-assisted VM: guest-physical RAM -> host RAM.

Source: RISC-V Privileged Architecture (20211203) sec. 8.5.1 "Guest Physical Address
Translation": with ``hgatp`` in Sv32x4 mode every guest access -- and every read of the
guest's own page tables -- goes through a second table the hypervisor owns.  The root is
16 KiB (four pages) and 16 KiB-aligned; every leaf must have U=1 (G-stage accesses are
checked as user accesses).  The VMID in ``hgatp`` tags the guest's TLB entries
(vlab/isa/two_stage.py), so a switch between guests needs no flush.

What this VMM maps (``build_g_stage``): the guest's RAM, identically, read/write/execute
(megapages where 4 MiB lie inside guest RAM), and nothing else.  The identity keeps the
HTIF mailbox working (its commands carry guest-physical pointers,
vlab/hardware/guest_memory.py explains the same simplification for trap-and-emulate).
The devices (CLINT, UART, block) are left *unmapped on purpose*: a guest access to
them is a guest-page fault into the VMM, which emulates it (vlab/hardware/mmio.py) --
the MMIO exit of a KVM-style VMM.  The VMM's own memory (these tables) has no
guest-physical address, so the guest cannot name it.
"""
from __future__ import annotations

from vlab.isa.pagetable import (
    PAGE,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_W,
    PTE_X,
    SV32X4,
    PageTable,
    PoolAllocator,
)

ROOT_ALIGN = 4 * PAGE                  # the Sv32x4 root: 16 KiB, 16 KiB-aligned
GUEST_RWX = PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
GUEST_X = PTE_X | PTE_U | PTE_A             # fetches only (vlab/hardware/mprv.py)
DEFAULT_VMID = 1
VMID_BITS = 7                          # VMIDLEN on RV32 (vlab/isa/csr.py)


def build_g_stage(memory, vmid: int = DEFAULT_VMID, flags: int = GUEST_RWX,
                  start: int | None = None) -> tuple[PageTable, int]:
    """Build a G-stage table of ``memory`` (a vlab.hardware.guest_memory.GuestMemory)
    in its VMM pool (from ``start``, default the pool's beginning; the next table may
    start at ``table.alloc.next``) with leaf ``flags``; returns (the table, the ``hgatp``
    value with ``vmid``)."""
    if not 0 <= vmid < 1 << VMID_BITS:
        raise ValueError(f'VMID {vmid} does not fit the {VMID_BITS} bits of hgatp.VMID')
    start = -(-(memory.pool_base if start is None else start) // ROOT_ALIGN) * ROOT_ALIGN
    end = memory.vmm_base + memory.vmm_size
    if start + ROOT_ALIGN + PAGE > end:
        raise ValueError('no VMM memory left for the G-stage page table')
    try:
        table = PageTable(memory.bus, PoolAllocator(start, end - start), scheme=SV32X4)
        table.map_range(memory.base, memory.base, memory.size, flags, megapages=True)
    except MemoryError:
        raise ValueError('no VMM memory left for the G-stage page table') from None
    return table, table.atp | vmid << 22


__all__ = ['DEFAULT_VMID', 'GUEST_RWX', 'GUEST_X', 'build_g_stage']
