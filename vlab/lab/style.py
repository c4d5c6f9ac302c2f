"""One plot style for the whole book: colors per level, fonts, figure sizes.

Every figure in vlab is drawn by a plot function decorated with :func:`styled`,
so it looks the same whether or not the notebook called :func:`use_style`, and
the same on every run:

- the font is DejaVu Sans, which ships inside matplotlib (no system-font lookup);
- SVG ids are hashed with a fixed salt (``svg.hashsalt``), so SVG output is stable;
- :func:`figure_png` renders without the ``Software`` metadata, so a PNG depends
  only on the figure.

Colors follow the five implementation levels of virtualization (Hwang, Dongarra
& Fox, *Distributed and Cloud Computing*, 2011, sec. 3.1.1, Fig. 3.2), with a
few extra roles for the boxes of layer-stack diagrams (hardware, host OS, ...).

Usage in a chapter::

    from vlab.lab.style import use_style, LEVEL_COLORS, FIGSIZE
    use_style()
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import matplotlib
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, PngImagePlugin

#: One color per level, keyed like the sub-packages of :mod:`vlab` (bottom to top).
LEVEL_COLORS: dict[str, str] = {
    "isa": "#4C72B0",          # blue
    "hardware": "#C44E52",     # red
    "os": "#55A868",           # green
    "library": "#8172B2",      # purple
    "application": "#DD8452",  # orange
}

#: Colors for the roles a box plays in a layer-stack diagram.
ROLE_COLORS: dict[str, str] = {
    "hardware": "#5F6B7A",     # slate: the physical machine
    "host_os": "#9DB4C0",      # the host operating system
    "guest_os": "#C9D6DF",     # an operating system running inside a VM
    "app": "#F0EDE5",          # applications
    "storage": "#B8B8B8",      # disks, storage for suspended VMs
    "layer": "#E8E8E8",        # any other software layer
}

#: The color that marks "this is the virtualization layer" and the intercepted interface.
HIGHLIGHT = "#E1A100"
#: Edge color of boxes and the color of text on light boxes.
INK = "#222222"
#: Color of text and hatching on dark boxes.
PAPER = "#FFFFFF"

#: Standard figure sizes in inches (width, height).
FIGSIZE: dict[str, tuple[float, float]] = {
    "wide": (9.0, 4.0),     # two panels side by side, timelines
    "stacks": (10.0, 4.2),  # four layer stacks side by side
    "single": (5.0, 4.0),   # one stack or one small chart
    "panel": (6.0, 3.0),    # one low, wide panel (hosts and disks)
    "table": (7.0, 3.0),    # a heat-map of a table
    # The book's text column is about 676 CSS pixels wide (1280-pixel window): a figure
    # at most 6.6 inches wide (660 px at DPI) is shown at its own size, so 9-point text
    # stays 9 points; a wider one is scaled down (tests/book/test_browser.py measures it).
    "column": (6.6, 4.6),   # one figure, text at its own size in the book
    "column_low": (6.6, 3.2),
    "column_tall": (6.6, 5.6),
    "column_grid": (6.6, 7.2),  # a 2 x 2 grid of panels (four stacks, four steps)
}

#: Resolution of PNGs stored in the notebooks.
DPI = 100

#: The rcParams every vlab figure is drawn with.
RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(LEVEL_COLORS.values())),
    "legend.frameon": False,
    "figure.dpi": DPI,
    "figure.figsize": FIGSIZE["wide"],
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "svg.hashsalt": "vlab",
    "svg.fonttype": "path",
    "hatch.linewidth": 0.8,
}

P = ParamSpec("P")
R = TypeVar("R")


def use_style() -> None:
    """Apply the vlab style to every figure drawn from now on (call once per notebook)."""
    matplotlib.rcParams.update(RC)


@contextmanager
def style_context() -> Iterator[None]:
    """Draw with the vlab style inside a ``with`` block, then restore the previous style."""
    with matplotlib.rc_context(RC):
        yield


def styled(plot: Callable[P, R]) -> Callable[P, R]:
    """Decorate a plot function so it always draws in the vlab style.

    The figure it returns is labelled with the function's name (``Figure.get_label``),
    which :func:`figure_png` stores in the PNG (:data:`PLOT_KEY`) so a test of the built
    book can say which plot function drew a figure.
    """

    @functools.wraps(plot)
    def draw(*args: P.args, **kwargs: P.kwargs) -> R:
        with style_context():
            fig = plot(*args, **kwargs)
        if isinstance(fig, Figure) and not fig.get_label():
            fig.set_label(f"{plot.__module__}.{plot.__qualname__}")
        return fig

    return draw


def new_figure(size: str = "wide", **subplot_kw: object) -> tuple[Figure, object]:
    """A figure of a standard ``size`` (a key of :data:`FIGSIZE`) and its axes.

    The figure is made without pyplot, so it is never shown twice, never kept
    alive by pyplot's figure registry, and only appears where it is displayed.
    Extra keyword arguments go to :meth:`Figure.subplots` (``ncols=2``...).
    """
    if size not in FIGSIZE:
        raise ValueError(f"unknown figure size {size!r}; choose one of {sorted(FIGSIZE)}")
    fig = Figure(figsize=FIGSIZE[size], dpi=DPI, layout="constrained")
    return fig, fig.subplots(**subplot_kw)


def level_color(level: str) -> str:
    """The color of a level given its key (``"isa"``, ``"hardware"``, ``"os"``...)."""
    try:
        return LEVEL_COLORS[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}; choose one of {list(LEVEL_COLORS)}") from None


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (a ``#rrggbb`` color)."""
    red, green, blue = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return INK if luminance > 140 else PAPER


def figure_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes that depend only on the figure (no metadata).

    The smallest font size is stored in the PNG (text chunk :data:`MIN_FONT_KEY`).
    The image is reduced to a palette of at most 256 colors (median cut, no
    dithering: deterministic): the book's flat-colored charts look the same and
    take about a third of the bytes, which matters because a widget stores one
    PNG per setting (:mod:`vlab.lab.experiment`).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    info.add_text(MIN_FONT_KEY, f"{min_font_points(fig):g}")
    info.add_text(PLOT_KEY, fig.get_label())
    small = io.BytesIO()
    palette.save(small, format="PNG", optimize=True, pnginfo=info)
    return small.getvalue()


#: PNG text chunk that records the smallest font of the figure, in points at ``DPI``:
#: tests/book/test_browser.py scales it by the width the book shows the image at.
MIN_FONT_KEY = "vlab:min-font-pt"
#: PNG text chunk naming the plot function that drew the figure (see :func:`styled`).
PLOT_KEY = "vlab:plot"


def min_font_points(fig: Figure) -> float:
    """The size in points of the smallest visible, non-empty text in ``fig``."""
    sizes = [text.get_fontsize() for text in fig.findobj(Text)
             if text.get_visible() and text.get_text().strip()]
    return min(sizes, default=0.0)
