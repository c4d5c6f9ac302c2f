"""Sections while they are being assembled, and how they are laid out in memory.

During the first pass each section is a list of *chunks*: a size known now and a
function that produces the bytes in the second pass, when every label has an
address.  A section's kind follows its name, as in the GNU linker's default
script: code (``.text*``), read-only data (``.rodata*``), data (anything else),
and zero-initialised data (``.bss*``, ``.sbss*``) that takes no room in the file.
Layout: code at the text base, then read-only data, data and bss, each at the
next address that satisfies its alignment (the largest ``.align`` used in it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

CODE, RODATA, DATA, BSS = "code", "rodata", "data", "bss"
LAYOUT_ORDER = (CODE, RODATA, DATA, BSS)
DEFAULT_ALIGNMENT = {CODE: 4, RODATA: 1, DATA: 1, BSS: 1}


def kind_from_name(name: str) -> str:
    if name == ".text" or name.startswith(".text."):
        return CODE
    if name.startswith((".rodata", ".srodata")):
        return RODATA
    if name.startswith((".bss", ".sbss", ".tbss")):
        return BSS
    return DATA


def kind_from_flags(flags: str, section_type: str) -> str:
    """From ``.section name, "flags", @type`` (GNU as manual, ".section" for ELF)."""
    if section_type == "nobits":
        return BSS
    if "x" in flags:
        return CODE
    if "w" in flags:
        return DATA
    return RODATA


@dataclass
class Chunk:
    offset: int
    size: int
    produce: Callable  # (Environment) -> bytes, called in the second pass
    line: int  # source line number
    is_instruction: bool = False
    zeros: bool = False  # every byte is zero (a .bss chunk need not be produced)


@dataclass
class SectionBuilder:
    name: str
    kind: str
    size: int = 0
    alignment: int = 1
    chunks: list[Chunk] = field(default_factory=list)
    address: int = 0  # set by layout()

    def __post_init__(self) -> None:
        self.alignment = DEFAULT_ALIGNMENT[self.kind]

    def add(self, size: int, produce: Callable, line: int, is_instruction: bool = False,
            zeros: bool = False) -> int:
        """Reserve ``size`` bytes; return their offset in the section."""
        offset = self.size
        self.chunks.append(Chunk(offset, size, produce, line, is_instruction, zeros))
        self.size += size
        return offset


def align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def layout(sections: list[SectionBuilder], base: int) -> None:
    """Give each section its address: kinds in LAYOUT_ORDER, then first-use order."""
    address = base
    for kind in LAYOUT_ORDER:
        for section in sections:
            if section.kind == kind:
                section.address = align_up(address, section.alignment)
                address = section.address + section.size
