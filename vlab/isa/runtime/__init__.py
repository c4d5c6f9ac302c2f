"""The vlab C runtime: compile C programs for the RV32 machine.

Programs are compiled ``-nostdlib`` (no host C library) against this directory's tiny
runtime:

* ``vlab.h`` -- the header: types, system call wrappers, printf, string functions;
* ``crt0.S`` + ``syscalls.c`` + ``user.ld`` -- *user* programs (U-mode, served by the proxy
  kernel through Linux-style ``ecall`` system calls), linked at 0x80400000;
* ``crt0_bare.S`` + ``bare.c`` + ``bare.ld`` -- *bare-metal* programs (M-mode, no kernel,
  console and exit through Spike's HTIF ``tohost``/``fromhost``), linked at 0x80000000;
* ``printf.c``, ``string.c`` -- shared by both.

``compile_c(["hello.c"], "hello.elf")`` builds with the pinned Zig toolchain from PyPI
(``python -m ziglang cc -target riscv32-freestanding-none -mcpu=generic_rv32+m+a
-mabi=ilp32 -nostdlib -static -O2``), or with ``compiler="gcc"``, the GNU cross-compiler,
kept as a cross-check (toolchains.py).  Built images are cached by the hash of their inputs
(build_cache.py); the compile itself is in driver.py.
"""

from __future__ import annotations

from .build_cache import BuildCache
from .driver import (
    HEADER,
    LIBCS,
    MODES,
    RUNTIME_DIR,
    Build,
    CompileError,
    ToolchainMissing,
    build,
    compile_c,
    compile_command,
    gcc_command,
    runtime_sources,
)
from .toolchains import COMMON_FLAGS, GCC, INSTALL_HINT, TOOLCHAINS, toolchain

CFLAGS = ["-march=rv32ima", "-mabi=ilp32", *COMMON_FLAGS]   # the GCC spelling, for scripts


def find_gcc() -> str | None:
    """The path of riscv64-unknown-elf-gcc, or None if it is not installed."""
    command = TOOLCHAINS["gcc"].locate()
    return command[0] if command else None


def find_compiler(name: str = "zig") -> list[str] | None:
    """The argv prefix that runs the named compiler's C driver, or None if it is missing."""
    return toolchain(name).locate()


__all__ = ["CFLAGS", "GCC", "HEADER", "INSTALL_HINT", "LIBCS", "MODES", "RUNTIME_DIR",
           "TOOLCHAINS", "Build", "BuildCache", "CompileError", "ToolchainMissing", "build",
           "compile_c", "compile_command", "find_compiler", "find_gcc", "gcc_command",
           "runtime_sources"]
