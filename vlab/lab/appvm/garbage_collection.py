"""The heap over a run: occupancy, collections and pauses, per heap size and collector.

The HLL VM manages its own heap (Jones, Hosking & Moss, *The Garbage Collection
Handbook*, 2011): :mod:`vlab.application.hll.gc` (mark-sweep) and
:mod:`vlab.application.hll.generational` (a nursery and an old generation).  The model runs
:data:`~vlab.lab.appvm.programs.GARBAGE` and samples the heap at each collection.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.application.hll.vm import VM, RunResult
from vlab.lab.appvm.programs import GARBAGE
from vlab.lab.experiment import Experiment, int_slider, toggle
from vlab.lab.style import INK, LEVEL_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]
REJECT_COLOR = LEVEL_COLORS["hardware"]


@dataclass(frozen=True)
class GCView:
    """Heap occupancy samples of one run and the collector's statistics."""

    heap_limit: int
    collector: str
    points: list[tuple[int, int]]  # (instructions, bytes used), straight lines between
    collections: list  # vlab.application.hll.gc.Collection
    result: RunResult


NURSERY_BYTES = 4000


def gc_view(heap_kb: int = 16, collector: str = "mark-sweep", source: str = GARBAGE) -> GCView:
    """Model: run ``source`` with a heap of ``heap_kb`` KB; sample the heap at each GC.

    ``collector`` is the VM's ``mark-sweep`` or ``generational`` (nursery of
    :data:`NURSERY_BYTES`).
    """
    vm = VM.from_source(source, "garbage.py", heap_limit=heap_kb * 1000, collector=collector,
                        nursery=NURSERY_BYTES)
    result = vm.run()
    points = [(0, 0)]
    timeline = list(vm.collector.stats.timeline)
    for collection in timeline:
        points += [(collection.instructions, collection.used_before),
                   (collection.instructions, collection.used_after)]
    points.append((result.stats["instructions"], result.stats["heap_used"]))
    return GCView(heap_kb * 1000, collector, points, timeline, result)


@styled
def plot_gc(view: GCView) -> Figure:
    """Plot: bytes in use against instructions run (a sawtooth), the limit dashed."""
    fig, ax = new_figure("column")
    xs, ys = zip(*view.points, strict=True)
    ax.plot(xs, [y / 1000 for y in ys], color=APP_COLOR, lw=1.6, label="heap in use")
    for kind, color in (("full", INK), ("major", INK), ("minor", LEVEL_COLORS["isa"])):
        done = [c for c in view.collections if c.kind == kind]
        if done:
            ax.plot([c.instructions for c in done], [c.used_after / 1000 for c in done], "o",
                    color=color, ms=4, label=f"after a {kind} collection")
    ax.axhline(view.heap_limit / 1000, color=REJECT_COLOR, ls="--", lw=1, label="heap limit")
    ax.set_xlabel("guest instructions executed")
    ax.set_ylabel("heap in use (KB)")
    ax.set_ylim(0, view.heap_limit / 1000 * 1.15)
    ax.legend(loc="upper left", fontsize=9)
    status = "ran to the end" if view.result.status == "ok" else view.result.message
    ax.set_title(f"{view.collector}, heap of {view.heap_limit // 1000} KB: "
                 f"{len(view.collections)} collections;\n" + textwrap.fill(status, 64))
    return fig


def describe_gc(view: GCView) -> str:
    stats = view.result.stats
    ending = (f"printed {view.result.output.strip()!r}" if view.result.status == "ok"
              else f"stopped with {view.result.message}")
    return (f"With a {view.heap_limit // 1000} KB heap the {view.collector} collector ran "
            f"{stats['gc_collections']} times, reclaimed {stats['gc_objects_reclaimed']} "
            f"objects ({stats['gc_bytes_reclaimed']} bytes) and paused for "
            f"{stats['gc_pause_cycles']} modeled cycles in all; the program {ending}.")


def gc_explorer(heap_kb: int = 16, collector: str = "mark-sweep") -> Experiment:
    controls = {"heap_kb": int_slider("Heap (KB)", 8, 64, heap_kb, step=4),
                "collector": toggle("Collector", ["mark-sweep", "generational"], collector)}
    return Experiment(gc_view, plot_gc, controls, describe=describe_gc)
