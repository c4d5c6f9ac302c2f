"""RV32M: integer multiplication and division.

Source: RISC-V Unprivileged ISA, vol. I (20191213), ch. 7 "M Standard Extension".
Division by zero and signed overflow do not trap; Table 7.1 gives the results
(quotient all ones / remainder = dividend; overflow: quotient -2**31, remainder 0), which
is what these expressions produce after the 32-bit mask on ``rd``.
"""
from vlab.isa.spec.instr import InstrSpec, enc


def _m(name, funct3, semantics):
    return InstrSpec(name, enc('0000001', funct3=funct3, opcode='0110011'), 'R',
                     'rd, rs1, rs2', semantics, 'M')


INSTRUCTIONS = [
    _m('mul', '000', 'rd = rs1 * rs2'),
    _m('mulh', '001', 'rd = (sx(rs1) * sx(rs2)) >> 32'),
    _m('mulhsu', '010', 'rd = (sx(rs1) * rs2) >> 32'),
    _m('mulhu', '011', 'rd = (rs1 * rs2) >> 32'),
    _m('div', '100', 'rd = tdiv(sx(rs1), sx(rs2)) if rs2 != 0 else 0xFFFFFFFF'),
    _m('divu', '101', 'rd = rs1 // rs2 if rs2 != 0 else 0xFFFFFFFF'),
    _m('rem', '110', 'rd = trem(sx(rs1), sx(rs2)) if rs2 != 0 else rs1'),
    _m('remu', '111', 'rd = rs1 % rs2 if rs2 != 0 else rs1'),
]
