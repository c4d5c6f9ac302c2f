"""The book shows the student version of every exercise: no solution, no hidden test.

``make book`` releases the exercises (nbgrader) and copies the student notebooks
into ``book/exercises/``; these tests read the built pages.
"""

from __future__ import annotations

import re

import pytest
from book_site import EXERCISE_RELEASES, exercise_sources, load_notebook, visible_text

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# Lines shorter than this ("return x", "pass") are too common to prove a leak.
MIN_LINE = 12


REGION = re.compile(r"[^\n]*BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)\n[^\n]*END \1[^\n]*", re.S)


def instructor_only_lines(source: dict) -> set[str]:
    """Lines of an nbgrader source that only its solution and hidden-test regions hold.

    A solution cell without markers is one region (nbgrader replaces all of it).
    A line that also appears outside every region (a function header, a visible
    test) is public; the rest must never reach a student.
    """
    texts = []
    for cell in source["cells"]:
        text = "".join(cell["source"])
        whole = cell["metadata"].get("nbgrader", {}).get("solution") and "BEGIN" not in text
        texts.append(f"BEGIN SOLUTION\n{text}\nEND SOLUTION" if whole else text)
    public = "\n".join(REGION.sub("", text) for text in texts)
    inside = {
        line.strip()
        for text in texts
        for _, body in REGION.findall(text)
        for line in body.splitlines()
    }
    return {line for line in inside if len(line) >= MIN_LINE and line not in public}


def test_no_page_shows_an_nbgrader_marker(site):
    leaks = [
        (str(page.relative_to(site)), marker)
        for page in sorted(site.rglob("*.html"))
        for marker in MARKERS
        if marker in page.read_text(encoding="utf-8")
    ]
    assert leaks == []


@pytest.mark.parametrize("source", exercise_sources(), ids=lambda p: p.stem)
def test_exercise_page_shows_no_solution_code(site, source):
    name = source.stem
    page = site / "book" / "exercises" / f"{name}.html"
    assert page.is_file(), f"{name} is not in the book: is it released to {EXERCISE_RELEASES}?"
    secret = instructor_only_lines(load_notebook(source))
    shown = visible_text(page.read_text(encoding="utf-8"))
    assert sorted(line for line in secret if line in shown) == []


def test_solution_regions_are_found_in_an_nbgrader_source():
    """The leak detector above must see what it looks for."""
    source = {"cells": [{"metadata": {}, "source": [
        "def area(w, h):\n",
        "    ### BEGIN SOLUTION\n",
        "    return width_times_height(w, h)\n",
        "    ### END SOLUTION\n",
        "### BEGIN HIDDEN TESTS\n",
        "assert area(2, 3) == 6, 'hidden check'\n",
        "print('a line the student sees too')\n",
        "### END HIDDEN TESTS\n",
        "print('a line the student sees too')\n",
    ]}]}
    written = {"metadata": {"nbgrader": {"solution": True}},
               "source": ["A written answer with no markers at all."]}
    source["cells"].append(written)
    assert instructor_only_lines(source) == {
        "return width_times_height(w, h)", "assert area(2, 3) == 6, 'hidden check'",
        "A written answer with no markers at all."}
