"""Equivalence under ``hw`` on random guests (the generator of tests/hardware/test_vm_fuzz.py).

Two kinds of seeded random programs, each must end exactly as on the bare machine --
status, exit code, instructions retired, cause, pc, tval -- under both engines, and never
with a Python exception:

* ``random_guest``: random words, heavy in privileged instructions, run in M-mode (the
  hw VMM's emulated virtual M-mode, in VU);
* ``supervisor_guest``: the same kind of words run in S-mode -- natively in VS-mode --
  after M-mode delegated a random subset of exceptions (``medeleg``) and a random
  TVM/TW/TSR; the S handler and the M handler each exit with their cause.
"""
import random

import pytest
from test_vm_fuzz import outcome, random_guest, random_word

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

DELEGABLE = (0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 15)
SUPERVISOR = '''
.text
.globl _start
_start:
    la t0, m_handler
    csrw mtvec, t0
    la t0, s_handler
    csrw stvec, t0
    li t0, MEDELEG
    csrw medeleg, t0
    li t0, MSTATUS
    csrw mstatus, t0
    la t0, body
    csrw mepc, t0
    mret
body:
BODY
s_handler:
    csrr t0, scause
    slli t0, t0, 1
    ori t0, t0, 0x201               # exit code 0x100 + scause
    j exit
m_handler:
    csrr t0, mcause
    slli t0, t0, 1
    ori t0, t0, 1
exit:
    la t6, tohost
    sw t0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def supervisor_guest(seed: int):
    rng = random.Random(seed)
    medeleg = sum(1 << c for c in DELEGABLE if rng.random() < 0.5)
    mstatus = 1 << 11 | sum(bit for bit in (1 << 20, 1 << 21, 1 << 22)
                            if rng.random() < 0.3)
    body = ''.join(f'    .word {random_word(rng):#x}\n' for _ in range(32))
    source = SUPERVISOR.replace('MEDELEG', hex(medeleg)).replace(
        'MSTATUS', hex(mstatus)).replace('BODY', body)
    return load_elf(assemble(source, filename='supervisor.s').to_elf())


def same_as_bare(image, engine):
    bare = Machine(ram_size=1 << 20, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=20_000)
    vm = VirtualMachine(image, cpu='hw', engine=engine, guest_ram=1 << 20)
    assert outcome(vm.run(max_instructions=20_000)) == outcome(expected)


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('seed', range(30))
def test_random_m_mode_guest_ends_as_on_the_bare_machine(seed, engine):
    same_as_bare(random_guest(seed), engine)


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('seed', range(40))
def test_random_s_mode_guest_ends_as_on_the_bare_machine(seed, engine):
    same_as_bare(supervisor_guest(seed), engine)
