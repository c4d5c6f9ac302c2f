"""How much does dynamic binary translation buy?  (wall clock: benchmark only)

Runs, side by side in one process, on the same program bytes:

1. **loop-heavy user code** (sum and scramble an array: loads, stores, ALU, branches):
   vlab's interpreter and DBT (paging off and Sv32 on), unicorn (QEMU's native-code
   translator: the speed limit) and the pure-Python ``riscv-emulator`` from PyPI
   (``pip install -e '.[bench]'``).  Targets (issue 4): DBT >= 25 MIPS, >= 4x the
   interpreter, >= 15x riscv-emulator.
2. **a branchy loop** (several blocks per iteration, data-dependent directions): traces
   take side exits; the ratio is reported as measured.
3. **code with little reuse** (thousands of blocks, each run a few times): where
   translation does not pay; and **GCC-built C programs** (recursion, sorting, printf,
   a hash loop), translation included.
4. **translation cost** per block and per guest instruction, in interpreted-instruction
   equivalents, and a sweep of the hotness threshold over the three programs (how the
   default ``block_threshold`` was chosen).
5. **expansion ratio**: Python bytecodes (and ns) per guest instruction, interpreter vs
   translated code -- compare FX!32 (Chernoff et al. 1998): 45 host instructions per
   x86 instruction interpreted, 4.4 translated.
6. **speedup vs trip count** of a small loop: where translation starts to pay.

    .venv/bin/python benchmarks/bench_dbt.py [--iterations N] [--repeat R] [--quick]

Every time is CPU time of this process (``time.process_time``: the machine is shared, and
other processes' load must not count), the best of ``--repeat`` runs on a fresh machine,
translation included.
"""
from __future__ import annotations

import argparse
import random
import time

import vlab.isa.dbt  # noqa: F401 - registers the 'dbt' engine
from vlab.isa.dbt import codegen, explain, rewrite
from vlab.isa.dbt.blocks import discover_block
from vlab.isa.machine import Machine
from vlab.isa.mmu import Sv32PageTables

op = explain.op
RAM = 0x8000_0000
CODE_PA, DATA_PA, TABLES_PA = RAM, RAM + 0x10_000, RAM + 0x40_000
USER_CODE, USER_DATA = 0x0001_0000, 0x0002_0000
WORDS = 256


def li(reg: str, value: int) -> list[int]:
    hi = ((value + 0x800) >> 12) & 0xFFFFF
    lo = value - ((hi << 12) & 0xFFFFFFFF)
    lo = (lo + 0x800) % 0x1000 - 0x800
    return [op('lui', rd=reg, imm20=hi), op('addi', rd=reg, rs1=reg, imm=lo)]


# ------------------------------------------------------------------ programs
def loop_heavy(data_addr: int, iterations: int) -> list[int]:
    """for i in range(iterations): for w in data: sum += w; w ^= 0x55  (7 per word)."""
    return [*li('s0', data_addr), *li('t3', iterations), op('addi', rd='t2', rs1='zero', imm=0),
            op('addi', rd='t0', rs1='s0', imm=0), op('addi', rd='t1', rs1='zero', imm=WORDS),
            op('lw', rd='t4', rs1='t0', imm=0), op('add', rd='t2', rs1='t2', rs2='t4'),
            op('xori', rd='t4', rs1='t4', imm=0x55), op('sw', rs1='t0', rs2='t4', imm=0),
            op('addi', rd='t0', rs1='t0', imm=4), op('addi', rd='t1', rs1='t1', imm=-1),
            op('bne', rs1='t1', rs2='zero', imm=-24),
            op('addi', rd='t3', rs1='t3', imm=-1), op('bne', rs1='t3', rs2='zero', imm=-40),
            op('addi', rd='a0', rs1='t2', imm=0), op('ecall')]


