"""Sv32 translation: real page tables in guest RAM, A/D bits, faults, superpages, TLB."""
import pytest

from conftest import RAM, code, ins
from vlab.isa.mmu import PTE_A, PTE_D, Sv32PageTables

CODE_VA, DATA_VA = 0x0001_0000, 0x0002_0000
CODE_PA, DATA_PA, POOL = RAM, RAM + 0x8000, RAM + 0x40_000


def paged_machine(make, words, perms_data='rwu', priv='U', tlb_entries=32, map_data=True):
    m = make(tlb_entries=tlb_entries)
    pt = Sv32PageTables(m.bus, POOL)
    pt.map(CODE_VA, CODE_PA, 'rxu' if priv == 'U' else 'rx')
    leaf = pt.map(DATA_VA, DATA_PA, perms_data) if map_data else None
    m.load_bytes(CODE_PA, code(*words, ins('ecall')))
    m.csr['satp'] = pt.satp
    m.pc, m.priv = CODE_VA, priv
    traps = []

    def firmware(ctx):
        if ctx.cause in (8, 9):
            return ctx.exit(ctx.reg(10))
        traps.append((ctx.cause, ctx.epc, ctx.tval))
        ctx.halt()
    m.set_trap_handler('M', firmware)
    return m, pt, leaf, traps


def test_load_through_page_tables_sets_accessed_bit(new_machine):
    m, pt, leaf, traps = paged_machine(new_machine, [ins('lw', 'a0', 8, 'a1')])
    m.load_bytes(DATA_PA + 8, (0xCAFE).to_bytes(4, 'little'))
    m.regs[11] = DATA_VA
    result = m.run(max_instructions=10)
    assert result.exit_code == 0xCAFE and traps == []
    pte = m.bus.load(leaf, 4)
    assert pte & PTE_A and not pte & PTE_D              # hardware set A, not D


def test_store_sets_dirty_bit_and_writes_the_physical_page(new_machine):
    m, pt, leaf, traps = paged_machine(new_machine, [ins('sw', 'a2', 4, 'a1')])
    m.regs[11], m.regs[12] = DATA_VA, 0x12345678
    m.run(max_instructions=10)
    assert m.bus.load(DATA_PA + 4, 4) == 0x12345678
    assert m.bus.load(leaf, 4) & (PTE_A | PTE_D) == PTE_A | PTE_D


def test_tlb_miss_then_hits_in_the_ledger(new_machine):
    m, *_ = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')] * 4)
    m.regs[11] = DATA_VA
    m.run(max_instructions=10)
    counts = m.ledger.counts
    assert counts['tlb_miss'] == 2                      # code page (fetch) + data page
    # walks: 2 PTE reads per miss + the A-bit write-back of each leaf
    assert counts['page_walk_ref'] == 2 * 2 + 2
    assert counts['tlb_hit'] == 3 + 4 - 1               # 3 data hits + 4 fetches - 1 miss


def test_fifo_tlb_of_one_entry_thrashes(new_machine):
    loads = [ins('lw', 'a0', 0, 'a1'), ins('lw', 'a0', 0, 'a2')] * 3
    m, pt, _, _ = paged_machine(new_machine, loads, tlb_entries=1)
    pt.map(DATA_VA + 0x1000, DATA_PA + 0x1000, 'ru')
    m.regs[11], m.regs[12] = DATA_VA, DATA_VA + 0x1000
    m.run(max_instructions=20)
    # one entry shared by code and data: every load misses (6), and so does the first
    # fetch of each of the 7 instructions, because a data page evicted the code page
    assert m.ledger.counts['tlb_miss'] == 6 + 7


@pytest.mark.parametrize('words,perms,cause', [
    ([ins('lw', 'a0', 0, 'a1')], 'wu', 13),              # W without R: invalid PTE
    ([ins('lw', 'a0', 0, 'a1')], 'xu', 13),              # execute-only, MXR = 0
    ([ins('sw', 'a0', 0, 'a1')], 'ru', 15),              # read-only page
    ([ins('amoadd.w', 'a0', 'a0', 'a1')], 'ru', 15),     # AMO needs write permission
    ([ins('lw', 'a0', 0, 'a1')], 'rw', 13),              # supervisor page from U
    ([ins('jalr', 'zero', 0, 'a1')], 'rwu', 12),         # fetch from a non-X page
])
def test_page_faults_have_the_access_cause_and_tval(new_machine, words, perms, cause):
    m, _, _, traps = paged_machine(new_machine, words, perms)
    m.regs[11] = DATA_VA + 0x10
    m.run(max_instructions=10)
    epc = DATA_VA + 0x10 if cause == 12 else CODE_VA
    assert traps == [(cause, epc, DATA_VA + 0x10)]


def test_unmapped_address_faults(new_machine):
    m, _, _, traps = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')], map_data=False)
    m.regs[11] = DATA_VA
    m.run(max_instructions=10)
    assert traps == [(13, CODE_VA, DATA_VA)]


