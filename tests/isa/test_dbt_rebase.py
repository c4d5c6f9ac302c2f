"""Pointer registers kept relative to RAM's base in translated loops, and the store that
reuses its load's checked offset (vlab/isa/dbt/rebase.py, vlab/isa/dbt/memory.py).

Each behavioural test runs the program on the interpreter and on the DBT and demands the
same registers, pc, CSRs, instret, memory, trap log and ledger."""
from __future__ import annotations

from dbt_programs import DATA, loop, run_both
from test_dbt import assert_same

from conftest import RAM, ins
from vlab.isa.dbt.blocks import discover_block
from vlab.isa.dbt.rebase import address_registers

SCRAMBLE = [ins('lw', 't0', 0, 'a1'), ins('add', 'a0', 'a0', 't0'),
            ins('xori', 't0', 't0', 0x55), ins('sw', 't0', 0, 'a1'),
            ins('addi', 'a1', 'a1', 4)]


def trace_source(pairs, pc=RAM + 8):
    trace = pairs[1][1].engine.translation(pc)
    assert trace is not None and trace.kind == 'trace'
    return trace.source


def paths_of(body):
    pairs = run_both(loop(body, 3))
    return [discover_block(pairs[1][1].engine.cache, RAM + 8).instrs]


def test_a_pointer_register_is_rebased_and_the_loop_agrees():
    pairs = run_both(loop(SCRAMBLE, 300), bytes(range(256)) * 8, regs={11: DATA})
    assert_same(pairs)
    source = trace_source(pairs)
    assert 'x11 = R[11] - BASE' in source                  # once, on entry
    assert '(_o := x11) & RAMMASK4' in source              # the offset is the register
    assert 'R[11] = (x11 + BASE) & 0xffffffff' in source   # BASE added back on the way out
    assert 'x9 = R[9]\n' in source                        # the loop counter is not a pointer
    assert 'if WATCH[_o >> 12]:' in source                 # sw reuses lw's checked offset


def test_only_registers_used_purely_as_pointers_are_rebased():
    copied = [ins('addi', 'a2', 'a1', 0), ins('lw', 't0', 8, 'a2'), ins('addi', 'a1', 'a2', 4)]
    compared = [ins('lw', 't0', 0, 'a1'), ins('addi', 'a1', 'a1', 4),
                ins('beq', 'a1', 'a3', 8)]
    as_data = [ins('lw', 't0', 0, 'a1'), ins('add', 'a0', 'a0', 'a1'),
               ins('addi', 'a1', 'a1', 4)]
    stored = [ins('sw', 'a1', 0, 'a1'), ins('addi', 'a1', 'a1', 4)]
    assert address_registers(paths_of(copied)) == {'x11', 'x12'}
    assert address_registers(paths_of(compared)) == set()
    assert address_registers(paths_of(as_data)) == set()
    assert address_registers(paths_of(stored)) == set()


def test_a_rebased_pointer_walking_out_of_ram_traps_precisely():
    body = [ins('lw', 't0', 0, 'a2'), ins('addi', 'a0', 'a0', 1), ins('addi', 'a2', 'a2', 0x100)]
    pairs = run_both(loop(body, 400), regs={12: 0x800F_F000})
    assert_same(pairs)
    events = pairs[1][1].log.events
    assert events and events[0][:2] == (5, False) and events[0][2] == RAM + 8


def test_a_pointer_below_ram_takes_the_exact_path_with_its_guest_address():
    pairs = run_both(loop(SCRAMBLE, 50), regs={11: 0x7FFF_FFF0})
    assert_same(pairs)
    assert pairs[1][1].log.events[0][2] == RAM + 8          # lw at 0x7ffffff0: access fault


def test_a_store_after_a_slow_load_at_the_same_address_is_slow_too():
    # a1 misaligned: every lw takes the port's path (RAM, emulated) and leaves POISON in
    # _o, so the sw that reuses the offset must not take the aligned fast path.
    pairs = run_both(loop(SCRAMBLE, 300), bytes(range(256)) * 8, regs={11: DATA + 2})
    assert_same(pairs)
    assert 'if WATCH[_o >> 12]:' in trace_source(pairs)


def test_a_narrower_load_does_not_vouch_for_a_wider_store():
    body = [ins('lbu', 't0', 0, 'a1'), ins('sw', 't0', 0, 'a1'), ins('addi', 'a1', 'a1', 1)]
    pairs = run_both(loop(body, 200), bytes(range(256)) * 4, regs={11: DATA})
    assert_same(pairs)
    assert '_o & RAMMASK4 or WATCH[_o >> 12]' in trace_source(pairs)


def test_stores_through_a_rebased_pointer_into_code_are_seen():
    # the loop overwrites words of a page holding translated code (self-modifying code)
    pairs = run_both(loop(SCRAMBLE, 8), regs={11: RAM + 0x800})
    assert_same(pairs)
