"""A trace drawn on the control-flow graph: where the translator's hot path runs.

The graph itself (leaders, static basic blocks, successors) is :mod:`vlab.isa.cfg`.
:func:`edge_counts` measures how often each edge of the graph was taken in a run (with
the interpreter's trace, one record per instruction); :func:`plot_cfg` draws the graph
with one trace of the translator highlighted as a path (Bala et al., Dynamo, PLDI 2000:
a trace is a hot path through the control-flow graph); :func:`hot_trace` runs the
branchy loop on the translator and puts its first trace on the graph.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from vlab.isa.cfg import (
    basic_blocks,
    branch_target,
    edges_taken,
    leaders,
    static_path,
    text_instructions,
)
from vlab.lab.interpretation.programs import load as load_on
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled


def edge_counts(source: str, budget: int = 100_000) -> dict:
    """How often each CFG edge (from block start, to block start) was taken in one run."""
    machine, program = load_on(source, engine="interp")
    starts = set(leaders(program))
    machine.trace = True
    machine.tracer.limit = budget
    machine.run(max_instructions=budget)
    return edges_taken([record.pc for record in machine.tracer.records], starts)


# --- drawing -------------------------------------------------------------------------

BOX_WIDTH = 3.2
LINE_HEIGHT = 0.32
GAP = 0.55
TRACE_FILL = "#FBE7B0"


def _layout(blocks) -> dict:
    """Block start -> (y of the top, y of the bottom): boxes stacked in address order."""
    y, boxes = 0.0, {}
    for block in blocks:
        height = LINE_HEIGHT * (len(block) + 1) + 0.15
        boxes[block.start] = (y, y - height)
        y -= height + GAP
    return boxes


def _draw_box(ax, block, top, bottom, on_trace: bool) -> None:
    fill = TRACE_FILL if on_trace else ROLE_COLORS["app"]
    edge = HIGHLIGHT if on_trace else INK
    ax.add_patch(FancyBboxPatch((0, bottom), BOX_WIDTH, top - bottom,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=fill, edgecolor=edge, linewidth=2.4 if on_trace else 1))
    title = f"{block.start:#010x}" if block.label.startswith("0x") else \
        f"{block.label}:  {block.start:#010x}"
    ax.text(0.1, top - 0.22, title, fontsize=9,
            fontweight="bold", color=INK, va="center")
    for i, line in enumerate(block.lines):
        ax.text(0.25, top - 0.22 - LINE_HEIGHT * (i + 1), line, family="DejaVu Sans Mono",
                fontsize=9, color=INK, va="center")


def _edge_geometry(source, target, boxes, order):
    """Start point, end point and bend of the arrow from block ``source`` to ``target``."""
    if order[target] == order[source] + 1:                     # falls through: straight down
        return (BOX_WIDTH / 2, boxes[source][1]), (BOX_WIDTH / 2, boxes[target][0]), 0.0
    if order[target] > order[source]:                          # forward jump: right side
        return (BOX_WIDTH, boxes[source][1] + 0.15), (BOX_WIDTH, boxes[target][0] - 0.15), -0.5
    return (0, boxes[source][1] + 0.15), (0, boxes[target][0] - 0.15), -0.5   # back edge


@styled
def plot_cfg(blocks, paths=(), loops: bool = False, counts=None, title: str = ""):
    """Draw the CFG of ``blocks``; highlight ``paths`` (each the block starts of one path
    of a trace, in order, closed back to its head when ``loops``); label edges with
    ``counts`` if given."""
    fig, ax = new_figure("single")
    fig.set_size_inches(6.2, 0.75 + 0.45 * sum(len(b) + 2 for b in blocks))
    boxes = _layout(blocks)
    order = {block.start: i for i, block in enumerate(blocks)}
    on_path = {start for path in paths for start in path}
    path_edges = {edge for path in paths for edge in zip(path, path[1:], strict=False)}
    if loops:
        path_edges |= {(path[-1], path[0]) for path in paths if path}
    for block in blocks:
        _draw_box(ax, block, *boxes[block.start], block.start in on_path)
    for block in blocks:
        for successor in block.successors:
            if successor not in boxes:
                continue
            start, end, bend = _edge_geometry(block.start, successor, boxes, order)
            hot = (block.start, successor) in path_edges
            ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={bend}",
                                         arrowstyle="-|>", mutation_scale=14,
                                         color=HIGHLIGHT if hot else LEVEL_COLORS["isa"],
                                         linewidth=3 if hot else 1.2, zorder=3))
            if counts:
                dx, dy = end[0] - start[0], end[1] - start[1]     # the arc's midpoint:
                middle_x = (start[0] + end[0]) / 2 + bend * dy / 2     # matplotlib's arc3
                middle_y = (start[1] + end[1]) / 2 - bend * dx / 2     # control point, halved
                ax.text(middle_x, middle_y, f"{counts.get((block.start, successor), 0)}×",
                        fontsize=9, ha="center", va="center", color=INK,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    low = min(bottom for _, bottom in boxes.values())
    ax.set_xlim(-1.6, BOX_WIDTH + 1.6)
    ax.set_ylim(low - 0.3, 0.3)
    ax.axis("off")
    ax.set_title(title or "Control-flow graph")
    return fig


# --- the translator's trace on the graph ------------------------------------------------


@dataclass(frozen=True)
class TraceView:
    """A run of the branchy loop on the translator, ready to draw."""

    period: int
    threshold: int
    blocks: tuple               # static basic blocks (Block)
    counts: dict                # edge -> times taken
    paths: tuple                # the trace's paths (static block starts); () if none
    loops: bool
    source: str                 # the trace's generated Python ('' if none)
    stats: dict


@functools.lru_cache(maxsize=64)
def hot_trace(period: int = 8, threshold: int = 16, trips: int = 100) -> TraceView:
    """Model: run the branchy loop (rare path every ``period`` trips) on the translator
    with trace threshold ``threshold``; the first trace it formed, on the CFG."""
    from vlab.lab.translation.programs import branchy_source, run

    source = branchy_source(trips, period)
    machine, program, _ = run(source, "dbt", trace_threshold=threshold)
    traces = [t for t in machine.engine.translations() if t.kind == "trace"]
    trace = traces[0] if traces else None
    blocks = tuple(basic_blocks(program))
    paths = tuple(static_path(p, set(trace.pcs), blocks) for p in trace.paths) if trace else ()
    return TraceView(period, threshold, blocks, edge_counts(source),
                     paths, bool(trace and trace.loops), trace.source if trace else "",
                     machine.engine.stats.as_dict())


def plot_trace(view: TraceView):
    title = (f"Trace (threshold {view.threshold}), rare path every {view.period} trips"
             if view.paths else f"No trace formed (threshold {view.threshold})")
    return plot_cfg(view.blocks, view.paths, view.loops, view.counts, title)


def describe_trace(view: TraceView) -> str:
    if not view.paths:
        return ("No trace: the loop head never reached the threshold, so the run used "
                "block translations and the interpreter only.")
    names = {b.start: b.label for b in view.blocks}
    shown = [" -> ".join(names[start] for start in path) for path in view.paths]
    s = view.stats
    tree = (f" A hot side exit grew it into a tree of {len(view.paths)} paths: "
            + "; ".join(shown) + "." if len(view.paths) > 1 else "")
    return (f"The trace follows {shown[0]} and back to its head. It left through side "
            f"exits {s['side_exits']} times; {s['translated_instructions']} of "
            f"{s['translated_instructions'] + s['interpreted_instructions']} instructions "
            f"ran in translated code.{tree}")


# --- oracles for the exercises ---------------------------------------------------------


def instruction_table(source: str) -> list:
    """``[(address, mnemonic, target)]`` for the text of ``source``: the ISA table's name
    (no aliases: ``beq``, not ``beqz``) and a branch's or ``jal``'s target (else None)."""
    from vlab.isa.asm import assemble

    return [(pc, decoded.spec.name if decoded else "illegal", branch_target(pc, decoded))
            for pc, _, decoded in text_instructions(assemble(source))]


def leaders_of(source: str) -> list[int]:
    """The leaders of an assembly program (the exercise's oracle)."""
    from vlab.isa.asm import assemble

    return leaders(assemble(source))


def net_trace_labels(trips: int, period: int, threshold: int) -> list[str]:
    """The labels of the static blocks on the first trace vlab's translator records on
    the branchy loop (the exercise's oracle: a real run)."""
    from vlab.isa.asm import assemble
    from vlab.lab.translation.programs import branchy_source

    view = hot_trace(period, threshold, trips)
    names = assemble(branchy_source(trips, period)).names_by_address()
    return [names.get(start, f"{start:#x}") for start in view.paths[0]] if view.paths else []
