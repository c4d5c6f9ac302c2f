"""What chapter 10's exercises check against: the suite's real measurements.

Each function runs only the part of the suite an exercise needs (a grader should be
quick): one overhead cell, one level's column of the attack battery, or the ranking of
the levels for given weights.
"""

from __future__ import annotations

from vlab.lab.merits import isolation
from vlab.lab.merits.cells import Absent
from vlab.lab.merits.performance import Overhead, measure
from vlab.lab.merits.scores import rank
from vlab.lab.merits.scores_snapshot import snapshot_scores

EXERCISE_N = 4


def measured_overhead(variant: str, workload: str) -> float:
    """The modeled overhead of ``workload`` through ``variant`` (e.g. 'isa/interp')."""
    cell = measure(variant, workload, EXERCISE_N)
    if not isinstance(cell, Overhead):
        raise ValueError(f"{variant} on {workload}: {cell}")
    return cell.modeled


def container_attacks() -> dict[str, str]:
    """attack -> 'contained' or 'escaped' for every attack tried against containers."""
    results = {}
    for attack in isolation.ATTACKS:
        cell = isolation.BATTERY[attack]["os"]()
        if not isinstance(cell, Absent):
            results[attack] = "contained" if cell.contained else "escaped"
    return results


def ranking_for(weights: dict[str, int]) -> list[str]:
    """The levels, best first, for ``weights`` over the four criteria (0-3 each), from
    the suite's stored scores (vlab/lab/merits/scores_snapshot.py: a grader has seconds)."""
    return [level for level, _ in rank(snapshot_scores(), weights)]
