"""The RV32IMA + Zicsr + Zifencei + privileged + H instruction table: the one source of truth.

One module per extension (Pydgin style); ``INSTRUCTIONS`` lists them in a stable order
(I, M, A, Zicsr, Zifencei, Priv, H) and ``BY_NAME`` indexes them.  The format of a row and the
semantics language are documented in vlab/isa/spec/instr.py.
"""
from vlab.isa.spec import priv, rv32a, rv32h, rv32i, rv32m, zicsr, zifencei
from vlab.isa.spec.instr import EXTENSIONS, FORMATS, InstrSpec

INSTRUCTIONS: list[InstrSpec] = [
    *rv32i.INSTRUCTIONS,
    *rv32m.INSTRUCTIONS,
    *rv32a.INSTRUCTIONS,
    *zicsr.INSTRUCTIONS,
    *zifencei.INSTRUCTIONS,
    *priv.INSTRUCTIONS,
    *rv32h.INSTRUCTIONS,
]
BY_NAME: dict[str, InstrSpec] = {spec.name: spec for spec in INSTRUCTIONS}

__all__ = ['BY_NAME', 'EXTENSIONS', 'FORMATS', 'INSTRUCTIONS', 'InstrSpec']
