"""Load an RV32 executable (ELF32 little-endian, ``EM_RISCV``, ``ET_EXEC``).

What a loader needs from the file (System V ABI, "Program Loading"): the entry
point and the ``PT_LOAD`` segments, each copied to ``p_vaddr`` with its
``p_filesz`` file bytes followed by zeros up to ``p_memsz``.  What a *trace*
needs: the symbol table, to print ``main+0x10`` instead of a bare address.  What
the machine needs: the address of Spike's HTIF ``tohost`` word, when the program
has one.

The header is checked by hand first, so that a wrong file is rejected with the
reason a student can act on (not an ELF file, a 64-bit file, another
architecture, an object file that still needs linking...).  The rest is parsed
with pyelftools; anything it cannot parse is reported as a malformed file.
"""

from __future__ import annotations

import bisect
import io
import os
import struct
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from . import constants as C
from .input_file import InputFileError, read_input

RAM_BASE = 0x8000_0000  # where bare-metal programs (Spike, QEMU virt) are linked


class ElfFormatError(ValueError):
    """The file is not an RV32 executable we can load; the message says why."""


@dataclass(frozen=True)
class Segment:
    vaddr: int
    data: bytes  # the p_filesz bytes from the file
    memsz: int  # bytes in memory; the tail past len(data) is zero
    flags: int  # PF_R | PF_W | PF_X

    @property
    def readable(self) -> bool:
        return bool(self.flags & C.PF_R)

    @property
    def writable(self) -> bool:
        return bool(self.flags & C.PF_W)

    @property
    def executable(self) -> bool:
        return bool(self.flags & C.PF_X)

    def contains(self, address: int) -> bool:
        return self.vaddr <= address < self.vaddr + self.memsz


