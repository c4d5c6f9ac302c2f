"""The 2D walk's references, measured by the walker, with the walk caches switched on.

Bhargava et al. (ASPLOS 2008): a cold two-dimensional walk reads n*m + n + m PTEs (8 for
Sv32 over Sv32x4); a nested TLB (G-stage translations cached) brings a warm miss down to
the guest's n = 2; a page-walk cache of the guest's upper level saves 3 more of the 8.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / 'isa'))
from hext_guest import DATA_VA, GUEST_CODE, GUEST_DATA, GUEST_VA, VMID, build_tables  # noqa: E402

from vlab.isa.machine import Machine  # noqa: E402
from vlab.isa.pagetable import FETCH, LOAD  # noqa: E402
from vlab.isa.privilege import S  # noqa: E402


def guest(nested_tlb=False, walk_cache=False):
    m = Machine(ram_size=4 << 20)
    vsatp, hgatp, _ = build_tables(m.bus)
    m.csr['vsatp'], m.csr['hgatp'] = vsatp, hgatp
    m.hart.set_priv(S)
    m.hart.set_virt(1)
    m.engine.context_changed()
    m.mmu.two_stage.nested_tlb, m.mmu.two_stage.walk_cache = nested_tlb, walk_cache
    return m


def second_miss_refs(m):
    """Refs of a TLB miss on the data page after the code page was walked."""
    m.mmu.translate(GUEST_VA, FETCH)
    m.mmu.walk_refs = 0
    assert m.mmu.translate(DATA_VA, LOAD) == GUEST_DATA
    return m.mmu.walk_refs


@pytest.mark.parametrize('ntlb, pwc, refs', [
    (False, False, 8),        # n*m + n + m
    (False, True, 5),         # root read and its G-stage walk skipped
    (True, False, 4),         # G-stage of both VS tables cached; data page's G walk: 2
    (True, True, 3),          # leaf PTE read (1) + the data page's G-stage walk (2)
])
def test_a_warm_miss_costs_fewer_references_with_the_caches(ntlb, pwc, refs):
    assert second_miss_refs(guest(ntlb, pwc)) == refs


def test_with_a_nested_tlb_a_page_already_translated_costs_the_native_2():
    m = guest(nested_tlb=True)
    m.mmu.translate(DATA_VA, LOAD)
    m.mmu.two_stage.tlbs.clear()                 # the combined TLB only
    m.mmu.walk_refs = 0
    assert m.mmu.translate(DATA_VA, LOAD) == GUEST_DATA
    assert m.mmu.walk_refs == 2
    assert m.mmu.two_stage.ntlb_hits == 3


def test_a_cold_walk_is_8_with_every_cache_on_and_fences_empty_them():
    m = guest(nested_tlb=True, walk_cache=True)
    m.mmu.walk_refs = 0
    m.mmu.translate(GUEST_VA, FETCH)
    assert m.mmu.walk_refs == 8
    m.mmu.hypervisor_fence(VMID + 1)             # another VM's fence keeps ours
    assert m.mmu.two_stage.ntlb and m.mmu.two_stage.pwc
    m.mmu.hypervisor_fence(VMID)
    assert not m.mmu.two_stage.ntlb and not m.mmu.two_stage.pwc
    m.mmu.walk_refs = 0
    assert m.mmu.translate(GUEST_VA, FETCH) == GUEST_CODE
    assert m.mmu.walk_refs == 8
