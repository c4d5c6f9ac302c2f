"""Two-stage translation of the H extension: walk costs, faults, TLB tagging, fences.

The cost claim checked here is Bhargava et al. (ASPLOS 2008): a two-dimensional walk
missing every cache makes n*m + n + m references -- 8 for Sv32 (n=2) over Sv32x4 (m=2),
against n = 2 for a native Sv32 walk.
"""
import pytest
from hext_guest import (
    DATA_VA,
    GUEST_CODE,
    GUEST_DATA,
    GUEST_VA,
    HOLE_VA,
    UNMAPPED_GPA,
    VMID,
    build_tables,
)

# At module level: imported inside a test, 'conftest' is whichever conftest.py pytest
# loaded last (tests/library has one too).
from conftest import code, ins
from vlab.isa.machine import Machine
from vlab.isa.pagetable import FETCH, LOAD, PTE_U, STORE, PageTable, PoolAllocator
from vlab.isa.privilege import S
from vlab.isa.traps import Trap


def guest_machine(engine='interp', **tables):
    """A machine in VS-mode with both stages on (the hart put there from Python)."""
    m = Machine(ram_size=4 << 20, engine=engine)
    vsatp, hgatp, m.g_table = build_tables(m.bus, **tables)
    m.csr['vsatp'], m.csr['hgatp'] = vsatp, hgatp
    m.hart.set_priv(S)
    m.hart.set_virt(1)
    m.engine.context_changed()
    return m


def test_a_cold_two_stage_access_costs_8_walk_references():
    m = guest_machine()
    m.mmu.walk_refs = 0
    assert m.mmu.translate(DATA_VA + 4, LOAD) == GUEST_DATA + 4
    assert m.mmu.walk_refs == 8                       # n*m + n + m, n = m = 2
    m.mmu.walk_refs = 0
    m.mmu.translate(DATA_VA + 8, LOAD)                # a TLB hit: no walk
    assert m.mmu.walk_refs == 0


def test_a_cold_native_sv32_access_costs_2():
    m = Machine(ram_size=4 << 20)
    pt = PageTable(m.bus, PoolAllocator(0x8028_0000, 4 * 4096))
    pt.map(DATA_VA, GUEST_DATA, 'rwad')
    m.csr['satp'] = pt.atp
    m.priv = 'S'
    m.mmu.walk_refs = 0
    assert m.mmu.translate(DATA_VA, LOAD) == GUEST_DATA
    assert m.mmu.walk_refs == 2


def test_the_ledger_charges_the_2d_walks_of_a_guest_program():
    """lw from a data page, then ebreak: two cold 2D walks (code page, data page)."""
    m = guest_machine()
    m.load_bytes(GUEST_CODE, code(ins('lw', 'a0', 0, 'a1'), ins('ebreak')))
    m.bus.store(GUEST_DATA, 4, 0xCAFE)
    m.regs[11] = DATA_VA
    m.pc = GUEST_VA
    m.set_trap_handler('M', lambda ctx: ctx.exit(ctx.reg(10) & 0xFF))
    result = m.run(max_instructions=10)
    assert result.status == 'exit' and m.regs[10] == 0xCAFE
    assert m.ledger.count('page_walk_ref') == 16
    assert m.ledger.count('tlb_miss') == 2


def test_a_missing_g_stage_mapping_is_a_guest_page_fault_with_the_gpa():
    m = guest_machine()
    for access, cause in ((LOAD, 21), (STORE, 23), (FETCH, 20)):
        with pytest.raises(Trap) as info:
            m.mmu.translate(HOLE_VA + 0x10, access)
        assert info.value.cause == cause and info.value.tval == HOLE_VA + 0x10
        assert m.hart.guest_fault == (cause, HOLE_VA + 0x10, UNMAPPED_GPA + 0x10, 0)


def test_a_vs_stage_fault_is_an_ordinary_page_fault():
    m = guest_machine()
    with pytest.raises(Trap) as info:
        m.mmu.translate(0x2000_0000, LOAD)
    assert info.value.cause == 13 and m.hart.guest_fault[2] is None


def _drop_u(m, gpa):
    found = m.g_table.lookup(gpa)
    m.bus.store(found.pte_addr, 4, found.pte & ~PTE_U)


def test_a_g_stage_leaf_without_u_is_a_guest_page_fault():
    m = guest_machine()
    _drop_u(m, GUEST_DATA)
    with pytest.raises(Trap) as info:
        m.mmu.translate(DATA_VA, STORE)
    assert info.value.cause == 23 and m.hart.guest_fault[2] == GUEST_DATA


def test_a_fault_on_the_vs_tables_reports_the_original_access():
    """The G-stage refuses the implicit read of a VS-stage PTE: a guest-page fault of the
    *store* (or fetch) that caused the walk, at the PTE's guest-physical address."""
    m = guest_machine()
    vs_root = m.csr['vsatp'] << 12 & 0xFFFFFFFF
    _drop_u(m, vs_root)
    for access, cause in ((STORE, 23), (FETCH, 20), (LOAD, 21)):
        with pytest.raises(Trap) as info:
            m.mmu.translate(DATA_VA, access)
        assert info.value.cause == cause
        assert m.hart.guest_fault[2:] == (vs_root + (DATA_VA >> 22) * 4,
                                          0x2000)          # Table 8.12: a 32-bit PTE read


