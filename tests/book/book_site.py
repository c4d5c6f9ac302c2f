"""Paths and helpers shared by the tests of the book pipeline.

The static-book tests read the site that ``make book`` (run by ``make test``
before pytest) built into ``_build/html``; they skip when it is not there.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
CHAPTERS = ROOT / "book" / "chapters"
EXERCISE_SOURCES = ROOT / "exercises" / "source"
EXERCISE_RELEASES = ROOT / "exercises" / "release"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def chapter_notebooks() -> list[Path]:
    return sorted(CHAPTERS.glob("*.ipynb"))


def exercise_sources() -> list[Path]:
    """``exercises/source/<a>/<a>.ipynb`` for every assignment."""
    if not EXERCISE_SOURCES.is_dir():
        return []
    found = (d / f"{d.name}.ipynb" for d in sorted(EXERCISE_SOURCES.iterdir()) if d.is_dir())
    return [notebook for notebook in found if notebook.is_file()]


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def widget_model_ids(notebook: dict) -> list[str]:
    """Model ids of the widget views stored in a notebook's outputs."""
    return [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]


def page_of(notebook: Path) -> Path:
    """The built page of a source file under the repository root."""
    return SITE / notebook.relative_to(ROOT).with_suffix(".html")


def visible_text(html: str) -> str:
    """The text a reader sees: tags removed, entities decoded, blanks collapsed."""
    without_scripts = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", "", without_scripts))
    return re.sub(r"\s+", " ", text)
