"""How fast does the interpreter run guest code?  (wall clock: benchmark only)

Runs one CPU-bound user-mode RV32 loop -- sum and scramble an array: loads, stores, ALU
and branches -- on vlab's interpreter with paging off (Bare) and with Sv32 paging on, and,
side by side on the same program in the same run, on unicorn (QEMU's native-code
translator: the speed limit) and on the pure-Python ``riscv-emulator`` package when it is
installed (``pip install -e '.[bench]'``).  The program is built with the table's encoder
(vlab.isa.fields), so this runs even without the assembler.

    .venv/bin/python benchmarks/bench_interpreter.py [--iterations N]

Prints millions of guest instructions per second (MIPS, best of ``--repeat`` runs; time
is this process's CPU time, so other jobs on a shared machine distort it less) and
the ratio to the interpreter with paging off.  Targets from issue 3: >= 5 MIPS paging
off, >= 3 MIPS with Sv32, on CPython 3.11.  On a busy machine compare the ratios: they
move far less than the absolute numbers.
"""
from __future__ import annotations

import argparse
import time

from vlab.isa.fields import encode, parse_register
from vlab.isa.machine import Machine
from vlab.isa.mmu import Sv32PageTables
from vlab.isa.spec import BY_NAME

RAM = 0x8000_0000
CODE_PA, DATA_PA, TABLES_PA = RAM, RAM + 0x10_000, RAM + 0x40_000
USER_CODE, USER_DATA = 0x0001_0000, 0x0002_0000     # virtual addresses with Sv32 on
WORDS = 256


def op(name, **fields):
    for key in ('rd', 'rs1', 'rs2'):
        if isinstance(fields.get(key), str):
            fields[key] = parse_register(fields[key])
    return encode(BY_NAME[name], **fields)


def program(data_addr: int, iterations: int) -> list[int]:
    """for i in range(iterations): for each word w of data: sum += w; w ^= 0x55"""
    hi = (data_addr + 0x800) >> 12
    lo = data_addr - (hi << 12)
    return [
        op('lui', rd='s0', imm20=hi & 0xFFFFF),           # s0 = data
        op('addi', rd='s0', rs1='s0', imm=lo),
        op('lui', rd='t3', imm20=(iterations >> 12) & 0xFFFFF),
        op('addi', rd='t3', rs1='t3', imm=iterations & 0xFFF),  # (iterations < 2048*4096)
        op('addi', rd='t2', rs1='zero', imm=0),              # sum = 0
        # outer:
        op('addi', rd='t0', rs1='s0', imm=0),                 # p = data
        op('addi', rd='t1', rs1='zero', imm=WORDS),           # n = WORDS
        # inner:
        op('lw', rd='t4', rs1='t0', imm=0),
        op('add', rd='t2', rs1='t2', rs2='t4'),
        op('xori', rd='t4', rs1='t4', imm=0x55),
        op('sw', rs1='t0', rs2='t4', imm=0),
        op('addi', rd='t0', rs1='t0', imm=4),
        op('addi', rd='t1', rs1='t1', imm=-1),
        op('bne', rs1='t1', rs2='zero', imm=-24),             # -> inner
        op('addi', rd='t3', rs1='t3', imm=-1),
        op('bne', rs1='t3', rs2='zero', imm=-40),             # -> outer
        op('addi', rd='a0', rs1='t2', imm=0),
        op('ecall'),
    ]


def expected_instructions(iterations: int) -> int:
    return 5 + iterations * (2 + WORDS * 7 + 2) + 2


def to_bytes(words):
    return b''.join(w.to_bytes(4, 'little') for w in words)


