"""Emitting one method's bytecode: instructions, labels, the line table.

The compiler talks to an :class:`Assembler` the way clox's compiler talks to its chunk
(Nystrom, *Crafting Interpreters*, ch. 14): ``emit`` appends an instruction, ``label`` /
``place`` handle forward jumps (patched when the code is finished), and every instruction
records the source line it came from.
"""

from __future__ import annotations

from .classfile import Handler
from .opcodes import BY_NAME, OPERAND_SIZE, encode


class Label:
    __slots__ = ("offset",)

    def __init__(self):
        self.offset: int | None = None


class Assembler:
    def __init__(self):
        self.code = bytearray()
        self.lines: list[tuple[int, int]] = []
        self.handlers: list[tuple[Label, Label, Label, int]] = []
        self._patches: list[tuple[int, Label]] = []
        self.line = 0

    @property
    def offset(self) -> int:
        return len(self.code)

    def emit(self, name: str, *args) -> None:
        """Append one instruction; a :class:`Label` operand is patched later."""
        if not self.lines or self.lines[-1][1] != self.line:
            self.lines.append((self.offset, self.line))
        values, position = [], self.offset + 1
        for kind, arg in zip(BY_NAME[name].operands, args, strict=True):
            if isinstance(arg, Label):
                self._patches.append((position, arg))
                arg = 0
            values.append(arg)
            position += OPERAND_SIZE[kind]
        self.code += encode(name, *values)

    def place(self, label: Label) -> None:
        label.offset = self.offset

    def handler(self, start: Label, end: Label, target: Label, catch: int) -> None:
        self.handlers.append((start, end, target, catch))

    def finish(self) -> tuple[bytes, list[Handler], list[tuple[int, int]]]:
        for where, label in self._patches:
            self.code[where:where + 2] = label.offset.to_bytes(2, "big")
        handlers = [Handler(s.offset, e.offset, t.offset, c) for s, e, t, c in self.handlers
                    if s.offset != e.offset]
        return bytes(self.code), handlers, self.lines
