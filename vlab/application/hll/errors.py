"""The VM's own error types: everything that can go wrong *outside* the guest program.

Guest exceptions (a guest ``ValueError``) are guest objects carried by :class:`GuestThrow`;
the classes here are the VM refusing or stopping a program, each with a clear reason.
"""

from __future__ import annotations


class HLLError(Exception):
    """Base of every error the VM reports to its user (never a crash)."""


class CompileError(HLLError):
    """Source outside the language subset, with line and column.

    One error names one construct.  A program with several problems gets one CompileError
    carrying them all in ``problems``, in line order (as a C compiler lists every error, not
    only the first): ``str()`` shows one per line, and ``line``, ``col`` and ``reason`` are
    those of the first.
    """

    def __init__(self, message: str, line: int = 0, col: int = 0, filename: str = "<source>"):
        super().__init__(f"{filename}:{line}:{col}: {message}")
        self.line, self.col, self.reason, self.filename = line, col, message, filename
        self.problems: list[CompileError] = [self]

    @classmethod
    def several(cls, problems: list[CompileError]) -> CompileError:
        """One error reporting every one of ``problems`` (at least one), sorted by position."""
        ordered = sorted(problems, key=lambda problem: (problem.line, problem.col))
        first = ordered[0]
        error = cls(first.reason, first.line, first.col, first.filename)
        error.problems = ordered
        error.args = ("\n".join(problem.args[0] for problem in ordered),)
        return error


class RejectedClass(HLLError):
    """A class the loader or verifier refused (ClassFormatError, VerifyError, LinkageError)."""


class ClassFormatError(RejectedClass):
    """Malformed class-file bytes."""


class VerifyError(RejectedClass):
    """Bytecode that fails data-flow type checking: names method, offset and reason."""

    def __init__(self, cls: str, method: str, offset: int, reason: str):
        super().__init__(f"{cls}.{method} at offset {offset}: {reason}")
        self.method, self.offset, self.reason = method, offset, reason


class LinkageError(RejectedClass):
    """A class or member that cannot be found or resolved."""


class BudgetExhausted(HLLError):
    """The instruction budget ran out (uncatchable by the guest)."""


class GuestThrow(Exception):
    """A guest exception object in flight through host (Python) frames."""

    def __init__(self, obj):
        super().__init__()
        self.obj = obj