def test_mxr_makes_executable_pages_readable(new_machine):
    m, *_ = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')], 'xu')
    m.csr['mstatus'] = 1 << 19
    m.load_bytes(DATA_PA, (77).to_bytes(4, 'little'))
    m.regs[11] = DATA_VA
    assert m.run(max_instructions=10).exit_code == 77


@pytest.mark.parametrize('sum_bit,expected', [(0, 'fault'), (1, 'exit')])
def test_supervisor_access_to_user_pages_needs_sum(new_machine, sum_bit, expected):
    m, _, _, traps = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')], 'ru', priv='S')
    m.csr['mstatus'] = sum_bit << 18
    m.regs[11] = DATA_VA
    result = m.run(max_instructions=10)
    assert (result.status == 'exit') == (expected == 'exit')
    assert traps == ([] if sum_bit else [(13, CODE_VA, DATA_VA)])


def test_megapage_and_misaligned_megapage(new_machine):
    loads = [ins('lw', 'a0', 0, 'a1'), ins('lw', 'a0', 0, 'a2')]
    m, pt, _, traps = paged_machine(new_machine, loads)
    pt.map(0x4000_0000, RAM, 'ru', mega=True)          # RAM base is 4 MiB aligned
    m.bus.store(pt.root + (0x4040_0000 >> 22) * 4, 4, ((RAM + 0x1000) >> 12) << 10 | 0x13)
    m.load_bytes(RAM + 0x3004, (5).to_bytes(4, 'little'))
    m.regs[11], m.regs[12] = 0x4000_3004, 0x4040_0000
    m.run(max_instructions=10)
    assert m.regs[10] == 5                              # the megapage load worked
    assert traps == [(13, CODE_VA + 4, 0x4040_0000)]   # PPN[0] != 0: misaligned megapage


def test_misaligned_load_across_into_unmapped_page_reports_the_faulting_part(new_machine):
    m, _, _, traps = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')])
    m.regs[11] = DATA_VA + 0xFFE
    m.run(max_instructions=10)
    assert traps == [(13, CODE_VA, DATA_VA + 0x1000)]


def test_stale_translation_until_sfence_vma(new_machine):
    m, pt, leaf, _ = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1'), ins('lw', 'a2', 0, 'a1'),
                                    ins('sfence.vma', 'zero', 'zero'), ins('lw', 'a3', 0, 'a1')],
                                   'rw', priv='S')
    m.load_bytes(DATA_PA, (1).to_bytes(4, 'little'))
    m.load_bytes(DATA_PA + 0x1000, (2).to_bytes(4, 'little'))
    m.regs[11] = DATA_VA
    m.step()
    m.step()                                            # a0 = 1, translation now cached
    pt.map(DATA_VA, DATA_PA + 0x1000, 'rw')             # remap without a fence
    m.run(max_instructions=10)
    assert (m.regs[10], m.regs[12], m.regs[13]) == (1, 1, 2)


def test_satp_write_flushes_the_tlb(new_machine):
    m, pt, _, _ = paged_machine(new_machine, [ins('lw', 'a0', 0, 'a1')], 'rw', priv='S')
    m.regs[11] = DATA_VA
    m.run(max_instructions=10)
    assert m.mmu.tlb
    m.csr['satp'] = 0
    m.run(max_instructions=0)
    assert not m.mmu.tlb


def test_python_handler_reads_user_virtual_memory(new_machine):
    m, *_ = paged_machine(new_machine, [ins('addi', 'a7', 'zero', 64), ins('ecall')])
    m.load_bytes(DATA_PA, b'hello')
    seen = []

    def kernel(ctx):
        seen.append(ctx.read(DATA_VA, 5))
        ctx.write(DATA_VA, b'HELLO')
        ctx.exit(0)
    m.set_trap_handler('M', kernel)
    m.run(max_instructions=10)
    assert seen == [b'hello'] and m.bus.read_bytes(DATA_PA, 5) == b'HELLO'


def test_mprv_makes_m_mode_loads_use_the_mpp_translation(new_machine):
    """M-mode fetches stay physical; with MPRV=1 and MPP=U its loads are translated (and
    permission-checked) as if from U-mode (privileged spec sec. 3.1.6.3)."""
    m = new_machine()
    pt = Sv32PageTables(m.bus, POOL)
    pt.map(DATA_VA, DATA_PA, 'ru')
    m.load_bytes(DATA_PA, (0xBEEF).to_bytes(4, 'little'))
    m.load_bytes(RAM, code(ins('lw', 'a0', 0, 'a1'), ins('lw', 'a2', 0, 'a3'), ins('ecall')))
    traps = []

    def firmware(ctx):
        if ctx.cause == 11:
            return ctx.exit(ctx.reg(10))
        traps.append((ctx.cause, ctx.tval))
        ctx.halt()
    m.set_trap_handler('M', firmware)
    m.csr['satp'] = pt.satp
    m.csr['mstatus'] = 1 << 17                          # MPRV, MPP = U
    m.regs[11], m.regs[13] = DATA_VA, DATA_VA + 0x1000    # second load: unmapped
    m.pc = RAM
    m.run(max_instructions=10)
    assert m.regs[10] == 0xBEEF and traps == [(13, DATA_VA + 0x1000)]
