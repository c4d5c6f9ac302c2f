"""Zifencei: FENCE.I, the instruction-fetch fence.

Source: RISC-V Unprivileged ISA, vol. I (20191213), ch. 3 "Zifencei".  The imm, rs1 and
rd fields are reserved and ignored.  Here it flushes the predecoded-instruction cache.
"""
from vlab.isa.spec.instr import InstrSpec, enc

INSTRUCTIONS = [
    InstrSpec('fence.i', enc(funct3='001', opcode='0001111'), 'NONE', '', 'fence_i()',
              'Zifencei'),
]
