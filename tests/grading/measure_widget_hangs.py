"""Measure how often executing a widget notebook hangs: stock nbclient vs vlab's client.

    .venv/bin/python tests/grading/measure_widget_hangs.py [RUNS]

Runs ``fixtures/widgets.ipynb`` RUNS times (default 40) with each client, the
two interleaved so both see the same machine load.  Cells get no time limit
(as in nbclient's default), so a lost wake-up (see :mod:`vlab.course.execute`)
would wait forever; a whole-run limit of ``RUN_LIMIT`` seconds, far above the
~2 s a run takes, turns it into a counted hang.  (With a cell time limit the
same lost wake-up shows up as a cell stalled for the whole limit instead.)
Not a test: the hang is a race, so this prints counts rather than asserting.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from vlab.course.execute import SafeNotebookClient

NOTEBOOK = Path(__file__).parent / "fixtures" / "widgets.ipynb"
RUN_LIMIT = 20  # seconds


def hangs(client_class: type[NotebookClient]) -> bool:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = client_class(nb, timeout=None, kernel_name="python3")
    try:
        asyncio.run(asyncio.wait_for(client.async_execute(), RUN_LIMIT))
    except (TimeoutError, DeadKernelError):  # nbclient turns the cancellation into the latter
        return True
    return False


def main(runs: int) -> None:
    counts = {NotebookClient: 0, SafeNotebookClient: 0}
    start = time.monotonic()
    for _ in range(runs):
        for client_class in counts:
            counts[client_class] += hangs(client_class)
    for client_class, count in counts.items():
        print(f"{client_class.__module__}.{client_class.__name__}: {count} hangs in {runs} runs")
    print(f"({time.monotonic() - start:.0f} s in all)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
