"""Load a PE32 RISC-V program: sections to memory, imports bound to the translation
library's thunks -- what the Windows loader (and WINE's) does, on the host kernel.

The file is read with ``pefile``.  Checked: the machine (IMAGE_FILE_MACHINE_RISCV32),
the PE32 magic, sections inside the image, only KERNEL32.dll imported.  Binding writes
each import's thunk address into its import address table slot; the thunks live in one
extra read-execute page (``THUNK_BASE``): one ``ret`` per imported function, where the
runner stops the program and runs the function in Python (``kernel32.py``), and an
``ecall`` the runner uses to leave through the host kernel's exit call.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pefile

from vlab.isa.elf.reader import ElfImage, Segment

MACHINE_RISCV32 = 0x5032
PE32_MAGIC = 0x10B
THUNK_BASE = 0x7FF0_0000
RET, ECALL = 0x0000_8067, 0x0000_0073          # jalr x0, 0(ra); ecall
PF_X, PF_W, PF_R = 1, 2, 4
IMAGE_SCN_MEM_EXECUTE, IMAGE_SCN_MEM_WRITE = 0x2000_0000, 0x8000_0000


class ForeignLoadError(ValueError):
    """The file is not a PE program this loader can run; the message says why."""


@dataclass
class Import:
    dll: str
    name: str
    slot: int          # address of its IAT slot
    thunk: int         # the address bound into the slot


@dataclass
class LoadedPE:
    image: ElfImage    # what the host kernel's exec maps: sections + the thunk page
    imports: list[Import]
    exit_stub: int     # address of the ecall instruction in the thunk page

    def thunk_names(self) -> dict[int, str]:
        return {imp.thunk: imp.name for imp in self.imports}


def load_pe(path) -> LoadedPE:
    data = Path(path).read_bytes()
    try:
        pe = pefile.PE(data=data, fast_load=False)
    except pefile.PEFormatError as exc:
        raise ForeignLoadError(f"{path} is not a PE file: {exc}") from None
    machine = pe.FILE_HEADER.Machine
    if machine != MACHINE_RISCV32:
        kind = pefile.MACHINE_TYPE.get(machine, hex(machine))
        raise ForeignLoadError(f"{path} is a PE for {kind}, not IMAGE_FILE_MACHINE_RISCV32: "
                               "this machine runs RV32 code")
    if pe.OPTIONAL_HEADER.Magic != PE32_MAGIC:
        raise ForeignLoadError(f"{path} is not PE32 (optional header magic "
                               f"{pe.OPTIONAL_HEADER.Magic:#x}, expected {PE32_MAGIC:#x})")
    base = pe.OPTIONAL_HEADER.ImageBase
    segments = {}
    for section in pe.sections:
        raw = section.get_data()[:section.Misc_VirtualSize]
        size = max(section.Misc_VirtualSize, len(raw))
        if section.VirtualAddress + size > pe.OPTIONAL_HEADER.SizeOfImage:
            name = section.Name.rstrip(b"\0").decode("latin-1")
            raise ForeignLoadError(f"{path}: section {name} reaches past SizeOfImage")
        flags = PF_R | (PF_X if section.Characteristics & IMAGE_SCN_MEM_EXECUTE else 0) | (
            PF_W if section.Characteristics & IMAGE_SCN_MEM_WRITE else 0)
        segments[base + section.VirtualAddress] = [bytearray(raw), size, flags]
    imports = []
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        dll = entry.dll.decode("latin-1")
        if dll.upper() != "KERNEL32.DLL":
            raise ForeignLoadError(f"{path} imports from {dll}; the translation library "
                                   "provides KERNEL32.dll only")
        for item in entry.imports:
            if item.name is None:
                raise ForeignLoadError(f"{path} imports {dll} ordinal {item.ordinal}; "
                                       "import by name")
            thunk = THUNK_BASE + 4 * len(imports)
            imports.append(Import(dll, item.name.decode("latin-1"), item.address, thunk))
            _bind(segments, item.address, thunk, path)
    code = struct.pack(f"<{len(imports) + 2}I", *[RET] * len(imports), ECALL, RET)
    exit_stub = THUNK_BASE + 4 * len(imports)
    image = ElfImage(entry=base + pe.OPTIONAL_HEADER.AddressOfEntryPoint,
                     segments=[Segment(va, bytes(d), size, flags)
                               for va, (d, size, flags) in sorted(segments.items())]
                     + [Segment(THUNK_BASE, code, len(code), PF_R | PF_X)],
                     symbols={})
    return LoadedPE(image, imports, exit_stub)


def _bind(segments: dict, slot: int, thunk: int, path) -> None:
    for va, (data, _size, _flags) in segments.items():
        if va <= slot and slot + 4 <= va + len(data):
            struct.pack_into("<I", data, slot - va, thunk)
            return
    raise ForeignLoadError(f"{path}: import address table slot {slot:#x} is outside "
                           "every section")
