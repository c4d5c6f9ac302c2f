"""The one RAM / software-TLB fast path (vlab/isa/fastpath.py) and its three consumers.

* Golden snapshots: every generated snippet (port functions, handler statements, DBT
  loads and stores) and the bytecode of every port function are compared with
  tests/isa/fastpath_golden.txt, so a change to what chapters 2 and 3 show or count is
  seen.  Regenerate with ``python tests/isa/test_fastpath.py --write`` after a deliberate
  change, and say so in the commit.
* Agreement: the port functions, the predecoded handlers' inline statements and the DBT's
  inline expressions run the same accesses on fresh machines (bare and Sv32; every size,
  signed and unsigned; aligned, misaligned, page-crossing, outside RAM, on a watched page,
  TLB miss then hit, faults) and must give the same values, the same memory, the same
  fast/slow decisions and the same TLB counts.
"""
from __future__ import annotations

import ast
import dis
import sys
from pathlib import Path

import pytest

from vlab.host.watch import CODE
from vlab.isa import fastpath
from vlab.isa.fastpath import SIZES, handler_statements, inline_load, inline_store
from vlab.isa.machine import Machine
from vlab.isa.mmu import Sv32PageTables, make_port
from vlab.isa.traps import S

GOLDEN = Path(__file__).with_name('fastpath_golden.txt')
RAM, RAM_SIZE = 0x8000_0000, 1 << 20
MASK32 = 0xFFFFFFFF
ACCESSES = [('load', size, signed) for size in SIZES for signed in (False, True)] + \
    [('store', size, False) for size in SIZES]


# ---------------------------------------------------------------- golden snapshots
def _call(text):
    return ast.parse(text, mode='eval').body


def _bytecode(function) -> str:
    code = function.__code__
    lines = [f'{code.co_qualname} free={code.co_freevars} names={code.co_names} '
             f'consts={code.co_consts} locals={code.co_varnames}']
    lines += [f'  {i.opname} {i.argrepr}'.rstrip() for i in dis.get_instructions(function)]
    return '\n'.join(lines)


def snapshots() -> dict[str, str]:
    """Everything the generator produces, by a readable key."""
    out = {}
    for mode in fastpath.MODES:
        out[f'port source {mode}'] = fastpath.port_source(mode)
        for kind, size, signed in ACCESSES:
            key = f'{mode} {fastpath.port_name(kind, size, signed)}'
            value = 'R[_rs2]' if size == 4 else 'R[_rs2] + 1'
            out[f'handler {key}'] = handler_statements(mode, kind, size, signed,
                                                       'R[_rs1] + 8', value)
            paged = mode == 'paged'
            name = fastpath.port_name(kind, size, signed)
            for addr in ('x5', 'x5 + 8', 'x5 - 4', 'x5 + x6'):
                for reuse in (False, True):
                    for rebased in (frozenset(), frozenset({'x5'})):
                        where = f'{key} {addr} reuse={reuse} rebased={sorted(rebased)}'
                        if kind == 'load':
                            out[f'dbt {where}'] = inline_load(_call(f'{name}({addr})'), paged,
                                                              reuse, rebased)
                            continue
                        for value in ('x9', 'x9 + 1'):
                            for checked in (False, True):
                                lines = inline_store(_call(f'{name}({addr}, {value})'), paged,
                                                     {'x9'}, reuse, rebased, checked)
                                out[f'dbt {where} {value} checked={checked}'] = '\n'.join(lines)
    out['ram masks'] = repr(fastpath.ram_masks(RAM_SIZE))
    if sys.version_info[:2] == (3, 11):        # bytecode is CPython-version specific
        m = Machine(ram_size=RAM_SIZE)
        for paged in (False, True):
            port, take_hits = make_port(m.mmu, paged)
            for name in sorted(n for n in port if n.startswith(('_load_', '_store_'))):
                out[f'bytecode paged={paged} {name}'] = _bytecode(port[name])
            out[f'bytecode paged={paged} take_hits'] = _bytecode(take_hits)
    return out


def _read_golden() -> dict[str, str]:
    chunks = ('\n' + GOLDEN.read_text()).split('\n==== ')[1:]
    return dict(chunk.split('\n', 1) for chunk in chunks)


def test_generated_code_matches_the_golden_snapshots():
    golden, now = _read_golden(), snapshots()
    if sys.version_info[:2] != (3, 11):
        golden = {k: v for k, v in golden.items() if not k.startswith('bytecode')}
    assert sorted(now) == sorted(golden)
    changed = [key for key in now if now[key].rstrip('\n') != golden[key].rstrip('\n')]
    assert changed == []


