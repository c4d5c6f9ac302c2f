"""ELF files for RV32: read executables built by GCC, write the assembler's output.

See :mod:`vlab.isa.elf.reader` (``load_elf``) and :mod:`vlab.isa.elf.writer`;
:mod:`vlab.isa.elf.input_file` reads any program file (ELF or source) with a size cap.
"""

from .input_file import MAX_INPUT_BYTES, InputFileError, read_input
from .reader import ElfFormatError, ElfImage, Segment, load_elf
from .writer import ElfSection, ElfSymbol, write_elf

__all__ = ["MAX_INPUT_BYTES", "ElfFormatError", "ElfImage", "ElfSection", "ElfSymbol",
           "InputFileError", "Segment", "load_elf", "read_input", "write_elf"]
