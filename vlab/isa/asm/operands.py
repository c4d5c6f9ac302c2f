"""Reading one operand as what the instruction's syntax says it is.

The operand slots come straight from the ``syntax`` column of the ISA table
(vlab/isa/spec): ``rd``/``rs1``/``rs2`` are registers, ``imm``/``shamt``/``zimm``
are expressions, ``imm(rs1)`` is a memory operand (the offset may be left out:
``lw a0, (a1)``), ``(rs1)`` is an address register (GNU also accepts ``0(a1)``),
``csr`` is a CSR name or number, ``pred``/``succ`` are FENCE sets written with
the letters ``iorw``.  Each reader returns the fields it found and the column of
each, so an encoding error can point at the operand that caused it.
"""

from __future__ import annotations

import difflib

from vlab.isa.fields import CSR_NUMBERS, REG_NUMBERS

from .errors import SourceError
from .expressions import Environment, absolute, evaluate, parse_expression
from .lexer import IDENT, Token

REGISTER_HINT = "registers are x0-x31 or zero, ra, sp, gp, tp, t0-t6, s0-s11 (fp), a0-a7"
FENCE_BITS = {"i": 8, "o": 4, "r": 2, "w": 1}

Fields = dict[str, tuple[int, int]]  # field name -> (value, column)


def is_register(operand: list[Token]) -> bool:
    return len(operand) == 1 and operand[0].kind == IDENT and operand[0].text.lower() in REG_NUMBERS


def read_register(operand: list[Token]) -> int:
    if is_register(operand):
        return REG_NUMBERS[operand[0].text.lower()]
    first = operand[0]
    if len(operand) == 1 and first.kind == IDENT:
        close = difflib.get_close_matches(first.text.lower(), list(REG_NUMBERS), n=3)
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
        raise SourceError(f"unknown register {first.text!r}", first.column, hint + REGISTER_HINT)
    raise SourceError("expected a register here", first.column, REGISTER_HINT)


REGISTER_NOT_IMMEDIATE_HINTS = {
    "B": "a branch goes to a label; compare registers with the first two operands",
    "J": "jal/j go to a label; to jump to the address in a register use 'jr' or 'jalr'",
}
DEFAULT_REGISTER_HINT = ("check the operand order, or use the register form of the "
                         "instruction (e.g. 'add' instead of 'addi')")


def read_value(operand: list[Token], env: Environment, fmt: str = "") -> int:
    """An expression that must be a number (pass 2: every label has an address)."""
    if is_register(operand):
        raise SourceError(f"{operand[0].text!r} is a register, but this operand is an "
                          "immediate (a number or a label)", operand[0].column,
                          REGISTER_NOT_IMMEDIATE_HINTS.get(fmt, DEFAULT_REGISTER_HINT))
    tree, end = parse_expression(operand)
    if end != len(operand):
        raise SourceError(f"unexpected {operand[end].text!r} after the expression",
                          operand[end].column, "an operand ends at ',' or the end of the line")
    return absolute(evaluate(tree, env), operand[0].column)


def split_memory_operand(operand: list[Token]) -> tuple[list[Token], list[Token]]:
    """``offset(reg)`` -> (offset tokens, [reg token]); the offset may be empty."""
    if (len(operand) >= 3 and operand[-1].is_punct(")") and operand[-3].is_punct("(")
            and operand[-2].kind == IDENT):
        return operand[:-3], [operand[-2]]
    raise SourceError("expected a memory operand like 8(sp) or (a0)", operand[0].column,
                      "write offset(register), e.g. lw a0, 4(sp)")


def read_memory(operand: list[Token], env: Environment) -> Fields:
    offset, register = split_memory_operand(operand)
    value = read_value(offset, env) if offset else 0
    return {"imm": (value, operand[0].column), "rs1": (read_register(register),
                                                        register[0].column)}


def read_address_register(operand: list[Token], env: Environment) -> Fields:
    offset, register = split_memory_operand(operand)
    if offset and read_value(offset, env) != 0:
        raise SourceError("atomic instructions take no offset", operand[0].column,
                          "write the address register alone, e.g. (a0)")
    return {"rs1": (read_register(register), register[0].column)}


def read_csr(operand: list[Token], env: Environment) -> int:
    if len(operand) == 1 and operand[0].kind == IDENT and operand[0].text.lower() in CSR_NUMBERS:
        return CSR_NUMBERS[operand[0].text.lower()]
    if len(operand) == 1 and operand[0].kind == IDENT and not _is_known_symbol(operand[0], env):
        close = difflib.get_close_matches(operand[0].text.lower(), list(CSR_NUMBERS), n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise SourceError(f"unknown CSR {operand[0].text!r}", operand[0].column,
                          hint + "write a CSR name (mstatus, mtvec, ...) or its number 0..4095")
    return read_value(operand, env)


def _is_known_symbol(token: Token, env: Environment) -> bool:
    try:
        env.lookup(token.text, token.column)
    except SourceError:
        return False
    return True


def read_fence_set(operand: list[Token]) -> int:
    token = operand[0]
    if token.kind == IDENT and len(operand) == 1 and set(token.text.lower()) <= set(FENCE_BITS):
        return sum(FENCE_BITS[c] for c in set(token.text.lower()))
    if token.kind != IDENT and len(operand) == 1 and token.value == 0:
        return 0
    raise SourceError(f"bad fence set {token.text!r}", token.column,
                      "write a combination of the letters i, o, r, w (e.g. 'rw') in that order")


def read_slot(slot: str, operand: list[Token], env: Environment, fmt: str = "") -> Fields:
    """Read ``operand`` as the syntax slot ``slot`` (e.g. 'rd', 'imm(rs1)', 'csr')."""
    column = operand[0].column
    if slot in ("rd", "rs1", "rs2"):
        return {slot: (read_register(operand), column)}
    if slot in ("imm", "shamt", "zimm"):
        return {slot: (read_value(operand, env, fmt), column)}
    if slot == "imm(rs1)":
        return read_memory(operand, env)
    if slot == "(rs1)":
        return read_address_register(operand, env)
    if slot == "csr":
        return {"csr": (read_csr(operand, env), column)}
    if slot in ("pred", "succ"):
        return {slot: (read_fence_set(operand), column)}
    raise SourceError(f"internal: the ISA table uses an operand slot {slot!r} that the "
                      "assembler does not know", column)
