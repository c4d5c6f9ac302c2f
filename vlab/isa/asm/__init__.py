"""The RV32 assembler: GNU ``as`` syntax in, a loadable :class:`Program` (or ELF) out.

    >>> from vlab.isa.asm import assemble
    >>> program = assemble("_start: li a0, 42\\n ecall\\n")
    >>> program.text.hex()
    '1305a00273000000'

Modules, in the order a line travels through them: ``lexer`` (tokens),
``parser`` (labels, mnemonic, operands), ``expand`` + ``pseudo`` (pseudo-
instructions), ``directives``, ``operands`` + ``instructions`` (encoding from the
ISA table), ``assembler`` (the two passes), ``sections`` (layout), ``program``
(the result), ``errors`` (diagnostics).
"""

from .assembler import DEFAULT_TEXT_BASE, assemble
from .errors import AssemblyError, Diagnostic
from .program import Program, Section, SourceLine

__all__ = ["DEFAULT_TEXT_BASE", "AssemblyError", "Diagnostic", "Program", "Section",
           "SourceLine", "assemble"]
