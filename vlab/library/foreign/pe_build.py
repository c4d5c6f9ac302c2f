"""Build a PE32 image for RISC-V (IMAGE_FILE_MACHINE_RISCV32) from C sources.

The pinned toolchain (zig 0.14 / LLVM) cannot emit PE/COFF for RISC-V -- LLVM's RISC-V
back end writes ELF only -- so a program is built in three steps, each small and real:

1. compile the C sources (against ``include/windows.h``) to an object with zig, and
   read which ``__imp_NAME`` pointers it uses (its undefined symbols, pyelftools);
2. link it at Windows' image base (``include/foreign.ld``) together with a start stub
   and an import address table (IAT) holding one zero slot per import, in order;
3. write the linked sections into a PE32 file (Microsoft, *PE Format*, "MS-DOS stub",
   "COFF File Header", "Optional Header", "Section Table", "The .idata Section"),
   with an import directory naming KERNEL32.dll and, per function, a hint/name entry.

The loader (``pe_loader.py``) reads the result with ``pefile``, like any Windows
executable.  Simplified: no relocations (the image is fixed at its base), no
resources, no checksum; one imported DLL.
"""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
from pathlib import Path

from elftools.elf.elffile import ELFFile

from vlab.isa.runtime.driver import CompileError, ToolchainMissing
from vlab.isa.runtime.toolchains import toolchain

HERE = Path(__file__).resolve().parent
INCLUDE = HERE / "include"
IMAGE_BASE = 0x0040_0000
SECTION_ALIGNMENT = 0x1000
FILE_ALIGNMENT = 0x200
MACHINE_RISCV32 = 0x5032
DLL = "KERNEL32.dll"
FLAGS = ["-target", "riscv32-freestanding-none", "-mcpu=generic_rv32+m+a", "-mabi=ilp32",
         "-O2", "-ffreestanding", "-fno-builtin", "-nostdlib", "-static", "-Wall"]

START = """\
    .section .text.start,"ax"
    .globl _start
_start:                         # the process starts here: ExitProcess(main())
    call main
    la t0, __imp_ExitProcess
    lw t0, 0(t0)
    jalr t0
"""

# section characteristics (PE Format, "Section Flags")
CODE, DATA, READ, WRITE, EXECUTE = 0x20, 0x40, 0x4000_0000, 0x8000_0000, 0x2000_0000
KINDS = {".text": CODE | EXECUTE | READ, ".rdata": DATA | READ,
         ".data": DATA | READ | WRITE, ".idata": DATA | READ | WRITE}


def _zig(args, where: str) -> None:
    driver = toolchain("zig").locate()
    if driver is None:
        raise ToolchainMissing("the zig cross-compiler is not installed (pip install ziglang)")
    done = subprocess.run([*driver, *args], capture_output=True, text=True)
    if done.returncode:
        raise CompileError(f"{where} failed:\n{done.stderr}")


def imports_of(obj: bytes) -> list[str]:
    """The Win32 functions an object calls: its undefined ``__imp_`` symbols."""
    symtab = ELFFile(io.BytesIO(obj)).get_section_by_name(".symtab")
    return sorted({s.name[len("__imp_"):] for s in symtab.iter_symbols()
                   if s.name.startswith("__imp_") and s["st_shndx"] == "SHN_UNDEF"})


def build_pe(sources, out) -> Path:
    """Compile ``sources`` into the PE file ``out``; returns its path."""
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        obj = tmp / "program.o"
        _zig([*FLAGS, f"-I{INCLUDE}", "-c", "-o", str(obj),
              *[str(s) for s in ([sources] if isinstance(sources, (str, Path)) else sources)]],
             "compiling the program")
        names = imports_of(obj.read_bytes())
        if "ExitProcess" not in names:
            names = sorted([*names, "ExitProcess"])
        iat = "    .section .idata,\"aw\"\n    .p2align 2\n" + "".join(
            f"    .globl __imp_{n}\n__imp_{n}:\n    .word 0\n" for n in names) + "    .word 0\n"
        (tmp / "start.s").write_text(START)
        (tmp / "iat.s").write_text(iat)
        elf = tmp / "program.elf"
        _zig([*FLAGS, f"-T{INCLUDE / 'foreign.ld'}", "-o", str(elf), str(obj),
              str(tmp / "start.s"), str(tmp / "iat.s")], "linking the program")
        out.write_bytes(elf_to_pe(elf.read_bytes(), names))
    return out


