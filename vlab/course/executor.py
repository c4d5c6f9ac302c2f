"""The autograder's execute step: each submission runs confined, its tests must prove they ran.

nbgrader's ``Autograde`` converter runs a list of preprocessors; its ``Execute`` step
runs the student's notebook.  ``exercises/nbgrader_config.py`` swaps in
:class:`ConfinedExecute` (:func:`autograde_preprocessors`), so everything below also holds
when an instructor runs plain ``nbgrader autograde`` in ``exercises/``.

:class:`ConfinedExecute` never runs student code in the grader's own process.  It

1. copies the submission's folder to a throwaway folder;
2. appends a proof call with a fresh random token to every test cell (:mod:`vlab.course.proof`);
3. runs :mod:`vlab.course.grading_worker` on it through :func:`vlab.course.sandbox.
   run_confined` (own session, CPU/memory/process/file-size limits, wall clock, no
   network and a read-only system under bubblewrap, nothing left running);
4. copies back only the cells' outputs, as the worker reported them; a cell it never
   reported (the run was killed) gets a ``NotRunError`` and scores zero;
5. checks the proofs (a test without its proof and without an error scores zero) and
   scans the student's cells for code that reaches into the grading machinery;
6. records what went wrong in the notebook's metadata (``vlab.grading``), which
   :func:`vlab.course.grading.autograde` reports per student.

The gradebook, the course folder and the grader's memory are out of the student code's
reach: nbgrader's later steps (scoring, saving grades) run here, on outputs only.  Its
time limits are nbgrader's ``Execute`` options (``c.Execute.timeout`` is the per-cell
limit); the others are this class's options (``c.ConfinedExecute.memory_limit`` ...).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer

from vlab.course.execute import WakeSafeKernelManager
from vlab.course.proof import add_proofs, check_proofs, error_output, suspicious_code
from vlab.course.sandbox import Limits, python_command, run_confined

METADATA_KEY = "vlab"


class WakeSafeExecute(Execute):
    """nbgrader's execute preprocessor with vlab's wake-safe kernel client (in-process;
    kept for notebooks the instructor trusts, the autograder uses :class:`ConfinedExecute`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", WakeSafeKernelManager)
        super().__init__(*args, **kwargs)


class ConfinedExecute(WakeSafeExecute):
    """nbgrader's execute step, run confined and checked (see the module docstring)."""

    notebook_timeout = Float(600.0, help="seconds for the whole notebook").tag(config=True)
    cpu_limit = Integer(300, help="CPU seconds per process").tag(config=True)
    memory_limit = Integer(4 << 30, help="address space per process, bytes").tag(config=True)
    file_size_limit = Integer(64 << 20, help="largest file written, bytes").tag(config=True)
    process_limit = Integer(64, help="processes beyond the user's").tag(config=True)
    output_limit = Integer(1 << 20, help="notebook output kept, characters").tag(config=True)

    def limits(self) -> Limits:
        return Limits(wall_seconds=self.notebook_timeout, cpu_seconds=self.cpu_limit,
                      memory_bytes=self.memory_limit, file_bytes=self.file_size_limit,
                      processes=self.process_limit, output_bytes=self.output_limit)

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        folder = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        with tempfile.TemporaryDirectory(prefix="vlab-grade-", dir=_short_temp()) as scratch:
            workdir = Path(scratch) / "submission"
            shutil.copytree(folder, workdir, symlinks=True)
            executed = copy.deepcopy(nb)
            tokens = add_proofs(executed)
            request = {"notebook": executed, "cell_timeout": self.timeout or 0,
                       "output_bytes": self.output_limit}
            run = run_confined(python_command("vlab.course.grading_worker"),
                               workdir=workdir, limits=self.limits(),
                               stdin=json.dumps(request).encode(),
                               hidden=_hidden_folders(folder))
        problems = _copy_outputs(run, executed)
        problems += [f"{grade_id}: no proof that the test ran untampered (zero for it)"
                     for grade_id in check_proofs(executed, tokens)]
        problems += [f"review {finding}" for finding in suspicious_code(nb)]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                cell.outputs = executed.cells[index].outputs
                cell.execution_count = executed.cells[index].get("execution_count")
        nb.metadata.setdefault(METADATA_KEY, {})["grading"] = {
            "confinement": run.confinement, "problems": problems}
        for problem in problems:
            self.log.warning("%s", problem)
        return nb, resources


def _copy_outputs(run, executed) -> list[str]:
    """Put the worker's reported outputs into ``executed``; every code cell it did not
    report gets a ``NotRunError``.  Returns the problems the run had."""
    reported, problems, done = set(), [], False
    for line in run.result.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut off by the result cap
        if "cell" in record and 0 <= record["cell"] < len(executed.cells):
            cell = executed.cells[record["cell"]]
            cell.outputs = [nbformat.from_dict(output) for output in record["outputs"]]
            cell.execution_count = record.get("execution_count")
            reported.add(record["cell"])
        elif "problem" in record:
            problems.append(str(record["problem"]))
        done = done or record.get("done") is True
    if not done:
        why = ("the notebook ran past its time limit" if run.timed_out else
               f"the grader's run ended abnormally (exit status {run.returncode}: "
               f"{_last_line(run.stderr)})")
        problems.append(why)
        for index, cell in enumerate(executed.cells):
            if cell.cell_type == "code" and index not in reported:
                cell.outputs = [error_output("NotRunError", f"not run: {why}")]
    return problems


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


def _short_temp() -> str | None:
    """``/tmp`` when it is writable: the kernel's sockets live under the scratch folder
    and a Unix socket's path has at most 107 bytes (a long ``TMPDIR`` would break it)."""
    return "/tmp" if os.access("/tmp", os.W_OK) else None


def _hidden_folders(submission: Path) -> list[Path]:
    """The course root: ``<root>/autograded/<student>/<assignment>``."""
    return [submission.parents[2]] if len(submission.parents) >= 3 else []


def autograde_preprocessors() -> list[type]:
    """nbgrader's default autograde pipeline with ``Execute`` replaced by ``ConfinedExecute``."""
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return [ConfinedExecute if step is Execute else step for step in defaults]
