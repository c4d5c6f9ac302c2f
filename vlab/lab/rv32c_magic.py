"""``%%rv32c``: compile the C program in a notebook cell and run it on the modeled RV32 machine.

Load once per notebook, then write C in a cell that starts with the magic::

    %load_ext vlab.lab.rv32c_magic

    %%rv32c --args alice bob --stats
    #include "vlab.h"
    int main(int argc, char **argv) { printf("hello %s\\n", argv[1]); return argc; }

The cell is compiled with ``vlab.isa.runtime.compile_c`` (the pinned zig toolchain, or
``--compiler gcc``; a cell run again unchanged comes from the build cache) and run as
``vlab run`` runs a program (vlab.os.boot): a *user* program in U-mode under the proxy
kernel (default), or with ``--mode bare`` alone in M-mode.  Shown: the program's output,
then one line with how it ended (its exit code, the fault that killed it, or the
instruction budget that stopped a runaway loop).  A program that does not compile shows the
compiler's diagnostics as the compiler printed them, for ``cell.c`` (``--name`` renames
it), and no Python traceback (nor a failed cell: a chapter may show a compile error).  Bad
options are an IPython UsageError: one line, no traceback.  The last run (machine, ledger,
output: vlab.os.boot's ``Completed``) is kept in the notebook as ``_rv32c``.

Options (``%%rv32c --help``): ``--mode user|bare``, ``--engine interp|dbt|...``,
``--compiler zig|gcc``, ``--cflags "-DN=3 -O0"``, ``--stdin TEXT``,
``--max-instructions N`` (default 10,000,000), ``--stats``, and last ``--args A B ...``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from IPython.core.error import UsageError

from vlab.isa.runtime import CompileError, ToolchainMissing, build
from vlab.os.boot import BootError, run_program

DEFAULT_BUDGET = 10_000_000
RESULT_NAME = "_rv32c"


class _Parser(argparse.ArgumentParser):
    """argparse whose errors become IPython UsageErrors (one line, no traceback)."""

    def error(self, message):
        raise UsageError(f"%%rv32c: {message}")


def option_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%%rv32c", description="Compile the cell's C program and run it "
                     "on the RV32 machine.")
    parser.add_argument("--mode", choices=("user", "bare"), default="user",
                        help="user: U-mode under the proxy kernel (default); bare: M-mode")
    parser.add_argument("--engine", default="interp", help="execution engine (default interp)")
    parser.add_argument("--compiler", choices=("zig", "gcc"), default="zig",
                        help="cross-compiler (default zig, the pinned one)")
    parser.add_argument("--cflags", default="", help="extra compiler flags, quoted")
    parser.add_argument("--name", default="cell", help="the source's name in diagnostics")
    parser.add_argument("--stdin", default="", help="text given to the program's stdin")
    parser.add_argument("--max-instructions", type=int, default=DEFAULT_BUDGET, metavar="N",
                        help="instruction budget (default %(default)s)")
    parser.add_argument("--stats", action="store_true",
                        help="instructions retired, wall time and speed; the DBT's counters")
    parser.add_argument("--args", nargs=argparse.REMAINDER, default=[],
                        help="arguments for the program (the last option)")
    return parser


def rv32c(line: str, cell: str, shell=None):
    """The cell magic: compile ``cell``, run it, print what happened (see module doc)."""
    try:
        options = option_parser().parse_args(shlex.split(line))
    except SystemExit:                          # --help printed the usage
        return None
    if options.max_instructions <= 0:
        raise UsageError("%%rv32c: --max-instructions must be positive")
    with tempfile.TemporaryDirectory(prefix="rv32c-") as scratch:
        source = Path(scratch) / f"{options.name}.c"
        source.write_text(cell)
        image = _compile(source, Path(scratch), options)
        if image is None:
            return None
        started = time.perf_counter()
        try:
            done = run_program(image, stdin=options.stdin.encode(), mode=options.mode,
                               engine=options.engine, argv=[options.name, *options.args],
                               max_instructions=options.max_instructions)
        except (BootError, ValueError) as error:
            raise UsageError(f"%%rv32c: {error}") from None
        elapsed = time.perf_counter() - started
    _show(done, options, elapsed)
    if shell is not None:
        shell.user_ns[RESULT_NAME] = done
    return None


def _compile(source: Path, scratch: Path, options) -> Path | None:
    """Build the cell; on failure print the compiler's diagnostics and return None."""
    try:
        made = build([source], scratch / f"{options.name}.elf", mode=options.mode,
                     extra_flags=shlex.split(options.cflags), compiler=options.compiler)
    except ToolchainMissing as error:
        raise UsageError(f"%%rv32c: {error}") from None
    except CompileError as error:
        sys.stderr.write(_relative(error.diagnostics, scratch))
        return None
    sys.stderr.write(_relative(made.diagnostics, scratch))     # warnings, if any
    return made.image


def _relative(diagnostics: str, scratch: Path) -> str:
    """The compiler's text with the temporary directory left out: ``cell.c:3:5: error``."""
    for directory in {os.fspath(scratch), os.path.realpath(scratch)}:
        diagnostics = diagnostics.replace(directory + os.sep, "")
    return diagnostics


def _show(done, options, elapsed: float) -> None:
    output = done.stdout.decode("utf-8", errors="replace")
    sys.stdout.write(output if output.endswith("\n") or not output else output + "\n")
    sys.stdout.flush()
    if done.stderr:
        sys.stderr.write(done.stderr.decode("utf-8", errors="replace"))
    print(ending(done, options.max_instructions))
    if options.stats:
        machine = done.booted.machine
        retired = machine.hart.instret
        mips = retired / elapsed / 1e6 if elapsed > 0 else float("inf")
        print(f"instructions retired: {retired}")
        print(f"wall time: {elapsed:.3f} s, {mips:.2f} MIPS (wall-clock)")
        engine_stats = getattr(machine.engine, "stats", None)   # the DBT's counters
        if engine_stats is not None:
            print(engine_stats.text())


def ending(done, budget: int) -> str:
    """One line saying how the run ended."""
    result = done.result
    if result.status == "exit":
        return f"[exit code {result.exit_code}]"
    if result.status == "budget":
        return (f"[stopped: the budget of {budget:,} instructions ran out (an endless loop?); "
                "raise it with --max-instructions N]")
    where = done.booted.describe(result.pc) if result.pc is not None else "?"
    return f"[stopped at pc={where}: {result.message}]"


def load_ipython_extension(ipython) -> None:
    """``%load_ext vlab.lab.rv32c_magic`` registers the ``%%rv32c`` cell magic."""
    def magic(line: str, cell: str):
        return rv32c(line, cell, ipython)
    magic.__doc__ = __doc__                     # what %%rv32c? shows
    ipython.register_magic_function(magic, magic_kind="cell", magic_name="rv32c")
