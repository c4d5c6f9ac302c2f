"""The constant pool: the table of constants and symbolic references of one class.

As in the JVM (JVM Specification sec. 4.4), instructions do not hold names or literals
directly; they hold an index into this pool.  Symbolic references (a class by name, a
method by class + name + arity, a global by class + name) are resolved lazily, the first
time an instruction uses them (see ``loader.RuntimeClass.resolve``).

Byte layout of one entry (tag byte, then):

=====  ======  =================================================
tag    kind    payload
=====  ======  =================================================
1      UTF8    u16 length, UTF-8 bytes (an identifier)
2      INT     u16 length, signed big-endian two's complement bytes
3      STR     u32 length, UTF-8 bytes (a string literal)
4      BOOL    u8 0 or 1
5      NONE    nothing
6      CLASS   u16 index of a UTF8 (class name)
7      FIELD   u16 CLASS index, u16 UTF8 index (a module global)
8      METHOD  u16 CLASS index, u16 UTF8 index, u8 arity
=====  ======  =================================================

Index 0 is never a valid entry.
"""

from __future__ import annotations

from dataclasses import dataclass

TAGS = {1: "UTF8", 2: "INT", 3: "STR", 4: "BOOL", 5: "NONE", 6: "CLASS", 7: "FIELD",
        8: "METHOD"}
TAG_OF = {kind: tag for tag, kind in TAGS.items()}
VALUE_KINDS = ("INT", "STR", "BOOL", "NONE")  # what LOAD_CONST may load


@dataclass(frozen=True)
class Entry:
    kind: str
    value: object  # str/int/bool/None, or a tuple of indexes for references


class ConstPool:
    def __init__(self, entries: list[Entry] | None = None):
        self.entries: list[Entry | None] = [None] + list(entries or [])
        self._index = {(e.kind, type(e.value), e.value): i
                       for i, e in enumerate(self.entries) if e is not None}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, kind: str, value) -> int:
        key = (kind, type(value), value)
        if key not in self._index:
            self._index[key] = len(self.entries)
            self.entries.append(Entry(kind, value))
        return self._index[key]

    # Convenience constructors used by the compiler.
    def utf8(self, name: str) -> int:
        return self.add("UTF8", name)

    def constant(self, value) -> int:
        kind = {bool: "BOOL", int: "INT", str: "STR", type(None): "NONE"}[type(value)]
        return self.add(kind, value)

    def class_ref(self, name: str) -> int:
        return self.add("CLASS", (self.utf8(name),))

    def field_ref(self, cls: str, name: str) -> int:
        return self.add("FIELD", (self.class_ref(cls), self.utf8(name)))

    def method_ref(self, cls: str, name: str, arity: int) -> int:
        return self.add("METHOD", (self.class_ref(cls), self.utf8(name), arity))

    def kind(self, index: int) -> str | None:
        if 0 < index < len(self.entries):
            return self.entries[index].kind
        return None

    def get(self, index: int) -> Entry:
        return self.entries[index]

    def name(self, index: int) -> str:
        """The string of a UTF8 entry, or the class name of a CLASS entry."""
        entry = self.entries[index]
        if entry.kind == "CLASS":
            entry = self.entries[entry.value[0]]
        return entry.value

    def describe(self, index: int) -> str:
        """Human-readable form for javap: ``Point.move/2``, ``'abc'``, ``42``."""
        entry = self.entries[index]
        if entry.kind in ("CLASS", "UTF8"):
            return self.name(index)
        if entry.kind == "FIELD":
            return f"{self.name(entry.value[0])}.{self.name(entry.value[1])}"
        if entry.kind == "METHOD":
            return f"{self.name(entry.value[0])}.{self.name(entry.value[1])}/{entry.value[2]}"
        return repr(entry.value)
