"""ELF files for RV32: read executables built by GCC, write the assembler's output.

See :mod:`vlab.isa.elf.reader` (``load_elf``) and :mod:`vlab.isa.elf.writer`.
"""

from .reader import ElfFormatError, ElfImage, Segment, load_elf
from .writer import ElfSection, ElfSymbol, write_elf

__all__ = ["ElfFormatError", "ElfImage", "ElfSection", "ElfSymbol", "Segment", "load_elf",
           "write_elf"]
