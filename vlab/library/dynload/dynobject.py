"""One ELF object as the dynamic loader sees it (System V gABI, "Dynamic Linking").

Read with pyelftools from the program headers only, as ld.so does: PT_LOAD segments,
PT_INTERP, and the PT_DYNAMIC table -- DT_NEEDED names, the dynamic symbol table
(DT_SYMTAB, DT_STRTAB, sized by DT_HASH or DT_GNU_HASH), the relocations of DT_RELA
and of DT_JMPREL (the PLT's), and DT_PLTGOT.  ``base`` is where the object is loaded:
0 for an executable (ET_EXEC, at its link addresses), chosen by the loader for a
shared object (ET_DYN, linked at 0).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile


class DynLoadError(ValueError):
    """A program or library cannot be loaded; the message names it and says why."""


@dataclass
class Reloc:
    offset: int        # link address of the word to patch (add base)
    type: int          # R_RISCV_*
    symbol: str        # '' for none
    addend: int
    plt: bool          # from DT_JMPREL


@dataclass
class DynObject:
    name: str
    path: Path
    kind: str                                   # 'ET_EXEC' or 'ET_DYN'
    entry: int
    segments: list                              # (vaddr, bytes, memsz, flags)
    interp: str | None
    needed: list[str]
    symbols: dict[str, int]                     # defined global/weak: name -> link address
    relocs: list[Reloc]
    pltgot: int | None
    base: int = 0
    bound: dict = field(default_factory=dict)   # symbol -> (object name, address)

    @property
    def span(self) -> int:
        return max(v + m for v, _, m, _ in self.segments) - min(v for v, *_ in self.segments)


def read_object(path) -> DynObject:
    path = Path(path)
    try:
        data = path.read_bytes()
        elf = ELFFile(io.BytesIO(data))
    except OSError as exc:
        raise DynLoadError(f"cannot read {path}: {exc.strerror}") from None
    except ELFError as exc:
        raise DynLoadError(f"{path} is not an ELF file: {exc}") from None
    if elf["e_machine"] != "EM_RISCV" or elf.elfclass != 32:
        raise DynLoadError(f"{path} is not an RV32 object ({elf['e_machine']}, "
                           f"{elf.elfclass}-bit)")
    segments, interp, dynamic = [], None, None
    try:
        for segment in elf.iter_segments():
            kind = segment["p_type"]
            if kind == "PT_LOAD":
                segments.append((segment["p_vaddr"], segment.data(), segment["p_memsz"],
                                 segment["p_flags"]))
            elif kind == "PT_INTERP":
                interp = segment.get_interp_name()
            elif kind == "PT_DYNAMIC":
                dynamic = segment
    except (ELFError, struct.error, ValueError) as exc:
        raise DynLoadError(f"{path}: bad program headers: {exc}") from None
    if not segments:
        raise DynLoadError(f"{path} has no PT_LOAD segment")
    needed, symbols, relocs, pltgot = [], {}, [], None
    if dynamic is not None:
        try:
            needed, symbols, relocs, pltgot = _read_dynamic(dynamic)
        except (ELFError, KeyError, IndexError, UnicodeDecodeError, ValueError,
                struct.error) as exc:
            raise DynLoadError(f"{path}: bad dynamic section: {exc}") from None
    return DynObject(path.name, path, elf["e_type"], elf["e_entry"], segments, interp,
                     needed, symbols, relocs, pltgot)


def _read_dynamic(dynamic):
    needed = [tag.needed for tag in dynamic.iter_tags("DT_NEEDED")]
    pltgot = next((tag.entry.d_val for tag in dynamic.iter_tags("DT_PLTGOT")), None)
    names, symbols = [], {}
    for symbol in dynamic.iter_symbols():
        names.append(symbol.name)
        bind = symbol["st_info"]["bind"]
        if symbol["st_shndx"] != "SHN_UNDEF" and bind in ("STB_GLOBAL", "STB_WEAK") \
                and symbol.name:
            symbols.setdefault(symbol.name, symbol["st_value"])
    relocs = []
    for key, table in dynamic.get_relocation_tables().items():
        for rel in table.iter_relocations():
            index = rel["r_info_sym"]
            if index >= len(names):
                raise ValueError(f"relocation at {rel['r_offset']:#x} names symbol {index}, "
                                 f"the table has {len(names)}")
            relocs.append(Reloc(rel["r_offset"], rel["r_info_type"], names[index],
                                rel["r_addend"] if rel.is_RELA() else 0, key == "JMPREL"))
    return needed, symbols, relocs, pltgot
