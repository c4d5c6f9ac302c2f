"""The dynamic binary translator (vlab/isa/dbt): generated code, traces, precise traps,
interrupts, self-modifying code, the cache's invalidation and flush policy, statistics.

Every behavioural test runs the same program on the interpreter and on the DBT and
demands the same registers, pc, CSRs, instret, memory, trap log and ledger."""
from __future__ import annotations

import pytest
from dbt_programs import DATA, build, loop, run_both, state

from conftest import RAM, ins, li
from vlab.isa.dbt.blocks import discover_block
from vlab.isa.dbt.codegen import translate_path
from vlab.isa.mmu import Sv32PageTables


def assert_same(pairs):
    (r1, m1), (r2, m2) = pairs
    assert (r1.status, r1.instructions, r1.pc, r1.exit_code) == \
        (r2.status, r2.instructions, r2.pc, r2.exit_code)
    assert state(m1) == state(m2)


SUM_LOOP = loop([ins('lw', 't0', 0, 'a1'), ins('add', 'a0', 'a0', 't0'),
                 ins('addi', 'a1', 'a1', 4)], trips=200)


# ------------------------------------------------------------------ generated code
def test_generated_block_is_derived_from_the_table():
    m = build('dbt-eager', SUM_LOOP, regs={11: DATA})
    m.run(max_instructions=40)
    block = m.engine.translation(RAM + 8)
    assert block is not None
    source = block.source
    assert 'x10 = x10 + x5' in source                # add a0, a0, t0: rs1 + rs2, lazily masked
    assert 'W[_o >> 2]' in source                    # the inline RAM fast path of lw
    assert '# 80000008: lw t0,0(a1)' in source       # disassembly beside each instruction
    compile(source, 'block', 'exec')


def test_hot_loop_becomes_a_looping_trace_and_agrees():
    data = bytes(range(256)) * 4
    pairs = run_both(SUM_LOOP, data, regs={11: DATA})
    assert_same(pairs)
    engine = pairs[1][1].engine
    assert engine.stats.traces_formed == 1
    trace = engine.translation(RAM + 8)
    assert trace.kind == 'trace' and trace.loops
    assert trace.blocks == (RAM + 8,)
    assert '_it = REPEAT(None, k0)' in trace.source and 'for _ in _it:' in trace.source
    assert engine.stats.translated_instructions > 0.9 * pairs[1][0].instructions


def test_default_engine_interprets_cold_code_and_translates_hot_code():
    pairs = run_both(SUM_LOOP, bytes(1024), regs={11: DATA}, engines=('interp', 'dbt'))
    assert_same(pairs)
    stats = pairs[1][1].engine.stats
    assert stats.interpreted_instructions >= pairs[1][1].engine.block_threshold
    assert stats.cache_misses > 0 and stats.cache_hits > 0 and stats.traces_formed == 1
    assert stats.blocks_translated == 0        # the loop's blocks were recorded, interpreted


def test_branchy_loop_trace_has_side_exits_and_a_path_of_blocks():
    # if (i & 1) a0 += i else a2 += 1, 300 times: two paths through the loop
    body = [ins('andi', 't0', 's1', 1), ins('beq', 't0', 'zero', 12),
            ins('add', 'a0', 'a0', 's1'), ins('jal', 'zero', 8), ins('addi', 'a2', 'a2', 1)]
    pairs = run_both(loop(body, 300))
    assert_same(pairs)
    engine = pairs[1][1].engine
    traces = [t for t in engine.translations() if t.kind == 'trace']
    assert traces and len(traces[0].blocks) >= 2
    assert engine.stats.side_exits > 0


def test_lazy_masking_keeps_wrapping_exact():
    body = [ins('add', 'a0', 'a0', 'a0'), ins('addi', 'a0', 'a0', 1),       # doubles: masked
            ins('slli', 'a1', 'a1', 7), ins('xor', 'a1', 'a1', 'a0'),
            ins('sub', 'a2', 'a2', 'a3'), ins('mul', 'a3', 'a3', 'a1'),
            ins('sltu', 'a4', 'a2', 'a0'), ins('srai', 'a5', 'a2', 3)]
    pairs = run_both(loop(body, 500), regs={10: 3, 11: 5, 12: 7, 13: 0x7FFF_FFFF})
    assert_same(pairs)
    trace = pairs[1][1].engine.translation(RAM + 8)
    assert 'x10 = (x10 + x10' in trace.source or 'x10 &= 0xffffffff' in trace.source


