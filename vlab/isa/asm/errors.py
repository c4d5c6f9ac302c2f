"""Assembly errors that a student can act on.

Every problem the assembler finds becomes a :class:`Diagnostic`: the file, the
line and column, the line itself with a caret under the column, what is wrong
and, when we know it, how to fix it.  The assembler keeps going after an error
(it skips the bad statement) so that one run reports several problems, the way
GNU ``as`` does; :class:`AssemblyError` carries them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place in the source."""

    filename: str
    line: int  # 1-based
    column: int  # 1-based
    source_line: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = self.source_line.rstrip("\n").expandtabs(1)
        caret = " " * (max(self.column, 1) - 1) + "^"
        parts = [f"{self.filename}:{self.line}:{self.column}: error: {self.message}",
                 f"    {text}", f"    {caret}"]
        if self.hint:
            parts.append(f"    hint: {self.hint}")
        return "\n".join(parts)


class AssemblyError(Exception):
    """Raised by :func:`vlab.isa.asm.assemble` with every diagnostic found.

    ``str()`` shows the first :data:`SHOWN` of them; ``diagnostics`` holds all.
    """

    SHOWN = 20

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        shown = [str(d) for d in self.diagnostics[:self.SHOWN]]
        if len(self.diagnostics) > self.SHOWN:
            shown.append(f"... and {len(self.diagnostics) - self.SHOWN} more errors")
        super().__init__("\n".join(shown))

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]


class SourceError(Exception):
    """Internal: a problem at a column of the line being assembled.

    Raised deep inside operand parsing; the assembler turns it into a
    :class:`Diagnostic` once it knows the file and line.
    """

    def __init__(self, message: str, column: int, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.column = column
        self.hint = hint
