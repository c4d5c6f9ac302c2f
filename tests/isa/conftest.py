"""Shared helpers for the ISA tests: a tiny encoder-based program builder and the
``engine`` fixture (parametrized over execution engines: 'interp' now, 'dbt' later)."""
import pytest

from vlab.isa.fields import encode as _encode
from vlab.isa.fields import parse_register
from vlab.isa.machine import Machine
from vlab.isa.spec import BY_NAME

RAM = 0x8000_0000
ENGINES = ['interp']


def ins(name: str, *regs_and_imm, **fields) -> int:
    """Encode one instruction: ``ins('addi', 'a0', 'zero', 5)`` or with keywords.

    Positional operands follow the table's syntax order, registers by name."""
    spec = BY_NAME[name]
    if regs_and_imm:
        slots = [s.strip().replace('imm(rs1)', 'imm').replace('(rs1)', 'rs1')
                 for s in spec.syntax.split(',')]
        if 'imm(rs1)' in spec.syntax:
            slots.append('rs1')
        for slot, value in zip(slots, regs_and_imm, strict=True):
            if slot in ('rd', 'rs1', 'rs2') and isinstance(value, str):
                value = parse_register(value)
            if slot == 'csr' and isinstance(value, str):
                from vlab.isa.fields import CSR_NUMBERS
                value = CSR_NUMBERS[value]
            fields[slot if slot != 'imm' or spec.fmt != 'U' else 'imm20'] = value
    return _encode(spec, **fields)


def code(*words: int) -> bytes:
    return b''.join((w & 0xFFFFFFFF).to_bytes(4, 'little') for w in words)


def exit_on_ecall(ctx):
    """M-mode firmware for tests: ecall exits with code a0; anything else halts."""
    if ctx.cause in (8, 9, 11):
        return ctx.exit(ctx.reg(10))
    return ctx.halt(f'{ctx.name} at {ctx.epc:#x} tval={ctx.tval:#x}')


@pytest.fixture(params=ENGINES)
def engine(request):
    """The execution engine under test (a name Machine(engine=...) accepts)."""
    return request.param


@pytest.fixture
def machine(engine):
    """A small machine whose M-mode Python handler exits on ecall."""
    m = Machine(ram_size=1 << 20, engine=engine)
    m.set_trap_handler('M', exit_on_ecall)
    return m


def run_words(machine, *words, max_instructions=10_000, at=RAM):
    """Load words at ``at``, run from there, return the RunResult."""
    machine.load_bytes(at, code(*words))
    machine.pc = at
    return machine.run(max_instructions=max_instructions)


def li(reg: str, value: int) -> list[int]:
    """lui+addi loading a 32-bit constant (what the ``li`` pseudo-instruction expands to)."""
    value &= 0xFFFFFFFF
    hi = ((value + 0x800) >> 12) & 0xFFFFF
    lo = value - ((hi << 12) & 0xFFFFFFFF)
    lo = (lo + 0x800) % 0x1000 - 0x800
    return [ins('lui', rd=parse_register(reg), imm20=hi),
            ins('addi', rd=parse_register(reg), rs1=parse_register(reg), imm=lo)]
