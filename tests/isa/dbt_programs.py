"""Helpers for the DBT tests: build small looping programs, run them on two engines,
compare the whole architectural state (registers, pc, privilege, CSRs, instret, RAM) and
the ledger (less the translator's own ``block_translate`` events)."""
from __future__ import annotations

from conftest import RAM, code, ins, li
from vlab.isa.machine import Machine

DATA = RAM + 0x1_0000


def loop(body: list[int], trips: int, counter: str = 's1') -> list[int]:
    """``counter = trips; do { body } while (--counter)``; then ecall (exit a0)."""
    back = -4 * (len(body) + 1)
    return [*li(counter, trips), *body, ins('addi', counter, counter, -1),
            ins('bne', counter, 'zero', back), ins('ecall')]


class TrapLog:
    """An M-mode Python handler: ecall exits with a0; any other trap is logged (with the
    registers and instret the handler sees) and skipped."""

    def __init__(self):
        self.events = []

    def __call__(self, ctx):
        if ctx.cause in (8, 9, 11) and not ctx.interrupt:
            return ctx.exit(ctx.reg(10))
        self.events.append((ctx.cause, ctx.interrupt, ctx.epc, ctx.tval,
                            ctx.machine.hart.instret, tuple(ctx.regs)))
        if ctx.interrupt:
            ctx.csr['mie'] = 0
            return ctx.resume(ctx.epc)
        return ctx.skip()


def build(engine: str, words: list[int], data: bytes = b'', regs=None, ram=1 << 20):
    m = Machine(ram_size=ram, engine=engine)
    m.load_bytes(RAM, code(*words))
    if data:
        m.load_bytes(DATA, data)
    if regs:
        for number, value in regs.items():
            if number:                                  # x0 stays 0
                m.regs[number] = value & 0xFFFFFFFF
    m.pc = RAM
    log = TrapLog()
    m.set_trap_handler('M', log)
    m.log = log
    return m


def ledger_counts(m) -> dict:
    return {k: v for k, v in m.ledger.counts.items() if k != 'block_translate' and v}


def state(m, data_size: int = 4096) -> tuple:
    return (m.hart.state(), m.bus.read_bytes(DATA, data_size), m.log.events,
            ledger_counts(m))


def run_both(words, data=b'', regs=None, budget=100_000, engines=('interp', 'dbt-eager')):
    """Run the same program on each engine; returns [(RunResult, machine)]."""
    out = []
    for engine in engines:
        m = build(engine, words, data, regs)
        result = m.run(max_instructions=budget)
        out.append((result, m))
    return out
