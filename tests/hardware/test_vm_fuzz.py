"""Equivalence on random guests: random words, heavy in privileged instructions.

Seeded random programs (a third CSR instructions on the CSRs a guest uses and on random
numbers, a tenth xRET/WFI/SFENCE.VMA/ECALL/EBREAK, the rest random words) start in M-mode
with a handler that exits with mcause.  Each must end exactly as on the bare machine --
status, exit code, instructions retired, cause, pc, tval -- under both engines: faults,
idle WFIs and trap storms included, and never a Python exception.
"""
import random

import pytest

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

CSRS = (0x300, 0x100, 0x180, 0x305, 0x105, 0x341, 0x141, 0x342, 0x343, 0x304, 0x344,
        0x104, 0x144, 0xC00, 0xC01, 0xC02, 0xB00, 0xB02, 0x301, 0xF14, 0x302, 0x303,
        0x340, 0x140, 0x7A0, 0x3A0)
SYSTEM = (0x30200073, 0x10200073, 0x10500073, 0x12000073, 0x00000073, 0x00100073)
HANDLER = '''handler:
    csrr t0, mcause
    la t6, tohost
    slli t0, t0, 1
    ori t0, t0, 1
    sw t0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def random_word(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.3:
        csr = rng.choice((*CSRS, rng.randrange(4096)))
        return (csr << 20 | rng.randrange(32) << 15 | rng.choice((1, 2, 3, 5, 6, 7)) << 12
                | rng.randrange(32) << 7 | 0x73)
    if draw < 0.4:
        return rng.choice(SYSTEM)
    return rng.getrandbits(32)


def random_guest(seed: int):
    rng = random.Random(seed)
    body = ''.join(f'    .word {random_word(rng):#x}\n' for _ in range(48))
    source = ('.text\n.globl _start\n_start:\n    la t0, handler\n    csrw mtvec, t0\n'
              + body + HANDLER)
    return load_elf(assemble(source, filename='random.s').to_elf())


def outcome(result):
    return (result.status, result.exit_code, result.instructions, result.cause, result.pc,
            result.tval)


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('seed', range(40))
def test_random_guest_ends_as_on_the_bare_machine(seed, engine):
    image = random_guest(seed)
    bare = Machine(ram_size=1 << 20, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=20_000)
    vm = VirtualMachine(image, engine=engine, guest_ram=1 << 20)
    assert outcome(vm.run(max_instructions=20_000)) == outcome(expected)