def test_the_dbt_load_chapter_3_shows():
    assert inline_load(_call('_load_4u(x5 + 8)'), False) == (
        '(((_o := POISON) and _load_4u(x5 + 8)) if (_o := x5 - (BASE - 8)) & RAMMASK4 '
        'else W[_o >> 2])')
    assert inline_load(_call('_load_2s(x5)'), True) == (
        '(_load_2s(_a) if (_p := RGET((_a := x5) >> 12)) is None or _a & 1 '
        'else ((H[(_p | (_a & 0xFFF)) >> 1] ^ 0x8000) - 0x8000))')


def test_the_conditions_are_one_table():
    spelling = fastpath.PORT
    bare = fastpath.checks('bare', 'store', 4, spelling)
    assert fastpath.all_hold(bare, spelling) == 'o < size and not o & 3 and not watch[o >> 12]'
    region = fastpath.checks('bare', 'store', 4, fastpath.REGION, rammask=True)
    assert fastpath.any_fails(region, fastpath.REGION, {'o': '(_o := x5)'}) == \
        '(_o := x5) & RAMMASK4 or WATCH[_o >> 12]'
    assert fastpath.checks('bare', 'load', 1, spelling, checked=True) == ()


# ---------------------------------------------------------------- agreement on a machine
DATA_VA, RO_VA, WATCHED_VA, UNMAPPED_VA = 0x0001_0000, 0x0001_1000, 0x0001_2000, 0x0002_0000
DATA_PA, RO_PA, WATCHED_PA, POOL = RAM + 0x8000, RAM + 0x9000, RAM + 0x3000, RAM + 0x40_000


def fresh(mode):
    """A machine whose data accesses are ``mode``, with a watched page (WATCHED_PA)."""
    m = Machine(ram_size=RAM_SIZE)
    for i in range(0, 0x10000, 4):
        m.bus.store(DATA_PA - 0x8000 + i, 4, (i * 0x9E3779B1) & MASK32)
    m.mmu.watch_page(WATCHED_PA - RAM, CODE)
    if mode == 'paged':
        pt = Sv32PageTables(m.bus, POOL)
        pt.map(DATA_VA, DATA_PA, 'rw')
        pt.map(RO_VA, RO_PA, 'r')
        pt.map(WATCHED_VA, WATCHED_PA, 'rw')
        m.mmu.set_context(S, 0, pt.satp)
    return m


def addresses(mode):
    if mode == 'bare':
        return [DATA_PA, DATA_PA + 1, DATA_PA + 2, DATA_PA + 3, RAM + RAM_SIZE - 4,
                RAM + RAM_SIZE - 2, RAM + RAM_SIZE - 1, RAM - 4, 0x1000_0000,
                WATCHED_PA + 4, WATCHED_PA + 5]
    return [DATA_VA, DATA_VA + 1, DATA_VA + 2, DATA_VA + 0xFFE, DATA_VA + 0xFFF,
            RO_VA + 8, WATCHED_VA + 4, WATCHED_VA + 6, UNMAPPED_VA]


class Recorder:
    """Counts calls of the slow path a consumer takes."""

    def __init__(self):
        self.slow = 0

    def wrap(self, function):
        def counted(*args):
            self.slow += 1
            return function(*args)
        return counted


def _outcome(run):
    try:
        return ('ok', run())
    except Exception as e:     # a fault or NeedSlowPath is an outcome too
        return ('raised', type(e).__name__)


def run_port(mode, kind, size, signed, addr, value):
    m, rec = fresh(mode), Recorder()
    m.mmu.slow_load, m.mmu.slow_store = rec.wrap(m.mmu.slow_load), rec.wrap(m.mmu.slow_store)
    port, take_hits = make_port(m.mmu, mode == 'paged')
    fn = port[fastpath.port_name(kind, size, signed)]
    results = []
    for _ in range(2):                                   # a TLB miss, then a hit
        if kind == 'load':
            results.append(_outcome(lambda: fn(addr) & MASK32))
        else:
            results.append(_outcome(lambda: fn(addr, value)))
    return results, rec.slow, take_hits(), m


def _slow_port(m, mode, rec):
    port, _ = make_port(m.mmu, mode == 'paged')
    return {name: rec.wrap(fn) for name, fn in port.items()}


