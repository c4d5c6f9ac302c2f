"""The cross-compilers that build C for the RV32 machine, as a table: name -> Toolchain.

* ``zig`` (the default) -- Zig's bundled clang, installed from PyPI as the ``ziglang``
  package (a dependency of vlab, pinned in pyproject.toml), run as ``python -m ziglang cc``.
  It links with LLVM's lld and brings its own compiler_rt (the 64-bit division and shift
  helpers GCC takes from libgcc), so nothing comes from the system.  Targets are named by
  triple: ``riscv32-freestanding-none`` for vlab's own runtime, ``riscv32-linux-musl`` for
  a program linked statically against musl libc, which zig builds from source on first use.
* ``gcc`` -- the GNU cross-compiler ``riscv64-unknown-elf-gcc`` (Debian package
  ``gcc-riscv64-unknown-elf``), kept as a cross-check: the test programs must give the same
  output built by either compiler.

Both compile for RV32IMA with the ilp32 ABI (RISC-V psABI, "ILP32": no floating-point
registers), ``-O2``, freestanding (no host C library: the runtime in this directory is the
C library).  The flags that differ between the two are in the rows below, not in ifs.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

ZIG_PACKAGE = "ziglang"
GCC = "riscv64-unknown-elf-gcc"
INSTALL_HINT = "install it with: sudo apt-get install gcc-riscv64-unknown-elf"
ZIG_INSTALL_HINT = ("it is a dependency of vlab: run `make test` (or "
                    "`.venv/bin/pip install -e .`) to install it")

# Flags both compilers take: no host library or start-up files, one static image, -O2.
COMMON_FLAGS = ["-nostdlib", "-static", "-O2", "-ffreestanding", "-Wall"]


@dataclass(frozen=True)
class Toolchain:
    """How to call one cross-compiler: the command that starts it, its target flags, the
    flags a bare-metal image needs, the libraries appended after the sources."""

    name: str
    target_flags: tuple[str, ...]    # instruction set and ABI
    extra_flags: tuple[str, ...]     # compiler-specific code generation flags
    bare_flags: tuple[str, ...]      # linking the single read-write-execute bare image
    libraries: tuple[str, ...]       # after the sources (the arithmetic helpers)
    install_hint: str
    locate: Callable[[], list[str] | None]   # the argv prefix of its C driver, None: missing
    identify: Callable[[], str]              # its exact version (part of every cache key)


def _zig_command() -> list[str] | None:
    if importlib.util.find_spec(ZIG_PACKAGE) is None:
        return None
    return [sys.executable, "-m", ZIG_PACKAGE, "cc"]


def _gcc_command() -> list[str] | None:
    path = shutil.which(GCC)
    return None if path is None else [path]


def _zig_version() -> str:
    return f"ziglang {importlib.metadata.version(ZIG_PACKAGE)}"


@functools.cache
def _gcc_version_of(path: str) -> str:
    result = subprocess.run([path, "-dumpfullversion"], capture_output=True, text=True)
    return f"{path} {result.stdout.strip()}"


def _gcc_version() -> str:
    return _gcc_version_of(shutil.which(GCC) or GCC)


TOOLCHAINS = {
    "zig": Toolchain(
        name="zig",
        target_flags=("-target", "riscv32-freestanding-none",
                      "-mcpu=generic_rv32+m+a", "-mabi=ilp32"),
        extra_flags=(),                # clang: -ffreestanding already stops memset idioms
        bare_flags=(),                 # lld does not warn about an RWX segment
        libraries=(),                  # zig links its compiler_rt by itself
        install_hint=ZIG_INSTALL_HINT,
        locate=_zig_command,
        identify=_zig_version,
    ),
    "gcc": Toolchain(
        name="gcc",
        target_flags=("-march=rv32ima", "-mabi=ilp32"),
        extra_flags=("-fno-tree-loop-distribute-patterns",),  # memset must not call memset
        bare_flags=("-Wl,--no-warn-rwx-segments",),           # one RWX image, on purpose
        libraries=("-lgcc",),
        install_hint=INSTALL_HINT,
        locate=_gcc_command,
        identify=_gcc_version,
    ),
}

# A static Linux program against musl libc instead of vlab's runtime (zig only).
MUSL_TARGET = ("-target", "riscv32-linux-musl", "-mcpu=generic_rv32+m+a", "-mabi=ilp32")
MUSL_FLAGS = ["-static", "-O2", "-Wall"]


def toolchain(name: str) -> Toolchain:
    """The Toolchain called ``name``; a clear error for an unknown one."""
    try:
        return TOOLCHAINS[name]
    except KeyError:
        raise ValueError(f"unknown compiler {name!r}: use one of {sorted(TOOLCHAINS)}") from None
