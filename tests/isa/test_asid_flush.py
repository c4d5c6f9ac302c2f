"""Machine.flush_tlb: the TLB-only flush a kernel uses after changing data mappings
(vlab/os/aspace.py).  The hart implements no ASID bits (satp.ASID reads 0), so a switch
of address space flushes the TLB; predecoded code is kept per satp."""
from conftest import RAM, code, ins
from vlab.isa.pagetable import PageTable, PoolAllocator

CODE_VA, DATA_VA = 0x0001_0000, 0x0002_0000
CODE_PA, DATA_PA, POOL = RAM, RAM + 0x8000, RAM + 0x40_000


def machine_with(new_machine, words):
    m = new_machine()
    pt = PageTable(m.bus, PoolAllocator(POOL, 16 * 4096))
    pt.map(CODE_VA, CODE_PA, 'rx')
    pt.map(DATA_VA, DATA_PA, 'rw')
    m.load_bytes(CODE_PA, code(*words, ins('ecall')))
    m.load_bytes(DATA_PA, (1).to_bytes(4, 'little'))
    m.load_bytes(DATA_PA + 0x1000, (2).to_bytes(4, 'little'))
    m.set_trap_handler('M', lambda ctx: ctx.exit(ctx.reg(10)))
    m.csr['satp'] = pt.satp
    m.pc, m.priv = CODE_VA, 'S'
    m.regs[11] = DATA_VA
    return m, pt


def test_flush_tlb_makes_a_remapped_data_page_visible(new_machine):
    m, pt = machine_with(new_machine, [ins('lw', 'a0', 0, 'a1'), ins('lw', 'a2', 0, 'a1'),
                                       ins('lw', 'a3', 0, 'a1')])
    m.step()                                        # a0 = 1: the translation is cached
    pt.map(DATA_VA, DATA_PA + 0x1000, 'rw')
    m.step()                                        # stale: a2 = 1
    m.flush_tlb()
    m.run(max_instructions=10)
    assert (m.regs[10], m.regs[12], m.regs[13]) == (1, 1, 2)


def test_flush_tlb_keeps_predecoded_code_and_sfence_vma_does_not(new_machine):
    m, _ = machine_with(new_machine, [ins('lw', 'a0', 0, 'a1')])
    m.run(max_instructions=10)
    cached = len(m.engine.cache)
    assert cached and m.mmu.tlb
    m.flush_tlb()
    assert not m.mmu.tlb and not m.mmu.rview and not m.mmu.wview
    assert len(m.engine.cache) == cached
    m.sfence_vma()
    assert len(m.engine.cache) == 0


def test_the_hart_implements_no_asid_bits(new_machine):
    m = new_machine()
    m.csr['satp'] = 1 << 31 | 0x1FF << 22 | 0x80040
    assert m.csr['satp'] == 1 << 31 | 0x80040