def run_vlab(iterations: int, paging: bool) -> tuple[float, int, int]:
    m = Machine(ram_size=1 << 20)
    code_va, data_va = (USER_CODE, USER_DATA) if paging else (CODE_PA, DATA_PA)
    m.load_bytes(CODE_PA, to_bytes(program(data_va, iterations)))
    m.load_bytes(DATA_PA, bytes(range(256)) * (WORDS * 4 // 256))
    if paging:
        pt = Sv32PageTables(m.bus, TABLES_PA)
        pt.map(USER_CODE, CODE_PA, 'rxu')
        pt.map_range(USER_DATA, DATA_PA, WORDS * 4, 'rwu')
        m.csr['satp'] = pt.satp
    result_box = {}

    def kernel(ctx):                      # exit on the final ecall
        if ctx.cause != 8:
            return ctx.halt(f'unexpected {ctx.name} at {ctx.epc:#x}')
        result_box['a0'] = ctx.reg(10)
        ctx.exit(0)

    m.set_trap_handler('M', kernel)
    m.pc, m.priv = code_va, 'U'
    start = time.process_time()
    result = m.run(max_instructions=10**9)
    elapsed = time.process_time() - start
    assert result.status == 'exit', result
    return elapsed, result.instructions, result_box['a0']


def run_unicorn(iterations: int):
    try:
        import unicorn
        from unicorn import riscv_const
    except ImportError:
        return None
    uc = unicorn.Uc(unicorn.UC_ARCH_RISCV, unicorn.UC_MODE_RISCV32)
    uc.mem_map(RAM, 1 << 20)
    words = program(DATA_PA, iterations)
    uc.mem_write(CODE_PA, to_bytes(words))
    uc.mem_write(DATA_PA, bytes(range(256)) * (WORDS * 4 // 256))
    end = CODE_PA + 4 * (len(words) - 1)              # stop at the ecall
    start = time.process_time()
    uc.emu_start(CODE_PA, end)
    elapsed = time.process_time() - start
    return elapsed, expected_instructions(iterations) - 1, uc.reg_read(riscv_const.UC_RISCV_REG_A0)


def run_riscv_emulator(iterations: int):
    """PyPI riscv-emulator: memory from address 0, stops at a zero word."""
    try:
        from riscv_emulator.emulator import emulator
    except ImportError:
        return None
    data = 0x10000
    words = program(data, iterations)[:-1] + [0]     # its run() stops at a zero word
    emu = emulator(memory=data + WORDS * 4 + 4096)
    emu.memory[0:4 * len(words)] = to_bytes(words)
    emu.memory[data:data + WORDS * 4] = bytes(range(256)) * (WORDS * 4 // 256)
    start = time.process_time()
    emu.run()
    elapsed = time.process_time() - start
    return elapsed, expected_instructions(iterations) - 1, emu.rg[10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iterations', type=int, default=1000)
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs per engine; the fastest counts (the machine is shared)')
    args = parser.parse_args()
    n = args.iterations

    def best(run, *run_args):
        results = [run(*run_args) for _ in range(args.repeat)]
        return None if results[0] is None else min(results)

    rows = [('vlab interpreter, paging off', best(run_vlab, n, False)),
            ('vlab interpreter, Sv32 on', best(run_vlab, n, True))]
    uni = best(run_unicorn, n)
    if uni:
        rows.append(('unicorn (native translation)', uni))
    else:
        print('unicorn not installed: skipped')
    other = best(run_riscv_emulator, max(1, n // 4))
    if other:
        rows.append(('riscv-emulator (pure Python)', other))
    else:
        print("riscv-emulator not installed (pip install -e '.[bench]'): skipped")
    base = rows[0][1][1] / rows[0][1][0]
    print(f'{"engine":<32} {"instructions":>13} {"seconds":>9} {"MIPS":>9} {"x interp":>9}  a0')
    for name, (seconds, count, a0) in rows:
        mips = count / seconds / 1e6
        print(f'{name:<32} {count:>13} {seconds:>9.3f} {mips:>9.2f} '
              f'{count / seconds / base:>9.2f}  {a0:#010x}')


if __name__ == '__main__':
    main()
