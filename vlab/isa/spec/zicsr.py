"""Zicsr: the control and status register instructions.

Source: RISC-V Unprivileged ISA, vol. I (20191213), ch. 9 "Zicsr".  The rules that matter
(sec. 9.1): CSRRW with rd=x0 does not read the CSR; CSRRS/CSRRC with rs1=x0 (and the
immediate forms with zimm=0) do not write it, so reading a read-only CSR is legal.  The
privilege and read-only checks live in ``csr_read``/``csr_write`` (vlab/isa/csr.py).
"""
from vlab.isa.spec.instr import InstrSpec, enc

_CSRRW = 't = csr_read(csr) if rd_num != 0 else 0\ncsr_write(csr, {src})\nrd = t'
_CSRRS = 't = csr_read(csr)\nif {cond}:\n    csr_write(csr, t | {src})\nrd = t'
_CSRRC = 't = csr_read(csr)\nif {cond}:\n    csr_write(csr, t & ~{src})\nrd = t'


def _csr(name, funct3, fmt, template, src, cond):
    syntax = 'rd, csr, rs1' if fmt == 'CSR' else 'rd, csr, zimm'
    return InstrSpec(name, enc(funct3=funct3, opcode='1110011'), fmt, syntax,
                     template.format(src=src, cond=cond), 'Zicsr')


INSTRUCTIONS = [
    _csr('csrrw', '001', 'CSR', _CSRRW, 'rs1', ''),
    _csr('csrrs', '010', 'CSR', _CSRRS, 'rs1', 'rs1_num != 0'),
    _csr('csrrc', '011', 'CSR', _CSRRC, 'rs1', 'rs1_num != 0'),
    _csr('csrrwi', '101', 'CSRI', _CSRRW, 'zimm', ''),
    _csr('csrrsi', '110', 'CSRI', _CSRRS, 'zimm', 'zimm != 0'),
    _csr('csrrci', '111', 'CSRI', _CSRRC, 'zimm', 'zimm != 0'),
]
