"""The vlab C runtime: compile C programs for the RV32 machine with the GNU cross-compiler.

Programs are compiled ``-nostdlib`` (no newlib) against this directory's tiny runtime:

* ``vlab.h`` -- the header: types, system call wrappers, printf, string functions;
* ``crt0.S`` + ``syscalls.c`` + ``user.ld`` -- *user* programs (U-mode, served by the proxy
  kernel ``vlab.isa.pk`` through Linux-style ``ecall`` system calls), linked at 0x80400000;
* ``crt0_bare.S`` + ``bare.c`` + ``bare.ld`` -- *bare-metal* programs (M-mode, no kernel,
  console and exit through Spike's HTIF ``tohost``/``fromhost``), linked at 0x80000000;
* ``printf.c``, ``string.c`` -- shared by both.

``compile_c(["hello.c"], "hello.elf")`` runs ``riscv64-unknown-elf-gcc`` (Debian package
``gcc-riscv64-unknown-elf``) with ``-march=rv32ima -mabi=ilp32 -nostdlib -static -O2``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parent
GCC = "riscv64-unknown-elf-gcc"
INSTALL_HINT = "install it with: sudo apt-get install gcc-riscv64-unknown-elf"
CFLAGS = ["-march=rv32ima", "-mabi=ilp32", "-nostdlib", "-static", "-O2",
          "-ffreestanding", "-fno-tree-loop-distribute-patterns", "-Wall"]
MODES = {  # mode -> (start-up code and system layer, linker script)
    "user": (["crt0.S", "syscalls.c"], "user.ld"),
    "bare": (["crt0_bare.S", "bare.c"], "bare.ld"),
}
MODE_FLAGS = {"user": [], "bare": ["-Wl,--no-warn-rwx-segments"]}  # one RWX image, on purpose
SHARED = ["printf.c", "string.c"]


class ToolchainMissing(RuntimeError):
    """The RISC-V cross-compiler is not installed."""


class CompileError(RuntimeError):
    """gcc rejected the program; the message holds its diagnostics."""


def find_gcc() -> str | None:
    """The path of riscv64-unknown-elf-gcc, or None if it is not installed."""
    return shutil.which(GCC)


def runtime_sources(mode: str) -> list[Path]:
    """The runtime files linked into a program of this mode (start-up code first)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {sorted(MODES)}")
    startup, _ = MODES[mode]
    return [RUNTIME_DIR / name for name in startup + SHARED]


def gcc_command(sources, out, mode: str = "user", extra_flags=()) -> list[str]:
    """The full gcc command line compile_c runs (useful to show students)."""
    files = runtime_sources(mode)
    _, script = MODES[mode]
    return ([find_gcc() or GCC, *CFLAGS, *MODE_FLAGS[mode], *extra_flags, f"-I{RUNTIME_DIR}",
             f"-T{RUNTIME_DIR / script}", "-o", os.fspath(out)]
            + [os.fspath(f) for f in files] + [os.fspath(s) for s in sources] + ["-lgcc"])


def compile_c(sources, out, mode: str = "user", extra_flags=()) -> Path:
    """Compile and link C (or assembly) ``sources`` with the runtime into the ELF ``out``.

    ``mode='user'`` makes a program for the proxy kernel, ``mode='bare'`` a bare-metal
    one.  Raises ToolchainMissing when gcc is not installed, CompileError with gcc's
    messages when compilation fails.  Returns the output path.
    """
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    command = gcc_command(sources, out, mode, extra_flags)
    if find_gcc() is None:
        raise ToolchainMissing(f"{GCC} not found: the RISC-V cross-compiler is needed to "
                               f"compile C for vlab; {INSTALL_HINT}")
    for source in sources:
        if not Path(source).is_file():
            raise CompileError(f"source file not found: {os.fspath(source)}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(f"{GCC} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return Path(out)


__all__ = ["CFLAGS", "RUNTIME_DIR", "CompileError", "ToolchainMissing", "compile_c",
           "find_gcc", "gcc_command", "runtime_sources"]
