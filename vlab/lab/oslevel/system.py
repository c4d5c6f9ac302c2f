"""A small system for the chapter's experiments: vlab's kernel, its userland, our programs.

:func:`run_script` boots the multi-process kernel (:mod:`vlab.os`) on a fresh machine
with the userland's shell as the first process, runs a shell script on it and returns
what it printed together with the kernel, so that an experiment can look at the process
table, the namespaces and the cgroups the run left behind.  The root directory holds
the userland (``vlab.os.userland``: ``sh``, ``ps``, ``hostname``, ``sleep``...) and the
chapter's own C programs from ``programs/`` (``nsrun``: a command in new namespaces;
``hog``: memory, page by page; ``pause``: wait for a signal; ``spin``: use the CPU), all
static RV32 executables built with musl by the pinned toolchain (cached by content).

Everything is deterministic: guest time comes from the instruction count, so the same
script gives the same output, the same pids and the same numbers on every run.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vlab.isa.runtime import compile_c
from vlab.os.boot import run_program
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


def root_files() -> dict[str, bytes]:
    """Every file of the experiments' root file system: the userland and our programs."""
    files = dict(userland_files())
    files.update({place: chapter_program(name) for name, place in CHAPTER_PROGRAMS.items()})
    # the layer store has regular files only: an empty ".keep" file makes a directory
    files.update({f"{directory}/.keep": b"" for directory in EMPTY_DIRECTORIES})
    return files


def write_root(directory: str | Path) -> Path:
    """Write :func:`root_files` under ``directory`` (executables mode 0755)."""
    root = Path(directory)
    for place, data in root_files().items():
        target = root / place.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(0o755 if place.startswith(("/bin/", "/sbin/")) else 0o644)
    return root


@dataclass
class Run:
    """One run of a script: what it printed, how it ended, and the kernel afterwards."""

    script: str
    stdout: str
    stderr: str
    exit_code: int | None
    stopped: str            # the machine's reason for stopping
    kernel: object          # vlab.os.kernel.Kernel, with its process table as left
    instructions: int


def run_script(script: str, *, max_instructions: int = 20_000_000) -> Run:
    """Run ``sh -c script`` as the first process (init) of a fresh kernel.

    The run ends when the shell exits or after ``max_instructions`` (a snapshot: the
    processes still alive are in ``run.kernel.processes``).
    """
    with tempfile.TemporaryDirectory() as directory:
        root = write_root(directory)
        done = run_program(root / "bin" / "sh", argv=["sh", "-c", script], root=str(root),
                           paging=True, max_instructions=max_instructions)
    result = done.result
    return Run(script, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"), done.exit_code,
               str(getattr(result, "reason", result)), done.booted.kernel,
               done.booted.machine.hart.instret)
