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
        text, column = clip(self.source_line.rstrip("\n").expandtabs(1), max(self.column, 1))
        caret = " " * (column - 1) + "^"
        message = self.message if len(self.message) <= 4 * SHOWN_WIDTH else \
            self.message[:4 * SHOWN_WIDTH] + "..."
        parts = [f"{self.filename}:{self.line}:{self.column}: error: {message}",
                 f"    {text}", f"    {caret}"]
        if self.hint:
            parts.append(f"    hint: {self.hint}")
        return "\n".join(parts)


SHOWN_WIDTH = 120   # characters of a long source line shown around the error


def clip(text: str, column: int) -> tuple[str, int]:
    """A long line cut to ``SHOWN_WIDTH`` characters around ``column`` (with '...' where
    it was cut), and the column in the cut text: a 1 MB line makes a short message."""
    if len(text) <= SHOWN_WIDTH:
        return text, column
    start = max(0, min(column - 1 - SHOWN_WIDTH // 2, len(text) - SHOWN_WIDTH))
    shown = text[start:start + SHOWN_WIDTH]
    prefix = "..." if start else ""
    suffix = "..." if start + SHOWN_WIDTH < len(text) else ""
    return prefix + shown + suffix, column - start + len(prefix)


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
