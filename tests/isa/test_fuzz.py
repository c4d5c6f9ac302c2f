"""Every 32-bit word is an instruction or an illegal-instruction trap -- never a Python
exception (ARCHITECTURE.md invariant 5).  Random words run with random register contents, in M-
and U-mode, with and without Sv32 paging."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ENGINES, RAM, code
from vlab.isa.decoder import decode
from vlab.isa.machine import Machine
from vlab.isa.mmu import Sv32PageTables

WORD = st.integers(0, 0xFFFFFFFF)
REGS = st.lists(st.one_of(st.integers(0, 0xFFFFFFFF),
                          st.integers(RAM, RAM + 0x2000)), min_size=31, max_size=31)
_MACHINES = {}


def machine_for(engine: str, priv: str, paged: bool) -> Machine:
    key = (engine, priv, paged)
    if key not in _MACHINES:
        m = Machine(ram_size=1 << 20, engine=engine)
        if paged:
            pt = Sv32PageTables(m.bus, RAM + 0x80000)
            pt.map_range(0, RAM, 0x4000, 'rwxu')
            m.csr['satp'] = pt.satp
        _MACHINES[key] = (m, m.snapshot())
    m, snap = _MACHINES[key]
    m.restore(snap)
    return m


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(WORD, min_size=1, max_size=4), regs=REGS,
       priv=st.sampled_from(['M', 'S', 'U']), paged=st.booleans(),
       engine=st.sampled_from(ENGINES))
def test_random_words_execute_or_trap(words, regs, priv, paged, engine):
    m = machine_for(engine, priv, paged)
    traps = []

    def firmware(ctx):
        traps.append((ctx.cause, ctx.interrupt, ctx.epc, ctx.tval))
        ctx.halt()

    m.set_trap_handler('M', firmware)
    m.set_trap_handler('S', firmware)
    m.regs[1:] = regs
    m.csr['mtvec'] = RAM + 0x3000
    start = 0 if paged else RAM
    m.load_bytes(RAM, code(*words))
    m.pc, m.priv = start, priv
    result = m.run(max_instructions=len(words))
    assert result.status in ('budget', 'halt', 'idle', 'exit'), result
    assert m.regs[0] == 0 and all(0 <= r <= 0xFFFFFFFF for r in m.regs)
    for cause, interrupt, epc, tval in traps:
        assert not interrupt and cause in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15)
        index = (epc - start) // 4
        if cause == 2 and 0 <= index < len(words) and decode(words[index]) is None:
            assert tval == words[index]
