"""Assembler directives: the table of what each ``.name`` does.

Semantics follow the GNU ``as`` manual (chapter "Assembler Directives") and its
RISC-V notes: ``.align n`` means 2**n bytes (like ``.p2align``), ``.balign n``
means n bytes; ``.word`` is 4 bytes, ``.half`` 2.  In a code section the gap
left by an alignment is filled the way GNU ``as`` for RISC-V fills it: zero bytes
up to a 2-byte boundary, a 2-byte ``c.nop`` if needed, then 4-byte ``nop``\\s, so
the padding is executable.  Directives that only matter to a linker or a
debugger (``.type``, ``.size``, ``.file``, ``.ident``, ``.attribute``) are
accepted and ignored, so GCC's ``-S`` output assembles.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import SourceError
from .expressions import Environment, absolute, evaluate, parse_expression
from .lexer import IDENT, PUNCT, STRING, Token
from .sections import CODE, align_up, kind_from_flags, kind_from_name

NOP = (0x00000013).to_bytes(4, "little")  # addi x0, x0, 0
C_NOP = (0x0001).to_bytes(2, "little")  # the 16-bit c.nop
MAX_ALIGNMENT_POWER = 16


def run_directive(asm, token: Token, operands: list[list[Token]]) -> None:
    handler, minimum, maximum = DIRECTIVES[token.text.lower()]
    if not minimum <= len(operands) <= maximum:
        wanted = f"{minimum}" if minimum == maximum else f"{minimum} to {maximum}"
        raise SourceError(f"{token.text} takes {wanted} operand(s), got {len(operands)}",
                          token.column, USAGE.get(token.text.lower(), ""))
    handler(asm, token, operands)


# ---- helpers -------------------------------------------------------------------------

def constant(asm, operand: list[Token]) -> int:
    """An expression whose value must be known in pass 1 (it decides a size)."""
    tree, end = parse_expression(operand)
    if end != len(operand):
        raise SourceError(f"unexpected {operand[end].text!r}", operand[end].column)
    return absolute(evaluate(tree, asm.environment()), operand[0].column)


def single_name(operand: list[Token], what: str) -> Token:
    if len(operand) != 1 or operand[0].kind != IDENT:
        raise SourceError(f"expected {what}", operand[0].column)
    return operand[0]


# ---- sections --------------------------------------------------------------------------

def switch_to(name: str) -> Callable:
    def handler(asm, token, operands):
        asm.current = asm.section(name, kind_from_name(name))
    return handler


def section(asm, token: Token, operands: list[list[Token]]) -> None:
    name = single_name(operands[0], "a section name, e.g. .section .rodata")
    flags = operands[1][0].text if len(operands) > 1 and operands[1][0].kind == STRING else ""
    section_type = operands[2][-1].text if len(operands) > 2 else ""
    kind = kind_from_flags(flags, section_type) if flags else kind_from_name(name.text)
    asm.current = asm.section(name.text, kind)


# ---- symbols ----------------------------------------------------------------------------

def globl(asm, token: Token, operands: list[list[Token]]) -> None:
    for operand in operands:
        name = single_name(operand, "a symbol name")
        asm.globals.setdefault(name.text, (name, asm.line_no))


def equ(asm, token: Token, operands: list[list[Token]]) -> None:
    name = single_name(operands[0], "a symbol name, e.g. .equ SIZE, 64")
    tree, end = parse_expression(operands[1])
    if end != len(operands[1]):
        raise SourceError(f"unexpected {operands[1][end].text!r}", operands[1][end].column)
    asm.define_symbol(name, tree)


# ---- data ---------------------------------------------------------------------------------

def integers(size: int) -> Callable:
    low, high = -(1 << (8 * size - 1)), (1 << (8 * size)) - 1

    def handler(asm, token, operands):
        for operand in operands:
            asm.emit(size, _integer_producer(operand, size, low, high, token.text))
    return handler


def _integer_producer(operand: list[Token], size: int, low: int, high: int, directive: str):
    def produce(env: Environment) -> bytes:
        tree, end = parse_expression(operand)
        if end != len(operand):
            raise SourceError(f"unexpected {operand[end].text!r}", operand[end].column)
        value = absolute(evaluate(tree, env), operand[0].column)
        if not low <= value <= high:
            raise SourceError(f"{directive} value {value} does not fit in {size} byte(s)",
                              operand[0].column, f"the range is {low}..{high}")
        return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
    return produce


def strings(terminated: bool) -> Callable:
    def handler(asm, token, operands):
        for operand in operands:
            if len(operand) != 1 or operand[0].kind != STRING:
                raise SourceError(f"{token.text} expects a string in double quotes",
                                  operand[0].column, 'e.g. .asciz "hello\\n"')
            data = operand[0].text.encode("latin-1") + (b"\0" if terminated else b"")
            asm.emit(len(data), lambda env, data=data: data)
    return handler


def space(asm, token: Token, operands: list[list[Token]]) -> None:
    count = constant(asm, operands[0])
    fill = constant(asm, operands[1]) & 0xFF if len(operands) > 1 else 0
    if not 0 <= count <= 1 << 28:
        raise SourceError(f"{token.text} size {count} is not a sensible size",
                          operands[0][0].column, "the size is a byte count, 0..256 MiB")
    asm.emit(count, lambda env: bytes([fill]) * count, zeros=fill == 0)


# ---- alignment ------------------------------------------------------------------------------

def align_power_of_two(asm, token: Token, operands: list[list[Token]]) -> None:
    power = constant(asm, operands[0])
    if not 0 <= power <= MAX_ALIGNMENT_POWER:
        raise SourceError(f"{token.text} {power}: the alignment is 2**{power} bytes",
                          operands[0][0].column, f"use 0..{MAX_ALIGNMENT_POWER} (e.g. .align 2 "
                          "for 4 bytes); .balign takes a byte count")
    _align(asm, 1 << power, operands[1:])


def align_bytes(asm, token: Token, operands: list[list[Token]]) -> None:
    alignment = constant(asm, operands[0])
    if alignment <= 0 or alignment & (alignment - 1) or alignment > 1 << MAX_ALIGNMENT_POWER:
        raise SourceError(f".balign {alignment}: the alignment must be a power of two",
                          operands[0][0].column, "e.g. .balign 4")
    _align(asm, alignment, operands[1:])


def _align(asm, alignment: int, rest: list[list[Token]]) -> None:
    section = asm.current
    section.alignment = max(section.alignment, alignment)
    padding = align_up(section.size, alignment) - section.size
    if rest and len(rest) > 1 and padding > constant(asm, rest[1]):
        return  # the optional maximum: skip the alignment when it costs more
    if rest and rest[0]:
        data = bytes([constant(asm, rest[0]) & 0xFF]) * padding
    elif section.kind == CODE:
        data = code_padding(section.size, padding)
    else:
        data = bytes(padding)
    if padding:
        asm.emit(padding, lambda env: data)


def code_padding(offset: int, padding: int) -> bytes:
    """Executable filler from ``offset``: zeros to an even address, c.nop, then nops."""
    zeros = (-offset) % 2
    data = bytes(zeros)
    if (padding - zeros) % 4 == 2:
        data += C_NOP
    return data + NOP * ((padding - len(data)) // 4)


# ---- ignored and checked ------------------------------------------------------------------

def ignored(asm, token: Token, operands: list[list[Token]]) -> None:
    """Debugger/linker bookkeeping (.type, .size, .file, ...): nothing to assemble."""


def option(asm, token: Token, operands: list[list[Token]]) -> None:
    """``.option`` (GNU as manual, "RISC-V Directives"): relaxation, PIC and the
    push/pop stack change nothing in what we assemble; ``arch`` may add or remove only
    extensions vlab always assembles (I, M, A, Zicsr, Zifencei) -- never C."""
    setting = single_name(operands[0], "an option, e.g. .option norelax").text.lower()
    if setting == "rvc" or (setting == "arch" and _arch_changes(operands[1:]) & {"c"}):
        raise SourceError("compressed instructions (RVC) are not supported", token.column,
                          "remove it; vlab assembles RV32IMA (+Zicsr, Zifencei) without C")
    if setting == "arch":
        unknown = _arch_changes(operands[1:]) - ALWAYS_ASSEMBLED
        if unknown:
            raise SourceError(f".option arch: extension {sorted(unknown)[0]!r} is not "
                              "supported", token.column, "vlab assembles "
                              + ", ".join(sorted(ALWAYS_ASSEMBLED)))
    elif setting not in OPTIONS_WITHOUT_EFFECT or len(operands) > 1:
        raise SourceError(f"unknown .option {setting}", operands[0][0].column,
                          "known: arch, " + ", ".join(sorted(OPTIONS_WITHOUT_EFFECT)))


OPTIONS_WITHOUT_EFFECT = frozenset({"norvc", "relax", "norelax", "pic", "nopic", "push",
                                    "pop", "csr-check", "no-csr-check"})
ALWAYS_ASSEMBLED = frozenset({"i", "m", "a", "zicsr", "zifencei", "rv32i", "rv32im",
                              "rv32ima", "rv32ima_zicsr_zifencei"})


def _arch_changes(operands: list[list[Token]]) -> set[str]:
    """The extensions named in ``.option arch, +x, -y`` (or ``arch, rv32ima``)."""
    names = set()
    for operand in operands:
        words = [t for t in operand if t.kind != PUNCT]
        if len(words) != 1 or words[0].kind != IDENT:
            raise SourceError(".option arch expects +extension, -extension or an ISA "
                              "string", operand[0].column, "e.g. .option arch, +zifencei")
        names.add(words[0].text.lower())
    return names


# name -> (handler, min operands, max operands)
DIRECTIVES: dict[str, tuple[Callable, int, int]] = {
    ".text": (switch_to(".text"), 0, 0),
    ".data": (switch_to(".data"), 0, 0),
    ".bss": (switch_to(".bss"), 0, 0),
    ".section": (section, 1, 4),
    ".globl": (globl, 1, 99),
    ".global": (globl, 1, 99),
    ".equ": (equ, 2, 2),
    ".set": (equ, 2, 2),
    ".dword": (integers(8), 1, 999),
    ".8byte": (integers(8), 1, 999),
    ".quad": (integers(8), 1, 999),
    ".word": (integers(4), 1, 999),
    ".4byte": (integers(4), 1, 999),
    ".long": (integers(4), 1, 999),
    ".half": (integers(2), 1, 999),
    ".2byte": (integers(2), 1, 999),
    ".short": (integers(2), 1, 999),
    ".byte": (integers(1), 1, 999),
    ".ascii": (strings(False), 1, 99),
    ".asciz": (strings(True), 1, 99),
    ".string": (strings(True), 1, 99),
    ".space": (space, 1, 2),
    ".zero": (space, 1, 1),
    ".skip": (space, 1, 2),
    ".align": (align_power_of_two, 1, 3),
    ".p2align": (align_power_of_two, 1, 3),
    ".balign": (align_bytes, 1, 3),
    ".option": (option, 1, 99),
    ".type": (ignored, 0, 99),
    ".size": (ignored, 0, 99),
    ".file": (ignored, 0, 99),
    ".ident": (ignored, 0, 99),
    ".attribute": (ignored, 0, 99),
}

USAGE = {
    ".equ": ".equ NAME, value", ".set": ".set NAME, value", ".space": ".space bytes[, fill]",
    ".align": ".align power_of_two[, fill[, max]]", ".balign": ".balign bytes[, fill[, max]]",
    ".section": '.section name[, "flags"[, @type]]',
    ".option": ".option norelax, or .option arch, +zifencei",
}
