"""The files of the chapter's experiments: vlab's userland and the chapter's programs.

:func:`root_files` is a root file system's worth of files: the userland
(``vlab.os.userland``: ``sh``, ``ps``, ``hostname``, ``sleep``...) and the chapter's own
C programs from ``programs/`` (``nsrun``: a command in new namespaces; ``hog``:
memory, page by page; ``pause``: wait for a signal; ``spin``: use the CPU), all static
RV32 executables built with musl by the pinned toolchain (cached by content).

The experiments' containers are made from these files
(:mod:`vlab.lab.oslevel.containers`).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from vlab.isa.runtime import compile_c
from vlab.os.userland import userland_files

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
#: The chapter's own programs: name -> place in the root file system.
CHAPTER_PROGRAMS = {"nsrun": "/bin/nsrun", "hog": "/bin/hog", "pause": "/bin/pause",
                    "spin": "/bin/spin"}
#: Directories the experiments need that hold no file of their own.
EMPTY_DIRECTORIES = ("/tmp", "/mnt")


@functools.cache
def chapter_program(name: str) -> bytes:
    """The RV32 executable of ``programs/<name>.c`` (compiled once, cached by content)."""
    if name not in CHAPTER_PROGRAMS:
        raise ValueError(f"unknown chapter program {name!r}; choose one of "
                         f"{sorted(CHAPTER_PROGRAMS)}")
    with tempfile.TemporaryDirectory() as out:
        path = compile_c([PROGRAMS_DIR / f"{name}.c"], Path(out) / name, libc="musl")
        return Path(path).read_bytes()


def userland() -> dict[str, bytes]:
    """The userland's files (``/bin/sh``... ``/sbin/init``, ``/etc/passwd``)."""
    return dict(userland_files())


def tool_files() -> dict[str, bytes]:
    """The chapter's programs, and the empty directories the experiments use."""
    files = {place: chapter_program(name) for name, place in CHAPTER_PROGRAMS.items()}
    # the layer store has regular files only: an empty ".keep" file makes a directory
    files.update({f"{directory}/.keep": b"" for directory in EMPTY_DIRECTORIES})
    return files


def root_files() -> dict[str, bytes]:
    """Every file of the experiments' root file system: the userland and our programs."""
    return {**userland(), **tool_files()}
