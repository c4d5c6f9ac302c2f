"""Chapter 3 cites what it teaches from (the generic notebook conventions are checked for
every chapter in tests/book/test_book_chapters.py, the exercises in tests/grading/)."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "book" / "chapters" / "03-dynamic-binary-translation.ipynb"


def test_the_chapter_cites_the_lecture_and_the_literature():
    cells = json.loads(CHAPTER.read_text())["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for source in ("sec. 3.1.2.1", "Bellard", "Dynamo", "Dehnert", "BIRD", "Bochs",
                   "FX!32", "45", "4.4"):
        assert source in prose
