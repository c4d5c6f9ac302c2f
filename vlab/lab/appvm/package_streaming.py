"""Application streaming: a package's block layout, and which blocks a launch fetched.

A streamed application starts before it is all downloaded: the client fetches the blocks
it needs, when it needs them, or prefetches the launch set
(:mod:`vlab.application.sandbox.streaming`).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.application.sandbox.hll_app import package_program, run_app
from vlab.application.sandbox.network import NETWORKS
from vlab.application.sandbox.workstation import Workstation
from vlab.lab.appvm.programs import HOST_FILES, VIEWER, VIEWER_FILES
from vlab.lab.experiment import Experiment, checkbox, dropdown, toggle
from vlab.lab.style import INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]


@styled
def plot_package_layout(package) -> Figure:
    """Plot: a package's bytes left to right: header, index, then each file's blocks."""
    fig, ax = new_figure("column_low")
    header, index = 24, package.metadata_size - 24
    segments = [(0, header, INK), (header, index, ROLE_COLORS["host_os"])]
    palette = [colormaps["tab10"](n) for n in range(10)]
    for number, path in enumerate(package.paths):
        for block in package.index.files[path].blocks:
            entry = package.index.blocks[block]
            segments.append((package.metadata_size + entry.offset, entry.length,
                             palette[number % len(palette)]))
    for start, length, color in segments:
        ax.add_patch(Rectangle((start, 0), length, 1, facecolor=color, edgecolor="white"))
    handles = [Rectangle((0, 0), 1, 1, color=INK), Rectangle((0, 0), 1, 1,
                                                             color=ROLE_COLORS["host_os"])]
    handles += [Rectangle((0, 0), 1, 1, color=palette[n % len(palette)])
                for n in range(len(package.paths))]
    names = ["header", "index"] + [p.removeprefix(package.manifest.root + "/")
                                   for p in package.paths]
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=3)
    ax.set_xlim(0, package.size)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xlabel("byte offset in the package")
    ax.set_title(f"{package.manifest.name}.vapp: {package.size} bytes, "
                 f"{package.header.block_count} blocks (white lines: block boundaries)",
                 wrap=True)
    return fig


@dataclass(frozen=True)
class StreamView:
    """Which blocks of the package each request fetched, and the totals."""

    files: dict[str, list[int]]  # path -> its block numbers
    fetched_by: dict[int, int]  # block -> request number that fetched it
    events: list  # vlab.application.sandbox.streaming.FetchEvent
    package_bytes: int
    output: str


def streaming_view(network: str = "lan", prefetch: bool = False,
                   block_size: int = 1024) -> StreamView:
    """Model: stream the viewer onto a fresh workstation and run it once."""
    package = package_program(VIEWER, "viewer", files=VIEWER_FILES, block_size=block_size,
                              launch=["classes/viewer.vlc", "classes/Page.vlc"])
    app = Workstation(HOST_FILES, network=NETWORKS[network]).launch(package, prefetch=prefetch)
    run = run_app(app)
    fetched_by = {block: event.number for event in app.stats.events for block in event.blocks}
    files = {path: list(package.index.files[path].blocks) for path in package.paths}
    return StreamView(files, fetched_by, list(app.stats.events), package.size, run.output)


@styled
def plot_streaming(view: StreamView) -> Figure:
    fig, (grid, timeline) = new_figure("column_tall", nrows=2, height_ratios=[3, 2])
    palette = [APP_COLOR, LEVEL_COLORS["isa"], LEVEL_COLORS["os"], LEVEL_COLORS["library"],
               LEVEL_COLORS["hardware"]]
    for row, (path, blocks) in enumerate(view.files.items()):
        grid.text(-0.3, -row + 0.4, path.removeprefix("/apps/viewer/"), ha="right",
                  va="center", fontsize=9, family="monospace")
        for column, block in enumerate(blocks):
            request = view.fetched_by.get(block)
            color = "#E8E8E8" if request is None else palette[(request - 2) % len(palette)]
            grid.add_patch(Rectangle((column, -row), 0.9, 0.8, facecolor=color, edgecolor=INK,
                                     lw=0.5))
            if request is not None:
                grid.text(column + 0.45, -row + 0.4, str(request), ha="center", va="center",
                          fontsize=9)
    width = max(len(blocks) for blocks in view.files.values())
    grid.set_xlim(-7, max(width, 4))
    grid.set_ylim(-len(view.files), 1.2)
    grid.axis("off")
    grid.set_title("Package blocks: request that fetched each (grey: never)")
    times, sizes, elapsed, moved = [0.0], [0], 0.0, 0
    for event in view.events:
        elapsed += event.modeled_us / 1000
        moved += event.nbytes
        times.append(elapsed)
        sizes.append(moved)
    timeline.step(times, [s / 1000 for s in sizes], where="post", color=APP_COLOR)
    timeline.plot(times, [s / 1000 for s in sizes], "o", color=APP_COLOR, ms=4)
    timeline.axhline(view.package_bytes / 1000, color="grey", ls="--", lw=0.8,
                     label="whole package")
    timeline.set_xlabel("modeled time (ms)")
    timeline.set_ylabel("KB fetched")
    timeline.legend(loc="center right")
    timeline.set_title("Bytes over the network")
    return fig


def describe_streaming(view: StreamView) -> str:
    moved = sum(e.nbytes for e in view.events)
    elapsed = sum(e.modeled_us for e in view.events) / 1000
    reasons = ", ".join(f"{e.number}: {e.reason}" for e in view.events)
    return (f"The launch made {len(view.events)} requests ({reasons}) and moved {moved} of "
            f"{view.package_bytes} bytes ({100 * moved / view.package_bytes:.0f}%) in "
            f"{elapsed:.2f} ms of modeled network time; the app printed "
            f"{view.output.strip()!r}.")


def streaming_explorer(network: str = "lan", prefetch: bool = False,
                       block_size: int = 1024) -> Experiment:
    controls = {"network": toggle("Network", list(NETWORKS), network),
                "prefetch": checkbox("Prefetch launch set", prefetch),
                "block_size": dropdown("Block size", [256, 512, 1024, 2048, 4096], block_size)}
    return Experiment(streaming_view, plot_streaming, controls, describe=describe_streaming)
