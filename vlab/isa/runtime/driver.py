"""Compile and link a C program for the RV32 machine: ``compile_c`` and the command it runs.

A program is linked with the runtime of its mode (files of this directory):

======  =========================  ==========  =========================================
mode    start-up + system layer    script      the program runs
======  =========================  ==========  =========================================
user    crt0.S, syscalls.c         user.ld     in U-mode under the proxy kernel (ecall)
bare    crt0_bare.S, bare.c        bare.ld     in M-mode alone, console and exit by HTIF
======  =========================  ==========  =========================================

plus ``printf.c`` and ``string.c`` in both.  With ``libc='musl'`` (zig only, user mode) the
program is linked statically against musl libc instead, as a Linux program would be.

The compiler is chosen by name from the table in toolchains.py (``zig`` by default,
``gcc`` as the cross-check); the image is taken from the build cache (build_cache.py) when
no input changed.  A compiler error raises CompileError whose text is exactly what the
compiler printed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .build_cache import BuildCache, build_key, headers_near
from .toolchains import COMMON_FLAGS, MUSL_FLAGS, MUSL_TARGET, Toolchain, toolchain

RUNTIME_DIR = Path(__file__).resolve().parent
HEADER = "vlab.h"
MODES = {  # mode -> (start-up code and system layer, linker script)
    "user": (["crt0.S", "syscalls.c"], "user.ld"),
    "bare": (["crt0_bare.S", "bare.c"], "bare.ld"),
}
SHARED = ["printf.c", "string.c"]
LIBCS = ("vlab", "musl")


class ToolchainMissing(RuntimeError):
    """The chosen cross-compiler is not installed."""


class CompileError(RuntimeError):
    """The compiler rejected the program: ``str(error)`` is its diagnostics as printed."""

    def __init__(self, diagnostics: str, command=(), returncode: int | None = None):
        super().__init__(diagnostics)
        self.diagnostics = diagnostics
        self.command = list(command)
        self.returncode = returncode


@dataclass(frozen=True)
class Build:
    """What ``build`` made: the image, whether it came from the cache, the compiler's
    warnings (empty if none), and the command line that made it."""

    image: Path
    cached: bool
    diagnostics: str
    command: list[str]


def runtime_sources(mode: str) -> list[Path]:
    """The runtime files linked into a program of this mode (start-up code first)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {sorted(MODES)}")
    startup, _ = MODES[mode]
    return [RUNTIME_DIR / name for name in startup + SHARED]


def linker_script(mode: str) -> Path:
    runtime_sources(mode)                       # checks the mode
    return RUNTIME_DIR / MODES[mode][1]


def compile_command(sources, out, mode: str = "user", extra_flags=(), compiler: str = "zig",
                    libc: str = "vlab") -> list[str]:
    """The full command line ``compile_c`` runs (useful to show students)."""
    chain = toolchain(compiler)
    sources = [os.fspath(s) for s in _as_list(sources)]
    driver = chain.locate() or [chain.name]
    if _check_libc(libc, mode, compiler) == "musl":
        return [*driver, *MUSL_TARGET, *MUSL_FLAGS, *extra_flags, "-o", os.fspath(out), *sources]
    return [*driver, *_flags(chain, mode, extra_flags), f"-I{RUNTIME_DIR}",
            f"-T{linker_script(mode)}", "-o", os.fspath(out),
            *[os.fspath(f) for f in runtime_sources(mode)], *sources, *chain.libraries]


def gcc_command(sources, out, mode: str = "user", extra_flags=()) -> list[str]:
    """The command line with the GNU cross-compiler (``compile_command(compiler='gcc')``)."""
    return compile_command(sources, out, mode, extra_flags, compiler="gcc")


def build(sources, out, mode: str = "user", extra_flags=(), compiler: str = "zig",
          libc: str = "vlab", cache: BuildCache | bool = True) -> Build:
    """Compile ``sources`` into the ELF ``out``, or copy it from the cache if built before.

    Raises ToolchainMissing if the compiler is absent, CompileError with the compiler's
    diagnostics if it fails, ValueError for an unknown mode, compiler or libc.
    """
    sources = [Path(s) for s in _as_list(sources)]
    extra_flags = list(extra_flags)
    command = compile_command(sources, out, mode, extra_flags, compiler, libc)
    chain = toolchain(compiler)
    if chain.locate() is None:
        raise ToolchainMissing(f"the {compiler} cross-compiler is not installed: "
                               f"{chain.install_hint}")
    for source in sources:
        if not source.is_file():
            raise CompileError(f"source file not found: {os.fspath(source)}")
    if cache is False:
        return Build(Path(out), False, _run(command), command)
    store = cache if isinstance(cache, BuildCache) else BuildCache()
    key = _key(chain, sources, mode, extra_flags, libc)
    diagnostics = store.fetch(key, Path(out))
    if diagnostics is not None:
        return Build(Path(out), True, diagnostics, command)
    with tempfile.TemporaryDirectory(prefix="vlab-cc-") as scratch:
        image = Path(scratch) / "a.elf"
        diagnostics = _run(compile_command(sources, image, mode, extra_flags, compiler, libc))
        try:
            store.store(key, image, diagnostics)
        except OSError:                 # a read-only or full cache: build without it
            pass
        Path(out).write_bytes(image.read_bytes())
        os.chmod(out, 0o755)
    return Build(Path(out), False, diagnostics, command)


def compile_c(sources, out, mode: str = "user", extra_flags=(), compiler: str = "zig",
              libc: str = "vlab", cache: BuildCache | bool = True) -> Path:
    """Compile and link C (or assembly) ``sources`` with the runtime into the ELF ``out``.

    ``mode='user'`` makes a program for the proxy kernel, ``mode='bare'`` a bare-metal one;
    ``compiler`` is 'zig' (default) or 'gcc'; ``libc='musl'`` links musl instead of the
    vlab runtime.  ``cache=False`` always compiles.  Returns the output path; errors as
    ``build``.
    """
    return build(sources, out, mode, extra_flags, compiler, libc, cache).image


def _as_list(sources) -> list:
    return [sources] if isinstance(sources, str | os.PathLike) else list(sources)


def _check_libc(libc: str, mode: str, compiler: str) -> str:
    if libc not in LIBCS:
        raise ValueError(f"unknown libc {libc!r}: use one of {list(LIBCS)}")
    if libc == "musl" and (mode, compiler) != ("user", "zig"):
        raise ValueError("libc='musl' builds a Linux user program with zig: "
                         "use mode='user', compiler='zig'")
    return libc


def _flags(chain: Toolchain, mode: str, extra_flags) -> list[str]:
    bare = chain.bare_flags if mode == "bare" else ()
    return [*chain.target_flags, *COMMON_FLAGS, *chain.extra_flags, *bare, *extra_flags]


def _key(chain: Toolchain, sources: list[Path], mode: str, extra_flags: list[str],
         libc: str) -> str:
    if libc == "musl":
        flags, runtime = [*MUSL_TARGET, *MUSL_FLAGS, *extra_flags], []
    else:
        flags = [*_flags(chain, mode, extra_flags), *chain.libraries]
        runtime = [*runtime_sources(mode), RUNTIME_DIR / HEADER, linker_script(mode)]
    inputs = [*runtime, *sources, *headers_near(sources, extra_flags)]
    return build_key(chain.identify(), [mode, libc, *flags], inputs)


def _run(command: list[str]) -> str:
    """Run the compiler; its diagnostics (warnings) on success, CompileError on failure."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise CompileError(result.stderr or result.stdout, command, result.returncode)
    return result.stderr
