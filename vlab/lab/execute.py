"""Execute notebooks safely: every wait is bounded, outputs are deterministic.

Chapter authors store outputs with ``tools/execute_notebooks.py``; the
instructor's autograder (:mod:`vlab.lab.course`) runs student notebooks with
the same client class.  Both rely on three guarantees:

* **Bounded.**  A cell that runs longer than ``cell_timeout`` seconds is
  interrupted (its cell gets a ``CellTimeoutError``); a whole notebook that
  runs longer than ``notebook_timeout`` is cancelled and its kernel shut down;
  kernel start-up, IOPub draining and shut-down each have their own limit.
* **Deterministic.**  No timing metadata is recorded (``record_timing`` off)
  and volatile metadata is stripped, so re-executing an unchanged notebook
  changes only what the code itself prints.
* **Widgets.**  ``store_widget_state`` keeps every widget's state in the
  notebook metadata, so the static book can show each widget's initial state.

The kernel is ``python3`` from the running interpreter's environment (the
course's ``.venv``), whatever the notebook's metadata says.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

DEFAULT_CELL_TIMEOUT = 120  # seconds; a chapter cell that needs more is a bug
DEFAULT_NOTEBOOK_TIMEOUT = 900  # seconds for the whole notebook, start-up included
KERNEL_NAME = "python3"

# Cell metadata that changes on every execution without the code changing.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")


class NotebookTimeoutError(TimeoutError):
    """The whole notebook ran past its time budget."""


class SafeNotebookClient(NotebookClient):
    """An nbclient ``NotebookClient`` whose every wait has a limit."""

    def __init__(self, nb: NotebookNode, *, cell_timeout: int = DEFAULT_CELL_TIMEOUT, **kwargs):
        kwargs.setdefault("timeout", cell_timeout)
        kwargs.setdefault("kernel_name", KERNEL_NAME)
        kwargs.setdefault("startup_timeout", 60)
        kwargs.setdefault("iopub_timeout", 10)
        kwargs.setdefault("raise_on_iopub_timeout", True)
        kwargs.setdefault("store_widget_state", True)
        kwargs.setdefault("record_timing", False)
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(nb, **kwargs)


def execute_notebook(
    nb: NotebookNode,
    *,
    cwd: str | Path,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
    allow_errors: bool = False,
) -> NotebookNode:
    """Execute ``nb`` in a fresh kernel whose working directory is ``cwd``; return it.

    Raises ``nbclient.exceptions.CellExecutionError`` when a cell fails (unless
    ``allow_errors``) and :class:`NotebookTimeoutError` past ``notebook_timeout``.
    """
    client = SafeNotebookClient(
        nb,
        cell_timeout=cell_timeout,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        asyncio.run(asyncio.wait_for(client.async_execute(), notebook_timeout))
    except TimeoutError as error:
        if isinstance(error, NotebookTimeoutError):
            raise
        raise NotebookTimeoutError(
            f"the notebook did not finish within {notebook_timeout:g} s "
            "(raise notebook_timeout or make its cells faster)"
        ) from error
    strip_volatile_metadata(nb)
    return nb


def strip_volatile_metadata(nb: NotebookNode) -> NotebookNode:
    """Remove per-run metadata (timestamps) so re-execution is reproducible."""
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return nb


def execute_file(path: str | Path, **options) -> NotebookNode:
    """Execute the notebook at ``path`` in its own directory and save it in place."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    execute_notebook(nb, cwd=path.parent, **options)
    nbformat.write(nb, path)
    return nb
