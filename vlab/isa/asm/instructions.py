"""Encoding one real instruction, derived from the ISA table.

Everything about an instruction comes from its row in vlab/isa/spec: which
operands it takes and in what order (``syntax``), and how they are packed into
32 bits (``fmt``, through ``vlab.isa.fields.encode``, which also checks every
range).  What this module adds is assembly-language convention:

* branches and ``jal`` take a *target address* (usually a label) and encode the
  distance from the instruction, ``target - pc`` (spec sec. 2.5);
* ``lui``/``auipc`` take the 20-bit upper immediate as written (``lui a0, 0x12345``);
* atomic instructions take ordering suffixes, ``lr.w.aq``, ``amoswap.w.aqrl``
  (spec sec. 8.2).
"""

from __future__ import annotations

import difflib

from vlab.isa.fields import encode
from vlab.isa.spec import BY_NAME, InstrSpec

from .directives import DIRECTIVES
from .errors import SourceError
from .expressions import Environment
from .lexer import Token
from .operands import Fields, read_slot
from .pseudo import PSEUDO_NAMES

ORDERING_SUFFIXES = {"": (0, 0), ".aq": (1, 0), ".rl": (0, 1), ".aqrl": (1, 1)}
PC_RELATIVE_FORMATS = ("B", "J")
RANGE_HINTS = {
    "B": "a branch reaches +-4 KiB; for a farther target branch around a 'j'",
    "J": "jal reaches +-1 MiB; for a farther target use 'call'",
    "U": "the upper immediate is 20 bits, 0..0xfffff; use %hi(value) or 'li'",
    "I": "a 12-bit immediate is -2048..2047; load larger constants with 'li'",
    "LOAD": "a load offset is -2048..2047; compute far addresses with 'la' or %hi/%lo",
    "S": "a store offset is -2048..2047; compute far addresses with 'la' or %hi/%lo",
    "I_SHIFT": "RV32 shifts by 0..31",
    "CSRI": "the immediate of a CSR instruction is 5 bits, 0..31; use a register for more",
}


def lookup(mnemonic: str) -> tuple[InstrSpec, int, int] | None:
    """The table row for ``mnemonic`` and its aq/rl bits, or None if it is not real."""
    name = mnemonic.lower()
    if name in BY_NAME:
        return BY_NAME[name], 0, 0
    for suffix, (aq, rl) in ORDERING_SUFFIXES.items():
        base = name.removesuffix(suffix)
        if suffix and name.endswith(suffix) and base in BY_NAME \
                and BY_NAME[base].fmt in ("AMO", "LR"):
            return BY_NAME[base], aq, rl
    return None


def syntax_slots(spec: InstrSpec) -> list[str]:
    return [slot.strip() for slot in spec.syntax.split(",")] if spec.syntax else []


def encode_instruction(mnemonic: Token, operands: list[list[Token]], env: Environment,
                       pc: int) -> int:
    found = lookup(mnemonic.text)
    if found is None:
        raise unknown_mnemonic(mnemonic)
    spec, aq, rl = found
    slots = syntax_slots(spec)
    check_operand_count(mnemonic, spec, operands)
    fields: Fields = {}
    for slot, operand in zip(slots, operands, strict=True):
        fields.update(read_slot(slot, operand, env, spec.fmt))
    values = {name: value for name, (value, _) in fields.items()}
    if spec.fmt in PC_RELATIVE_FORMATS:
        values["imm"] -= pc
    if spec.fmt == "U":
        values["imm20"] = values.pop("imm")
    if spec.fmt in ("AMO", "LR"):
        values.update(aq=aq, rl=rl)
    try:
        return encode(spec, **values)
    except ValueError as exc:
        column = _column_of_bad_field(str(exc), fields, mnemonic.column)
        raise SourceError(_explain(spec, str(exc)), column, RANGE_HINTS.get(spec.fmt, "")) \
            from None


def check_operand_count(mnemonic: Token, spec: InstrSpec, operands: list[list[Token]]) -> None:
    slots = syntax_slots(spec)
    if len(operands) != len(slots):
        form = f"{spec.name} {spec.syntax}".strip()
        where = operands[len(slots)][0].column if len(operands) > len(slots) else mnemonic.column
        raise SourceError(f"{mnemonic.text!r} takes {len(slots)} operand(s), "
                          f"got {len(operands)}", where, f"the form is: {form}")


def _column_of_bad_field(message: str, fields: Fields, default: int) -> int:
    for name, (_, column) in fields.items():
        if f" {name} " in f" {message} ".replace("=", " ").replace(":", " "):
            return column
    return fields.get("imm", (0, default))[1]


def _explain(spec: InstrSpec, message: str) -> str:
    """Say what the offset of a branch or jump is: the distance, not the target."""
    if spec.fmt in PC_RELATIVE_FORMATS:
        return f"{message} (target out of reach: the offset is target - pc)" \
            if "out of range" in message else f"{message} (the target address must be even)"
    return message


def unknown_mnemonic(mnemonic: Token) -> SourceError:
    known = sorted(set(BY_NAME) | PSEUDO_NAMES | set(DIRECTIVES))
    close = difflib.get_close_matches(mnemonic.text.lower(), known, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else \
        "see the RV32IMA instruction list (vlab.isa.spec) or the pseudo-instructions"
    return SourceError(f"unknown instruction {mnemonic.text!r}", mnemonic.column, hint)
