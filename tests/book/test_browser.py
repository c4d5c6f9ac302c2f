"""Headless Chromium opens the chapters of the built book, offline, and sees
their widgets, figures and math rendered.

The built site is served on 127.0.0.1 by a thread of this test; Chromium may
resolve no other host, so a page that still needed a CDN would render no
widget. The server inserts a small probe script at the top of every page it
serves: it records resources that failed to load and, once the page has loaded,
writes the size of each output image into the DOM, which ``--dump-dom`` prints
after the virtual-time budget has run out. Widget DOM (``jupyter-widgets``
elements) exists only if require.js and the html-manager bundle ran;
``mjx-container`` elements only if MathJax ran.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from book_site import SITE, chapter_notebooks, load_notebook, page_of, widget_model_ids

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.vlabFailed = [];
window.addEventListener("error", function (event) {
  var target = event.target || {};
  if (target.src || target.href) { window.vlabFailed.push(target.src || target.href); }
}, true);
window.addEventListener("load", function () {
  setTimeout(function () {
    var images = Array.from(document.querySelectorAll(".cell_output img"));
    var report = {
      images: images.map(function (img) { return [img.getAttribute("src"), img.naturalWidth]; }),
      failed: window.vlabFailed,
    };
    var probe = document.createElement("pre");
    probe.id = "vlab-probe";
    probe.textContent = JSON.stringify(report);
    document.body.appendChild(probe);
  }, 3000);
});
</script>"""


class ProbingHandler(SimpleHTTPRequestHandler):
    """Serves the site, adds the probe to HTML pages, remembers every status sent."""

    statuses: list[tuple[str, int]]

    def send_head(self):
        path = self.translate_path(self.path)
        if not path.endswith(".html"):
            return super().send_head()
        try:
            with open(path, "rb") as page:
                body = page.read().replace(b"<head>", b"<head>" + PROBE.encode(), 1)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_request(self, code="-", size="-"):
        self.statuses.append((self.path, int(code)))


@pytest.fixture
def served_site():
    """(base URL, list of (path, HTTP status)) of the built book served locally."""
    statuses: list[tuple[str, int]] = []
    handler = partial(type("Handler", (ProbingHandler,), {"statuses": statuses}),
                      directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", statuses
    finally:
        server.shutdown()
        server.server_close()


def dump_dom(url: str, profile) -> str:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=10000", "--dump-dom", url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def chapter_one():
    chapters = [nb for nb in chapter_notebooks() if nb.name.startswith("01-")]
    return chapters[0] if chapters else None


def render(notebook, served_site, profile):
    """(rendered DOM without scripts, probe report, failed requests) of a chapter page."""
    if not page_of(notebook).is_file():
        pytest.skip(f"{notebook.name} is not in the built book")
    base, statuses = served_site
    page = page_of(notebook).relative_to(SITE).as_posix()
    dom = dump_dom(f"{base}/{page}", profile)
    probe = re.search(r'<pre id="vlab-probe">(.*?)</pre>', dom, flags=re.S)
    assert probe, "the page never finished loading"
    report = json.loads(html.unescape(probe.group(1)))
    failed = [(path, code) for path, code in statuses if code >= 400 and path != "/favicon.ico"]
    return re.sub(r"<script\b.*?</script>", "", dom, flags=re.S), report, failed


def rendered_widgets(dom: str) -> int:
    return len(re.findall(r'class="[^"]*\bjupyter-widgets\b[^"]*"', dom))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (see README)")
def test_chapter_one_renders_its_widgets_and_figures_offline(site, served_site, tmp_path):
    notebook = chapter_one()
    if notebook is None:
        pytest.skip("chapter 1 (book/chapters/01-*.ipynb) is not written yet")

    dom, report, failed = render(notebook, served_site, tmp_path / "profile")

    assert report["failed"] == [] and failed == []
    assert report["images"], "chapter 1 shows no figure"
    assert [src for src, width in report["images"] if width == 0] == []
    assert rendered_widgets(dom) >= len(widget_model_ids(load_notebook(notebook))) > 0


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (see README)")
@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_chapter_renders_offline(site, served_site, tmp_path, notebook):
    math = len(re.findall(r'class="math notranslate', page_of(notebook).read_text("utf-8")))

    dom, report, failed = render(notebook, served_site, tmp_path / "profile")

    assert report["failed"] == [] and failed == []
    assert [src for src, width in report["images"] if width == 0] == []
    assert rendered_widgets(dom) >= len(widget_model_ids(load_notebook(notebook)))
    assert dom.count("<mjx-container") == math