def test_every_branch_and_jump_kind_agrees():
    body = [ins('blt', 'a0', 'a1', 8), ins('addi', 'a2', 'a2', 1),
            ins('bge', 'a0', 'a1', 8), ins('addi', 'a3', 'a3', 1),
            ins('bltu', 'a0', 'a1', 8), ins('addi', 'a4', 'a4', 1),
            ins('bgeu', 'a1', 'a0', 8), ins('addi', 'a5', 'a5', 1),
            ins('auipc', 't1', 0), ins('jalr', 'ra', 12, 't1'), ins('addi', 'a6', 'a6', 1),
            ins('addi', 'a0', 'a0', 0x123)]
    assert_same(run_both(loop(body, 100), regs={10: 0xFFFF_FF00, 11: 5}))


# ------------------------------------------------------------------ precise state
@pytest.mark.parametrize('fault', ['access', 'misaligned-jump', 'illegal', 'ecall-in-loop'])
def test_trap_in_the_middle_of_hot_code_is_precise(fault):
    mid = {'access': ins('lw', 't1', 0, 'a2'),                      # a2 walks out of RAM
           'misaligned-jump': ins('jalr', 't1', 2, 'a3'),           # a3 + 2: misaligned
           'illegal': 0xFFFF_FFFF,
           'ecall-in-loop': ins('csrrs', 't2', 'mscratch', 'zero')}[fault]
    body = [ins('addi', 'a0', 'a0', 3), ins('add', 'a1', 'a1', 'a0'), mid,
            ins('addi', 'a4', 'a4', 1), ins('addi', 'a2', 'a2', 0x100)]
    pairs = run_both(loop(body, 400), regs={12: 0x800F_F000, 13: RAM + 0x20})
    assert_same(pairs)
    events = pairs[1][1].log.events
    if fault == 'ecall-in-loop':
        assert events == []
    else:
        assert events and events[0][2] == RAM + 16            # mepc = the faulting lw/jalr


def test_budget_stops_at_exactly_the_same_instruction():
    for budget in (1, 7, 33, 100, 257, 1000):
        pairs = run_both(SUM_LOOP, bytes(1024), regs={11: DATA}, budget=budget)
        assert pairs[0][0].status == 'budget'
        assert_same(pairs)


def test_timer_interrupt_in_a_hot_loop_is_taken_at_the_same_instruction():
    words = [*li('t0', 0x80), ins('csrrs', 'zero', 'mie', 't0'),
             ins('csrrsi', 'zero', 'mstatus', 8), *loop([ins('addi', 'a0', 'a0', 1)], 5000)]
    results = []
    for engine in ('interp', 'dbt-eager', 'dbt'):
        m = build(engine, words)
        m.clint.mtimecmp[0] = 1234
        result = m.run(max_instructions=100_000)
        results.append((result.status, result.instructions, state(m)))
        assert m.log.events and m.log.events[0][1]                 # an interrupt was taken
    assert results[0] == results[1] == results[2]


def test_step_after_translation_matches():
    m1, m2 = build('interp', SUM_LOOP, regs={11: DATA}), build('dbt-eager', SUM_LOOP,
                                                                 regs={11: DATA})
    for m in (m1, m2):
        m.run(max_instructions=500)
        for _ in range(20):
            m.step()
    assert state(m1) == state(m2)


# ------------------------------------------------------------------ self-modifying code
def self_modifying(patch_first: bool) -> list[int]:
    """A loop whose 3rd instruction is rewritten from 'addi a0,a0,1' to 'addi a0,a0,100'
    after 50 trips (by a store into its own code), optionally followed by fence.i."""
    new = ins('addi', 'a0', 'a0', 100)
    body = [ins('addi', 't0', 's1', -50), ins('bne', 't0', 'zero', 12),
            ins('sw', 't1', 0, 't2'),                   # *target = new (t1), at trip 50
            ins('fence.i') if patch_first else ins('addi', 'zero', 'zero', 0),
            ins('addi', 'a0', 'a0', 1)]                 # <- patched
    return [*li('t1', new), *li('t2', RAM + 4 * (4 + 2 + 4)), *loop(body, 120)]


