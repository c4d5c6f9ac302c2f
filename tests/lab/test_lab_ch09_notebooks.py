"""Chapter 9's notebooks keep the book's conventions (stored outputs, widget state, nbgrader)."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "chapters" / "09-application-level.ipynb"
EXERCISES = ROOT / "exercises" / "source" / "ch09" / "ch09.ipynb"
EXPERIMENTS = 7  # stepper, tamper, heap, jit, two VMs, layers, streaming


def _code_cells(path):
    return [cell for cell in json.loads(path.read_text())["cells"]
            if cell["cell_type"] == "code"]


def test_every_widget_cell_follows_a_plain_cell_showing_its_default_result():
    cells = _code_cells(CHAPTER)
    widgets = [i for i, cell in enumerate(cells)
               if "nbval-ignore-output" in cell["metadata"].get("tags", [])
               and "".join(cell["source"]).strip().isidentifier()]
    assert len(widgets) == EXPERIMENTS
    for index in widgets:
        name = "".join(cells[index]["source"]).strip()
        assert f"{name}.show_result()" in "".join(cells[index - 1]["source"])


def test_only_widgets_and_the_wall_clock_cell_escape_nbval():
    ignored = ["".join(cell["source"]) for cell in _code_cells(CHAPTER)
               if "nbval-ignore-output" in cell["metadata"].get("tags", [])]
    others = [source for source in ignored if not source.strip().isidentifier()]
    assert len(others) == 1 and "(wall-clock)" in others[0]


def test_widget_state_holds_each_experiment_s_first_figure():
    notebook = json.loads(CHAPTER.read_text())
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    outputs = [model["state"]["outputs"] for model in state["state"].values()
               if model["model_name"] == "OutputModel"]
    assert len(outputs) == EXPERIMENTS
    assert all(shown[0]["data"]["image/png"] for shown in outputs)


def test_outputs_are_stored_for_every_cell_that_shows_something():
    for cell in _code_cells(CHAPTER):
        if "use_style()" not in "".join(cell["source"]):
            assert cell["outputs"], "".join(cell["source"])


def test_exercises_are_nbgrader_cells_with_solutions_and_points():
    cells = json.loads(EXERCISES.read_text())["cells"]
    graded = [cell["metadata"]["nbgrader"] for cell in cells
              if cell["metadata"].get("nbgrader", {}).get("grade")]
    assert len(graded) == 4 and sum(meta["points"] for meta in graded) == 11
    ids = [cell["metadata"]["nbgrader"]["grade_id"] for cell in cells]
    assert len(ids) == len(set(ids))
    for cell in cells:
        meta = cell["metadata"]["nbgrader"]
        if meta["solution"]:
            assert "### BEGIN SOLUTION" in "".join(cell["source"])
        if meta["grade"]:
            assert "### BEGIN HIDDEN TESTS" in "".join(cell["source"])
