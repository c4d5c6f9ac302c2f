"""Build a vlab-BSD program: a static, freestanding RV32 ELF (no C library: the program
makes its system calls through ``programs/bsd_abi.h``), *branded* for FreeBSD.

An ELF file says which OS ABI it was made for in ``e_ident[EI_OSABI]`` (System V gABI,
"ELF Identification"): 0 for System V / Linux, 9 for FreeBSD.  FreeBSD's ``brandelf -t
FreeBSD`` sets it; so does this build, and the foreign-ABI layer runs only programs
branded so -- the way kernels with several ABIs (FreeBSD's Linux emulation, Linux's old
iBCS personalities) chose the ABI of a binary.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from vlab.isa.runtime.driver import CompileError, ToolchainMissing
from vlab.isa.runtime.toolchains import toolchain

PROGRAMS = Path(__file__).resolve().parent / "programs"
EI_OSABI, ELFOSABI_FREEBSD = 7, 9
FLAGS = ["-target", "riscv32-freestanding-none", "-mcpu=generic_rv32+m+a", "-mabi=ilp32",
         "-O2", "-nostdlib", "-static", "-ffreestanding", "-Wall"]


def build_bsd(sources, out) -> Path:
    driver = toolchain("zig").locate()
    if driver is None:
        raise ToolchainMissing("the zig cross-compiler is not installed (pip install ziglang)")
    sources = [sources] if isinstance(sources, (str, Path)) else list(sources)
    done = subprocess.run([*driver, *FLAGS, f"-I{PROGRAMS}", "-o", str(out),
                           *map(str, sources)], capture_output=True, text=True)
    if done.returncode:
        raise CompileError(f"building {out} failed:\n{done.stderr}")
    brand(out)
    return Path(out)


def brand(path) -> None:
    """``brandelf -t FreeBSD``: set the file's OS ABI byte."""
    with open(path, "r+b") as f:
        f.seek(EI_OSABI)
        f.write(bytes([ELFOSABI_FREEBSD]))
