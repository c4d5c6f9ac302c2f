"""The explainability hooks chapter 3 uses (vlab/isa/dbt/explain.py)."""
from __future__ import annotations

from vlab.isa.dbt import explain
from vlab.isa.dbt.explain import op

PROLOGUE = [op('lui', rd='a1', imm20=0x80001)]
BODY = [op('lw', rd='t0', rs1='a1', imm=0), op('add', rd='a0', rs1='a0', rs2='t0'),
        op('addi', rd='a1', rs1='a1', imm=4), op('andi', rd='a1', rs1='a1', imm=0x3FC),
        op('lui', rd='t1', imm20=0x80001), op('or', rd='a1', rs1='a1', rs2='t1')]
BRANCHY = [op('andi', rd='t0', rs1='s1', imm=1), op('beq', rs1='t0', rs2='zero', imm=12),
           op('addi', rd='a0', rs1='a0', imm=3), op('jal', rd='zero', imm=8),
           op('addi', rd='a2', rs1='a2', imm=5)]


def test_block_source_shows_one_python_line_group_per_instruction():
    source = explain.block_source(explain.loop_program(BODY, 5, PROLOGUE), at=3)
    assert source.startswith('def block_8000000c(R, k0):')
    assert source.count('# 800000') == len(BODY) + 2         # body + addi s1 + bnez
    assert 'x10 = x10 + x5' in source


def test_trace_of_a_branchy_loop_is_a_tree_of_block_paths():
    trace = explain.trace_of(explain.loop_program(BRANCHY, 3000))
    assert trace is not None and trace.loops
    assert trace.blocks[0] == trace.head == 0x8000_0008
    assert sorted(len(p) for p in trace.paths) == [2, 3]    # else-arm; then-arm + jal target
    assert all(path[0] == trace.head for path in trace.paths)


def test_cache_timeline_counts_grow_and_translation_happens_once():
    rows = explain.cache_timeline(explain.loop_program(BODY, 3000, PROLOGUE), chunk=2000,
                                  budget=20_000)
    instructions = [r[0] for r in rows]
    assert instructions == sorted(instructions) and instructions[-1] >= 20_000
    assert rows[0][2] > 0                          # misses while the code is cold
    assert rows[-1][3] == rows[len(rows) // 2][3]  # no new translations once hot
    assert rows[-1][4] >= 1                        # a trace was formed


def test_translated_code_does_less_host_work_per_guest_instruction():
    counts = explain.host_work_per_instruction(explain.loop_program(BODY, 100_000, PROLOGUE),
                                               instructions=700, warmup=3000)
    assert counts['interp'] > 2 * counts['dbt'] > 0


def test_speedup_rows_have_one_entry_per_trip_count():
    rows = explain.speedup_vs_trip_count(BODY, trips=(1, 50), repeat=1, prologue=PROLOGUE)
    assert [r[0] for r in rows] == [1, 50]
    assert [r[1] for r in rows] == [1 + 2 + 8 * 1, 1 + 2 + 8 * 50]    # ecall does not retire
