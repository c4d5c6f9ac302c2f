"""The functions of an ELF executable: name -> entry address, from its symbol table.

Read with pyelftools (``.symtab``, ``STT_FUNC`` symbols with an address).  A stripped
program has no ``.symtab``: the error says so, as ``ltrace`` would fail to find symbols.
"""

from __future__ import annotations

import io

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile


class SymbolError(ValueError):
    """The program's symbols cannot be read; the message says why."""


def function_symbols(image: bytes, where: str = "the program") -> dict[str, int]:
    """name -> address of every defined function in the ELF ``image``."""
    try:
        elf = ELFFile(io.BytesIO(image))
        table = elf.get_section_by_name(".symtab")
    except ELFError as exc:
        raise SymbolError(f"{where} is not a readable ELF file: {exc}") from None
    if table is None:
        raise SymbolError(f"{where} has no symbol table (.symtab): it was stripped; "
                          "build it without -s to trace or hook its calls")
    functions = {}
    for symbol in table.iter_symbols():
        if (symbol["st_info"]["type"] == "STT_FUNC" and symbol["st_value"]
                and symbol["st_shndx"] != "SHN_UNDEF"):
            functions.setdefault(symbol.name, symbol["st_value"])
    return functions