def test_the_pte_read_fault_reaches_htval_and_htinst(engine):
    """Delivered to HS: htval = the PTE's guest-physical address >> 2, htinst the
    pseudoinstruction; an ordinary guest-page fault leaves htinst 0."""
    for drop_root, tinst in ((True, 0x2000), (False, 0)):
        m = guest_machine(engine)
        vs_root = m.csr['vsatp'] << 12 & 0xFFFFFFFF
        m.hart.set_virt(0)
        m.csr['medeleg'], m.csr['stvec'] = 1 << 21, 0x8000_0000
        m.hart.set_virt(1)
        m.load_bytes(0x8000_0000, code(ins('ebreak')))
        m.load_bytes(GUEST_CODE, code(ins('lw', 'a0', 0, 'a1')))
        m.set_trap_handler('M', lambda ctx: ctx.halt('stop'))
        m.engine.context_changed()
        m.mmu.translate(GUEST_VA, FETCH)     # the fetch's translation cached first: only
        _drop_u(m, vs_root if drop_root else GUEST_DATA)      # the load walks the root
        m.regs[11] = DATA_VA
        m.pc = GUEST_VA
        m.run(max_instructions=5)
        gpa = vs_root + (DATA_VA >> 22) * 4 if drop_root else GUEST_DATA
        assert (m.csr['scause'], m.csr['htval'], m.csr['htinst']) == (21, gpa >> 2, tinst)


def test_tlb_entries_are_tagged_by_vmid_and_hfence_gvma_drops_them():
    m = guest_machine()
    m.mmu.translate(DATA_VA, LOAD)
    assert any(key[0] == VMID for key in m.mmu.two_stage.tlbs)
    m.mmu.walk_refs = 0
    m.mmu.hypervisor_fence(VMID + 1)                  # another guest's: kept
    m.mmu.translate(DATA_VA, LOAD)
    assert m.mmu.walk_refs == 0
    m.mmu.hypervisor_fence(VMID)
    m.mmu.translate(DATA_VA, LOAD)
    assert m.mmu.walk_refs == 8


def test_a_world_switch_keeps_the_guest_tlb():
    """V=1 -> V=0 -> V=1: the guest's translations survive (tagged, not flushed)."""
    m = guest_machine()
    m.mmu.translate(DATA_VA, LOAD)
    m.hart.set_virt(0)
    m.engine.context_changed()
    m.hart.set_virt(1)
    m.engine.context_changed()
    m.mmu.walk_refs = 0
    m.mmu.translate(DATA_VA, LOAD)
    assert m.mmu.walk_refs == 0


def test_a_python_hypervisor_sees_the_guest_physical_address(engine):
    """A guest-page fault taken by a Python HS-mode handler: ctx.guest_physical_address."""
    m = guest_machine(engine)
    m.hart.set_virt(0)
    m.csr['medeleg'] = 1 << 21
    m.hart.set_virt(1)
    m.load_bytes(GUEST_CODE, code(ins('lw', 'a0', 0x10, 'a1')))
    seen = []
    m.set_trap_handler('S', lambda ctx: (seen.append((ctx.cause, ctx.tval,
                                                       ctx.guest_physical_address)),
                                         ctx.halt('seen'))[1])
    m.regs[11] = HOLE_VA
    m.pc = GUEST_VA
    m.run(max_instructions=3)
    assert seen == [(21, HOLE_VA + 0x10, UNMAPPED_GPA + 0x10)]


def test_a_python_hypervisor_resumes_its_guest_with_virt(engine):
    """A Python HS handler maps the missing page, then resumes the guest (V=1) at the
    faulting load, which now completes; a resume with virt=0 enters HS."""
    m = guest_machine(engine)
    m.hart.set_virt(0)
    m.csr['medeleg'] = 1 << 21
    m.hart.set_virt(1)
    m.load_bytes(GUEST_CODE, code(ins('lw', 'a0', 0x10, 'a1'), ins('ebreak')))
    m.bus.store(GUEST_DATA + 0x10, 4, 77)

    def hypervisor(ctx):
        page = ctx.guest_physical_address & ~0xFFF
        m.g_table.map(page, GUEST_DATA, 'rwxuad')             # back it by the data page
        m.hfence_gvma(VMID)
        return ctx.resume(ctx.epc, 'S', virt=1)
    m.set_trap_handler('S', hypervisor)
    m.set_trap_handler('M', lambda ctx: ctx.exit(ctx.reg(10)))
    m.regs[11] = HOLE_VA
    m.pc = GUEST_VA
    result = m.run(max_instructions=10)
    assert result.status == 'exit' and result.exit_code == 77


def test_a_python_handler_can_resume_in_hs(engine):
    m = guest_machine(engine)
    m.load_bytes(GUEST_CODE, code(ins('ecall')))
    m.load_bytes(0x8000_0000, code(ins('csrrs', 'a0', 'hstatus', 'zero'), ins('ebreak')))
    m.set_trap_handler('M', lambda ctx: (ctx.resume(0x8000_0000, 'S', virt=0)
                                         if ctx.cause == 10 else ctx.exit(0)))
    m.pc = GUEST_VA
    m.run(max_instructions=10)
    assert (m.hart.priv, m.hart.virt, m.regs[10]) == (S, 0, 0)   # hstatus read in HS


@pytest.mark.parametrize('operands, flushed', [(('zero', 'zero'), True),     # every VMID
                                               (('zero', 'a1'), False)])     # VMID in a1
def test_hfence_gvma_executed_in_hs_empties_the_guest_tlbs(engine, operands, flushed):
    m = guest_machine(engine)
    m.mmu.translate(DATA_VA, LOAD)
    m.hart.set_virt(0)
    m.engine.context_changed()
    m.load_bytes(0x8000_0000, code(ins('hfence.gvma', *operands)))
    m.regs[11] = VMID + 1                                 # another guest's VMID
    m.pc = 0x8000_0000
    m.step()
    assert bool(m.mmu.two_stage.tlbs) is not flushed