@dataclass
class ElfImage:
    entry: int
    segments: list[Segment]
    symbols: dict[str, int]  # name -> address
    _sorted: list[tuple[int, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._sorted = sorted((addr, name) for name, addr in self.symbols.items())

    @property
    def tohost(self) -> int | None:
        """Address of the HTIF ``tohost`` word, if the program defines one."""
        return self.symbols.get("tohost")

    @property
    def fromhost(self) -> int | None:
        return self.symbols.get("fromhost")

    def name_of(self, address: int) -> str | None:
        """The symbol at exactly ``address`` (the first in name order), or None."""
        i = bisect.bisect_left(self._sorted, (address, ""))
        if i < len(self._sorted) and self._sorted[i][0] == address:
            return self._sorted[i][1]
        return None

    def names_by_address(self) -> dict[int, str]:
        """address -> name (the first name in alphabetical order), for disassembly."""
        names: dict[int, str] = {}
        for address, name in self._sorted:
            names.setdefault(address, name)
        return names

    def describe(self, address: int) -> str:
        """``name`` or ``name+0x10`` for the nearest symbol at or below ``address``."""
        i = bisect.bisect_right(self._sorted, (address, "\U0010ffff")) - 1
        if i < 0:
            return f"{address:#x}"
        base, name = self._sorted[i]
        return name if base == address else f"{name}+{address - base:#x}"

    def is_linked_at_ram_base(self) -> bool:
        return self.entry == RAM_BASE or any(s.contains(RAM_BASE) for s in self.segments)

    def is_bare_metal(self) -> bool:
        """Heuristic: a ``tohost`` symbol or code linked at 0x80000000 means bare metal."""
        return self.tohost is not None or self.is_linked_at_ram_base()

    def is_user_program(self) -> bool:
        return not self.is_bare_metal()


def load_elf(source: str | os.PathLike | bytes | bytearray) -> ElfImage:
    """Read and check an RV32 executable given as a path or as the file's bytes."""
    data = _read_bytes(source)
    _check_header(data)
    try:
        elf = ELFFile(io.BytesIO(data))
        segments = [_segment(ph, data) for ph in elf.iter_segments() if ph["p_type"] == "PT_LOAD"]
        symbols = _symbols(elf)
        entry = elf.header["e_entry"]
    except ElfFormatError:
        raise
    except (ELFError, struct.error, ValueError, KeyError, IndexError, EOFError, TypeError,
            AttributeError, AssertionError, OverflowError) as exc:  # pyelftools on garbage
        raise ElfFormatError(f"malformed ELF file: {exc}") from None
    if not segments:
        raise ElfFormatError("the file has no loadable (PT_LOAD) segment: nothing to run")
    return ElfImage(entry=entry, segments=segments, symbols=symbols)


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    try:
        return read_input(source, what="program file")
    except InputFileError as exc:
        raise ElfFormatError(str(exc)) from None


def _check_header(data: bytes) -> None:
    if data[:4] != C.ELF_MAGIC:
        raise ElfFormatError("not an ELF file (bad magic number; expected 7f 45 4c 46 'ELF')")
    if len(data) < C.ELF_HEADER_SIZE:
        raise ElfFormatError(f"truncated ELF file: {len(data)} bytes, shorter than the "
                             f"{C.ELF_HEADER_SIZE}-byte ELF header")
    if data[4] == C.ELFCLASS64:
        raise ElfFormatError("this is a 64-bit ELF file (ELFCLASS64); vlab runs RV32: compile "
                             "with -march=rv32ima -mabi=ilp32")
    if data[4] != C.ELFCLASS32:
        raise ElfFormatError(f"unknown ELF class {data[4]}")
    if data[5] != C.ELFDATA2LSB:
        raise ElfFormatError("not a little-endian ELF file; RISC-V is little-endian")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_machine != C.EM_RISCV:
        raise ElfFormatError(f"not a RISC-V program (e_machine is {e_machine}, RISC-V is "
                             f"{C.EM_RISCV}); use the riscv64-unknown-elf toolchain")
    if e_type != C.ET_EXEC:
        what = C.ET_NAMES.get(e_type, f"type {e_type}")
        raise ElfFormatError(f"not a static executable ({what}); link it (ld, or gcc without "
                             "-c) into an ET_EXEC file, e.g. with -static")
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    if phnum and phentsize != C.PROGRAM_HEADER_SIZE:
        raise ElfFormatError(f"bad program header size {phentsize} (expected 32)")
    if phoff + phnum * C.PROGRAM_HEADER_SIZE > len(data):
        raise ElfFormatError("truncated ELF file: the program headers run past the end of "
                             "the file")


def _segment(header, data: bytes) -> Segment:
    offset, filesz, memsz = header["p_offset"], header["p_filesz"], header["p_memsz"]
    vaddr = header["p_vaddr"]
    if offset + filesz > len(data):
        raise ElfFormatError(f"segment at {vaddr:#x} lies outside the file (offset {offset:#x} "
                             f"+ size {filesz:#x} > file size {len(data):#x}): truncated file?")
    if memsz < filesz:
        raise ElfFormatError(f"segment at {vaddr:#x} has p_memsz < p_filesz")
    if vaddr + memsz > 1 << 32:
        raise ElfFormatError(f"segment at {vaddr:#x} runs past the 32-bit address space")
    return Segment(vaddr=vaddr, data=data[offset:offset + filesz], memsz=memsz,
                   flags=header["p_flags"])


def _symbols(elf: ELFFile) -> dict[str, int]:
    """Named symbols with an address.

    Left out: section and file symbols, undefined ones, and the RISC-V psABI mapping
    symbols (``$x...``, ``$d``) that mark where code and data start.
    """
    table = elf.get_section_by_name(".symtab")
    if not isinstance(table, SymbolTableSection):
        return {}
    symbols: dict[str, int] = {}
    for symbol in table.iter_symbols():
        kind = symbol["st_info"]["type"]
        if not symbol.name or symbol.name.startswith("$") or kind in ("STT_SECTION", "STT_FILE"):
            continue
        if symbol["st_shndx"] == "SHN_UNDEF":
            continue
        if symbol["st_info"]["bind"] == "STB_GLOBAL" or symbol.name not in symbols:
            symbols[symbol.name] = symbol["st_value"]
    return symbols
