"""The hypervisor extension's instructions: guest-memory loads/stores and the fences.

Source: RISC-V Privileged Architecture (20211203) ch. 8 "Hypervisor Extension, Version
1.0", sec. 8.3 (HLV, HLVX, HSV: "hypervisor virtual-machine load and store") and sec. 8.3.2
(HFENCE.VVMA, HFENCE.GVMA), encodings from the instruction listing of that volume (ch. 9)
and checked against GNU binutils (tests/isa/test_hext_spec.py).

HLV/HSV let HS-mode software (the hypervisor) read and write a guest's memory *as the
guest sees it*: the address goes through the two-stage translation of V=1 (vsatp, then
hgatp), at the privilege ``hstatus.SPVP`` (sec. 8.2.1).  HLVX reads with *execute*
permission instead of read permission (a hypervisor fetching the guest instruction that
trapped).  The work is done by the helpers ``hlv``/``hsv`` (vlab/isa/interpreter.py and the
MMU's ``guest_load``/``guest_store``); the privilege checks (illegal in U unless
``hstatus.HU``, virtual-instruction exception when V=1) are the sensitivity table's
(vlab/isa/spec/sensitivity.py).
"""
from vlab.isa.spec.instr import InstrSpec, enc

_SYSTEM, _HLSV = '1110011', '100'


def _hlv(name, funct7, rs2, size, signed=False, execute=False):
    return InstrSpec(name, enc(funct7, rs2, funct3=_HLSV, opcode=_SYSTEM), 'HLV', 'rd, (rs1)',
                     f'rd = hlv(rs1, {size}, {signed}, {execute})', 'H')


def _hsv(name, funct7, size):
    return InstrSpec(name, enc(funct7, funct3=_HLSV, rd='00000', opcode=_SYSTEM), 'HSV',
                     'rs2, (rs1)', f'hsv(rs1, {size}, rs2)', 'H')


INSTRUCTIONS = [
    _hlv('hlv.b', '0110000', '00000', 1, signed=True),
    _hlv('hlv.bu', '0110000', '00001', 1),
    _hlv('hlv.h', '0110010', '00000', 2, signed=True),
    _hlv('hlv.hu', '0110010', '00001', 2),
    _hlv('hlvx.hu', '0110010', '00011', 2, execute=True),
    _hlv('hlv.w', '0110100', '00000', 4),
    _hlv('hlvx.wu', '0110100', '00011', 4, execute=True),
    _hsv('hsv.b', '0110001', 1),
    _hsv('hsv.h', '0110011', 2),
    _hsv('hsv.w', '0110101', 4),
    InstrSpec('hfence.vvma', enc('0010001', rd='00000', funct3='000', opcode=_SYSTEM),
              'SFENCE', 'rs1, rs2', 'hfence_vvma(rs1 if rs1_num != 0 else None, '
              'rs2 if rs2_num != 0 else None)', 'H'),
    InstrSpec('hfence.gvma', enc('0110001', rd='00000', funct3='000', opcode=_SYSTEM),
              'SFENCE', 'rs1, rs2', 'hfence_gvma(rs1 if rs1_num != 0 else None, '
              'rs2 if rs2_num != 0 else None)', 'H'),
]
