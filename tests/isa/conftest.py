"""Shared helpers for the ISA tests: a tiny encoder-based program builder (``ins``,
``li``, ``Prog``), HTIF boot, and the ``engine`` fixture, parametrized over every
execution engine (the interpreter and the DBT) so one suite checks them all."""
import pytest

import vlab.isa.dbt  # noqa: F401 - registers engine 'dbt'
from vlab.isa.fields import encode as _encode
from vlab.isa.fields import parse_register
from vlab.isa.machine import Machine
from vlab.isa.spec import BY_NAME

RAM = 0x8000_0000
ENGINES = ['interp', 'dbt', 'dbt-eager']


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
def new_machine(engine):
    """A factory of machines on the engine under test: ``new_machine(tlb_entries=4)``."""
    def make(**options):
        options.setdefault('ram_size', 1 << 20)
        return Machine(engine=engine, **options)
    return make


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


class Prog:
    """A tiny program builder with labels, for tests that need real control flow.

    ``p.op('addi', 'a0', 'zero', 1)``; ``p.label('loop')``; ``p.branch('bne', 't0', 't1',
    'loop')``; ``p.jal('ra', 'f')``; ``p.li('a0', value)``; ``p.la('a0', 'label')``;
    ``p.csrw('mtvec', 't0')``; ``p.word(value)``.  ``p.build(base)`` resolves labels."""

    def __init__(self):
        self.items, self.labels = [], {}

    def __len__(self):
        return 4 * len(self.items)

    def op(self, name, *args, **fields):
        self.items.append(ins(name, *args, **fields))
        return self

    def word(self, value):
        self.items.append(value)
        return self

    def label(self, name):
        self.labels[name] = len(self)
        return self

    def branch(self, name, rs1, rs2, target):
        here = len(self)
        self.items.append(lambda labels, base: ins(name, rs1, rs2, labels[target] - here))
        return self

    def jal(self, rd, target):
        here = len(self)
        self.items.append(lambda labels, base: ins('jal', rd, labels[target] - here))
        return self

    def li(self, reg, value):
        self.items.extend(li(reg, value))
        return self

    def la(self, reg, target):
        self.items.append(lambda labels, base: li(reg, base + labels[target])[0])
        self.items.append(lambda labels, base: li(reg, base + labels[target])[1])
        return self

    def csrw(self, csr, reg):
        return self.op('csrrw', 'zero', csr, reg)

    def csrr(self, reg, csr):
        return self.op('csrrs', reg, csr, 'zero')

    def exit(self, tohost, code_reg='zero'):
        """HTIF exit with the code in ``code_reg``: tohost = (code << 1) | 1."""
        self.li('t6', tohost).op('slli', 't5', code_reg, 1).op('ori', 't5', 't5', 1)
        self.op('sw', 't5', 0, 't6').op('sw', 'zero', 4, 't6')
        self.label(f'_spin{len(self)}').jal('zero', f'_spin{len(self) }')
        return self

    def build(self, base=RAM):
        words = [w(self.labels, base) if callable(w) else w for w in self.items]
        return code(*words)

    def addr(self, label, base=RAM):
        return base + self.labels[label]


TOHOST = RAM + 0xF000


def boot(machine, prog, base=RAM, max_instructions=100_000):
    """Load ``prog`` at ``base`` with HTIF at TOHOST, run it from ``base`` in M-mode."""
    machine.set_trap_handler('M', None)
    machine.load_bytes(base, prog.build(base))
    machine.attach_htif(TOHOST)
    machine.pc = base
    return machine.run(max_instructions=max_instructions)