@pytest.mark.parametrize('fence', [True, False], ids=['fence.i', 'no-fence'])
def test_self_modifying_code_invalidates_translations(fence):
    pairs = run_both(self_modifying(fence))
    assert_same(pairs)
    assert pairs[0][1].regs[10] == 70 + 50 * 100          # the patch took effect at once
    stats = pairs[1][1].engine.stats
    assert stats.invalidations > 0 or stats.flushes > 0


def test_store_into_the_running_trace_leaves_it_after_the_store():
    # the store patches an instruction *later in the same trace iteration*
    new = ins('addi', 'a0', 'a0', 100)
    body = [ins('addi', 't0', 's1', -30), ins('bne', 't0', 'zero', 8),
            ins('sw', 't1', 0, 't2'), ins('addi', 'a0', 'a0', 1)]
    words = [*li('t1', new), *li('t2', RAM + 4 * (4 + 2 + 3)), *loop(body, 60)]
    pairs = run_both(words)
    assert_same(pairs)
    assert pairs[0][1].regs[10] == 30 + 30 * 100


# ------------------------------------------------------------------ cache policy
def test_size_limit_flushes_the_whole_cache_and_stays_correct():
    body = [ins('addi', 'a0', 'a0', 1), ins('beq', 'a0', 'zero', 8),
            ins('addi', 'a1', 'a1', 2), ins('xor', 'a2', 'a2', 'a1')]
    words = loop(body, 300)
    m = build('dbt-eager', words)
    m.engine.tcache.limit = 6
    result = m.run(max_instructions=100_000)
    ref = build('interp', words)
    ref_result = ref.run(max_instructions=100_000)
    assert (result.status, result.instructions) == (ref_result.status, ref_result.instructions)
    assert state(m) == state(ref)
    assert m.engine.stats.flushes > 0 and m.engine.tcache.size <= 6


def test_translations_are_kept_per_address_space():
    # the same virtual page mapped to two different physical pages (two satp values)
    code_a = [ins('addi', 'a0', 'a0', 1), ins('ecall')]
    code_b = [ins('addi', 'a0', 'a0', 7), ins('ecall')]
    m = build('dbt-eager', [])
    m.load_bytes(RAM + 0x2000, b''.join(w.to_bytes(4, 'little') for w in code_a))
    m.load_bytes(RAM + 0x3000, b''.join(w.to_bytes(4, 'little') for w in code_b))
    spaces = []
    for offset, pool in ((0x2000, 0x4_0000), (0x3000, 0x5_0000)):
        pt = Sv32PageTables(m.bus, RAM + pool)
        pt.map(0x1_0000, RAM + offset, 'rxu')
        spaces.append(pt.satp)
    results = []
    for _ in range(3):
        for satp in spaces:
            m.csr['satp'] = satp
            m.regs[10] = 0
            m.pc, m.priv = 0x1_0000, 'U'
            m.run(max_instructions=100)
            results.append(m.regs[10])
    assert results == [1, 7] * 3
    assert len(m.engine.tcache.tables) >= 2


def test_paged_loop_counts_the_same_tlb_events():
    m_pairs = []
    for engine in ('interp', 'dbt-eager'):
        m = build(engine, [])
        words = loop([ins('lw', 't0', 0, 'a1'), ins('add', 'a0', 'a0', 't0'),
                      ins('sw', 'a0', 4, 'a1'), ins('addi', 'a1', 'a1', 8)], 300)
        m.load_bytes(RAM + 0x2000, b''.join(w.to_bytes(4, 'little') for w in words))
        pt = Sv32PageTables(m.bus, RAM + 0x4_0000)
        pt.map(0x1_0000, RAM + 0x2000, 'rxu')
        pt.map_range(0x2_0000, DATA, 0x2000, 'rwu')
        m.csr['satp'] = pt.satp
        m.regs[11] = 0x2_0000
        m.pc, m.priv = 0x1_0000, 'U'
        m_pairs.append((m.run(max_instructions=100_000), m))
    assert_same(m_pairs)
    assert m_pairs[1][1].ledger.counts['tlb_hit'] > 600


