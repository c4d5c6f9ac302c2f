"""Turning a pseudo-instruction into real instructions, using the table in :mod:`.pseudo`.

Each template line is scanned like source text; a placeholder (``RD``, ``SYMBOL``...)
is replaced by the tokens the programmer wrote for that operand, so an error in
the expansion still points at the programmer's own column.
"""

from __future__ import annotations

from dataclasses import replace

from .errors import SourceError
from .expressions import Environment, absolute, evaluate, parse_expression
from .instructions import lookup, unknown_mnemonic
from .lexer import Token, tokenize_line
from .operands import is_register
from .parser import split_operands
from .pseudo import (
    IMMEDIATE_FORM,
    JALR_REGISTER_FORM,
    LOAD_SYMBOL,
    MEMORY_FORM,
    PSEUDO_INSTRUCTIONS,
    STORE_SYMBOL,
    expand_li,
)

Instruction = tuple[Token, list[list[Token]]]  # mnemonic, operands


def expand(mnemonic: Token, operands: list[list[Token]], env: Environment) -> list[Instruction]:
    """The real instructions for one source instruction (itself, if it is real)."""
    name = mnemonic.text.lower()
    if name == "li":
        return _expand_li(mnemonic, operands, env)
    key = (name, len(operands))
    if name in MEMORY_FORM and len(operands) == 1 and not is_register(operands[0]):
        return _instantiate(MEMORY_FORM[name], {"ADDRESS": operands[0]}, mnemonic)
    if key in _BY_COUNT:
        placeholders, templates = _BY_COUNT[key]
        if name in IMMEDIATE_FORM and not is_register(operands[-1]):
            return expand(replace(mnemonic, text=IMMEDIATE_FORM[name]), operands, env)
        return _instantiate(templates, dict(zip(placeholders, operands, strict=True)), mnemonic)
    if name in IMMEDIATE_FORM and len(operands) == 3 and not is_register(operands[2]):
        return [(replace(mnemonic, text=IMMEDIATE_FORM[name]), operands)]
    if name == "jalr" and len(operands) == 2 and is_register(operands[1]):
        return _instantiate(JALR_REGISTER_FORM, {"RD": operands[0], "RS": operands[1]}, mnemonic)
    found = lookup(name)
    if found is None:
        raise _no_such_form(mnemonic, operands)
    if found[0].fmt in ("LOAD", "S") and operands and not _is_memory_operand(operands[1:2]):
        return _symbol_access(mnemonic, operands, found[0].fmt)
    return [(mnemonic, operands)]


def _is_memory_operand(operands: list[list[Token]]) -> bool:
    return not operands or (bool(operands[0]) and operands[0][-1].is_punct(")"))


def _symbol_access(mnemonic: Token, operands: list[list[Token]], fmt: str
                   ) -> list[Instruction]:
    """``lw rd, symbol`` and ``sw rs, symbol, rt``: see LOAD_SYMBOL/STORE_SYMBOL."""
    opcode = [mnemonic]
    if fmt == "LOAD" and len(operands) == 2:
        bindings = {"RD": operands[0], "SYMBOL": operands[1], "LOAD": opcode}
        return _instantiate(LOAD_SYMBOL, bindings, mnemonic)
    if fmt == "S" and len(operands) == 3:
        bindings = {"RS": operands[0], "SYMBOL": operands[1], "RT": operands[2], "STORE": opcode}
        return _instantiate(STORE_SYMBOL, bindings, mnemonic)
    form = "rd, offset(rs1) or rd, symbol" if fmt == "LOAD" else \
        "rs2, offset(rs1) or rs2, symbol, scratch_register"
    raise SourceError(f"{mnemonic.text!r} needs a memory operand", mnemonic.column,
                      f"the form is: {mnemonic.text} {form}")


def _build_index() -> dict[tuple[str, int], tuple[list[str], tuple[str, ...]]]:
    index = {}
    for (name, operand_names), templates in PSEUDO_INSTRUCTIONS.items():
        placeholders = [p.strip() for p in operand_names.split(",")] if operand_names else []
        index[(name, len(placeholders))] = (placeholders, templates)
    return index


_BY_COUNT = _build_index()


def _instantiate(templates, bindings: dict[str, list[Token]], mnemonic: Token
                 ) -> list[Instruction]:
    result = []
    for template in templates:
        tokens: list[Token] = []
        for token in tokenize_line(template)[0]:
            if token.text in bindings:
                tokens.extend(bindings[token.text])
            else:
                tokens.append(replace(token, column=mnemonic.column))
        result.append((tokens[0], split_operands(tokens[1:], tokens[0])))
    return result


def _expand_li(mnemonic: Token, operands: list[list[Token]], env: Environment
               ) -> list[Instruction]:
    if len(operands) != 2:
        raise SourceError(f"'li' takes 2 operands, got {len(operands)}", mnemonic.column,
                          "the form is: li rd, constant")
    tree, end = parse_expression(operands[1])
    if end != len(operands[1]):
        raise SourceError(f"unexpected {operands[1][end].text!r}", operands[1][end].column)
    column = operands[1][0].column
    try:
        value = absolute(evaluate(tree, env), column)
    except SourceError as exc:
        raise SourceError(f"li needs a constant known at this point: {exc.message}", column,
                          "use 'la rd, label' for an address; define .equ constants "
                          "above their first use") from None
    if not -(1 << 31) <= value < (1 << 32):
        raise SourceError(f"li value {value} does not fit in 32 bits", column,
                          "RV32 registers hold -2**31..2**32-1")
    return _instantiate(expand_li(value), {"RD": operands[0]}, mnemonic)


def _no_such_form(mnemonic: Token, operands: list[list[Token]]) -> SourceError:
    name = mnemonic.text.lower()
    forms = [f"{n} {ops}".strip() for (n, ops) in PSEUDO_INSTRUCTIONS if n == name]
    if forms:
        return SourceError(f"{mnemonic.text!r} does not take {len(operands)} operand(s)",
                           mnemonic.column, "the form is: " + " | ".join(forms))
    return unknown_mnemonic(mnemonic)
