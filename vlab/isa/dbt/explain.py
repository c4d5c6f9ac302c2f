"""Hooks that let chapter 3 show what the translator does.

Deterministic (depend only on the program):

``block_source(words)``       the generated Python of the first basic block of a program
``trace_of(words, trips)``    run a loop until it forms a trace; returns the Translation
                              (``.source``, ``.blocks`` -- the path as block start pcs,
                              ``.loops``)
``cache_timeline(words, chunk)``  cache hits and misses (and translations) after every
                              ``chunk`` instructions of a run: a hit/miss curve
``host_work_per_instruction(words, n)``  Python bytecodes executed per guest instruction
                              by the interpreter and by translated code (counted with
                              ``sys.settrace`` opcode events) -- the FX!32 comparison
                              (Chernoff et al., IEEE Micro 1998: 45 host instructions per
                              x86 instruction interpreted, 4.4 translated)

Wall clock (benchmark cells only, marked so in notebooks):

``speedup_vs_trip_count(body, trips)``  CPU seconds on each engine as the trip count of
                              a loop grows: where translation starts to pay for itself
"""
from __future__ import annotations

import sys
import time

from vlab.isa.fields import encode, parse_register
from vlab.isa.machine import Machine
from vlab.isa.spec import BY_NAME

RAM = 0x8000_0000


def op(name: str, **fields) -> int:
    """Encode one instruction with register names: ``op('addi', rd='a0', rs1='a0', imm=1)``."""
    for key in ('rd', 'rs1', 'rs2'):
        if isinstance(fields.get(key), str):
            fields[key] = parse_register(fields[key])
    return encode(BY_NAME[name], **fields)


def counted_loop(body: list[int], trips: int) -> list[int]:
    """``s1 = trips; do { body } while (--s1); ecall`` (trips < 2048)."""
    return [op('addi', rd='s1', rs1='zero', imm=trips), *body,
            op('addi', rd='s1', rs1='s1', imm=-1),
            op('bne', rs1='s1', rs2='zero', imm=-4 * (len(body) + 1)), op('ecall')]


def _machine(words, engine: str, **engine_settings) -> Machine:
    m = Machine(ram_size=1 << 20, engine=engine)
    for name, value in engine_settings.items():
        setattr(m.engine, name, value)
    if 'trace_threshold' in engine_settings:
        m.engine.selector.threshold = engine_settings['trace_threshold']
    m.load_bytes(RAM, b''.join((w & 0xFFFFFFFF).to_bytes(4, 'little') for w in words))
    m.pc = RAM

    def exit_on_ecall(ctx):
        return ctx.exit(ctx.reg(10)) if ctx.cause == 11 else ctx.halt(ctx.name)

    m.set_trap_handler('M', exit_on_ecall)
    return m


def block_source(words, at: int = 0) -> str:
    """Generated Python for the basic block starting at instruction ``at`` of ``words``."""
    m = _machine(words, 'dbt', block_threshold=10**9)
    m.run(max_instructions=len(words) * 4)          # interpret once: predecode the code
    translation = m.engine.translate_block(RAM + 4 * at)
    return translation.source if translation else ''


def trace_of(words, budget: int = 1_000_000):
    """Run ``words`` on the DBT; the first trace formed (a Translation) or None."""
    m = _machine(words, 'dbt')
    m.run(max_instructions=budget)
    traces = [t for t in m.engine.translations() if t.kind == 'trace']
    return traces[0] if traces else None


def cache_timeline(words, chunk: int = 100, budget: int = 100_000, engine: str = 'dbt'):
    """[(instructions, cache hits, cache misses, blocks translated, traces formed)]."""
    m = _machine(words, engine)
    rows = []
    while m.hart.instret < budget:
        result = m.run(max_instructions=chunk)
        s = m.engine.stats
        rows.append((m.hart.instret, s.cache_hits, s.cache_misses, s.blocks_translated,
                     s.traces_formed))
        if result.status != 'budget':
            break
    return rows


def _count_opcodes(run) -> int:
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        frame.f_trace_opcodes = True
        if event == 'opcode':
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(previous)
    return count


def host_work_per_instruction(words, instructions: int = 5000, warmup: int = 20000) -> dict:
    """Python bytecodes per guest instruction, steady state, for each engine.

    Each engine first runs ``warmup`` instructions (so the DBT has translated the hot
    code), then ``instructions`` more under opcode tracing; everything the machine and
    engine execute in Python is counted (the dispatcher, handlers, generated code)."""
    out = {}
    for engine in ('interp', 'dbt'):
        m = _machine(words, engine)
        m.run(max_instructions=warmup)
        start = m.hart.instret
        count = _count_opcodes(lambda m=m: m.run(max_instructions=instructions))
        if m.hart.instret - start < instructions:
            raise ValueError('the program ended during the measurement: give it more trips')
        out[engine] = count / instructions
    return out


def speedup_vs_trip_count(body, trips=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000),
                          repeat: int = 3, prologue=()):
    """Timing: [(trips, instructions, interp s, dbt s, speedup)] for ``body`` in a loop
    of each trip count (after ``prologue``), on fresh machines, translation cost included;
    best of ``repeat``.
    """
    rows = []
    for n in trips:
        words = loop_program(body, n, prologue)
        times, count = {}, 0
        for engine in ('interp', 'dbt'):
            best = None
            for _ in range(repeat):
                m = _machine(words, engine)
                start = time.process_time()
                m.run(max_instructions=10**8)
                elapsed = time.process_time() - start
                best = elapsed if best is None else min(best, elapsed)
                count = m.hart.instret
            times[engine] = best
        rows.append((n, count, times['interp'], times['dbt'], times['interp'] / times['dbt']))
    return rows


def _outer(trips: int) -> list[int]:
    """s1 = trips (any 32-bit count): lui + addi."""
    hi = ((trips + 0x800) >> 12) & 0xFFFFF
    lo = trips - (hi << 12)
    return [op('lui', rd='s1', imm20=hi), op('addi', rd='s1', rs1='s1', imm=lo)]


def loop_program(body, trips: int, prologue=()) -> list[int]:
    """``prologue; s1 = trips; do { body } while (--s1); ecall`` for any trip count and
    body length (a long body closes the loop with beq + jal)."""
    back = -4 * (len(body) + 1)
    if back >= -4096:
        close = [op('bne', rs1='s1', rs2='zero', imm=back)]
    else:
        close = [op('beq', rs1='s1', rs2='zero', imm=8), op('jal', rd='zero', imm=back - 4)]
    return [*prologue, *_outer(trips), *body, op('addi', rd='s1', rs1='s1', imm=-1), *close,
            op('ecall')]