def test_block_discovery_stops_before_instructions_left_to_the_interpreter():
    m = build('interp', [ins('addi', 'a0', 'a0', 1), ins('csrrs', 'a1', 'mscratch', 'zero'),
                         ins('ecall')])
    m.run(max_instructions=10)
    block = discover_block(m.engine.cache, RAM)
    assert [i.name for i in block.instrs] == ['addi']
    region = translate_path('demo', block.instrs, loops=False, paged=False)
    assert region.exits == [(RAM + 4, 1, 0, RAM, 0)]   # target, position, side, from, memops


@pytest.mark.parametrize('paged', [False, True], ids=['bare', 'sv32'])
def test_hot_side_exit_grows_a_trace_tree(paged):
    # per word: if odd a0 += w else a2 ^= w; directions alternate, both paths hot
    body = [ins('lw', 't0', 0, 'a1'), ins('andi', 't1', 't0', 1),
            ins('beq', 't1', 'zero', 12), ins('add', 'a0', 'a0', 't0'), ins('jal', 'zero', 8),
            ins('xor', 'a2', 'a2', 't0'), ins('addi', 'a1', 'a1', 4),
            ins('andi', 'a1', 'a1', 0x3FC), ins('or', 'a1', 'a1', 's0')]
    words = [*li('s0', DATA), *li('a1', DATA), *loop(body, 400)]
    data = b''.join(i.to_bytes(4, 'little') for i in range(256))     # odd, even, odd...
    pairs = []
    for engine in ('interp', 'dbt-eager'):
        m = build(engine, words, data)
        if paged:
            pt = Sv32PageTables(m.bus, RAM + 0x4_0000)
            pt.map_range(0x1_0000, RAM, 0x1000, 'rxu')
            pt.map_range(DATA, DATA, 0x1000, 'rwu')
            m.csr['satp'] = pt.satp
            m.pc, m.priv = 0x1_0000, 'U'
        pairs.append((m.run(max_instructions=100_000), m))
    assert_same(pairs)
    engine = pairs[1][1].engine
    head = (0x1_0000 if paged else RAM) + 4 * 6
    tree = engine.translation(head)
    assert tree.kind == 'trace' and len(tree.paths) == 2
    assert tree.paths[0][0] == tree.paths[1][0] == head
    assert 'n += ' in tree.source                       # paths of different lengths
    assert engine.stats.side_exits < 50                  # the tree holds both directions


def test_values_that_grow_exponentially_are_masked_at_the_back_edge():
    # h = h * 33 + i, as GCC writes it: slli t0, a0, 5; add a0, t0, a0; add a0, a0, s1
    body = [ins('slli', 't0', 'a0', 5), ins('add', 'a0', 't0', 'a0'),
            ins('add', 'a0', 'a0', 's1'), ins('slli', 'a1', 'a1', 3),
            ins('slli', 'a1', 'a1', 3), ins('mul', 'a2', 'a2', 'a2')]
    pairs = run_both(loop(body, 300), regs={10: 5381, 11: 1, 12: 3})
    assert_same(pairs)
    source = pairs[1][1].engine.translation(RAM + 8).source
    back_edge = source[source.index('break'):source.index('continue')]
    for register in ('x10', 'x12'):                # h * 33 and a2 * a2 grow exponentially
        assert f'{register} &= 0xffffffff' in back_edge      # masked before the next pass
    assert 'x11 = (x11 << 3) & 0xffffffff' in source          # a shift of a shift: at once


def test_a_load_into_x0_still_faults_in_translated_code():
    body = [ins('addi', 'a0', 'a0', 1), ins('lw', 'zero', 0, 'a2'),
            ins('addi', 'a2', 'a2', 0x100)]                 # walks out of RAM
    pairs = run_both(loop(body, 100), regs={12: 0x800F_F800})
    assert_same(pairs)
    events = pairs[1][1].log.events
    assert events and events[0][:2] == (5, False) and events[0][2] == RAM + 12


def test_counters_and_pointers_stay_unmasked_across_the_back_edge():
    trace = run_both(SUM_LOOP, bytes(1024), regs={11: DATA})[1][1].engine.translation(RAM + 8)
    loop_body = trace.source[trace.source.index('for _ in'):trace.source.rindex('return')]
    assert 'x11 = x11 + 4' in loop_body and 'x11 &=' not in loop_body   # a1 += 4: linear
