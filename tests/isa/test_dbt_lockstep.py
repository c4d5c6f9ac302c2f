"""Lockstep and differential tests of the DBT.

* Random looping programs (hypothesis, derandomized, bounded): the DBT and the
  interpreter run the same program in chunks of random size, and after every chunk --
  translated code stops at a block boundary or exactly at the chunk's budget -- the
  whole state must agree: registers, pc, privilege, CSRs, instret, memory, the trap log
  and the ledger.  Programs mix ALU, M, loads and stores (aligned or not), forward
  branches and jumps, and random 32-bit words (illegal instructions, CSR accesses,
  stores into the code itself...), in M-mode and in U-mode under Sv32.
* Random loops against unicorn (QEMU's RISC-V core): final registers and memory.
* The C programs of tests/isa/c_programs, compiled by GCC: same stdout, exit status,
  instret, final state and ledger on both engines, paging off and on.
"""
from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from dbt_programs import DATA, build, state
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from conftest import RAM, code, ins, li
from vlab.isa.fields import REG_NAMES
from vlab.isa.mmu import Sv32PageTables
from vlab.isa.runtime import compile_c, find_gcc
from vlab.os.boot import boot

R_OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh',
         'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu']
I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi']
SHIFTS = ['slli', 'srli', 'srai']
LOADS = ['lb', 'lbu', 'lh', 'lhu', 'lw']
STORES = ['sb', 'sh', 'sw']
BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']
FREE = [r for r in range(1, 32) if r not in (8, 9)]      # s0 = data pointer, s1 = counter


def random_instruction(rng: random.Random, index: int, length: int, raw_words: bool) -> int:
    rd, rs1, rs2 = (REG_NAMES[rng.choice(FREE)], REG_NAMES[rng.randrange(32)],
                    REG_NAMES[rng.randrange(32)])
    kind = rng.choices(['r', 'i', 'shift', 'u', 'load', 'store', 'branch', 'jal', 'raw'],
                       [6, 6, 3, 1, 4, 3, 3, 1, 1 if raw_words else 0])[0]
    if kind == 'r':
        return ins(rng.choice(R_OPS), rd, rs1, rs2)
    if kind == 'i':
        return ins(rng.choice(I_OPS), rd, rs1, rng.randint(-2048, 2047))
    if kind == 'shift':
        return ins(rng.choice(SHIFTS), rd, rs1, rng.randrange(32))
    if kind == 'u':
        return ins(rng.choice(['lui', 'auipc']), rd=REG_NAMES.index(rd),
                   imm20=rng.randrange(1 << 20))
    if kind == 'load':
        return ins(rng.choice(LOADS), rd, rng.randrange(0, 2040), 's0')
    if kind == 'store':
        return ins(rng.choice(STORES), rs2, rng.randrange(0, 2040), 's0')
    ahead = 4 * rng.randint(1, max(1, min(4, length - index)))
    if kind == 'branch':
        return ins(rng.choice(BRANCHES), rs1, rs2, ahead)
    if kind == 'jal':
        return ins('jal', rd, ahead)
    return rng.getrandbits(32)


def random_loop(rng: random.Random, raw_words: bool) -> list[int]:
    length = rng.randint(1, 16)
    body = [random_instruction(rng, i, length, raw_words) for i in range(length)]
    trips = rng.randint(1, 60)
    back = -4 * (length + 1)
    return [*li('s0', DATA), *li('s1', trips), *body, ins('addi', 's1', 's1', -1),
            ins('bne', 's1', 'zero', back), ins('ecall')]


def paged_setup(m) -> None:
    """Run in U-mode with Sv32: code at 0x1_0000, data at its physical address."""
    pt = Sv32PageTables(m.bus, RAM + 0x8_0000)
    pt.map_range(0x1_0000, RAM, 0x1000, 'rwxu')
    pt.map_range(DATA, DATA, 0x1000, 'rwu')
    m.csr['satp'] = pt.satp
    m.pc, m.priv = 0x1_0000, 'U'


@seed(20261126)
@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(program_seed=st.integers(0, 2**32 - 1), chunk_seed=st.integers(0, 2**32 - 1),
       raw_words=st.booleans(), paged=st.booleans(),
       regs=st.lists(st.integers(0, 0xFFFF_FFFF), min_size=32, max_size=32))
def test_random_programs_agree_with_the_interpreter_at_every_stop(program_seed, chunk_seed,
                                                                   raw_words, paged, regs):
    words = random_loop(random.Random(program_seed), raw_words)
    data = random.Random(program_seed + 1).randbytes(4096)
    machines = []
    for engine in ('interp', 'dbt-eager', 'dbt'):
        m = build(engine, words, data, regs=dict(enumerate(regs)))
        if paged:
            paged_setup(m)
        machines.append(m)
    chunks = random.Random(chunk_seed)
    for _ in range(200):
        chunk = chunks.choice([1, 2, 3, 5, 8, 13, 50, 200, 1000])
        results = [m.run(max_instructions=chunk) for m in machines]
        summary = [(r.status, r.instructions, r.pc, r.exit_code) for r in results]
        assert summary[0] == summary[1] == summary[2]
        states = [state(m) for m in machines]
        assert states[0] == states[1] == states[2]
        if results[0].status != 'budget':
            break


