"""What the assembler produces: a :class:`Program`, ready to load or to save as ELF.

A program is a few sections placed in memory (``.text`` at the text base, then
read-only data, ``.data`` and ``.bss``, each at the next address its alignment
allows), a symbol table, an entry point (``_start`` if defined, else the text
base) and a line table that maps each instruction's address back to the source
line it came from, so a trace can show the student's own line next to the pc.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.isa.elf.constants import PF_R, PF_W, PF_X
from vlab.isa.elf.reader import ElfImage, Segment
from vlab.isa.elf.writer import ElfSection, ElfSymbol, write_elf


@dataclass(frozen=True)
class Section:
    name: str
    address: int
    data: bytes  # the contents; empty for .bss
    size: int  # bytes in memory (for .bss, more than len(data))
    executable: bool = False
    writable: bool = False
    nobits: bool = False
    alignment: int = 4

    @property
    def end(self) -> int:
        return self.address + self.size

    @property
    def image(self) -> bytes:
        """The bytes as they appear in memory (``.bss`` reads as zeros)."""
        return self.data + bytes(self.size - len(self.data))


@dataclass(frozen=True)
class SourceLine:
    filename: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.text.strip()}"


@dataclass
class Program:
    sections: list[Section]
    symbols: dict[str, int]  # every named symbol (labels and .equ), name -> value
    entry: int
    line_table: dict[int, SourceLine] = field(default_factory=dict)  # address -> source line
    global_symbols: frozenset[str] = frozenset()
    symbol_sections: dict[str, str] = field(default_factory=dict)  # label -> its section;
    # a symbol not listed (set by .equ/.set) is a plain number, not an address

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def text(self) -> bytes:
        section = self.section(".text")
        return section.data if section else b""

    def symbol_at(self, address: int) -> str | None:
        """A label at exactly ``address`` (globals first, then by name), or None."""
        names = sorted((n not in self.global_symbols, n) for n, a in self.symbols.items()
                       if a == address and n in self.symbol_sections)
        return names[0][1] if names else None

    def to_image(self) -> ElfImage:
        """The program as a loader sees an ELF file, without writing one: one code path
        loads both ``vlab run prog.s`` and ``vlab run prog.elf``."""
        segments = [Segment(s.address, s.data, s.size, PF_R | (PF_X if s.executable else 0)
                            | (PF_W if s.writable else 0)) for s in self.sections if s.size]
        return ElfImage(entry=self.entry, segments=segments, symbols=dict(self.symbols))

    def names_by_address(self) -> dict[int, str]:
        """Label names for a disassembly or a trace (``disassemble(..., symbols=...)``)."""
        return {address: name for name, address in sorted(self.symbols.items(), reverse=True)
                if name in self.symbol_sections}

    def to_elf(self) -> bytes:
        """An ELF32 RISC-V executable holding this program (see vlab.isa.elf.writer)."""
        sections = [ElfSection(s.name, s.address, s.data, s.size, s.executable, s.writable,
                               s.nobits, s.alignment) for s in self.sections]
        symbols = [ElfSymbol(name, value, self.symbol_sections.get(name),
                             name in self.global_symbols)
                   for name, value in sorted(self.symbols.items(), key=lambda kv: (kv[1], kv[0]))]
        return write_elf(sections, symbols, self.entry)
