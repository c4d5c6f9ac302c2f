"""Scores 1-5 from the measurements, by stated rules, beside the lecture's Table 3.1.

The rules (each adjustable: pass your own thresholds or weights):

* **performance**: the geometric mean of a level's overheads (its best variant on each
  workload it can run, :func:`vlab.lab.merits.performance.level_overhead`), scored by
  :data:`PERFORMANCE_THRESHOLDS`: at most 1.1x -> 5, 2x -> 4, 5x -> 3, 20x -> 2, more -> 1;
* **application flexibility**: :data:`vlab.lab.merits.flexibility.FLEXIBILITY_RULE`;
* **implementation complexity**: :data:`vlab.lab.merits.complexity.COMPLEXITY_RULE`
  (higher = costlier to build, the lecture's sense);
* **application isolation**: :data:`vlab.lab.merits.isolation.ISOLATION_RULE`.

A criterion with no measurement for a level is None (printed "-"), never a guess.
The lecture's ratings come from chapter 1 (vlab/lab/concepts/levels.py, Hwang et al.
2011 Table 3.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.lab.concepts.levels import MERIT_CRITERIA, RELATIVE_MERITS
from vlab.lab.merits import complexity, flexibility, isolation, performance

LEVELS: tuple[str, ...] = ("isa", "hardware", "os", "library", "application")
#: (largest overhead, score), checked in order; above the last: 1.
PERFORMANCE_THRESHOLDS: tuple[tuple[float, int], ...] = ((1.1, 5), (2.0, 4), (5.0, 3),
                                                         (20.0, 2))


def performance_score(overhead: float | None,
                      thresholds=PERFORMANCE_THRESHOLDS) -> int | None:
    if overhead is None:
        return None
    for limit, score in thresholds:
        if overhead <= limit:
            return score
    return 1


@dataclass
class Measurements:
    """Every raw measurement of the suite (what the scores are computed from)."""

    overheads: dict               # variant -> workload -> Overhead | Absent
    flexibility: dict             # level -> kind -> Ran | Failed | Absent
    complexity: dict              # level -> Complexity
    isolation: dict               # attack -> level -> Outcome | Absent
    notes: list[str] = field(default_factory=list)


def measure_all(quick: bool = True) -> Measurements:
    """Run the whole suite once (``quick``: smaller workloads)."""
    return Measurements(performance.overhead_table(quick), flexibility.matrix(),
                        complexity.table(), isolation.battery())


def scores(m: Measurements, thresholds=PERFORMANCE_THRESHOLDS) -> dict[str, dict]:
    """level -> criterion -> score (1-5) or None, by the rules above."""
    comp = complexity.scores(m.complexity)
    table = {}
    for level in LEVELS:
        table[level] = dict(zip(MERIT_CRITERIA, (
            performance_score(performance.level_overhead(m.overheads, level), thresholds),
            flexibility.score(m.flexibility[level]),
            comp[level],
            isolation.score(level, m.isolation)), strict=True))
    return table


def lecture() -> dict[str, dict[str, int]]:
    """The lecture's Table 3.1 (chapter 1's copy)."""
    return {level: dict(RELATIVE_MERITS[level]) for level in LEVELS}


def differences(ours: dict[str, dict]) -> list[tuple[str, str, int, int | None]]:
    """(level, criterion, lecture's score, ours) for every cell where they differ."""
    book = lecture()
    return [(level, criterion, book[level][criterion], ours[level][criterion])
            for level in LEVELS for criterion in MERIT_CRITERIA
            if ours[level][criterion] != book[level][criterion]]


def rank(table: dict[str, dict], weights: dict[str, float]) -> list[tuple[str, float]]:
    """Levels by weighted score, best first.  Complexity counts *against* a level
    (6 - score: cheaper to build is better); a missing score counts as 0."""
    def value(level: str) -> float:
        total = 0.0
        for criterion, weight in weights.items():
            score = table[level][criterion]
            if score is None:
                continue
            total += weight * ((6 - score) if criterion == "implementation complexity"
                               else score)
        return total
    return sorted(((level, value(level)) for level in LEVELS),
                  key=lambda item: (-item[1], LEVELS.index(item[0])))