# ------------------------------------------------------------------ against unicorn
unicorn_missing = False
try:
    import unicorn
    from unicorn import riscv_const
except ImportError:                                       # pragma: no cover
    unicorn_missing = True


@pytest.mark.skipif(unicorn_missing, reason='unicorn not installed')
@seed(20261127)
@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(program_seed=st.integers(0, 2**32 - 1),
       regs=st.lists(st.integers(0, 0xFFFF_FFFF), min_size=32, max_size=32))
def test_random_loops_agree_with_unicorn(program_seed, regs):
    words = random_loop(random.Random(program_seed), raw_words=False)
    data = random.Random(program_seed + 1).randbytes(4096)
    m = build('dbt-eager', words, data, regs=dict(enumerate(regs)))
    result = m.run(max_instructions=100_000)
    assert result.status == 'exit'
    uc = unicorn.Uc(unicorn.UC_ARCH_RISCV, unicorn.UC_MODE_RISCV32)
    uc.mem_map(RAM, 0x2_0000)
    uc.mem_write(RAM, code(*words))
    uc.mem_write(DATA, data)
    names = [getattr(riscv_const, f'UC_RISCV_REG_X{n}') for n in range(32)]
    for number in range(1, 32):
        uc.reg_write(names[number], regs[number])
    uc.emu_start(RAM, RAM + 4 * (len(words) - 1))
    theirs = [0] + [uc.reg_read(names[n]) & 0xFFFF_FFFF for n in range(1, 32)]
    assert list(m.regs) == theirs
    assert m.bus.read_bytes(DATA, 4096) == bytes(uc.mem_read(DATA, 4096))


# ------------------------------------------------------------------ real programs
PROGRAMS = Path(__file__).parent / 'c_programs'
NAMES = sorted(p.stem for p in PROGRAMS.glob('*.c') if not p.stem.startswith('bare_'))
needs_gcc = [pytest.mark.toolchain,
             pytest.mark.skipif(find_gcc() is None, reason='needs riscv64-unknown-elf-gcc')]


def side(name, suffix, default=''):
    path = PROGRAMS / f'{name}{suffix}'
    return path.read_text() if path.exists() else default


@pytest.fixture(scope='module')
def elves(tmp_path_factory):
    if find_gcc() is None:
        pytest.skip('needs riscv64-unknown-elf-gcc')
    out = tmp_path_factory.mktemp('dbt_elves')
    return {name: compile_c([PROGRAMS / f'{name}.c'], out / f'{name}.elf') for name in NAMES}


def run_c(elf, name, engine, paging, root):
    stdout = io.BytesIO()
    booted = boot(elf, argv=[name, *side(name, '.args').splitlines()],
                  envp=side(name, '.env').splitlines(), engine=engine, paging=paging,
                  stdin=io.BytesIO(side(name, '.in').encode()), stdout=stdout,
                  stderr=io.BytesIO(), root=root)
    result = booted.machine.run(max_instructions=20_000_000)
    m = booted.machine
    counts = {k: v for k, v in m.ledger.counts.items() if k != 'block_translate' and v}
    return ((result.status, result.instructions, result.exit_code), stdout.getvalue(),
            m.hart.state(), counts, m)


@pytest.mark.parametrize('paging', [False, True], ids=['bare-addressing', 'sv32'])
@pytest.mark.parametrize('name', NAMES)
@pytest.mark.toolchain
def test_c_program_same_on_both_engines(name, paging, elves, tmp_path):
    runs = {}
    for engine in ('interp', 'dbt', 'dbt-eager'):
        (tmp_path / engine).mkdir()
        runs[engine] = run_c(elves[name], name, engine, paging, tmp_path / engine)
    assert runs['interp'][:4] == runs['dbt'][:4] == runs['dbt-eager'][:4]
    assert runs['dbt'][1].decode() == side(name, '.out')
    assert runs['dbt-eager'][4].engine.stats.blocks_translated > 0


UNICORN_PROGRAMS = ['hello', 'sort', 'strings', 'printf_formats']


@pytest.mark.skipif(unicorn_missing, reason='unicorn not installed')
@pytest.mark.parametrize('name', UNICORN_PROGRAMS)
@pytest.mark.toolchain
def test_c_program_on_the_dbt_agrees_with_unicorn(name, elves, tmp_path):
    from vlab.isa.elf import load_elf
    from vlab.os.unicorn_backend import UnicornUserProcess
    argv = [name, *side(name, '.args').splitlines()]
    envp = side(name, '.env').splitlines()
    theirs_out = io.BytesIO()
    theirs = UnicornUserProcess(load_elf(elves[name]), argv=argv, envp=envp,
                                stdin=io.BytesIO(side(name, '.in').encode()),
                                stdout=theirs_out, stderr=io.BytesIO())
    theirs.run(max_instructions=20_000_000)
    (tmp_path / 'root').mkdir()
    status, out, hart, _, m = run_c(elves[name], name, 'dbt-eager', False, tmp_path / 'root')
    assert theirs.fault is None
    assert out == theirs_out.getvalue() != b'' and status[2] == theirs.process.exit_status
    assert hart['x'] == theirs.registers()            # final registers (at the exit ecall)
    assert m.engine.stats.translated_instructions > 0
