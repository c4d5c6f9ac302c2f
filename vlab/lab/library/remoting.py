"""Experiment: what remoting an accelerator API costs, natively, from a VM, over a network.

``remoting_run(kernel, size_index, launches)`` runs the same guest workload
(``vlab.library.accel.workload``: cuInit, cuMemAlloc, cuMemcpyHtoD, cuModuleGetFunction,
``launches`` x cuLaunchKernel, cuCtxSynchronize, cuMemcpyDtoH, cuMemFree) over the three
paths, for every size of ``SIZES[kernel]``, and returns the modeled cycles of each with
their breakdown by ledger category.  The model is the cost rows of ``vlab/host/costs.py``:
a fixed price per call and a price per byte for each path (vCUDA: Shi et al. 2009;
rCUDA: Duato et al. 2010), on top of the device's own copy and compute costs.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, stepped_slider, toggle
from vlab.lab.style import LEVEL_COLORS, new_figure, styled
from vlab.library.accel.workload import run_workload

PATHS = ("native", "vm", "network")
PATH_LABELS = {"native": "native (host driver)", "vm": "VM, remoted (vCUDA)",
               "network": "network, remoted (rCUDA)"}
PATH_COLORS = {"native": LEVEL_COLORS["os"], "vm": LEVEL_COLORS["hardware"],
               "network": LEVEL_COLORS["library"]}
SIZES = {"saxpy": (1024, 16_384, 262_144, 1_048_576),       # vector elements
         "matmul": (16, 64, 256, 512)}                        # matrix side
LAUNCHES = (1, 20)
CATEGORIES = ("accelerator", "remoting", "network", "os")


@dataclass
class RemotingRun:
    kernel: str
    size_index: int
    launches: int
    sizes: tuple[int, ...]
    cycles: dict[str, list[float]]             # path -> total cycles per size
    breakdown: dict[str, dict[str, float]]     # path -> category -> cycles, chosen size
    bytes_moved: list[int]                     # per size (the same on every path)
    calls: int
    same_results: bool

    @property
    def size(self) -> int:
        return self.sizes[self.size_index]

    def slowdown(self, path: str, index: int | None = None) -> float:
        i = self.size_index if index is None else index
        return self.cycles[path][i] / self.cycles["native"][i]


def remoting_run(kernel: str = "saxpy", size_index: int = 1, launches: int = 1
                 ) -> RemotingRun:
    if kernel not in SIZES:
        raise ValueError(f"kernel one of {list(SIZES)}")
    sizes = SIZES[kernel]
    cycles = {p: [] for p in PATHS}
    moved, breakdown, same, calls = [], {}, True, 0
    for i, n in enumerate(sizes):
        runs = {p: run_workload(kernel, n, p, launches) for p in PATHS}
        for p in PATHS:
            cycles[p].append(runs[p].cycles)
        moved.append(runs["native"].bytes_moved)
        same &= all((runs[p].output == runs["native"].output).all() for p in PATHS)
        if i == size_index:
            calls = runs["native"].calls
            breakdown = {p: {c: runs[p].ledger.by_category().get(c, 0) for c in CATEGORIES}
                         for p in PATHS}
    return RemotingRun(kernel, size_index, launches, sizes, cycles, breakdown, moved,
                       calls, same)


def _label(kernel: str, n: int) -> str:
    return f"{n:,}" if kernel == "saxpy" else f"{n}x{n}"


@styled
def plot_remoting(run: RemotingRun) -> Figure:
    """Left: slowdown vs native over the sizes; right: where the cycles go at one size."""
    fig, (lines, bars) = new_figure("column", ncols=2)
    xs = list(range(len(run.sizes)))
    for path in PATHS[1:]:
        lines.plot(xs, [run.slowdown(path, i) for i in xs], marker="o",
                   color=PATH_COLORS[path], label=PATH_LABELS[path])
    lines.axhline(1, color=PATH_COLORS["native"], lw=1, ls="--", label=PATH_LABELS["native"])
    lines.axvline(run.size_index, color="#BBBBBB", lw=6, alpha=0.5, zorder=0)
    lines.set_xticks(xs, [_label(run.kernel, n) for n in run.sizes])
    lines.set_yscale("log")
    lines.set_xlabel("elements" if run.kernel == "saxpy" else "matrix size")
    lines.set_ylabel("time / native time")
    lines.set_title(f"{run.kernel}, {run.launches} launch(es): slowdown")
    lines.legend(fontsize=9)
    bottom = [0.0] * len(PATHS)
    shades = {"accelerator": "#555555", "remoting": PATH_COLORS["vm"],
              "network": PATH_COLORS["network"], "os": PATH_COLORS["native"]}
    for category in CATEGORIES:
        values = [run.breakdown[p][category] / 1e6 for p in PATHS]
        bars.bar(range(len(PATHS)), values, bottom=bottom, color=shades[category],
                 label=category)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    bars.set_xticks(range(len(PATHS)), ["native", "VM", "network"])
    bars.set_ylabel("modeled cycles (millions)")
    bars.set_title(f"where the time goes at {_label(run.kernel, run.size)}")
    bars.legend(fontsize=9)
    return fig


def describe_remoting(run: RemotingRun) -> str:
    return (f"{run.kernel} at {_label(run.kernel, run.size)} with {run.launches} "
            f"launch(es): {run.calls} API calls and {run.bytes_moved[run.size_index]:,} "
            f"bytes crossed the channel; remoted from a VM it took "
            f"{run.slowdown('vm'):.2f}x the native time, over the network "
            f"{run.slowdown('network'):.2f}x. Same results on all paths: "
            f"{run.same_results}.")


def remoting_explorer(kernel: str = "saxpy", size_index: int = 1, launches: int = 1
                      ) -> Experiment:
    return Experiment(remoting_run, plot_remoting,
                      {"kernel": toggle("kernel", list(SIZES), kernel),
                       "size_index": stepped_slider("size (step)", [0, 1, 2, 3], size_index),
                       "launches": toggle("launches", list(LAUNCHES), launches)},
                      describe=describe_remoting)
