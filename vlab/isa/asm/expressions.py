"""Expressions in operands and directives: ``msg+4``, ``end - start``, ``%hi(buf)``.

Grammar and precedence follow GNU ``as`` (manual, "Infix Operators"), which is
*not* C's: ``*  /  %  <<  >>`` bind tightest, then ``|  &  ^``, then ``+  -``
(so ``1 | 2 + 3`` is 6).  Unary ``-  ~  +`` bind tighter still.  Division
truncates toward zero, as in C.  Arithmetic is 64-bit two's complement, as GNU as's
``offsetT`` on a 64-bit host: every result wraps to a signed 64-bit number, so no
expression can build a number of unbounded size.

A value is either a plain number or, before the sections are placed in memory,
an :class:`Address` inside a section.  ``label + 4`` is an Address; ``end - start``
of two labels in the same section is a number.

RISC-V relocation operators (RISC-V ELF psABI, "Assembler Relocation Functions"):
``%hi(x)`` = (x + 0x800) >> 12, the upper 20 bits rounded so that
``%lo(x)``, the low 12 bits as a *signed* number, adds back to x;
``%pcrel_hi(x)`` is %hi of ``x - .``; ``%pcrel_lo(L)`` is the %lo that goes with
the ``%pcrel_hi`` of the ``auipc`` at label ``L``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import SourceError
from .lexer import IDENT, LOCAL_REF, NUMBER, PUNCT, Token


@dataclass(frozen=True)
class Address:
    """A location inside a section whose base address is not known yet."""

    section: str
    offset: int

    def __add__(self, other: int) -> Address:
        return Address(self.section, self.offset + other)


Value = int | Address


# --- the syntax tree ------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: int
    column: int


@dataclass(frozen=True)
class Sym:
    name: str
    column: int


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object
    column: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    column: int


@dataclass(frozen=True)
class Modifier:
    """``%hi(...)``, ``%lo(...)``, ``%pcrel_hi(...)``, ``%pcrel_lo(...)``."""

    name: str
    operand: object
    column: int


MODIFIERS = ("hi", "lo", "pcrel_hi", "pcrel_lo")
BINARY_LEVELS = (("+", "-"), ("|", "&", "^"), ("*", "/", "%", "<<", ">>"))  # loosest first


# --- parsing -----------------------------------------------------------------------------

def parse_expression(tokens: list[Token], pos: int = 0) -> tuple[object, int]:
    """Parse an expression starting at ``tokens[pos]``; return (tree, next position)."""
    return _parse_level(tokens, pos, 0)


def _parse_level(tokens: list[Token], pos: int, level: int):
    if level == len(BINARY_LEVELS):
        return _parse_unary(tokens, pos)
    left, pos = _parse_level(tokens, pos, level + 1)
    while _at(tokens, pos).kind == PUNCT and _at(tokens, pos).text in BINARY_LEVELS[level]:
        op = tokens[pos]
        right, pos = _parse_level(tokens, pos + 1, level + 1)
        left = Binary(op.text, left, right, op.column)
    return left, pos


def _parse_unary(tokens: list[Token], pos: int):
    token = _at(tokens, pos)
    if token.kind == PUNCT and token.text in ("-", "~", "+"):
        operand, pos = _parse_unary(tokens, pos + 1)
        return Unary(token.text, operand, token.column), pos
    if token.is_punct("%"):
        return _parse_modifier(tokens, pos)
    if token.is_punct("("):
        inner, pos = parse_expression(tokens, pos + 1)
        return inner, _expect(tokens, pos, ")")
    if token.kind == NUMBER:
        return Num(token.value, token.column), pos + 1
    if token.kind in (IDENT, LOCAL_REF):
        return Sym(token.text, token.column), pos + 1
    raise SourceError(f"expected a number or a symbol, found {token.text!r}", token.column,
                      "an operand expression looks like 42, label, label+4 or %hi(label)")


def _parse_modifier(tokens: list[Token], pos: int):
    percent = tokens[pos]
    name = _at(tokens, pos + 1)
    if name.kind != IDENT or name.text not in MODIFIERS:
        raise SourceError(f"unknown relocation function %{name.text}", name.column,
                          "use one of " + ", ".join("%" + m for m in MODIFIERS))
    pos = _expect(tokens, pos + 2, "(")
    inner, pos = parse_expression(tokens, pos)
    return Modifier(name.text, inner, percent.column), _expect(tokens, pos, ")")


def _at(tokens: list[Token], pos: int) -> Token:
    if pos < len(tokens):
        return tokens[pos]
    column = tokens[-1].column + len(tokens[-1].text) if tokens else 1
    return Token(PUNCT, "end of line", column)


def _expect(tokens: list[Token], pos: int, text: str) -> int:
    token = _at(tokens, pos)
    if not token.is_punct(text):
        raise SourceError(f"expected {text!r}, found {token.text!r}", token.column)
    return pos + 1


# --- evaluation --------------------------------------------------------------------------

@dataclass
class Environment:
    """What an expression can see while it is evaluated."""

    lookup: Callable[[str, int], Value]  # symbol name, column -> value (raises if undefined)
    dot: Value  # the address of the current statement
    pcrel_hi_target: Callable[[int, int], int] | None = None  # auipc address -> its target


def evaluate(node, env: Environment) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Sym):
        return env.dot if node.name == "." else env.lookup(node.name, node.column)
    if isinstance(node, Unary):
        value = absolute(evaluate(node.operand, env), node.column)
        return wrap64({"-": -value, "~": ~value, "+": value}[node.op])
    if isinstance(node, Binary):
        result = _binary(node, evaluate(node.left, env), evaluate(node.right, env))
        return wrap64(result) if isinstance(result, int) else result
    return _modifier(node, env)


def wrap64(value: int) -> int:
    """``value`` as a signed 64-bit number (two's complement wrap-around)."""
    return ((value + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def absolute(value: Value, column: int) -> int:
    if isinstance(value, Address):
        raise SourceError("this needs a constant, but the value is an address that is not "
                          "known yet", column, "use a number or a symbol set with .equ")
    return value


def _binary(node: Binary, left: Value, right: Value) -> Value:
    if node.op == "+" and isinstance(left, Address) and isinstance(right, int):
        return left + right
    if node.op == "+" and isinstance(right, Address) and isinstance(left, int):
        return right + left
    if node.op == "-" and isinstance(left, Address):
        if isinstance(right, int):
            return left + (-right)
        if right.section == left.section:
            return left.offset - right.offset
    a, b = absolute(left, node.column), absolute(right, node.column)
    if node.op in ("/", "%") and b == 0:
        raise SourceError("division by zero", node.column)
    return ARITHMETIC[node.op](a, b)


def _truncating_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": _truncating_div, "%": lambda a, b: a - b * _truncating_div(a, b),
    "<<": lambda a, b: a << (b & 63), ">>": lambda a, b: a >> (b & 63),
    "|": lambda a, b: a | b, "&": lambda a, b: a & b, "^": lambda a, b: a ^ b,
}


def hi20(value: int) -> int:
    """The ``lui``/``auipc`` immediate that, with :func:`lo12`, rebuilds ``value``."""
    return ((value + 0x800) >> 12) & 0xFFFFF


def lo12(value: int) -> int:
    """The low 12 bits of ``value`` as a signed number (-2048..2047)."""
    low = value & 0xFFF
    return low - 0x1000 if low & 0x800 else low


def _modifier(node: Modifier, env: Environment) -> int:
    value = absolute(evaluate(node.operand, env), node.column)
    if node.name == "hi":
        return hi20(value)
    if node.name == "lo":
        return lo12(value)
    dot = absolute(env.dot, node.column)
    if node.name == "pcrel_hi":
        return hi20(value - dot)
    if env.pcrel_hi_target is None:
        raise SourceError("%pcrel_lo is not allowed here", node.column)
    return lo12(env.pcrel_hi_target(value, node.column) - value)