def _align(value: int, to: int) -> int:
    return -(-value // to) * to


def elf_to_pe(elf_bytes: bytes, imports: list[str]) -> bytes:
    """The PE32 image of a linked ELF whose IAT (``.idata``) holds ``imports`` in order."""
    elf = ELFFile(io.BytesIO(elf_bytes))
    sections = []
    for name in KINDS:
        section = elf.get_section_by_name(name)
        if section is not None and section["sh_size"]:
            sections.append([name, section["sh_addr"] - IMAGE_BASE, section.data()])
    iat_rva = next(rva for name, rva, _ in sections if name == ".idata")
    idesc_rva = _align(sections[-1][1] + len(sections[-1][2]), SECTION_ALIGNMENT)
    sections.append([".idesc", idesc_rva, _import_directory(idesc_rva, iat_rva, imports)])
    headers_size = _align(0x40 + 4 + 20 + 224 + 40 * len(sections), FILE_ALIGNMENT)
    raw, offset = [], headers_size
    for _, _, data in sections:
        raw.append((offset, _align(len(data), FILE_ALIGNMENT)))
        offset += raw[-1][1]
    size_of_image = _align(sections[-1][1] + len(sections[-1][2]), SECTION_ALIGNMENT)
    directories = [(0, 0)] * 16
    directories[1] = (idesc_rva, 20 * 2)                  # IMAGE_DIRECTORY_ENTRY_IMPORT
    directories[12] = (iat_rva, 4 * (len(imports) + 1))   # IMAGE_DIRECTORY_ENTRY_IAT
    code = sum(len(d) for n, _, d in sections if n == ".text")
    data_size = sum(len(d) for n, _, d in sections if n != ".text")
    header = bytearray(b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40))
    header += b"PE\0\0" + struct.pack("<HHIIIHH", MACHINE_RISCV32, len(sections), 0, 0, 0,
                                      224, 0x0103)     # RELOCS_STRIPPED|EXECUTABLE|32BIT
    header += struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 14, 0, code, data_size, 0,
                          elf.header["e_entry"] - IMAGE_BASE, sections[0][1], sections[1][1],
                          IMAGE_BASE, SECTION_ALIGNMENT, FILE_ALIGNMENT, 6, 0, 0, 0, 6, 0,
                          0, size_of_image, headers_size, 0, 3, 0,   # 3: console subsystem
                          0x10_0000, 0x1000, 0x10_0000, 0x1000, 0, 16)
    header += b"".join(struct.pack("<II", *d) for d in directories)
    for (name, rva, data), (pointer, raw_size) in zip(sections, raw, strict=True):
        kind = KINDS.get(name, DATA | READ)
        header += struct.pack("<8sIIIIIIHHI", name.encode(), len(data), rva, raw_size,
                              pointer, 0, 0, 0, 0, kind)
    image = bytearray(header.ljust(headers_size, b"\0"))
    for (_, _, data), (_, raw_size) in zip(sections, raw, strict=True):
        image += data.ljust(raw_size, b"\0")
    return bytes(image)


def _import_directory(rva: int, iat_rva: int, imports: list[str]) -> bytes:
    """One IMAGE_IMPORT_DESCRIPTOR for KERNEL32.dll and a null one, then the import
    lookup table, the hint/name entries and the DLL name (PE Format, ".idata")."""
    ilt_rva = rva + 40
    names_rva = ilt_rva + 4 * (len(imports) + 1)
    hint_names, entries = b"", []
    for name in imports:
        entries.append(names_rva + len(hint_names))
        entry = struct.pack("<H", 0) + name.encode() + b"\0"
        hint_names += entry + (b"\0" if len(entry) % 2 else b"")
    dll_rva = names_rva + len(hint_names)
    descriptor = struct.pack("<IIIII", ilt_rva, 0, 0, dll_rva, iat_rva) + bytes(20)
    ilt = b"".join(struct.pack("<I", e) for e in entries) + bytes(4)
    return descriptor + ilt + hint_names + DLL.encode() + b"\0"
