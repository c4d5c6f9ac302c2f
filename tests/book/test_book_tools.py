"""tools/build_book.py: what it copies into the book, and what it refuses."""

from __future__ import annotations

import importlib.util

import pytest
from book_site import ROOT


@pytest.fixture
def build_book(tmp_path, monkeypatch):
    """The build script with its folders moved into a temporary tree."""
    spec = importlib.util.spec_from_file_location("build_book", ROOT / "tools" / "build_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "RELEASE_DIR", tmp_path / "exercises" / "release")
    monkeypatch.setattr(module, "BOOK_EXERCISES", tmp_path / "book" / "exercises")
    monkeypatch.setattr(module, "NODE_MODULES", tmp_path / "node_modules")
    monkeypatch.setattr(module, "WIDGET_JS_STAGE", tmp_path / "_build" / "widget-js" / "_vendor")
    return module


def release(tmp_path, name, text):
    folder = tmp_path / "exercises" / "release" / name
    folder.mkdir(parents=True)
    (folder / f"{name}.ipynb").write_text(text)


def test_student_versions_replace_the_previous_copies(build_book, tmp_path):
    stale = tmp_path / "book" / "exercises" / "old.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    release(tmp_path, "ch02", '{"cells": ["two"]}')
    release(tmp_path, "ch01", '{"cells": ["one"]}')
    (tmp_path / "exercises" / "release" / "notes").mkdir()  # a folder without its notebook

    copies = build_book.copy_exercises()

    assert [copy.name for copy in copies] == ["ch01.ipynb", "ch02.ipynb"]
    assert copies[0].read_text() == '{"cells": ["one"]}'
    assert not stale.exists()
    assert (tmp_path / "book" / "exercises" / ".gitignore").read_text().endswith("*\n")


@pytest.mark.parametrize("marker", ["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"])
def test_a_notebook_with_solutions_is_refused(build_book, tmp_path, marker):
    release(tmp_path, "ch01", f'{{"cells": ["{marker}"]}}')
    with pytest.raises(build_book.BuildError, match="ch01.ipynb still contains"):
        build_book.copy_exercises()


def test_missing_widget_js_says_how_to_install_it(build_book):
    with pytest.raises(build_book.BuildError, match="npm ci"):
        build_book.stage_widget_js()


def test_widget_js_and_fonts_are_staged_together(build_book, tmp_path):
    dist = tmp_path / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist"
    dist.mkdir(parents=True)
    for name in ("embed-amd.js", "embed.js", "abc.woff2", "def.ttf"):
        (dist / name).write_text(name)
    (tmp_path / "node_modules" / "requirejs").mkdir()
    (tmp_path / "node_modules" / "requirejs" / "require.js").write_text("require")
    mathjax = tmp_path / "node_modules" / "mathjax" / "es5"
    for part in build_book.MATHJAX_PARTS:
        (mathjax / part).parent.mkdir(parents=True, exist_ok=True)
        if part.endswith(".js"):
            (mathjax / part).write_text("mathjax")
        else:
            (mathjax / part).mkdir()
            (mathjax / part / "part.js").write_text(part)
    (mathjax / "tex-svg.js").write_text("not served")

    staged = sorted(path.name for path in build_book.stage_widget_js())

    assert staged == ["abc.woff2", "def.ttf", "embed-amd.js", "mathjax", "require-config.js",
                      "require.js"]
    served = tmp_path / "_build" / "widget-js" / "_vendor" / "mathjax"
    assert (served / "output" / "chtml" / "part.js").read_text() == "output/chtml"
    assert (served / "tex-mml-chtml.js").is_file() and not (served / "tex-svg.js").exists()
