"""Performance: overhead of each level on each workload, from the ledger.

overhead = (modeled cycles of 2n iterations - of n) through the level
           / (the same difference for the level's baseline, run natively)

so what is compared is the price of n iterations, without loading or boot (chapter 7's
method).  1.0 means "as fast as native".  Beside it, the wall-clock ratio of the same
two runs on this computer (a measurement, not a model: it shows what Python's
simulation costs, and is never used by the scores).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from vlab.lab.merits.cells import Absent, Unavailable, attempt
from vlab.lab.merits.runners import VARIANTS
from vlab.lab.merits.workloads import WORKLOADS

QUICK_N, FULL_N = 8, 40
#: The HLL VM compiles a loop after it has run a while (vlab/application/hll/jit.py):
#: below this many iterations its JIT would never start, so both HLL variants use more.
MIN_N = {"app/interp": 400, "app/jit": 400}


@dataclass(frozen=True)
class Overhead:
    """One measured cell: modeled overhead and the wall-clock ratio beside it."""

    modeled: float
    wall: float
    level_cycles: float          # cycles of n iterations through the level
    native_cycles: float         # cycles of n iterations of the baseline

    def __str__(self) -> str:
        return f"{self.modeled:.2f}x"


def _delta(run, workload: str, n: int) -> tuple[float, float]:
    start = time.perf_counter()
    low = run(workload, n)
    high = run(workload, 2 * n)
    return high - low, time.perf_counter() - start


def measure(variant: str, workload: str, n: int) -> Overhead | Absent:
    """The overhead of ``workload`` through ``variant`` (a key of ``VARIANTS``)."""
    _, runner, baseline = VARIANTS[variant]
    n = max(n, MIN_N.get(variant, 1))

    def run() -> Overhead:
        level, level_wall = _delta(runner, workload, n)
        base, base_wall = _delta(baseline, workload, n)
        if base <= 0:
            raise Unavailable("the baseline's n iterations cost nothing")
        return Overhead(level / base, level_wall / base_wall, level, base)
    return attempt(run)


@functools.cache
def overhead_table(quick: bool = True) -> dict[str, dict[str, Overhead | Absent]]:
    """variant -> workload -> cell, for every variant of every level."""
    n = QUICK_N if quick else FULL_N
    return {variant: {w: measure(variant, w, n) for w in WORKLOADS} for variant in VARIANTS}


def level_overhead(table: dict, level: str) -> float | None:
    """The geometric mean of a level's measured overheads, over its best variant per
    workload (a level is as fast as its best method); None if nothing was measured."""
    best: dict[str, float] = {}
    for variant, row in table.items():
        if VARIANTS[variant][0] != level:
            continue
        for workload, cell in row.items():
            if isinstance(cell, Overhead):
                best[workload] = min(best.get(workload, cell.modeled), cell.modeled)
    if not best:
        return None
    product = 1.0
    for value in best.values():
        product *= value
    return product ** (1 / len(best))
