"""Chapter 3's notebooks keep the book's conventions, and its exercises grade correctly."""

import contextlib
import io
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "chapters" / "03-dynamic-binary-translation.ipynb"
EXERCISES = ROOT / "exercises" / "source" / "ch03" / "ch03.ipynb"
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
WIDGETS = 3


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _code_cells(path):
    return [cell for cell in _cells(path) if cell["cell_type"] == "code"]


def _tags(cell):
    return cell["metadata"].get("tags", [])


def _text(cell):
    return "".join(cell["source"])


def test_every_widget_cell_follows_a_plain_cell_showing_its_default_result():
    cells = _code_cells(CHAPTER)
    widgets = [i for i, cell in enumerate(cells) if "nbval-ignore-output" in _tags(cell)
               and _text(cell).strip().isidentifier()]
    assert len(widgets) == WIDGETS
    for index in widgets:
        assert f"{_text(cells[index]).strip()}.show_result()" in _text(cells[index - 1])


def test_only_widgets_and_the_wall_clock_cell_escape_nbval():
    ignored = [_text(cell) for cell in _code_cells(CHAPTER)
               if "nbval-ignore-output" in _tags(cell)]
    others = [text for text in ignored if not text.strip().isidentifier()]
    assert len(others) == 1 and "wall-clock" in others[0]


def test_widget_state_holds_each_experiment_s_first_figure():
    notebook = json.loads(CHAPTER.read_text())
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    outputs = [model["state"]["outputs"] for model in state["state"].values()
               if model["model_name"] == "OutputModel"]
    assert len(outputs) == WIDGETS
    assert all(shown[0]["data"]["image/png"] for shown in outputs)


def test_outputs_are_stored_and_listings_hold_no_object_addresses():
    for cell in _code_cells(CHAPTER):
        if "use_style()" in _text(cell):
            continue
        assert cell["outputs"], _text(cell)
        for output in cell["outputs"]:
            shown = "".join(output.get("text", "") or output.get("data", {})
                            .get("text/plain", ""))
            assert " at 0x7f" not in shown


def test_the_chapter_cites_the_lecture_and_the_literature():
    prose = " ".join(_text(c) for c in _cells(CHAPTER) if c["cell_type"] == "markdown")
    for source in ("sec. 3.1.2.1", "Bellard", "Dynamo", "Dehnert", "BIRD", "Bochs",
                   "FX!32", "45", "4.4"):
        assert source in prose


def test_exercises_are_nbgrader_cells_with_solutions_hidden_tests_and_points():
    cells = _cells(EXERCISES)
    graded = [cell["metadata"]["nbgrader"] for cell in cells
              if cell["metadata"]["nbgrader"]["grade"]]
    assert len(graded) == 5 and sum(meta["points"] for meta in graded) == 13
    ids = [cell["metadata"]["nbgrader"]["grade_id"] for cell in cells]
    assert len(ids) == len(set(ids))
    for cell in cells:
        meta, text = cell["metadata"]["nbgrader"], _text(cell)
        if meta["solution"]:
            assert all(marker in text for marker in SOLUTION)
        if meta["grade"]:
            assert "### BEGIN HIDDEN TESTS" in text


def _blank(text):
    """What nbgrader's release leaves of a solution cell: the stub in place of each region."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip() == SOLUTION[0]:
            inside = True
            out.append(line[:len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif line.strip() == SOLUTION[1]:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _grade(blank: bool) -> dict[str, bool]:
    """Run the exercise cells in order (no kernel); grade id -> passed, for graded cells."""
    namespace: dict = {}
    results = {}
    for cell in _code_cells(EXERCISES):
        meta, text = cell["metadata"]["nbgrader"], _text(cell)
        if blank and meta["solution"]:
            text = _blank(text)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(text, meta["grade_id"], "exec"), namespace)  # noqa: S102
        except (AssertionError, NotImplementedError):
            passed = False
        else:
            passed = True
        if meta["grade"]:
            results[meta["grade_id"]] = passed
    return results


@pytest.mark.parametrize("blank, expected", [(False, True), (True, False)],
                         ids=["reference-solution", "blank-release"])
def test_the_reference_solution_scores_full_marks_and_the_blank_release_zero(blank, expected):
    results = _grade(blank)
    assert len(results) == 5
    assert set(results.values()) == {expected}, results
