"""The suite's 1-5 scores, stored: what chapter 10's graders rank with.

Measuring every level takes the quick suite about 13 s (``chapter.measurements``); an
autograder gives a cell a few seconds.  So the scores the suite derives are stored in
``scores_snapshot.json``, next to this file, and the exercises rank the levels from
that table.  The file is data, not a guess: ``write_snapshot()`` writes it from a real
run, and ``tests/lab/test_merits_exercises.py`` fails when it differs from a fresh one
(a model changed: run ``python -m vlab.lab.merits.scores_snapshot`` and commit).
"""

from __future__ import annotations

import json
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("scores_snapshot.json")


def measured_scores() -> dict[str, dict[str, int | None]]:
    """The scores of a fresh run of the quick suite (slow: every level is measured)."""
    from vlab.lab.merits.chapter import measurements
    from vlab.lab.merits.scores import scores

    return scores(measurements())


def snapshot_scores() -> dict[str, dict[str, int | None]]:
    """The stored scores: level -> criterion -> 1-5 (None where nothing was measured)."""
    return json.loads(SNAPSHOT.read_text())


def write_snapshot() -> Path:
    """Measure and store the scores; returns the file written."""
    SNAPSHOT.write_text(json.dumps(measured_scores(), indent=1, sort_keys=True) + "\n")
    return SNAPSHOT


if __name__ == "__main__":
    print(f"wrote {write_snapshot()}")
