"""Application flexibility: which level runs which kind of program, by really trying.

The corpus has one program of each kind (Hwang et al. 2011, sec. 3.1.1: flexibility is
what a level lets run that the host could not run as is):

================  ======================================================================
same ISA and OS   a Linux RV32 program (the ``syscall`` workload)
own OS kernel     a bare-metal program that brings its own M-mode trap handler (what a
                  guest operating system is: the hardware level's promise)
other OS ABI      the same program for the vlab-BSD system-call ABI (FreeBSD numbers,
                  branded ``ELFOSABI_FREEBSD``)
other library     a Win32 program (PE32, KERNEL32 imports), built with the pinned zig
API               from vlab/library/foreign/programs/hello_win.c
other ISA         an x86-64 ELF: this computer's ``/bin/true``, or, when it is missing,
                  no file (the cell says so)
bytecode          a module in the HLL language (compiled to class files by ``vlab hll``)
================  ======================================================================

Each level is tried through the public API behind its command (what ``vlab run``,
``vlab vm run``, ``vlab lib run-foreign`` and ``vlab hll run`` call) or, for containers,
the runtime's API; a run "runs" when it exits with status 0.  A failure's reason is the
error the level raised or the way the run ended.

Score rule (adjustable, :data:`FLEXIBILITY_RULE`): 1 + 4 x (kinds the level runs - 1) /
(kinds - 1), rounded, at least 1: a level that runs only native programs scores 1, one
that runs every kind scores 5.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vlab.isa.asm import assemble
from vlab.lab.merits.cells import Absent, attempt
from vlab.lab.merits.runners import EI_OSABI, ELFOSABI_FREEBSD, bsd_source
from vlab.lab.merits.workloads import bare_elf, user_elf

KINDS: tuple[str, ...] = ("same ISA+OS", "own OS kernel", "other OS ABI",
                          "other library API", "other ISA", "bytecode")
LEVELS: tuple[str, ...] = ("isa", "hardware", "os", "library", "application")
FLEXIBILITY_RULE = "1 + 4 x (kinds run - 1) / (kinds - 1), rounded, at least 1"
HELLO_WIN = Path(__file__).resolve().parents[2] / "library/foreign/programs/hello_win.c"
HLL_PROGRAM = "total = 0\nfor i in range(5):\n    total = total + i\nprint(total)\n"


@dataclass(frozen=True)
class Ran:
    """A program of this kind ran at this level (exit status 0)."""

    how: str

    def __str__(self) -> str:
        return "runs"


@dataclass(frozen=True)
class Failed:
    """It was tried and did not run; ``reason`` is the first line it printed."""

    reason: str

    def __str__(self) -> str:
        return f"fails: {self.reason}"


def _write_corpus(where: Path) -> dict[str, Path]:
    """One file per kind, in ``where`` (a kind whose file cannot be made is missing)."""
    files: dict[str, Path] = {}
    (where / "linux.elf").write_bytes(user_elf("syscall", 2))
    files["same ISA+OS"] = where / "linux.elf"
    (where / "kernel.elf").write_bytes(bare_elf("syscall", 2))
    files["own OS kernel"] = where / "kernel.elf"
    bsd = bytearray(assemble(bsd_source("syscall", 2), text_base=0x1_0000).to_elf())
    bsd[EI_OSABI] = ELFOSABI_FREEBSD
    (where / "bsd.elf").write_bytes(bytes(bsd))
    files["other OS ABI"] = where / "bsd.elf"
    with contextlib.suppress(Exception):            # needs the pinned zig toolchain
        from vlab.library.foreign.pe_build import build_pe
        files["other library API"] = build_pe([HELLO_WIN], where / "hello.exe")
    host_true = shutil.which("true")
    if host_true and open(host_true, "rb").read(4) == b"\x7fELF":
        shutil.copy(host_true, where / "x86.elf")
        files["other ISA"] = where / "x86.elf"
    (where / "main.py").write_text(HLL_PROGRAM)
    files["bytecode"] = where / "main.py"
    return files


BUDGET = 200_000
GUEST_OS_BUDGET = 5_000_000       # the guest kernel boots first


def _isa(path: Path) -> tuple[int, str]:
    """What ``vlab run`` does: load the file, bare-metal or user mode by its layout."""
    from vlab.os.boot import run_program
    done = run_program(str(path), max_instructions=BUDGET)
    return done.exit_code, str(done.result)


def _hardware(path: Path) -> tuple[int, str]:
    """The file as a VM's guest (``vlab vm run``); a file that is no bare-metal guest runs
    as a user program of the teaching guest kernel in the VM (a VM with an OS installed,
    vlab/hardware/guest_kernel)."""
    from vlab.hardware.guest_kernel.boot import boot_user_program
    from vlab.hardware.vm import VirtualMachine, VmError
    try:
        vm = VirtualMachine(str(path), cpu="hw")
    except VmError as bare_error:
        if "outside guest RAM" not in str(bare_error):
            raise
        vm = boot_user_program(str(path), cpu="hw")
    result = vm.run(max_instructions=GUEST_OS_BUDGET)
    return result.exit_code, str(result)


def _library(path: Path) -> tuple[int, str]:
    """What ``vlab lib`` does: an ELF branded for FreeBSD through the BSD-ABI layer
    (``run-foreign``), any other ELF in an interposition session, traced as ``ltrace``
    does (``vlab lib trace``), any other file as a PE through KERNEL32."""
    from vlab.library.foreign.run import run_foreign
    from vlab.library.interpose.session import Session
    from vlab.library.lxrun.run import is_bsd, run_bsd
    if path.read_bytes()[:4] == b"\x7fELF" and not is_bsd(path):
        session = Session(str(path), trace=True, root=str(path.parent),
                          max_instructions=BUDGET).run()
        return session.result.exit_code, str(session.result)
    if path.read_bytes()[:4] == b"\x7fELF":
        done = run_bsd(str(path), root=str(path.parent), max_instructions=BUDGET)
    else:
        done = run_foreign(str(path), root=str(path.parent), max_instructions=BUDGET)
    return done.exit_code, done.message


def _application(path: Path) -> tuple[int, str]:
    """What ``vlab hll run`` does with a source file: compile it, run it."""
    from vlab.application.hll.vm import VM
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return 2, f"not a source text: {exc.reason} at byte {exc.start}"
    result = VM.from_source(text, filename=path.name).run()
    return result.exit_code, f"exit code {result.exit_code}"


def _in_container(path: Path) -> tuple[int, str]:
    from vlab.lab.oslevel.containers import Lab
    from vlab.os.fs import ImageLayer
    lab = Lab()
    box = lab.start("flex", ["/bin/prog"], image=ImageLayer({"/bin/prog": path.read_bytes()}))
    lab.run(2_000_000)
    return box.run.outcome(lab.host).exit_code, box.output.getvalue().decode(errors="replace")


#: level -> how it tries a file (each the public API behind the level's command).
TRIES = {"isa": _isa, "hardware": _hardware, "os": _in_container, "library": _library,
         "application": _application}


def _reason(output: str, status: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    lines = errors or lines
    return (lines[-1] if lines else f"exit status {status}")[:110]


def try_kind(level: str, path: Path) -> Ran | Failed:
    def run():
        status, output = TRIES[level](path)
        return Ran("exit status 0") if status == 0 else Failed(_reason(output, status))
    cell = attempt(run)
    return Failed(cell.reason) if isinstance(cell, Absent) else cell


def _relative(cell, directory: str):
    """The cell with the temporary directory's name taken out (a stable text)."""
    if isinstance(cell, Failed):
        return Failed(cell.reason.replace(directory + os.sep, "").replace(directory, "."))
    return cell


def matrix() -> dict[str, dict[str, Ran | Failed | Absent]]:
    """level -> kind -> cell, every level really trying every kind."""
    with tempfile.TemporaryDirectory(prefix="vlab-merits-flex-") as tmp:
        old = os.getcwd()
        os.chdir(tmp)                              # programs that write files write here
        try:
            files = _write_corpus(Path(tmp))
            return {level: {kind: (_relative(try_kind(level, files[kind]), tmp)
                                   if kind in files else
                                   Absent("no program of this kind could be made here"))
                            for kind in KINDS} for level in LEVELS}
        finally:
            os.chdir(old)


def score(row: dict) -> int:
    """The flexibility score of one level's row (:data:`FLEXIBILITY_RULE`)."""
    ran = sum(isinstance(cell, Ran) for cell in row.values())
    return max(1, round(1 + 4 * (ran - 1) / (len(KINDS) - 1)))
