"""Fixtures for the tests of the book pipeline (helpers are in book_site.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from book_site import SITE


@pytest.fixture(scope="session")
def site() -> Path:
    """The built static book; skips when ``make book`` has not been run."""
    if not (SITE / "index.html").is_file():
        pytest.skip("no built book in _build/html: run `make book` first")
    return SITE
