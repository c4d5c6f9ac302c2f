"""A Win32 program on the host kernel: each Win32 call beside the POSIX calls it became.

``foreign_run()`` builds ``hello_win.c`` into a PE32 RISC-V file, runs it through the
translation library (``vlab.library.foreign``) in a fresh directory and returns the run;
``translation_table(run)`` lists its calls for the chapter.
"""

from __future__ import annotations

from vlab.lab.experiment import Table
from vlab.library.foreign.run import ForeignRun, run_foreign

from .programs import fresh_root, win32_program


def foreign_run() -> ForeignRun:
    return run_foreign(win32_program(), root=fresh_root())


def translation_table(run: ForeignRun) -> Table:
    rows = []
    for entry in run.log:
        posix = "; ".join(entry.posix) or "(answered in the library)"
        result = f"{entry.result:#x}" if entry.result > 0xFFFF else str(entry.result)
        rows.append((entry.call.split("(")[0], result, posix))
    return Table(("Win32 call", "result", "POSIX calls of the host kernel"), rows)
