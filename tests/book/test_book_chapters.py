"""Conventions every chapter notebook follows so the pipeline can use it.

- Named ``NN-title.ipynb`` (two digits, lower-case words joined by hyphens):
  ``_toc.yml`` globs ``book/chapters/*`` and orders chapters by name.
- Starts with a level-1 heading: it is the chapter's title in the navigation.
- Stores the state of every widget it displays (notebook metadata
  ``widgets``), or the static book has nothing to render.
- Follows the experiment pattern (``vlab.lab.experiment``): a plain cell shows an
  experiment's default result (``exp.show_result()``, checked by nbval) and the cell
  right after it displays only the widget (``exp``), tagged ``nbval-ignore-output``;
  the only other cell nbval may ignore is one marked wall-clock measurement.
- Shows each experiment once in the book: the plain cell's output and the widget
  cell's input are removed from the page (``remove-output``, ``remove-input``).
- Stores the outputs of every cell, with no Python object addresses in them.
- Has at least two self-checking questions (``vlab-quiz`` blocks, one right
  answer each), a References section, no pointer to the instructors' copy of
  the exercises (``exercises/source``), no reference to a document readers do
  not have, and no linter marker in what it shows.
"""

from __future__ import annotations

import html
import re

import pytest
from book_site import WIDGET_STATE, chapter_notebooks, load_notebook, widget_model_ids

CHAPTER_NAME = re.compile(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb")


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_file_name_is_NN_title(notebook):
    assert CHAPTER_NAME.fullmatch(notebook.name), "name chapters like 01-concepts-and-levels"


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_opens_with_its_title(notebook):
    first = load_notebook(notebook)["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and text.startswith("# ")


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_displayed_widget_has_its_state_stored(notebook):
    contents = load_notebook(notebook)
    shown = widget_model_ids(contents)
    stored = contents["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert [model for model in shown if model not in stored] == []


def _code_cells(notebook):
    return [cell for cell in load_notebook(notebook)["cells"] if cell["cell_type"] == "code"]


def _text(cell):
    return "".join(cell["source"])


def _ignored(cell):
    return "nbval-ignore-output" in cell["metadata"].get("tags", [])


def _is_widget_cell(cell):
    return _ignored(cell) and _text(cell).strip().isidentifier()


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_widget_cell_follows_a_plain_cell_showing_its_default_result(notebook):
    cells = _code_cells(notebook)
    widgets = [i for i, cell in enumerate(cells) if _is_widget_cell(cell)]
    assert widgets, "every chapter has at least one interactive experiment"
    for index in widgets:
        name = _text(cells[index]).strip()
        assert f"{name}.show_result()" in _text(cells[index - 1]), name


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_only_widgets_and_one_wall_clock_cell_escape_nbval(notebook):
    others = [_text(cell) for cell in _code_cells(notebook)
              if _ignored(cell) and not _is_widget_cell(cell)]
    assert len(others) <= 1 and all("wall-clock" in text for text in others), others


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_widget_state_holds_each_experiment_s_first_result(notebook):
    contents = load_notebook(notebook)
    state = contents["metadata"]["widgets"][WIDGET_STATE]["state"]
    outputs = [model["state"]["outputs"] for model in state.values()
               if model["model_name"] == "OutputModel"]
    assert len(outputs) >= sum(map(_is_widget_cell, _code_cells(notebook)))
    assert all(shown and shown[0]["data"].get("image/png") for shown in outputs)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_outputs_are_stored_and_hold_no_object_addresses(notebook):
    for cell in _code_cells(notebook):
        if "use_style()" in _text(cell):
            continue
        assert cell["outputs"], _text(cell)
        for output in cell["outputs"]:
            shown = "".join(output.get("text", "") or output.get("data", {})
                            .get("text/plain", ""))
            assert " at 0x7f" not in shown, _text(cell)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_each_experiment_appears_once_on_the_page(notebook):
    cells = _code_cells(notebook)
    for index, cell in enumerate(cells):
        if _is_widget_cell(cell):
            assert "remove-input" in cell["metadata"]["tags"], _text(cell)
            assert "remove-output" in cells[index - 1]["metadata"].get("tags", []), _text(cell)


def _markdown(notebook):
    return "\n".join(_text(cell) for cell in load_notebook(notebook)["cells"]
                     if cell["cell_type"] == "markdown")


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_checks_the_reader_s_understanding(notebook):
    questions = re.findall(r'<div class="vlab-quiz">(.*?)</div>', _markdown(notebook), re.S)
    assert len(questions) >= 2
    for question in questions:
        options = re.findall(r"<details.*?</details>", question, re.S)
        assert len(options) >= 2 and sum("✓ Right." in option for option in options) == 1
        assert "\n\n" not in question   # a blank line would end the HTML block


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_has_references_and_no_dangling_pointers(notebook):
    text = _markdown(notebook)
    assert "\n## References\n" in text
    shown = text + "".join(
        "".join(output.get("text", "")) for cell in _code_cells(notebook)
        for output in cell["outputs"])
    for dangling in ("exercises/source", "noqa"):
        assert dangling not in shown, dangling
    # no reference to the planning document outside the repository, by any spelling
    assert not re.search(r"\bDESIGN\b", shown), "a reference to a document readers lack"


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_an_unrun_notebook_shows_each_experiment_s_figure_and_how_to_start_it(notebook):
    """Untrusted (not yet run), JupyterLab renders the richest *safe* output: the widget
    cell's sanitized HTML (its first figure and the hint), never the widget's repr."""
    from vlab.lab.experiment import RUN_HINT

    for cell in _code_cells(notebook):
        if _is_widget_cell(cell):
            data = cell["outputs"][0]["data"]
            assert "".join(data["text/html"]).startswith('<img src="data:image/png;base64,')
            assert html.escape(RUN_HINT) in "".join(data["text/html"])
            assert "".join(data["text/plain"]) == RUN_HINT
