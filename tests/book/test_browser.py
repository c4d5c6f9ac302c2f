"""Headless Chromium opens the chapters of the built book, offline, and sees
their widgets, figures and math rendered.

The built site is served on 127.0.0.1 by a thread of this test; Chromium may
resolve no other host, so a page that still needed a CDN would render no
widget. The server inserts a small probe script at the top of every page it
serves: it records resources that failed to load and, once the page has loaded,
writes the size of each output image (natural and shown), the outputs that
scroll sideways, and then changes every control of every widget (clicks a
button, picks the next list entry, moves a slider by a step with the arrow key)
and notes whether the figures of that output changed: ``--dump-dom`` prints the
report after the virtual-time budget has run out.  The stored widgets must
respond without a kernel (vlab.lab.experiment precomputes their states).
Widget DOM (``jupyter-widgets`` elements) exists only if require.js and the
html-manager bundle ran; ``mjx-container`` elements only if MathJax ran.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from book_site import SITE, chapter_notebooks, load_notebook, page_of, widget_model_ids
from PIL import Image

from vlab.lab.style import DPI, MIN_FONT_KEY, PLOT_KEY

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.vlabFailed = [];
window.addEventListener("error", function (event) {
  var target = event.target || {};
  if (target.src || target.href) { window.vlabFailed.push(target.src || target.href); }
}, true);
function vlabHash(text) {
  var h = 0;
  for (var i = 0; i < text.length; i++) { h = (h * 31 + text.charCodeAt(i)) | 0; }
  return h;
}
function vlabFigures(output) {
  return Array.from(output.querySelectorAll("img")).map(function (img) {
    return vlabHash(img.getAttribute("src") || "");
  }).join(",");
}
function vlabChange(control) {
  if (control.classList.contains("widget-toggle-buttons")) {
    var buttons = Array.from(control.querySelectorAll("button"));
    buttons.filter(function (b) { return !b.classList.contains("mod-active"); })[0].click();
    return "toggle";
  }
  if (control.classList.contains("widget-dropdown")) {
    var select = control.querySelector("select");
    select.selectedIndex = (select.selectedIndex + 1) % select.options.length;
    select.dispatchEvent(new Event("change", {bubbles: true}));
    return "dropdown";
  }
  var handle = control.querySelector(".noUi-handle");
  var now = Number(handle.getAttribute("aria-valuenow"));
  var key = now < Number(handle.getAttribute("aria-valuemax")) ? "ArrowRight" : "ArrowLeft";
  handle.focus();
  handle.dispatchEvent(new KeyboardEvent("keydown", {key: key, bubbles: true}));
  return "slider";
}
function vlabOverflowing() {
  var wide = [];
  document.querySelectorAll(".cell_output *").forEach(function (element) {
    var style = getComputedStyle(element);
    var scrolls = style.overflowX === "auto" || style.overflowX === "scroll";
    if (scrolls && element.scrollWidth > element.clientWidth + 1) {
      wide.push(element.tagName + ": " + element.textContent.slice(0, 60));
    }
  });
  return wide;
}
window.addEventListener("load", function () {
  setTimeout(function () {
    var images = Array.from(document.querySelectorAll(".cell_output img"));
    var report = {
      images: images.map(function (img) {
        return [img.getAttribute("src"), img.naturalWidth, img.clientWidth];
      }),
      failed: window.vlabFailed,
      overflowing: vlabOverflowing(),
      controls: [],
    };
    var controls = [];
    document.querySelectorAll(".cell_output").forEach(function (output) {
      output.querySelectorAll(".widget-toggle-buttons, .widget-dropdown, .widget-hslider")
        .forEach(function (control) { controls.push([output, control]); });
    });
    function next(i) {
      if (i === controls.length) {
        var probe = document.createElement("pre");
        probe.id = "vlab-probe";
        probe.textContent = JSON.stringify(report);
        document.body.appendChild(probe);
        return;
      }
      var output = controls[i][0], control = controls[i][1], before = vlabFigures(output);
      var label = (control.querySelector(".widget-label") || {}).textContent || "";
      var kind = vlabChange(control);
      setTimeout(function () {
        report.controls.push([kind, label, before !== "" && before !== vlabFigures(output)]);
        next(i + 1);
      }, 400);
    }
    next(0);
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
        "--window-size=1280,900", "--virtual-time-budget=60000", "--dump-dom", url,
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
    assert [src for src, width, _ in report["images"] if width == 0] == []
    assert rendered_widgets(dom) >= len(widget_model_ids(load_notebook(notebook))) > 0


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (see README)")
@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_chapter_renders_offline(site, served_site, tmp_path, notebook):
    math = len(re.findall(r'class="math notranslate', page_of(notebook).read_text("utf-8")))

    dom, report, failed = render(notebook, served_site, tmp_path / "profile")

    assert report["failed"] == [] and failed == []
    assert [src for src, width, _ in report["images"] if width == 0] == []
    assert rendered_widgets(dom) >= len(widget_model_ids(load_notebook(notebook)))
    assert dom.count("<mjx-container") == math
    assert report["overflowing"] == [], "outputs that scroll sideways (cut off)"
    if widget_model_ids(load_notebook(notebook)):
        assert report["controls"], "the widgets show no control"
        unchanged = [(kind, label) for kind, label, changed in report["controls"] if not changed]
        assert unchanged == [], "controls that do not change their figure in the static book"


#: The smallest text a figure may show in the book, in CSS points (9 pt = 12 px).
MIN_SHOWN_POINTS = 9.0


def png_of(src: str, page) -> bytes:
    """The bytes of an image as the page references it (data URI or file)."""
    if src.startswith("data:"):
        return base64.b64decode(src.split(",", 1)[1])
    return (page.parent / src.split("?")[0]).resolve().read_bytes()


def shown_points(report, page) -> dict[str, float]:
    """Plot function -> the smallest text of its figures on the page, in CSS points.

    A figure's PNG records its smallest font in points at ``DPI`` pixels per inch
    (vlab.lab.style.figure_png); the browser shows it ``shown / natural`` as wide;
    a CSS point is 96/72 CSS pixels.
    """
    smallest: dict[str, float] = {}
    for src, natural, shown in report["images"]:
        text = Image.open(io.BytesIO(png_of(src, page))).text
        if MIN_FONT_KEY not in text or not natural:
            continue
        points = float(text[MIN_FONT_KEY]) * DPI / 96 * min(1.0, shown / natural)
        plot = text.get(PLOT_KEY) or "unlabelled figure"
        smallest[plot] = min(points, smallest.get(plot, points))
    return smallest


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (see README)")
def test_figure_text_is_readable_at_the_column_width(site, served_site, tmp_path):
    """Every figure's smallest text is at least 9 pt as the book shows it (1280-px window)."""
    measured: dict[str, float] = {}
    for notebook in chapter_notebooks():
        _, report, _ = render(notebook, served_site, tmp_path / notebook.stem)
        for plot, points in shown_points(report, page_of(notebook)).items():
            measured[plot] = min(points, measured.get(plot, points))
    assert measured, "no vlab figure found in the built chapters"
    small = {plot: round(points, 1) for plot, points in measured.items()
             if points < MIN_SHOWN_POINTS}
    assert small == {}, "figures whose text is shown below 9 pt: draw them at the column width"
