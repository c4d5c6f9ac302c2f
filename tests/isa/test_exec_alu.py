"""Per-instruction results of the integer ALU (RV32I + RV32M), each a two-line program.

Expected values are worked out from the Unprivileged ISA manual: ch. 2 for RV32I and
Table 7.1 for division by zero / overflow.
"""
import pytest

from conftest import ins, run_words

M1 = 0xFFFFFFFF          # -1
MIN = 0x80000000         # -2**31

R_CASES = [
    ('add', 5, 7, 12), ('add', M1, 1, 0), ('sub', 5, 7, 0xFFFFFFFE), ('sub', 0, MIN, MIN),
    ('sll', 1, 31, MIN), ('sll', 1, 33, 2),                      # only rs2[4:0] counts
    ('srl', MIN, 31, 1), ('sra', MIN, 31, M1), ('sra', 0x40000000, 30, 1),
    ('slt', M1, 0, 1), ('slt', 0, M1, 0), ('sltu', M1, 0, 0), ('sltu', 0, M1, 1),
    ('xor', 0xF0F0, 0xFF00, 0x0FF0), ('or', 0xF0, 0x0F, 0xFF), ('and', 0xF0, 0x3C, 0x30),
    ('mul', 0x10000, 0x10000, 0), ('mul', M1, M1, 1), ('mul', 7, 6, 42),
    ('mulh', M1, M1, 0), ('mulh', MIN, MIN, 0x40000000), ('mulh', MIN, 1, M1),
    ('mulhu', M1, M1, 0xFFFFFFFE), ('mulhsu', M1, M1, M1), ('mulhsu', 2, M1, 1),
    ('div', 7, 2, 3), ('div', (-7) & M1, 2, (-3) & M1), ('div', 7, (-2) & M1, (-3) & M1),
    ('div', 5, 0, M1), ('div', MIN, M1, MIN),                     # Table 7.1
    ('divu', 7, 2, 3), ('divu', M1, 0, M1), ('divu', M1, 2, 0x7FFFFFFF),
    ('rem', 7, 2, 1), ('rem', (-7) & M1, 2, M1), ('rem', 7, (-2) & M1, 1),
    ('rem', 5, 0, 5), ('rem', MIN, M1, 0),
    ('remu', 7, 2, 1), ('remu', 5, 0, 5), ('remu', M1, 10, 5),
]

I_CASES = [
    ('addi', 5, -6, M1), ('addi', M1, 1, 0), ('slti', M1, 0, 1), ('slti', 0, -1, 0),
    ('sltiu', 5, -1, 1),                                           # imm compared unsigned
    ('sltiu', 0, 1, 1), ('xori', 0xFF, -1, 0xFFFFFF00), ('ori', 0x100, 0x0FF, 0x1FF),
    ('andi', 0x12345678, -16, 0x12345670),
]

SHIFT_CASES = [('slli', 3, 4, 48), ('srli', MIN, 4, 0x08000000), ('srai', MIN, 4, 0xF8000000)]


@pytest.mark.parametrize('name,a,b,expected', R_CASES)
def test_register_register(machine, name, a, b, expected):
    machine.regs[11], machine.regs[12] = a, b
    result = run_words(machine, ins(name, 'a0', 'a1', 'a2'), ins('ecall'))
    assert result.status == 'exit'
    assert machine.regs[10] == expected


@pytest.mark.parametrize('name,a,imm,expected', I_CASES)
def test_register_immediate(machine, name, a, imm, expected):
    machine.regs[11] = a
    run_words(machine, ins(name, 'a0', 'a1', imm), ins('ecall'))
    assert machine.regs[10] == expected


@pytest.mark.parametrize('name,a,shamt,expected', SHIFT_CASES)
def test_shift_immediate(machine, name, a, shamt, expected):
    machine.regs[11] = a
    run_words(machine, ins(name, 'a0', 'a1', shamt), ins('ecall'))
    assert machine.regs[10] == expected


def test_x0_stays_zero(machine):
    result = run_words(machine, ins('addi', 'zero', 'zero', 5), ins('lui', 'zero', 0x12345),
                       ins('add', 'a0', 'zero', 'zero'), ins('ecall'))
    assert result.exit_code == 0 and machine.regs[0] == 0


def test_lui_auipc(machine):
    run_words(machine, ins('lui', 'a1', 0xFFFFF), ins('auipc', 'a2', 0x1),
              ins('auipc', 'a3', 0xFFFFF), ins('ecall'))
    assert machine.regs[11] == 0xFFFFF000
    assert machine.regs[12] == 0x80000004 + 0x1000
    assert machine.regs[13] == (0x80000008 - 0x1000) & M1
