"""Fuzzing the notebooks an instructor collects and autogrades (issue 16, seeded, bounded).

Collect: 240 files made by a seeded generator from the fixture assignment: byte flips,
truncation, junk, deep nesting, wrong JSON types, non-UTF-8, odd file names, a FIFO, a
symbolic link to a device.  ``collect`` must return (no traceback), take or skip each
file with a reason, stay within :data:`COLLECT_SECONDS` and :data:`COLLECT_MEMORY`.

Autograde: five notebooks whose cells are replaced, duplicated, deleted or re-typed at
random and whose answers are drawn from a pool of hostile snippets.  ``autograde`` must
return, every student must be scored or listed with a reason, and the whole class must
finish within :data:`AUTOGRADE_SECONDS`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
import tracemalloc
from pathlib import Path

import nbformat
import pytest

from vlab.course import Course, autograde, collect, release

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SOURCE = Path(__file__).parent / "fixtures" / "course" / "source"
SEED = 16
COLLECT_FILES = 240
COLLECT_SECONDS = 60.0
COLLECT_MEMORY = 200 << 20  # bytes Python allocates at the peak (inputs are < 1 MiB each)
AUTOGRADE_STUDENTS = 5
AUTOGRADE_SECONDS = 240.0

pytestmark = pytest.mark.timeout(600)

HOSTILE_ANSWERS = (
    "import os\nos._exit(3)",
    "raise SystemExit(0)",
    "import sys\nsys.stdout = None",
    "print('\\x00\\udcff' * 1000)",
    "print('y' * 5_000_000)",
    "import sys\nsys.setrecursionlimit(10**6)\ndef f(): f()\nf()",
    "x = [0] * (10 ** 10)",
    "while True: pass",
    "get_ipython().ast_transformers.append(None)",
    "import builtins\nbuiltins.print = None",
    "exit()",
    "%%bash\nsleep 100 &",
    "from IPython.display import display\ndisplay({'text/html': '<script>' * 10000}, raw=True)",
    "import signal\nsignal.alarm(1)\nimport time\ntime.sleep(5)",
    "def guest_cycles(native, overhead):\n    return native * overhead",
)


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # flip bytes
        data = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind == 1:
        return data[:rng.randrange(len(data))]
    if kind == 2:
        at = rng.randrange(len(data))
        return data[:at] + rng.randbytes(rng.randint(1, 200)) + data[at:]
    if kind == 3:
        return b"[" * 100_000 + b"]" * 100_000
    if kind == 4:
        return rng.randbytes(rng.randint(0, 2000))
    return json.dumps(rng.choice([
        [], 5, None, "text", {"cells": 5}, {"cells": [{"cell_type": "nope"}]},
        {"nbformat": 4, "nbformat_minor": 5, "metadata": [], "cells": []},
        {"nbformat": 99, "cells": []},
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
         "cells": [{"cell_type": "code", "source": 7, "metadata": {}, "outputs": {}}]},
    ])).encode()


def _odd_name(rng: random.Random, index: int) -> str:
    return rng.choice([f"s{index}", f"s {index}", f"-s{index}", f".s{index}", f"s{index}\n",
                       f"\u00e9l\u00e8ve{index}", "x" * 200 + str(index), f"s{index}\t",
                       f"s{index}..", f"s{index}\\u0000"])


@pytest.fixture
def course(tmp_path) -> Course:
    root = tmp_path / "exercises"
    shutil.copytree(FIXTURE_SOURCE, root / "source")
    shutil.copy(ROOT / "exercises" / "nbgrader_config.py", root)
    return Course.open(root, Execute={"timeout": 10},
                       ConfinedExecute={"notebook_timeout": 60.0})


def test_collect_survives_mutated_notebooks_and_odd_files(course, tmp_path):
    rng = random.Random(SEED)
    valid = (FIXTURE_SOURCE / "ps0" / "ps0.ipynb").read_bytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index in range(COLLECT_FILES):
        data = valid if rng.random() < 0.2 else _mutate_bytes(valid, rng)
        name = _odd_name(rng, index) if rng.random() < 0.3 else f"s{index}"
        if rng.random() < 0.2:
            (inbox / name).mkdir(exist_ok=True)
            (inbox / name / "ps0.ipynb").write_bytes(data)
        else:
            (inbox / f"{name}.ipynb").write_bytes(data)
    os.mkfifo(inbox / "fifo.ipynb")
    (inbox / "zero.ipynb").symlink_to("/dev/zero")
    (inbox / "linked.ipynb").symlink_to(FIXTURE_SOURCE / "ps0" / "ps0.ipynb")
    tracemalloc.start()
    started = time.monotonic()
    done = collect(course, inbox, "ps0")
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < COLLECT_SECONDS
    assert peak < COLLECT_MEMORY
    handled = len(done.collected) + len(done.skipped)
    assert handled == len(list(inbox.iterdir()))
    assert all(reason for _, reason in done.skipped)
    skipped = {path.name: reason for path, reason in done.skipped}
    assert "not a regular file" in skipped["fifo.ipynb"]
    assert "symbolic link" in skipped["zero.ipynb"]
    assert "symbolic link" in skipped["linked.ipynb"]
    for student in done.collected:
        nbformat.read(course.root / "submitted" / student / "ps0" / "ps0.ipynb", as_version=4)


def _mutate_cells(nb, rng: random.Random) -> None:
    for cell in list(nb.cells):
        nbgrader = cell.metadata.get("nbgrader", {})
        roll = rng.random()
        if nbgrader.get("solution") and roll < 0.6:
            cell.source = rng.choice(HOSTILE_ANSWERS)
        elif roll < 0.08:
            nb.cells.remove(cell)
        elif roll < 0.14:
            nb.cells.append(nbformat.from_dict(json.loads(json.dumps(cell))))
        elif roll < 0.18:
            cell.cell_type = "raw" if cell.cell_type == "code" else "code"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        elif roll < 0.22 and nbgrader:
            nbgrader["grade_id"] = rng.choice(["q1-check", "", "x" * 300])


def test_autograde_survives_mutated_hostile_notebooks(course, tmp_path):
    rng = random.Random(SEED)
    release(course, "ps0")
    reference = (FIXTURE_SOURCE / "ps0" / "ps0.ipynb").read_text()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index in range(AUTOGRADE_STUDENTS):
        nb = nbformat.reads(reference, as_version=4)
        _mutate_cells(nb, rng)
        (inbox / f"fuzz{index}.ipynb").write_text(nbformat.writes(nb, version=4))
    collected = collect(course, inbox, "ps0").collected
    started = time.monotonic()
    grades = autograde(course, "ps0")
    assert time.monotonic() - started < AUTOGRADE_SECONDS
    for student in collected:
        assert student in grades or grades.problems.get(student)
    for score, max_score in grades.values():
        assert 0 <= score <= max_score