def run_handler(mode, kind, size, signed, addr, value):
    m, rec = fresh(mode), Recorder()
    text = handler_statements(mode, kind, size, signed, 'A', 'V')
    body = ('global _hits\n' if mode == 'paged' else '') + text
    source = 'def handler():\n' + ''.join(f'    {line}\n' for line in body.splitlines())
    data = m.ram.data
    namespace = {**_slow_port(m, mode, rec), 'R': [0] * 32, '_rd': 1, 'A': addr, 'V': value,
                 '_RAM_BASE': RAM, '_RAM_SIZE': RAM_SIZE, '_DATA': data,
                 '_HALVES': memoryview(data).cast('H'), '_WORDS': memoryview(data).cast('I'),
                 '_WATCH': m.mmu.watch, '_RVIEW_GET': m.mmu.rview.get,
                 '_WVIEW_GET': m.mmu.wview.get, '_hits': 0}
    exec(source, namespace)
    results = []
    for _ in range(2):
        outcome = _outcome(namespace['handler'])
        if outcome[0] == 'ok' and kind == 'load':
            outcome = ('ok', namespace['R'][1])
        results.append(outcome)
    return results, rec.slow, namespace['_hits'], m


def run_region(mode, kind, size, signed, addr, value, rebased=False, reuse_after_load=False):
    """The DBT's inline code; ``rebased``: x5 holds the RAM offset; ``reuse_after_load``:
    a load of the same address first, then the store reuses ``_o`` (checked)."""
    m, rec = fresh(mode), Recorder()
    paged, regs = mode == 'paged', frozenset({'x5'}) if rebased else frozenset()
    name = fastpath.port_name(kind, size, signed)
    if kind == 'load':
        lines = [f'return {inline_load(_call(f"{name}(x5)"), paged, False, regs)} & {MASK32}']
    else:
        lines = []
        if reuse_after_load:
            lines.append(f'_ = {inline_load(_call(f"_load_{size}u(x5)"), paged, False, regs)}')
        lines += inline_store(_call(f'{name}(x5, x9)'), paged, set(), reuse_after_load,
                              regs, reuse_after_load)
    source = 'def region(x5, x9):\n' + ''.join(f'    {line}\n' for line in lines)
    data = m.ram.data
    namespace = {**_slow_port(m, mode, rec), 'BASE': RAM, 'B': data,
                 'H': memoryview(data).cast('H'), 'W': memoryview(data).cast('I'),
                 'WATCH': m.mmu.watch, 'RGET': m.mmu.rview.get, 'WGET': m.mmu.wview.get,
                 **{k: int(v) for k, v in fastpath.ram_masks(RAM_SIZE).items()}}
    exec(source, namespace)
    x5 = (addr - RAM) & MASK32 if rebased and not paged else addr
    results = [_outcome(lambda: namespace['region'](x5, value)) for _ in range(2)]
    if kind == 'store':
        results = [(r[0], None if r[0] == 'ok' else r[1]) for r in results]
    return results, rec.slow, None, m


def _memory(m):
    return bytes(m.ram.data), m.mmu.tlb_hits, m.mmu.tlb_misses


CASES = [(mode, kind, size, signed, addr) for mode in fastpath.MODES
         for kind, size, signed in ACCESSES for addr in addresses(mode)]


@pytest.mark.parametrize(('mode', 'kind', 'size', 'signed', 'addr'), CASES)
def test_ports_handlers_and_regions_agree(mode, kind, size, signed, addr):
    value = 0xA5C3_F00F
    port = run_port(mode, kind, size, signed, addr, value)
    handler = run_handler(mode, kind, size, signed, addr, value)
    region = run_region(mode, kind, size, signed, addr, value)
    if kind == 'store':
        port = ([(r[0], None if r[0] == 'ok' else r[1]) for r in port[0]], *port[1:])
    assert port[:3] == handler[:3]                      # values, slow paths, TLB hits
    assert port[:2] == region[:2]
    assert _memory(port[3]) == _memory(handler[3]) == _memory(region[3])
    if mode == 'bare':
        variants = [run_region(mode, kind, size, signed, addr, value, rebased=True)]
        if kind == 'store':
            variants.append(run_region(mode, kind, size, signed, addr, value,
                                       reuse_after_load=True))
        for variant in variants:
            assert variant[0] == region[0]
            if region[0][0][0] == 'ok':     # (the slow path may have begun a store that raised)
                assert _memory(variant[3]) == _memory(region[3])


def test_the_cases_cover_both_paths():
    """The agreement test is only worth something if both paths occur in it."""
    slow = [run_port(mode, kind, size, signed, addr, 1)[1]
            for mode, kind, size, signed, addr in CASES]
    assert 0 in slow and any(s == 2 for s in slow) and any(s == 1 for s in slow)


if __name__ == '__main__':
    if sys.argv[1:] != ['--write']:
        sys.exit('usage: python tests/isa/test_fastpath.py --write')
    GOLDEN.write_text(''.join(f'==== {k}\n{v.rstrip()}\n' for k, v in snapshots().items()))
