"""The decoder, generated from the ISA table: 32-bit word -> (instruction, operand fields).

Every row of vlab/isa/spec gives a ``mask`` and a ``match`` (a word is that instruction
when ``word & mask == match``).  Decoding is a table lookup, not an if-chain: rows are
bucketed by the bits every row fixes (opcode, bits 6:0, and funct3, bits 14:12, where the
row fixes them), and inside a bucket the most specific row (most fixed bits) is tried
first -- which is how ``fence.tso`` wins over ``fence``.  A word no row matches is
illegal (``decode`` returns None; executing it raises illegal-instruction with the word
as tval).  Decoded words are memoized.
"""
from __future__ import annotations

from typing import NamedTuple

from vlab.isa.fields import decode_fields
from vlab.isa.spec import INSTRUCTIONS, InstrSpec


class Decoded(NamedTuple):
    spec: InstrSpec
    fields: dict


def _bucket_keys(spec: InstrSpec):
    """All (opcode, funct3) keys a row can match (funct3 may be free, e.g. lui)."""
    opcode = spec.match & 0x7F
    if spec.mask & 0x7000 == 0x7000:
        return [(opcode, (spec.match >> 12) & 7)]
    return [(opcode, f3) for f3 in range(8)]


def _build_buckets():
    buckets: dict[tuple[int, int], list[InstrSpec]] = {}
    for spec in INSTRUCTIONS:
        assert spec.mask & 0x7F == 0x7F, f'{spec.name}: opcode bits must be fixed'
        for key in _bucket_keys(spec):
            buckets.setdefault(key, []).append(spec)
    for rows in buckets.values():
        rows.sort(key=lambda s: -bin(s.mask).count('1'))
    return buckets


_BUCKETS = _build_buckets()
_MEMO: dict[int, Decoded | None] = {}


def find_spec(word: int) -> InstrSpec | None:
    """The table row that ``word`` encodes, or None if it is illegal."""
    for spec in _BUCKETS.get((word & 0x7F, (word >> 12) & 7), ()):
        if word & spec.mask == spec.match:
            return spec
    return None


def decode(word: int) -> Decoded | None:
    """(spec, fields) for a 32-bit word, or None when no instruction has this encoding."""
    word &= 0xFFFFFFFF
    try:
        return _MEMO[word]
    except KeyError:
        pass
    spec = find_spec(word)
    result = None if spec is None else Decoded(spec, decode_fields(spec.fmt, word))
    if len(_MEMO) < 1 << 16:
        _MEMO[word] = result
    return result
