"""The chapter's guest programs, built once per session with the pinned toolchain.

``config_program()``: ``vlab/library/programs/config_clock.c`` (static musl) in a root
directory that also holds ``config.txt`` and ``other.txt``; ``win32_program()``:
``vlab/library/foreign/programs/hello_win.c`` as a PE32 RISC-V file.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import vlab.library
from vlab.isa.runtime.driver import compile_c
from vlab.library.foreign.pe_build import build_pe

LIBRARY = Path(vlab.library.__file__).resolve().parent
CONFIG = "colour=blue\n"
OTHER = "colour=red\n"


@functools.cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="vlab-ch8-"))


@functools.cache
def config_program() -> tuple[Path, Path]:
    """(program, root): the interposition program and the directory it runs in."""
    root = _scratch() / "root"
    root.mkdir(exist_ok=True)
    (root / "config.txt").write_text(CONFIG)
    (root / "other.txt").write_text(OTHER)
    program = compile_c([LIBRARY / "programs" / "config_clock.c"], root / "config_clock",
                        libc="musl")
    return Path(program), root


@functools.cache
def win32_program() -> Path:
    return build_pe([LIBRARY / "foreign" / "programs" / "hello_win.c"],
                    _scratch() / "hello.exe")


def fresh_root() -> Path:
    """An empty directory for one run of a program that writes files."""
    return Path(tempfile.mkdtemp(dir=_scratch()))


@functools.cache
def dynamic_examples() -> dict[str, Path]:
    """libvc.so, libfakeclock.so (in lib/) and hello_dyn, dynamically linked."""
    from vlab.library.dynload.build import build_examples

    out = _scratch() / "dyn"
    built = build_examples(out)
    return {**built, "lib": out / "lib"}


@functools.cache
def bsd_program() -> Path:
    """bsd_hello.c for the vlab-BSD system-call ABI, branded for FreeBSD."""
    from vlab.library.lxrun.build import PROGRAMS as BSD_PROGRAMS
    from vlab.library.lxrun.build import build_bsd

    return build_bsd(BSD_PROGRAMS / "bsd_hello.c", _scratch() / "bsd_hello")