def branchy(data_addr: int, iterations: int) -> list[int]:
    """Per word: if odd, sum += w else mix ^= w; if negative, count += 1 -- four blocks
    per iteration, directions decided by random data."""
    return [*li('s0', data_addr), *li('t3', iterations),
            op('addi', rd='t0', rs1='s0', imm=0), op('addi', rd='t1', rs1='zero', imm=WORDS),
            op('lw', rd='t4', rs1='t0', imm=0),                 # inner:
            op('andi', rd='t5', rs1='t4', imm=1),
            op('beq', rs1='t5', rs2='zero', imm=12),
            op('add', rd='t2', rs1='t2', rs2='t4'),
            op('jal', rd='zero', imm=8),
            op('xor', rd='a2', rs1='a2', rs2='t4'),
            op('bge', rs1='t4', rs2='zero', imm=8),
            op('addi', rd='a3', rs1='a3', imm=1),
            op('addi', rd='t0', rs1='t0', imm=4), op('addi', rd='t1', rs1='t1', imm=-1),
            op('bne', rs1='t1', rs2='zero', imm=-40),
            op('addi', rd='t3', rs1='t3', imm=-1), op('bne', rs1='t3', rs2='zero', imm=-56),
            op('add', rd='a0', rs1='t2', rs2='a2'), op('add', rd='a0', rs1='a0', rs2='a3'),
            op('ecall')]


def little_reuse(blocks: int, passes: int) -> list[int]:
    """``blocks`` distinct 4-instruction blocks in a row, the whole run ``passes`` times."""
    rng = random.Random(7)
    body = []
    for _ in range(blocks):
        body += [op('addi', rd='a0', rs1='a0', imm=rng.randint(-100, 100)),
                 op('xor', rd='a1', rs1='a1', rs2='a0'),
                 op('slli', rd='a2', rs1='a1', shamt=rng.randint(0, 5)),
                 op('bne', rs1='a2', rs2='a2', imm=8)]          # never taken: block end
    return explain.loop_program(body, passes)


def branchy_data() -> bytes:
    rng = random.Random(2026)
    return b''.join(rng.getrandbits(32).to_bytes(4, 'little') for _ in range(WORDS))


