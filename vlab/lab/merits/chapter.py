"""Chapter 10's experiments: model, plot and describe functions over one measured suite.

The suite runs once per notebook (:func:`measurements`, cached): every experiment below
reads from it, so moving a control never re-runs a level.  Figures:

* :func:`plot_overheads`: overhead of every level variant on one workload (log scale);
* :func:`plot_flexibility`: the runs/fails matrix, one level's row outlined;
* :func:`plot_attacks`: the attack grid (contained / escaped / not tried);
* :func:`plot_ranking`: the levels ranked for a weighting of the four criteria.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from vlab.lab.concepts.levels import MERIT_CRITERIA
from vlab.lab.merits import flexibility, isolation
from vlab.lab.merits.cells import Absent
from vlab.lab.merits.performance import Overhead
from vlab.lab.merits.runners import VARIANTS
from vlab.lab.merits.scores import LEVELS, Measurements, measure_all, rank, scores
from vlab.lab.style import HIGHLIGHT, INK, level_color, new_figure, styled

#: Weights (0-3) of performance, flexibility, complexity (cheap to build) and isolation
#: for the chapter's three scenarios.
SCENARIOS: dict[str, dict[str, int]] = {
    "cloud provider": {"performance": 3, "application flexibility": 1,
                       "implementation complexity": 1, "application isolation": 3},
    "desktop user running a foreign app": {"performance": 1, "application flexibility": 3,
                                           "implementation complexity": 2,
                                           "application isolation": 1},
    "GPU-sharing cluster": {"performance": 3, "application flexibility": 0,
                            "implementation complexity": 2, "application isolation": 2},
}


@functools.cache
def measurements() -> Measurements:
    """The suite, measured once (small workloads: the chapter runs in seconds)."""
    return measure_all(quick=True)


# --- overhead per level per workload -----------------------------------------------------

@dataclass(frozen=True)
class OverheadView:
    workload: str
    bars: list[tuple[str, float]]          # variant, modeled overhead
    absent: list[tuple[str, str]]          # variant, reason


def overhead_view(workload: str) -> OverheadView:
    bars, absent = [], []
    for variant, row in measurements().overheads.items():
        cell = row[workload]
        if isinstance(cell, Overhead):
            bars.append((variant, cell.modeled))
        else:
            absent.append((variant, cell.reason))
    return OverheadView(workload, bars, absent)


@styled
def plot_overheads(view: OverheadView):
    fig, ax = new_figure("column_low")
    names = [name for name, _ in view.bars]
    values = [value for _, value in view.bars]
    colors = [level_color(VARIANTS[name][0]) for name in names]
    ax.barh(names, values, color=colors)
    ax.set_xscale("log")
    ax.axvline(1.0, color=INK, linewidth=1, linestyle="--")
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.2f}x", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0.3, max([*values, 10]) * 4)
    ax.set_xlabel("modeled time / native modeled time (log scale; dashed: native)")
    ax.set_title(f"Overhead of each level on the '{view.workload}' workload")
    return fig


def describe_overheads(view: OverheadView) -> str:
    worst = max(view.bars, key=lambda bar: bar[1]) if view.bars else None
    best = min(view.bars, key=lambda bar: bar[1]) if view.bars else None
    text = (f"{len(view.bars)} variants ran '{view.workload}'; "
            f"the slowest is {worst[0]} ({worst[1]:.2f}x), the fastest {best[0]} "
            f"({best[1]:.2f}x)." if view.bars else f"No level ran '{view.workload}'.")
    return text + f" {len(view.absent)} have no figure (absent: reasons in the table below)."


# --- flexibility matrix ------------------------------------------------------------------

FLEX_CODES = {flexibility.Ran: 1.0, flexibility.Failed: 0.0, Absent: 0.5}


def flexibility_view(level: str) -> dict:
    matrix = measurements().flexibility
    return {"level": level, "matrix": matrix,
            "row": {kind: str(cell) for kind, cell in matrix[level].items()},
            "score": flexibility.score(matrix[level])}


def _grid(ax, values, rows, columns, labels, outline_row=None, outline_column=None):
    ax.imshow(values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), columns, rotation=25, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    for (i, j), label in np.ndenumerate(np.array(labels, dtype=object)):
        ax.text(j, i, label, ha="center", va="center", fontsize=9, color=INK)
    if outline_row is not None:
        ax.add_patch(_outline(-0.5, outline_row - 0.5, len(columns), 1))
    if outline_column is not None:
        ax.add_patch(_outline(outline_column - 0.5, -0.5, 1, len(rows)))


def _outline(x, y, width, height):
    from matplotlib.patches import Rectangle
    return Rectangle((x, y), width, height, fill=False, edgecolor=HIGHLIGHT, linewidth=3)


@styled
def plot_flexibility(view: dict):
    fig, ax = new_figure("column_low")
    matrix = view["matrix"]
    values = [[FLEX_CODES[type(matrix[lv][k])] for k in flexibility.KINDS] for lv in LEVELS]
    labels = [["runs" if v == 1.0 else "fails" for v in row] for row in values]
    _grid(ax, values, LEVELS, flexibility.KINDS, labels,
          outline_row=LEVELS.index(view["level"]))
    ax.set_title(f"Which level runs which program ({view['level']}: score {view['score']})")
    return fig


def describe_flexibility(view: dict) -> str:
    return f"{view['level']}: " + "; ".join(f"{kind}: {cell}" for kind, cell in
                                           view["row"].items())


# --- attack grid ---------------------------------------------------------------------------

def attack_view(attack: str) -> dict:
    return {"attack": attack, "battery": measurements().isolation,
            "row": {level: str(cell) for level, cell in
                    measurements().isolation[attack].items()}}


@styled
def plot_attacks(view: dict):
    fig, ax = new_figure("column")
    battery = view["battery"]
    values, labels = [], []
    for attack in isolation.ATTACKS:
        cells = [battery[attack][level] for level in LEVELS]
        values.append([1.0 if getattr(c, "contained", None) else
                       0.5 if isinstance(c, Absent) else 0.0 for c in cells])
        labels.append(["contained" if getattr(c, "contained", None) else
                       "not tried" if isinstance(c, Absent) else "escaped" for c in cells])
    _grid(ax, values, isolation.ATTACKS, LEVELS, labels, isolation.ATTACKS.index(
        view["attack"]))
    ax.set_title("The attack battery: contained, escaped or not tried")
    return fig


def describe_attacks(view: dict) -> str:
    return f"{view['attack']}: " + "; ".join(f"{level}: {cell}" for level, cell in
                                             view["row"].items())


# --- weights and ranking -------------------------------------------------------------------

def ranking_view(performance: int, flexibility_weight: int, complexity: int,
                 isolation_weight: int) -> dict:
    weights = dict(zip(MERIT_CRITERIA, (performance, flexibility_weight, complexity,
                                        isolation_weight), strict=True))
    table = scores(measurements())
    return {"weights": weights, "ranking": rank(table, weights), "scores": table}


def scenario_ranking(scenario: str) -> list[tuple[str, float]]:
    return rank(scores(measurements()), SCENARIOS[scenario])


@styled
def plot_ranking(view: dict):
    fig, ax = new_figure("column_low")
    levels = [level for level, _ in view["ranking"]]
    values = [value for _, value in view["ranking"]]
    ax.barh(levels, values, color=[level_color(level) for level in levels])
    ax.invert_yaxis()
    weights = ", ".join(f"{k.split()[-1]} {v}" for k, v in view["weights"].items())
    ax.set_xlabel("weighted score (complexity counted as 6 - score: cheaper is better)")
    ax.set_title(f"Levels ranked for weights {weights}")
    return fig


def describe_ranking(view: dict) -> str:
    (first, top), (second, runner) = view["ranking"][:2]
    return (f"Best: {first} ({top:g}), then {second} ({runner:g}); last: "
            f"{view['ranking'][-1][0]} ({view['ranking'][-1][1]:g}).")
