"""Write an RV32 executable: ELF32, little-endian, ``ET_EXEC``, ``EM_RISCV``.

The file is laid out the way a linker lays out a static executable (System V
ABI, "Object Files"; RISC-V ELF psABI):

    ELF header | program headers | section bytes | .symtab .strtab .shstrtab | section headers

Each allocated section gets a ``PT_LOAD`` program header, and its bytes sit at a
file offset congruent to its address modulo the page size, so a loader may map
the file page by page.  ``.bss`` occupies memory but no file bytes (``SHT_NOBITS``;
the segment's ``p_memsz`` exceeds its ``p_filesz``).  Labels become ``.symtab``
entries (locals first, then globals, as the ABI requires), so ``objdump``,
``readelf``, pyelftools and our own loader can name addresses.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import constants as C


@dataclass(frozen=True)
class ElfSection:
    name: str
    address: int
    data: bytes  # file contents (empty for NOBITS)
    size: int  # size in memory
    executable: bool = False
    writable: bool = False
    nobits: bool = False
    alignment: int = 4


@dataclass(frozen=True)
class ElfSymbol:
    name: str
    value: int
    section: str | None  # None: an absolute symbol (.equ)
    is_global: bool = False


class _StringTable:
    """An ELF string table: NUL-separated names, a name's index is its offset."""

    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self.offsets: dict[str, int] = {"": 0}

    def add(self, name: str) -> int:
        if name not in self.offsets:
            self.offsets[name] = len(self.data)
            self.data += name.encode() + b"\0"
        return self.offsets[name]


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def write_elf(sections: list[ElfSection], symbols: list[ElfSymbol], entry: int) -> bytes:
    """Return the bytes of an executable holding ``sections`` and ``symbols``."""
    loaded = [s for s in sections if s.size > 0]
    index_of = {s.name: i + 1 for i, s in enumerate(loaded)}  # section 0 is the null section
    body = bytearray(C.ELF_HEADER_SIZE + C.PROGRAM_HEADER_SIZE * len(loaded))
    offsets = []
    for section in loaded:
        offset = len(body) + (section.address - len(body)) % C.PAGE_SIZE
        body += bytes(offset - len(body)) + section.data
        offsets.append(offset)
    symtab, strtab, first_global = _symbol_table(symbols, index_of)
    shstrtab = _StringTable()
    headers = [bytes(C.SECTION_HEADER_SIZE)]
    for section, offset in zip(loaded, offsets, strict=True):
        headers.append(_section_header(shstrtab.add(section.name), section, offset))
    extra = ((".symtab", C.SHT_SYMTAB, symtab, 4), (".strtab", C.SHT_STRTAB, strtab, 1))
    for name, kind, data, alignment in extra:
        body += bytes(_align(len(body), alignment) - len(body))
        link, info, entsize = (len(loaded) + 2, first_global, C.SYMBOL_SIZE) \
            if kind == C.SHT_SYMTAB else (0, 0, 0)
        headers.append(struct.pack("<10I", shstrtab.add(name), kind, 0, 0, len(body), len(data),
                                   link, info, alignment, entsize))
        body += data
    shstrndx = len(headers)
    name_offset = shstrtab.add(".shstrtab")
    headers.append(struct.pack("<10I", name_offset, C.SHT_STRTAB, 0, 0, len(body),
                               len(shstrtab.data), 0, 0, 1, 0))
    body += shstrtab.data
    body += bytes(_align(len(body), 4) - len(body))
    section_headers_at = len(body)
    body += b"".join(headers)
    body[:C.ELF_HEADER_SIZE] = _elf_header(entry, len(loaded), section_headers_at,
                                           len(headers), shstrndx)
    for i, (section, offset) in enumerate(zip(loaded, offsets, strict=True)):
        at = C.ELF_HEADER_SIZE + i * C.PROGRAM_HEADER_SIZE
        body[at:at + C.PROGRAM_HEADER_SIZE] = _program_header(section, offset)
    return bytes(body)


def _elf_header(entry: int, phnum: int, shoff: int, shnum: int, shstrndx: int) -> bytes:
    ident = C.ELF_MAGIC + bytes([C.ELFCLASS32, C.ELFDATA2LSB, C.EV_CURRENT]) + bytes(9)
    return ident + struct.pack("<HHIIIIIHHHHHH", C.ET_EXEC, C.EM_RISCV, C.EV_CURRENT, entry,
                               C.ELF_HEADER_SIZE, shoff, 0, C.ELF_HEADER_SIZE,
                               C.PROGRAM_HEADER_SIZE, phnum, C.SECTION_HEADER_SIZE, shnum,
                               shstrndx)


def _program_header(section: ElfSection, offset: int) -> bytes:
    flags = C.PF_R | (C.PF_X if section.executable else 0) | (C.PF_W if section.writable else 0)
    return struct.pack("<8I", C.PT_LOAD, offset, section.address, section.address,
                       len(section.data), section.size, flags, C.PAGE_SIZE)


def _section_header(name: int, section: ElfSection, offset: int) -> bytes:
    kind = C.SHT_NOBITS if section.nobits else C.SHT_PROGBITS
    flags = C.SHF_ALLOC | (C.SHF_EXECINSTR if section.executable else 0) \
        | (C.SHF_WRITE if section.writable else 0)
    return struct.pack("<10I", name, kind, flags, section.address, offset, section.size,
                       0, 0, section.alignment, 0)


def _symbol_table(symbols: list[ElfSymbol], index_of: dict[str, int]
                  ) -> tuple[bytes, bytes, int]:
    """Build .symtab and .strtab; return them and the index of the first global symbol."""
    strtab = _StringTable()
    ordered = sorted(symbols, key=lambda s: s.is_global)  # stable: locals first
    entries = [bytes(C.SYMBOL_SIZE)]
    for symbol in ordered:
        shndx = C.SHN_ABS if symbol.section is None else index_of.get(symbol.section, C.SHN_ABS)
        bind = C.STB_GLOBAL if symbol.is_global else C.STB_LOCAL
        entries.append(struct.pack("<IIIBBH", strtab.add(symbol.name), symbol.value & 0xFFFFFFFF,
                                   0, (bind << 4) | C.STT_NOTYPE, 0, shndx))
    first_global = 1 + sum(1 for s in ordered if not s.is_global)
    return b"".join(entries), bytes(strtab.data), first_global
