"""From tokens to statements: labels, then one directive or instruction with operands.

A statement is ``[label:]... [mnemonic operand, operand, ...]``.  Operands are
split at the commas that are not inside parentheses, and kept as token lists:
what an operand *means* (a register, an expression, ``imm(reg)``, a CSR name)
depends on the instruction, and is decided later (:mod:`.operands`).
``name = expression`` is GNU's other spelling of ``.set name, expression``.

Numeric local labels (GNU as manual, "Local Labels"): ``1:`` may be defined
many times; ``1b`` means the closest definition at or before this line, ``1f``
the closest after it.  :class:`LocalLabels` gives the k-th definition of ``N``
the hidden name ``.LN^k`` (GNU uses the same scheme, with a control character)
and rewrites each reference to the right hidden name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import SourceError
from .lexer import IDENT, LOCAL_REF, NUMBER, PUNCT, Token

LOCAL_LABEL_MARK = "\x02"  # the separator GNU as puts in local label names


@dataclass
class Statement:
    labels: list[Token]
    mnemonic: Token | None  # None for a line holding only labels
    operands: list[list[Token]]


class LocalLabels:
    """Hidden names for numeric local labels, one counter per label number."""

    def __init__(self) -> None:
        self.defined: dict[int, int] = {}

    def define(self, number: int) -> str:
        self.defined[number] = self.defined.get(number, 0) + 1
        return hidden_name(number, self.defined[number])

    def resolve(self, token: Token) -> Token:
        count = self.defined.get(token.value, 0)
        if token.text.endswith("b"):
            if count == 0:
                raise SourceError(f"'{token.text}' refers back to a label "
                                  f"'{token.value}:' but there is none before this line",
                                  token.column, f"define '{token.value}:' above, or write "
                                  f"'{token.value}f' for the next one")
            return replace(token, kind=IDENT, text=hidden_name(token.value, count))
        return replace(token, kind=IDENT, text=hidden_name(token.value, count + 1))


def hidden_name(number: int, occurrence: int) -> str:
    return f".L{number}{LOCAL_LABEL_MARK}{occurrence}"


def display_name(name: str) -> str:
    """How to show a symbol name to a student (hidden local names become ``1``)."""
    if LOCAL_LABEL_MARK in name:
        return name[2:name.index(LOCAL_LABEL_MARK)]
    return name


def parse_statement(tokens: list[Token], local_labels: LocalLabels) -> Statement:
    labels: list[Token] = []
    pos = 0
    while pos + 1 < len(tokens) and tokens[pos + 1].is_punct(":"):
        label = tokens[pos]
        if label.kind == NUMBER and label.text.isdigit():
            label = replace(label, kind=IDENT, text=local_labels.define(label.value))
        elif label.kind != IDENT:
            raise SourceError(f"{label.text!r} cannot be a label", label.column,
                              "a label is a name (letters, digits, _ . $) or a number, "
                              "followed by ':'")
        labels.append(label)
        pos += 2
    rest = [local_labels.resolve(t) if t.kind == LOCAL_REF else t for t in tokens[pos:]]
    if not rest:
        return Statement(labels, None, [])
    if len(rest) >= 2 and rest[1].is_punct("=") and rest[0].kind == IDENT:
        set_directive = replace(rest[0], text=".set")
        return Statement(labels, set_directive, [[rest[0]], rest[2:]])
    mnemonic = rest[0]
    if mnemonic.kind != IDENT:
        raise SourceError(f"expected an instruction or directive, found {mnemonic.text!r}",
                          mnemonic.column, "a line is: [label:] mnemonic operands  # comment")
    return Statement(labels, mnemonic, split_operands(rest[1:], mnemonic))


def split_operands(tokens: list[Token], mnemonic: Token) -> list[list[Token]]:
    """Split at top-level commas; an empty operand (``a0,,a1``) is an error."""
    if not tokens:
        return []
    operands: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == PUNCT and token.text in "()":
            depth += 1 if token.text == "(" else -1
        if token.is_punct(",") and depth == 0:
            if not operands[-1]:
                raise SourceError("empty operand", token.column, "remove the extra ','")
            operands.append([])
        else:
            operands[-1].append(token)
    if not operands[-1]:
        raise SourceError("missing operand after ','", tokens[-1].column + 1,
                          f"write the last operand of {mnemonic.text!r} or remove the ','")
    return operands


def is_identifier(operand: list[Token]) -> bool:
    return len(operand) == 1 and operand[0].kind == IDENT


def operand_column(operand: list[Token]) -> int:
    return operand[0].column


__all__ = ["IDENT", "LocalLabels", "Statement", "display_name", "parse_statement"]
