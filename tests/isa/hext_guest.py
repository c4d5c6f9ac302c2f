"""A guest for the hypervisor-extension tests: page tables of both stages built from Python.

Guest-physical memory is mapped by the G-stage (Sv32x4, hgatp) identically onto host RAM
for the guest's pages; one guest-physical page, ``UNMAPPED_GPA``, is left out so that a
guest touching it takes a guest-page fault.  The guest's own VS-stage tables (Sv32,
vsatp) live in guest-physical memory and map its virtual addresses:

    guest virtual            guest physical           host physical
    GUEST_VA  (code)     ->  GUEST_CODE            ->  GUEST_CODE
    DATA_VA   (data)     ->  GUEST_DATA            ->  GUEST_DATA
    HOLE_VA              ->  UNMAPPED_GPA          ->  (no G-stage mapping)
    USER_VA   (code, U)  ->  GUEST_CODE            ->  GUEST_CODE

(USER_VA maps the code page again as a user page: VU-mode may execute only U pages,
VS-mode never executes them.)
"""
from __future__ import annotations

from vlab.isa.pagetable import SV32X4, PageTable, PoolAllocator

GUEST_VA, DATA_VA, HOLE_VA, USER_VA = 0x1000_0000, 0x1000_1000, 0x1000_2000, 0x1000_3000
GUEST_CODE, GUEST_DATA = 0x8020_0000, 0x8020_1000
VS_POOL, G_POOL = 0x8028_0000, 0x8038_0000
UNMAPPED_GPA = 0x8030_0000
VMID = 5


def build_tables(bus, vs_flags: str = 'rwxad', g_flags: str = 'rwxuad'):
    """Both stages' tables in RAM; returns (vsatp, hgatp, the G-stage PageTable).  A and D
    are preset (unless the flags leave them out), so a walk makes no write-back
    references."""
    vs = PageTable(bus, PoolAllocator(VS_POOL, 4 * 4096))
    vs.map(GUEST_VA, GUEST_CODE, vs_flags)
    vs.map(DATA_VA, GUEST_DATA, vs_flags)
    vs.map(HOLE_VA, UNMAPPED_GPA, vs_flags)
    vs.map(USER_VA, GUEST_CODE, vs_flags + 'u')
    g = PageTable(bus, PoolAllocator(G_POOL, 8 * 4096), scheme=SV32X4)
    for page in (GUEST_CODE, GUEST_DATA, *range(VS_POOL, VS_POOL + 4 * 4096, 4096)):
        g.map(page, page, g_flags)
    return vs.atp, g.atp | VMID << 22, g
