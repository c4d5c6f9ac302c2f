"""Repository-wide pytest configuration.

`make test` runs ONE pytest over ``tests/`` and ``book/chapters/`` with
``--nbval``, which makes pytest collect every ``.ipynb`` under the given paths.
Only the chapter notebooks are nbval-checked: notebooks under ``tests/`` are
fixtures (for example exercise submissions that loop forever on purpose) and
notebooks elsewhere are not chapters, so they are never collected.
"""

from __future__ import annotations

from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent / "book" / "chapters"


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """Skip any notebook that is not a chapter in ``book/chapters/``."""
    if collection_path.suffix == ".ipynb" and collection_path.parent != CHAPTERS:
        return True
    return None
