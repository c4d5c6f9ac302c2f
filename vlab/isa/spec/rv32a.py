"""RV32A: atomic instructions (load-reserved/store-conditional and AMOs).

Source: RISC-V Unprivileged ISA, vol. I (20191213), ch. 8 "A Standard Extension".
On one hart the ``aq``/``rl`` ordering bits have no visible effect.  A misaligned address
raises an address-misaligned exception (sec. 8.4 allows it); an AMO's faults are
store/AMO faults, which is why the read half is ``amo_load`` and not ``load``.
"""
from vlab.isa.spec.instr import InstrSpec, enc


def _amo(name, funct5, new_value):
    semantics = f't = amo_load(rs1)\nstore(rs1, 4, {new_value})\nrd = t'
    return InstrSpec(name, enc(funct5 + 'xx', funct3='010', opcode='0101111'), 'AMO',
                     'rd, rs2, (rs1)', semantics, 'A')


INSTRUCTIONS = [
    InstrSpec('lr.w', enc('00010xx', rs2='00000', funct3='010', opcode='0101111'), 'LR',
              'rd, (rs1)', 'rd = load_reserved(rs1)', 'A'),
    InstrSpec('sc.w', enc('00011xx', funct3='010', opcode='0101111'), 'AMO',
              'rd, rs2, (rs1)', 'rd = store_conditional(rs1, rs2)', 'A'),
    _amo('amoswap.w', '00001', 'rs2'),
    _amo('amoadd.w', '00000', 't + rs2'),
    _amo('amoxor.w', '00100', 't ^ rs2'),
    _amo('amoand.w', '01100', 't & rs2'),
    _amo('amoor.w', '01000', 't | rs2'),
    _amo('amomin.w', '10000', 't if sx(t) < sx(rs2) else rs2'),
    _amo('amomax.w', '10100', 't if sx(t) > sx(rs2) else rs2'),
    _amo('amominu.w', '11000', 't if t < rs2 else rs2'),
    _amo('amomaxu.w', '11100', 't if t > rs2 else rs2'),
]
