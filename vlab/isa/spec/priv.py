"""Privileged instructions: environment call/breakpoint, trap return, WFI, SFENCE.VMA.

Sources: RISC-V Unprivileged ISA (20191213) sec. 2.8 (ECALL, EBREAK); RISC-V Privileged
Architecture (20211203) sec. 3.3.2 (MRET/SRET), 3.3.3 (WFI), 4.2.1 (SFENCE.VMA), and the
listing in ch. 9 of that volume.  What each does is in vlab/isa/traps.py and hart.py.
"""
from vlab.isa.spec.instr import InstrSpec, enc

_SYSTEM = '1110011'

INSTRUCTIONS = [
    InstrSpec('ecall', '0' * 25 + _SYSTEM, 'NONE', '', 'ecall()', 'Priv'),
    InstrSpec('ebreak', '0' * 11 + '1' + '0' * 13 + _SYSTEM, 'NONE', '', 'trap(3, pc)', 'Priv'),
    InstrSpec('sret', enc('0001000', '00010', '00000', '000', '00000', _SYSTEM), 'NONE', '',
              'next_pc = sret()', 'Priv'),
    InstrSpec('mret', enc('0011000', '00010', '00000', '000', '00000', _SYSTEM), 'NONE', '',
              'next_pc = mret()', 'Priv'),
    InstrSpec('wfi', enc('0001000', '00101', '00000', '000', '00000', _SYSTEM), 'NONE', '',
              'wfi()', 'Priv'),
    InstrSpec('sfence.vma', enc('0001001', rd='00000', funct3='000', opcode=_SYSTEM), 'SFENCE',
              'rs1, rs2', 'sfence_vma(rs1 if rs1_num != 0 else None, '
              'rs2 if rs2_num != 0 else None)', 'Priv'),
]
