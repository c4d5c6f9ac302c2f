"""The built static book: navigation, search, downloads, widget JS without a CDN.

Reads ``_build/html`` as built by ``make book`` (tools/build_book.py).
"""

from __future__ import annotations

import re

import pytest
from book_site import (
    WIDGET_VIEW,
    chapter_notebooks,
    load_notebook,
    page_of,
)

CDN_HOSTS = ("jsdelivr", "unpkg", "cdnjs")
WIDGET_SCRIPTS = ("require-config.js", "require.js", "embed-amd.js")


def html_pages(site):
    return sorted(site.rglob("*.html"))


def script_sources(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)


def test_no_page_mentions_a_cdn(site):
    offenders = {
        str(page.relative_to(site)): host
        for page in html_pages(site)
        for host in CDN_HOSTS
        if host in page.read_text(encoding="utf-8")
    }
    assert offenders == {}


def test_every_script_and_stylesheet_is_served_by_the_book(site):
    external = [
        (str(page.relative_to(site)), url)
        for page in html_pages(site)
        for url in re.findall(
            r"<(?:script|link)\b[^>]*\b(?:src|href)=\"((?:https?:)?//[^\"]+)\"",
            page.read_text(encoding="utf-8"),
        )
    ]
    assert external == []


def test_widget_js_is_not_under_static(site):
    """jupyter-book would add a script tag for each .js in _static to every page."""
    assert not (site / "_static" / "_vendor").exists()
    assert {path.name for path in (site / "_vendor").iterdir()} >= set(WIDGET_SCRIPTS)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_page_is_built_and_downloadable(site, notebook):
    page = page_of(notebook)
    html = page.read_text(encoding="utf-8")
    assert f"_sources/book/chapters/{notebook.name}" in html  # the download button
    assert (site / "_sources" / "book" / "chapters" / notebook.name).is_file()


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_chapter_is_in_the_left_navigation_and_search_index(site, notebook):
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert f'href="chapters/{notebook.stem}.html"' in intro
    assert f"book/chapters/{notebook.stem}" in (site / "searchindex.js").read_text()
    assert (site / "search.html").is_file()


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_widget_pages_load_the_served_widget_js(site, notebook):
    if not any(WIDGET_VIEW in o.get("data", {})
               for c in load_notebook(notebook)["cells"] for o in c.get("outputs", [])):
        pytest.skip(f"{notebook.name} stores no widget output")
    page = page_of(notebook)
    sources = [src.split("?")[0] for src in script_sources(page.read_text(encoding="utf-8"))]
    widget_sources = [src for src in sources if src.rsplit("/", 1)[-1] in WIDGET_SCRIPTS]
    assert [src.rsplit("/", 1)[-1] for src in widget_sources] == list(WIDGET_SCRIPTS)
    for src in widget_sources:
        assert (page.parent / src).resolve().is_file(), src


def test_the_book_has_the_pages_of_the_toc(site):
    assert (site / "book" / "intro.html").is_file()
    assert (site / "book" / "how-to-use.html").is_file()
