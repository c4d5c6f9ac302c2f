"""Exact memory-reference mode: every data load/store is charged as mem_read/mem_write,
and the interpreter, the DBT and the eager DBT charge exactly the same full ledger."""
import pytest
from dbt_programs import DATA, TrapLog, loop

from conftest import RAM, code, ins, li
from vlab.isa.machine import Machine
from vlab.isa.mmu import Sv32PageTables

ENGINES = ('interp', 'dbt', 'dbt-eager')
CODE_VA, DATA_VA, POOL = 0x1_0000, 0x2_0000, RAM + 0x8_0000
UART = 0x1000_0000


def copy_loop(trips):
    """Word, half and byte loads and stores through a walking pointer (a trace)."""
    body = [ins('lw', 't1', 0, 'a1'), ins('sw', 't1', 4, 'a1'), ins('lh', 't2', 2, 'a1'),
            ins('sb', 't2', 9, 'a1'), ins('lbu', 't3', 9, 'a1'), ins('sh', 't3', 10, 'a1'),
            ins('add', 'a0', 'a0', 't3'), ins('addi', 'a1', 'a1', 12)]
    return loop(body, trips)


def atomics_loop(trips):
    """LR/SC pairs (one succeeds, one fails), AMOs, and a misaligned word."""
    body = [ins('lr.w', 't1', 'a1'), ins('sc.w', 't2', 't1', 'a1'),
            ins('sc.w', 't2', 't1', 'a1'),                     # no reservation: fails
            ins('amoadd.w', 't3', 'a0', 'a1'), ins('amoswap.w', 't4', 't3', 'a2'),
            ins('lw', 't5', 1, 'a2'), ins('sw', 't5', 7, 'a2'),  # misaligned: performed
            ins('add', 'a0', 'a0', 't2')]
    return loop(body, trips)


def device_loop(trips):
    """Loads and stores to a device register (the slow, exact path) in a hot loop."""
    body = [ins('lbu', 't1', 5, 'a3'), ins('sb', 't1', 7, 'a3'), ins('sw', 't1', 0, 'a1'),
            ins('addi', 'a1', 'a1', 4)]
    return [*li('a3', UART), *loop(body, trips)]


def fault_loop(trips):
    """A load that faults every iteration (the handler skips it): not a reference."""
    body = [ins('lw', 't1', 0, 'a1'), ins('lw', 't2', 0, 'zero'), ins('sw', 't1', 4, 'a1')]
    return loop(body, trips)


PROGRAMS = {'copy': copy_loop(200), 'atomics': atomics_loop(150),
            'device': device_loop(100), 'faults': fault_loop(80)}


def bare(engine, words):
    m = Machine(ram_size=1 << 20, engine=engine, exact_memory=True)
    m.load_bytes(RAM, code(*words))
    m.load_bytes(DATA, bytes(range(256)) * 16)
    m.regs[11], m.regs[12] = DATA, DATA + 0x800
    m.pc = RAM
    m.set_trap_handler('M', TrapLog())
    return m


def sv32(engine, words):
    """The same program as a U-mode process under Sv32 (4 KiB pages, a small TLB)."""
    m = Machine(ram_size=1 << 20, engine=engine, exact_memory=True, tlb_entries=2)
    pt = Sv32PageTables(m.bus, POOL)
    pt.map(CODE_VA, RAM, 'rxu')
    pt.map_range(DATA_VA, DATA, 0x2000, 'rwu')
    pt.map(UART, UART, 'rwu')
    m.load_bytes(RAM, code(*words))
    m.load_bytes(DATA, bytes(range(256)) * 16)
    m.csr['satp'] = pt.satp
    m.pc, m.priv = CODE_VA, 'U'
    m.regs[11], m.regs[12] = DATA_VA, DATA_VA + 0x800
    m.set_trap_handler('M', TrapLog())
    return m


def ledger(m):
    return {k: v for k, v in m.ledger.counts.items() if k != 'block_translate' and v}


@pytest.mark.parametrize('mode', [bare, sv32])
@pytest.mark.parametrize('program', sorted(PROGRAMS))
def test_engines_charge_the_same_full_ledger(program, mode):
    runs = []
    for engine in ENGINES:
        m = mode(engine, PROGRAMS[program])
        result = m.run(max_instructions=50_000)
        runs.append((engine, result.status, m.hart.state(), m.bus.read_bytes(DATA, 4096),
                     ledger(m)))
    interp = runs[0]
    assert interp[1] == 'exit' and interp[4]['mem_read'] > 0 and interp[4]['mem_write'] > 0
    for other in runs[1:]:
        assert other[1:] == interp[1:], other[0]
    assert runs[2][0] == 'dbt-eager'


def test_counts_are_the_references_the_program_makes():
    trips = 200
    m = bare('dbt-eager', copy_loop(trips))
    m.run(max_instructions=50_000)
    assert m.ledger.counts['mem_read'] == 3 * trips and m.ledger.counts['mem_write'] == 3 * trips
    assert m.engine.stats.translated_instructions > 0         # it ran translated code


def test_atomics_count_their_read_and_write_and_a_failed_sc_writes_nothing():
    m = bare('interp', atomics_loop(1))
    m.run(max_instructions=1000)
    # lr, amoadd, amoswap, lw: 4 reads; sc (ok), amoadd, amoswap, sw: 4 writes
    assert (m.ledger.counts['mem_read'], m.ledger.counts['mem_write']) == (4, 4)


@pytest.mark.parametrize('engine', ENGINES)
def test_off_by_default_and_switchable(engine):
    m = bare(engine, copy_loop(100))
    m.exact_memory = False
    m.run(max_instructions=50_000)
    assert 'mem_read' not in m.ledger.counts
    m.exact_memory = True
    m.pc, m.regs[11] = RAM, DATA
    m.run(max_instructions=50_000)
    assert m.ledger.counts['mem_read'] == 300 and Machine().exact_memory is False


def test_page_walk_references_are_still_charged_apart():
    m = sv32('interp', copy_loop(20))
    m.run(max_instructions=50_000)
    counts = m.ledger.counts
    assert counts['page_walk_ref'] > 0 and counts['mem_read'] == 60
