"""Binary translation vs trap-and-emulate vs the H extension: exits and modeled time.

Adams & Agesen (ASPLOS 2006) compared VMware's binary translator with first-generation
VT-x: translated kernel code replaces each privileged instruction by a cheap callout,
where trap-based designs pay an exit; system calls, which the guest kernel must see,
cost BT extra work.  This script runs the same guests on the bare machine and under
``--cpu trap-emulate``, ``bt`` and ``hw`` and prints, side by side, per guest: guest
instructions, VM exits, BT callouts, the modeled time (the ledger's cycles,
vlab/host/costs.py: ``vm_exit`` 1,500, ``bt_callout`` 400, ``bt_translate`` 100 per
kernel instruction translated) and its ratio to the bare machine; and the CPU time of
this Python process with its ratio to bare (a measurement of the simulator, not of the
modeled machine).

The guests:

* ``kernel-csr``: virtual S-mode code writing and reading S-level CSRs in a loop
  (``sscratch``, ``sstatus``) -- Adams & Agesen's ``cr8wr``-like privileged work;
* ``syscalls`` and ``user-loop``: the guests of benchmarks/bench_vmm.py (a user program
  making system calls to a small S-mode kernel; a hot user loop under Sv32).

    .venv/bin/python benchmarks/bench_bt.py [--iterations N] [--engine interp|dbt]
"""
from __future__ import annotations

import argparse
import time

from bench_vmm import sources

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

RAM = 4 << 20
BUDGET = 50_000_000
METHODS = ('trap-emulate', 'bt', 'hw')
KERNEL_CSR = '''
.text
.globl _start
_start:
    la t0, m_handler
    csrw mtvec, t0
    li t0, 0x800                    # MPP = S
    csrw mstatus, t0
    la t0, kernel
    csrw mepc, t0
    mret
kernel:
    li s0, ITERATIONS
loop:
    csrw sscratch, s0               # privileged: S-level state
    csrr t1, sstatus
    add a0, a0, t1
    addi s0, s0, -1
    bnez s0, loop
    ecall                           # to the firmware: done
m_handler:
    la t6, tohost
    li a0, 1
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def guests(iterations: int) -> dict:
    programs = {'kernel-csr': KERNEL_CSR.replace('ITERATIONS', str(iterations // 8))}
    programs.update(sources(iterations))
    return {name: load_elf(assemble(text, filename=f'{name}.s').to_elf())
            for name, text in programs.items()}


def bare(image, engine: str) -> dict:
    machine = Machine(ram_size=RAM, engine=engine)
    machine.load_elf(image)
    started = time.process_time()
    result = machine.run(max_instructions=BUDGET)
    seconds = time.process_time() - started
    if result.status != 'exit' or result.exit_code != 0:
        raise SystemExit(f'bare machine: {result}')
    return {'instructions': result.instructions, 'exits': 0, 'callouts': 0,
            'cycles': machine.ledger.total_cycles, 'seconds': seconds}


def virtual(image, engine: str, cpu: str) -> dict:
    vm = VirtualMachine(image, cpu=cpu, engine=engine, guest_ram=RAM - (1 << 20),
                        vmm_ram=1 << 20)
    started = time.process_time()
    result = vm.run(max_instructions=BUDGET)
    seconds = time.process_time() - started
    if result.status != 'exit' or result.exit_code != 0:
        raise SystemExit(f'--cpu {cpu}: {result}')
    return {'instructions': result.instructions, 'exits': sum(vm.exits.values()),
            'callouts': sum(getattr(vm.vmm, 'callouts', {}).values()),
            'cycles': vm.ledger.total_cycles, 'seconds': seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iterations', type=int, default=20_000)
    parser.add_argument('--engine', choices=('interp', 'dbt'), default='dbt')
    args = parser.parse_args()
    print(f'engine {args.engine}, {args.iterations} iterations; modeled cycles from '
          'vlab/host/costs.py; CPU seconds of this process')
    header = (f'{"guest":<11} {"method":<13} {"instr":>9} {"exits":>7} {"callouts":>8} '
              f'{"cycles":>11} {"x bare":>7} {"cpu s":>7} {"x bare":>7}')
    print(header)
    print('-' * len(header))
    for name, image in guests(args.iterations).items():
        base = bare(image, args.engine)
        rows = [('bare', base)] + [(cpu, virtual(image, args.engine, cpu)) for cpu in METHODS]
        for method, row in rows:
            print(f'{name:<11} {method:<13} {row["instructions"]:>9} {row["exits"]:>7} '
                  f'{row["callouts"]:>8} {row["cycles"]:>11.0f} '
                  f'{row["cycles"] / base["cycles"]:>7.2f} {row["seconds"]:>7.3f} '
                  f'{row["seconds"] / max(base["seconds"], 1e-9):>7.2f}')
        print()


if __name__ == '__main__':
    main()
