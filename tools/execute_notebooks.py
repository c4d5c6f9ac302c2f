"""Execute notebooks in place and store their outputs (for chapter authors).

    .venv/bin/python tools/execute_notebooks.py book/chapters/01-*.ipynb

Each notebook runs in a fresh ``python3`` kernel from the course's virtual
environment, in its own directory, with a per-cell and a whole-notebook time
limit, and is saved with its outputs and widget state (see
:mod:`vlab.course.execute` for the guarantees).  A failing cell stops that
notebook, leaves the file untouched, and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from vlab.course.execute import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_NOTEBOOK_TIMEOUT,
    NotebookTimeoutError,
    execute_file,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to execute in place")
    parser.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                        help="seconds a single cell may run (default %(default)s)")
    parser.add_argument("--notebook-timeout", type=float, default=DEFAULT_NOTEBOOK_TIMEOUT,
                        help="seconds a whole notebook may run (default %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    failures = 0
    for path in args.notebooks:
        if not path.is_file():
            print(f"{path}: no such notebook", file=sys.stderr)
            failures += 1
            continue
        print(f"executing {path} ...", flush=True)
        try:
            execute_file(path, cell_timeout=args.cell_timeout,
                         notebook_timeout=args.notebook_timeout)
        except (CellExecutionError, CellTimeoutError, DeadKernelError,
                NotebookTimeoutError) as error:
            print(f"{path}: FAILED, file left unchanged\n{error}", file=sys.stderr)
            failures += 1
        else:
            print(f"{path}: outputs stored", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
