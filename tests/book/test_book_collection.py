"""The root conftest.py lets `pytest --nbval` collect chapter notebooks only."""

from __future__ import annotations

import importlib.util

from book_site import CHAPTERS, ROOT

spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
root_conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root_conftest)


def ignored(path) -> bool:
    return root_conftest.pytest_ignore_collect(path, config=None) is True


def test_chapter_notebooks_are_collected():
    assert not ignored(CHAPTERS / "01-concepts-and-levels.ipynb")


def test_other_notebooks_are_not():
    assert ignored(ROOT / "tests" / "grading" / "fixtures" / "endless-loop.ipynb")
    assert ignored(ROOT / "exercises" / "source" / "ch01" / "ch01.ipynb")
    assert ignored(CHAPTERS / "drafts" / "01-draft.ipynb")


def test_python_files_are_left_to_pytest():
    assert not ignored(ROOT / "tests" / "book" / "test_book_collection.py")