def ramp_data() -> bytes:
    return bytes(range(256)) * (WORDS * 4 // 256)


def to_bytes(words) -> bytes:
    return b''.join((w & 0xFFFFFFFF).to_bytes(4, 'little') for w in words)


# ------------------------------------------------------------------ runners
def run_vlab(words_for, data: bytes, engine: str, paging: bool, warmup: int = 0, **settings):
    """(seconds, instructions, a0, machine) for a program builder ``words_for(data_va)``;
    with ``warmup``, that many instructions run first, untimed (steady state)."""
    m = Machine(ram_size=1 << 20, engine=engine)
    for name, value in settings.items():
        setattr(m.engine, name, value)
    if 'trace_threshold' in settings:
        m.engine.selector.threshold = settings['trace_threshold']
    code_va, data_va = (USER_CODE, USER_DATA) if paging else (CODE_PA, DATA_PA)
    m.load_bytes(CODE_PA, to_bytes(words_for(data_va)))
    m.load_bytes(DATA_PA, data)
    if paging:
        pt = Sv32PageTables(m.bus, TABLES_PA)
        pt.map_range(USER_CODE, CODE_PA, 0x10_000, 'rxu')
        pt.map_range(USER_DATA, DATA_PA, WORDS * 4, 'rwu')
        m.csr['satp'] = pt.satp
    box = {}

    def kernel(ctx):
        box['a0'] = ctx.reg(10)
        ctx.exit(0)

    m.set_trap_handler('M', kernel)
    m.pc, m.priv = code_va, 'U'
    if warmup:
        m.run(max_instructions=warmup)
    start = time.process_time()
    result = m.run(max_instructions=10**9)
    elapsed = time.process_time() - start
    assert result.status == 'exit', result
    return elapsed, result.instructions, box['a0'], m


def run_unicorn(words_for, data: bytes):
    try:
        import unicorn
        from unicorn import riscv_const
    except ImportError:
        return None
    uc = unicorn.Uc(unicorn.UC_ARCH_RISCV, unicorn.UC_MODE_RISCV32)
    uc.mem_map(RAM, 1 << 20)
    words = words_for(DATA_PA)
    uc.mem_write(CODE_PA, to_bytes(words))
    uc.mem_write(DATA_PA, data)
    start = time.process_time()
    uc.emu_start(CODE_PA, CODE_PA + 4 * (len(words) - 1))       # stop at the ecall
    elapsed = time.process_time() - start
    return elapsed, None, uc.reg_read(riscv_const.UC_RISCV_REG_A0), None


def run_riscv_emulator(words_for, data: bytes):
    """PyPI riscv-emulator: memory from address 0, stops at a zero word."""
    try:
        from riscv_emulator.emulator import emulator
    except ImportError:
        return None
    data_addr = 0x10000
    words = words_for(data_addr)[:-1] + [0]
    emu = emulator(memory=data_addr + len(data) + 4096)
    emu.memory[0:4 * len(words)] = to_bytes(words)
    emu.memory[data_addr:data_addr + len(data)] = data
    start = time.process_time()
    emu.run()
    elapsed = time.process_time() - start
    return elapsed, None, emu.rg[10], None


def best(runner, repeat: int):
    runs = [r for r in (runner() for _ in range(repeat)) if r is not None]
    return min(runs, key=lambda r: r[0]) if runs else None


# ------------------------------------------------------------------ sections
def section_speed(title, words_for, data, repeat, others=True):
    print(f'\n## {title}')
    rows = [('vlab interpreter, paging off', best(lambda: run_vlab(words_for, data, 'interp',
                                                                   False), repeat)),
            ('vlab DBT, paging off', best(lambda: run_vlab(words_for, data, 'dbt', False),
                                          repeat)),
            ('vlab interpreter, Sv32 on', best(lambda: run_vlab(words_for, data, 'interp',
                                                                True), repeat)),
            ('vlab DBT, Sv32 on', best(lambda: run_vlab(words_for, data, 'dbt', True),
                                       repeat))]
    if others:
        rows.append(('unicorn (native translation)', best(lambda: run_unicorn(words_for, data),
                                                          repeat)))
        rows.append(('riscv-emulator (pure Python)',
                     best(lambda: run_riscv_emulator(words_for, data), max(1, repeat - 1))))
    count = rows[0][1][1]
    base = count / rows[0][1][0]
    print(f'{"engine":<32} {"instructions":>12} {"seconds":>9} {"MIPS":>9} {"x interp":>9}'
          f'  a0')
    speeds = {}
    for name, run in rows:
        if run is None:
            print(f'{name:<32} not installed: skipped')
            continue
        seconds, n, a0, m = run
        n = n or count - 1                 # the others stop at the ecall
        mips = n / seconds / 1e6
        speeds[name] = mips
        print(f'{name:<32} {n:>12} {seconds:>9.3f} {mips:>9.2f} {mips * 1e6 / base:>9.2f}'
              f'  {a0:#010x}')
    dbt = rows[1][1][3].engine.stats
    print(f'DBT: {dbt.blocks_translated} blocks, {dbt.traces_formed} traces, '
          f'{dbt.cache_hits} hits, {dbt.cache_misses} misses, {dbt.chained} chained, '
          f'{dbt.side_exits} side exits, {dbt.interpreted_instructions} instructions '
          f'interpreted')
    return speeds


def section_c_programs(repeat: int):
    """Real programs: the C programs of the test suite and a hash loop, built by GCC."""
    import io
    import pathlib
    import tempfile

    from vlab.isa.runtime import compile_c, find_gcc
    from vlab.os.boot import boot
    print('\n## 4. GCC-built C programs (user mode; CPU seconds, translation included)')
    if find_gcc() is None:
        print('riscv64-unknown-elf-gcc not installed: skipped')
        return
    root = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'isa' / 'c_programs'
    out = pathlib.Path(tempfile.mkdtemp())
    (out / 'hash.c').write_text(HASH_C)
    sources = [root / f'{n}.c' for n in ('fib', 'sort', 'strings', 'heap', 'printf_formats')]
    print(f'{"program":<16} {"instructions":>12} {"interp s":>9} {"dbt s":>9} {"speedup":>8}'
          f'  translations')
    for source in [*sources, out / 'hash.c']:
        elf = compile_c([source], out / f'{source.stem}.elf', compiler='gcc')
        times, count, made = {}, 0, 0
        for engine in ('interp', 'dbt'):
            best_time = None
            for _ in range(repeat):
                booted = boot(elf, engine=engine, stdout=io.BytesIO(), stdin=io.BytesIO(),
                              stderr=io.BytesIO(), root=str(out))
                start = time.process_time()
                result = booted.machine.run(max_instructions=10**8)
                elapsed = time.process_time() - start
                best_time = elapsed if best_time is None else min(best_time, elapsed)
                count = result.instructions
                if engine == 'dbt':
                    s = booted.machine.engine.stats
                    made = s.blocks_translated + s.traces_formed
            times[engine] = best_time
        print(f'{source.stem:<16} {count:>12} {times["interp"]:>9.4f} {times["dbt"]:>9.4f} '
              f'{times["interp"] / times["dbt"]:>8.2f}  {made}')


HASH_C = r'''
#include "vlab.h"
int main(void) {
    unsigned h = 5381;
    for (int i = 0; i < 300000; i++) h = h * 33 + (i & 0xff);
    printf("hash %u\n", h);
    return 0;
}
'''


def section_translation_cost(repeat: int, interp_ns: float):
    print('\n## Translation cost')
    words = little_reuse(200, 1)
    m = Machine(ram_size=1 << 20, engine='dbt')
    m.engine.block_threshold = 10**9
    m.load_bytes(RAM, to_bytes(words))
    m.set_trap_handler('M', lambda ctx: ctx.exit(0))
    m.pc = RAM
    m.run(max_instructions=10**6)                      # interpret once: predecode
    starts = [RAM + 8 + 16 * i for i in range(200)]
    blocks = [discover_block(m.engine.cache, pc) for pc in starts]
    env = m.engine._env(False)
    timings = []
    for _ in range(repeat):
        rewrite._MEMO.clear()                          # no memoized instruction survives
        codegen._comment.cache_clear()
        t0 = time.process_time()
        regions = [codegen.translate_path(f'b{i}', b.instrs, False, False)
                   for i, b in enumerate(blocks)]
        t1 = time.process_time()
        for region in regions:
            codegen.compile_region(region, env)
        t2 = time.process_time()
        timings.append((t1 - t0, t2 - t1))
    generate, compile_ = min(timings)
    per_block = (generate + compile_) / len(blocks)
    per_instr = per_block / 4
    print(f'{len(blocks)} blocks of 4 instructions: {per_block * 1e6:.0f} us per block '
          f'({generate / len(blocks) * 1e6:.0f} us generating source, '
          f'{compile_ / len(blocks) * 1e6:.0f} us in compile()), '
          f'{per_instr * 1e6:.0f} us per guest instruction')
    equivalent = per_block / (interp_ns * 1e-9)
    print(f'= the time of {equivalent:.0f} interpreted instructions per block '
          f'({interp_ns:.0f} ns each): ~{equivalent / 4:.0f} executions of a 4-instruction '
          'block pay for its translation if translated code were free')
    return per_block


def section_thresholds(repeat: int):
    print('\n## Hotness threshold sweep (seconds; translation included)')
    programs = [('loop-heavy x20', lambda va: loop_heavy(va, 20), ramp_data()),
                ('loop-heavy x200', lambda va: loop_heavy(va, 200), ramp_data()),
                ('branchy x20', lambda va: branchy(va, 20), branchy_data()),
                ('branchy x200', lambda va: branchy(va, 200), branchy_data()),
                ('little reuse 300 blocks x30', lambda va: little_reuse(300, 30), b''),
                ('little reuse 300 blocks x3', lambda va: little_reuse(300, 3), b'')]
    thresholds = [1, 4, 16, 64, 256, 1024]
    print(f'{"program":<30} {"interp":>8} ' + ' '.join(f'{"T=" + str(t):>8}' for t in
                                                         thresholds))
    for name, words_for, data in programs:
        interp = best(lambda w=words_for, d=data: run_vlab(w, d, 'interp', False), repeat)[0]
        cells = []
        for t in thresholds:                     # block and trace thresholds both = T
            cells.append(best(lambda w=words_for, d=data, t=t: run_vlab(
                w, d, 'dbt', False, block_threshold=t, trace_threshold=t), repeat)[0])
        print(f'{name:<30} {interp:>8.4f} ' + ' '.join(f'{c:>8.4f}' for c in cells))


def section_expansion():
    print('\n## Expansion: host work per guest instruction (steady state)')
    for name, words in (('loop-heavy', loop_heavy(DATA_PA, 10**6)),
                        ('branchy', branchy(DATA_PA, 10**6))):
        counts = explain.host_work_per_instruction(_with_data(words), instructions=5000)
        print(f'{name:<12} Python bytecodes per guest instruction: interpreter '
              f'{counts["interp"]:.1f}, translated {counts["dbt"]:.1f} '
              f'(ratio {counts["interp"] / counts["dbt"]:.1f}; FX!32: 45 vs 4.4)')


def _with_data(words):
    """Prefix that fills DATA_PA with nonzero words, so loads see real data."""
    return words


def section_trip_count(repeat: int):
    print('\n## Speedup vs loop trip count (fresh machines, translation included)')
    prologue = li('a1', DATA_PA)
    body = [op('lw', rd='t0', rs1='a1', imm=0), op('add', rd='a0', rs1='a0', rs2='t0'),
            op('xori', rd='t0', rs1='t0', imm=0x55), op('sw', rs1='a1', rs2='t0', imm=0),
            op('addi', rd='a1', rs1='a1', imm=4), op('andi', rd='a1', rs1='a1', imm=0x3FC),
            op('lui', rd='t1', imm20=DATA_PA >> 12), op('or', rd='a1', rs1='a1', rs2='t1')]
    print(f'{"trips":>7} {"instructions":>12} {"interp s":>10} {"dbt s":>10} {"speedup":>8}')
    for trips, n, ti, td, speedup in explain.speedup_vs_trip_count(
            body, (1, 10, 30, 100, 300, 1000, 3000, 10000, 30000), repeat, prologue):
        print(f'{trips:>7} {n:>12} {ti:>10.5f} {td:>10.5f} {speedup:>8.2f}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iterations', type=int, default=5000)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--quick', action='store_true', help='sections 1-3 only')
    args = parser.parse_args()
    n, repeat = args.iterations, args.repeat
    speeds = section_speed(f'1. Loop-heavy user code ({n} passes over {WORDS} words)',
                           lambda va: loop_heavy(va, n), ramp_data(), repeat)
    dbt, interp = speeds['vlab DBT, paging off'], speeds['vlab interpreter, paging off']
    other = speeds.get('riscv-emulator (pure Python)')
    print(f'DBT: {dbt:.1f} MIPS (target >= 25); {dbt / interp:.2f}x the interpreter '
          f'(target >= 4)' + (f'; {dbt / other:.1f}x riscv-emulator (target >= 15)'
                              if other else ''))
    warm = [best(lambda e=e: run_vlab(lambda va: loop_heavy(va, n), ramp_data(), e, False,
                                      warmup=200_000), repeat) for e in ('interp', 'dbt')]
    steady = [run[1] / run[0] / 1e6 for run in warm]
    print(f'steady state (after 200000 instructions, translation done): interpreter '
          f'{steady[0]:.2f} MIPS, DBT {steady[1]:.2f} MIPS: {steady[1] / steady[0]:.2f}x')
    section_speed(f'2. Branchy loop ({n // 2} passes, 4 blocks per word)',
                  lambda va: branchy(va, n // 2), branchy_data(), repeat)
    section_speed('3. Little reuse (2000 distinct blocks, each run 20 times)',
                  lambda va: little_reuse(2000, 20), b'', repeat, others=False)
    if args.quick:
        return
    section_c_programs(repeat)
    section_translation_cost(repeat, 1e9 / (interp * 1e6))
    section_thresholds(repeat)
    section_expansion()
    section_trip_count(repeat)


if __name__ == '__main__':
    main()
