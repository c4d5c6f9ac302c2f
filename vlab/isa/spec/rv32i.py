"""RV32I base integer instructions.

Source: RISC-V Unprivileged ISA, vol. I (20191213), ch. 2 "RV32I Base Integer Instruction
Set" and the opcode map in ch. 24 (RV32I listing).  FENCE's fm/rs1/rd fields are ignored
("base implementations shall ignore these fields", sec. 2.7); ECALL/EBREAK live in priv.py.
"""
from vlab.isa.spec.instr import InstrSpec, enc

X7 = 'x' * 7


def _r(name, funct7, funct3, semantics):
    return InstrSpec(name, enc(funct7, funct3=funct3, opcode='0110011'), 'R',
                     'rd, rs1, rs2', semantics, 'I')


def _i(name, funct3, semantics):
    return InstrSpec(name, 'x' * 12 + 'x' * 5 + funct3 + 'x' * 5 + '0010011', 'I',
                     'rd, rs1, imm', semantics, 'I')


def _shift(name, funct7, funct3, semantics):
    return InstrSpec(name, enc(funct7, funct3=funct3, opcode='0010011'), 'I_SHIFT',
                     'rd, rs1, shamt', semantics, 'I')


def _branch(name, funct3, condition):
    return InstrSpec(name, enc(X7, funct3=funct3, opcode='1100011'), 'B', 'rs1, rs2, imm',
                     f'if {condition}:\n    next_pc = pc + imm', 'I')


def _load(name, funct3, size, signed):
    sign = ', signed=True' if signed else ''
    return InstrSpec(name, enc(X7, funct3=funct3, opcode='0000011'), 'LOAD', 'rd, imm(rs1)',
                     f'rd = load(rs1 + imm, {size}{sign})', 'I')


def _store(name, funct3, size):
    return InstrSpec(name, enc(X7, funct3=funct3, opcode='0100011'), 'S', 'rs2, imm(rs1)',
                     f'store(rs1 + imm, {size}, rs2)', 'I')


INSTRUCTIONS = [
    InstrSpec('lui', 'x' * 25 + '0110111', 'U', 'rd, imm', 'rd = imm', 'I'),
    InstrSpec('auipc', 'x' * 25 + '0010111', 'U', 'rd, imm', 'rd = pc + imm', 'I'),
    InstrSpec('jal', 'x' * 25 + '1101111', 'J', 'rd, imm',
              'next_pc = pc + imm\nrd = pc + 4', 'I'),
    InstrSpec('jalr', enc(X7, funct3='000', opcode='1100111'), 'JALR', 'rd, imm(rs1)',
              'next_pc = (rs1 + imm) & 0xFFFFFFFE\nrd = pc + 4', 'I'),
    _branch('beq', '000', 'rs1 == rs2'),
    _branch('bne', '001', 'rs1 != rs2'),
    _branch('blt', '100', 'sx(rs1) < sx(rs2)'),
    _branch('bge', '101', 'sx(rs1) >= sx(rs2)'),
    _branch('bltu', '110', 'rs1 < rs2'),
    _branch('bgeu', '111', 'rs1 >= rs2'),
    _load('lb', '000', 1, True),
    _load('lh', '001', 2, True),
    _load('lw', '010', 4, False),
    _load('lbu', '100', 1, False),
    _load('lhu', '101', 2, False),
    _store('sb', '000', 1),
    _store('sh', '001', 2),
    _store('sw', '010', 4),
    _i('addi', '000', 'rd = rs1 + imm'),
    _i('slti', '010', 'rd = 1 if sx(rs1) < imm else 0'),
    _i('sltiu', '011', 'rd = 1 if rs1 < (imm & 0xFFFFFFFF) else 0'),
    _i('xori', '100', 'rd = rs1 ^ imm'),
    _i('ori', '110', 'rd = rs1 | imm'),
    _i('andi', '111', 'rd = rs1 & imm'),
    _shift('slli', '0000000', '001', 'rd = rs1 << shamt'),
    _shift('srli', '0000000', '101', 'rd = rs1 >> shamt'),
    _shift('srai', '0100000', '101', 'rd = sx(rs1) >> shamt'),
    _r('add', '0000000', '000', 'rd = rs1 + rs2'),
    _r('sub', '0100000', '000', 'rd = rs1 - rs2'),
    _r('sll', '0000000', '001', 'rd = rs1 << (rs2 & 31)'),
    _r('slt', '0000000', '010', 'rd = 1 if sx(rs1) < sx(rs2) else 0'),
    _r('sltu', '0000000', '011', 'rd = 1 if rs1 < rs2 else 0'),
    _r('xor', '0000000', '100', 'rd = rs1 ^ rs2'),
    _r('srl', '0000000', '101', 'rd = rs1 >> (rs2 & 31)'),
    _r('sra', '0100000', '101', 'rd = sx(rs1) >> (rs2 & 31)'),
    _r('or', '0000000', '110', 'rd = rs1 | rs2'),
    _r('and', '0000000', '111', 'rd = rs1 & rs2'),
    InstrSpec('fence.tso', '1000' + '0011' + '0011' + '00000' + '000' + '00000' + '0001111',
              'NONE', '', 'pass', 'I'),
    InstrSpec('fence', enc(X7, funct3='000', opcode='0001111'), 'FENCE', 'pred, succ',
              'pass', 'I'),
]
