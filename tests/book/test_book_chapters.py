"""Conventions every chapter notebook follows so the pipeline can use it.

- Named ``NN-title.ipynb`` (two digits, lower-case words joined by hyphens):
  ``_toc.yml`` globs ``book/chapters/*`` and orders chapters by name.
- Starts with a level-1 heading: it is the chapter's title in the navigation.
- Stores the state of every widget it displays (notebook metadata
  ``widgets``), or the static book has nothing to render.
"""

from __future__ import annotations

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
