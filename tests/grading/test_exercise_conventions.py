"""Every assignment in ``exercises/source`` follows the authoring convention.

The convention is in :mod:`vlab.course.selfcheck`: nbgrader cells with unique ids,
solutions between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, graded test cells
that run visible self-checks and keep hidden tests in their own block.  Whether the
reference solution scores full marks and the blank release zero is proved by
nbgrader itself in ``test_roundtrip.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SOURCES = Path(__file__).resolve().parents[2] / "exercises" / "source"
ASSIGNMENTS = sorted(d / f"{d.name}.ipynb" for d in SOURCES.iterdir() if d.is_dir())


def _nbgrader_cells(notebook: Path) -> list[tuple[dict, str]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [(cell["metadata"]["nbgrader"], "".join(cell["source"]))
            for cell in cells if "nbgrader" in cell["metadata"]]


def test_there_are_assignments():
    assert len(ASSIGNMENTS) >= 4


@pytest.mark.parametrize("notebook", ASSIGNMENTS, ids=lambda p: p.stem)
def test_at_least_three_graded_questions_with_points(notebook):
    graded = [meta for meta, _ in _nbgrader_cells(notebook) if meta["grade"]]
    assert len(graded) >= 3
    assert all(meta["points"] > 0 for meta in graded)


@pytest.mark.parametrize("notebook", ASSIGNMENTS, ids=lambda p: p.stem)
def test_grade_ids_are_unique(notebook):
    ids = [meta["grade_id"] for meta, _ in _nbgrader_cells(notebook)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("notebook", ASSIGNMENTS, ids=lambda p: p.stem)
def test_solutions_are_marked_and_tests_hide_their_hidden_part(notebook):
    for meta, text in _nbgrader_cells(notebook):
        if meta["solution"]:
            assert "### BEGIN SOLUTION" in text and "### END SOLUTION" in text, meta["grade_id"]
        if meta["grade"]:
            assert "### BEGIN HIDDEN TESTS" in text, meta["grade_id"]
            visible = text.split("### BEGIN HIDDEN TESTS")[0]
            assert "check" in visible, f"{meta['grade_id']}: no visible self-check"


@pytest.mark.parametrize("notebook", ASSIGNMENTS, ids=lambda p: p.stem)
def test_check_cells_let_run_all_go_on_and_imports_install_the_feedback(notebook):
    """A graded cell is tagged ``raises-exception`` (JupyterLab runs the next cells after
    it fails: feedback on every question), and the imports cell imports the self-check
    module (which installs the "not answered yet" message in the kernel)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    graded = [cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade")]
    for cell in graded:
        assert "raises-exception" in cell["metadata"].get("tags", []), \
            cell["metadata"]["nbgrader"]["grade_id"]
    imports = next(cell for cell in cells
                   if cell["metadata"].get("nbgrader", {}).get("grade_id") == "imports")
    assert "from vlab.course.selfcheck import" in "".join(imports["source"])
