"""Where a sandboxed application's files live: host, package and sandbox layers.

An application sandbox (Hwang, Dongarra & Fox 2011, sec. 3.1.2.5; App-V, Thinstall) gives
the application a merged view of layers; its writes and deletions (whiteouts) land in its
own layer and the host stays unchanged (:mod:`vlab.application.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.application.sandbox.hll_app import package_program, run_app
from vlab.application.sandbox.isolation import host_visible
from vlab.application.sandbox.workstation import Workstation
from vlab.lab.appvm.programs import EDITOR, EDITOR_FILES, HOST_FILES
from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]

@dataclass(frozen=True)
class LayerView:
    """Each layer's files after one run, and where each visible file comes from."""

    layers: dict[str, list[str]]
    visible: dict[str, str]  # path -> layer that answers
    whiteouts: list[str]
    output: str
    host_unchanged: bool
    hidden: list[str]   # host files the isolation table hides from the application
    copied: list[str]   # sandbox files that began as a copy of a lower layer's file


def sandbox_view(home: str = "writecopy") -> LayerView:
    """Model: launch the editor (``/home`` isolation ``home``), run it, inspect the layers."""
    ws = Workstation(HOST_FILES)
    before = ws.host.digest()
    package = package_program(EDITOR, "editor", files=EDITOR_FILES,
                              isolation={"/home": home} if home != "writecopy" else None)
    app = ws.launch(package)
    run = run_app(app)
    app.vfs.delete("/usr/lib/fonts.txt")  # what an uninstaller-happy app might do
    layers = {"sandbox": app.sandbox.paths(), "package": app.client.paths,
              "host": ws.host.paths()}
    visible = {path: app.vfs.layer_of(path) for path in app.vfs.visible_files()}
    hidden = [path for path in layers["host"] if not host_visible(path, app.vfs.isolation)]
    below = set(layers["package"]) | (set(layers["host"]) - set(hidden))
    copied = [path for path in layers["sandbox"] if path in below]
    return LayerView(layers, visible, sorted(app.sandbox.whiteouts), run.output,
                     ws.host.digest() == before, hidden, copied)


LAYER_COLORS = {"sandbox": APP_COLOR, "package": LEVEL_COLORS["library"],
                "host": ROLE_COLORS["host_os"]}


@styled
def plot_layers(view: LayerView) -> Figure:
    """Plot: one lane per layer plus the application's merged view on top.

    Host files the isolation hides are dashed outlines; a sandbox file says whether it
    began as a copy of a lower file ("copy", copy-on-write) or was created there ("new").
    """
    fig, ax = new_figure("column_tall")
    paths = sorted({p for files in view.layers.values() for p in files} | set(view.whiteouts))
    lanes = ["host", "package", "sandbox", "view"]
    for row, lane in enumerate(lanes):
        ax.text(-0.1, row + 0.4, lane if lane != "view" else "what the app sees",
                ha="right", va="center", fontsize=9, weight="bold")
        for column, path in enumerate(paths):
            _draw_file(ax, view, lane, row, column, path)
    for column, path in enumerate(paths):
        ax.text(column + 0.45, -0.25, path, rotation=35, ha="right", va="top", fontsize=9)
    ax.set_xlim(-2.2, len(paths))
    ax.set_ylim(-2.3, len(lanes))
    ax.axis("off")
    ax.set_title("The editor's layered file system after one run\n(gold: a whiteout)")
    return fig


def _draw_file(ax, view: LayerView, lane: str, row: int, column: int, path: str) -> None:
    if lane == "view":
        layer = view.visible.get(path)
        if layer is not None:
            ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor=LAYER_COLORS[layer],
                                   edgecolor=INK))
        return
    if lane == "sandbox" and path in view.whiteouts:
        ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor="white", edgecolor=HIGHLIGHT,
                               hatch="xx", lw=1.5))
    elif lane == "host" and path in view.hidden:
        ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor="white", edgecolor=INK,
                               linestyle="--"))
        ax.text(column + 0.45, row + 0.4, "hidden", ha="center", va="center", fontsize=9)
    elif path in view.layers[lane]:
        ax.add_patch(Rectangle((column, row), 0.9, 0.8, facecolor=LAYER_COLORS[lane],
                               edgecolor=INK))
        if lane == "sandbox":
            ax.text(column + 0.45, row + 0.4, "copy" if path in view.copied else "new",
                    ha="center", va="center", fontsize=9)


def describe_layers(view: LayerView) -> str:
    """Says where the writes went, what isolation hid and what the editor printed."""
    lines = view.output.splitlines()
    printed = " and ".join(f'"{line}"' for line in lines)
    copies = (f"{len(view.copied)} of them copied up from below" if view.copied
              else "none of them copied from below")
    hidden = (f"Full isolation hides the host's {', '.join(view.hidden)}: the editor's own "
              "copy starts empty. " if view.hidden else "")
    return (f"The editor wrote {len(view.layers['sandbox'])} file(s), all into its sandbox "
            f"({copies}); it deleted {', '.join(view.whiteouts)} (a whiteout). {hidden}"
            f"The host layer is {'unchanged' if view.host_unchanged else 'CHANGED'}. "
            f"It printed {len(lines)} line{'s' if len(lines) != 1 else ''}: {printed}.")


def sandbox_explorer(home: str = "writecopy") -> Experiment:
    control = toggle("Isolation of /home", ["writecopy", "full"], home)
    return Experiment(sandbox_view, plot_layers, {"home": control}, describe=describe_layers)
