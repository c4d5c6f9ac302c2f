"""Full-scale consolidation runs: the paper's 800 hosts, every policy, both included days.

Prints energy, migrations, SLATAH, PDM, SLAV per policy beside the two baseline
energies Beloglazov & Buyya 2012 publish (NPA 2419.2 kWh, DVFS 613.6 kWh), the ratio of
ours to theirs, and how long each run took (wall clock, this machine).

    .venv/bin/python benchmarks/bench_consolidation.py [DAY ...]
"""

from __future__ import annotations

import sys
import time

from vlab.datacenter.simulator import POLICIES, simulate
from vlab.datacenter.traces import included_days, load_day

PUBLISHED_KWH = {"npa": 2419.2, "dvfs": 613.6}


def main(days: list[str]) -> None:
    for name in days:
        day = load_day(name)
        print(f"day {name}: {day.n_vms} VMs, 800 hosts")
        print(f"{'policy':<14}{'kWh':>9}{'paper':>9}{'ratio':>7}{'migr.':>8}{'SLATAH%':>9}"
              f"{'PDM%':>8}{'SLAV%':>10}{'not cr.':>8}{'s':>6}")
        for policy in POLICIES:
            start = time.perf_counter()
            r = simulate(day, policy)
            took = time.perf_counter() - start
            paper = PUBLISHED_KWH.get(policy)
            ratio = f"{r.energy_kwh / paper:7.2f}" if paper else " " * 7
            paper_text = f"{paper:9.1f}" if paper else " " * 9
            print(f"{r.label:<14}{r.energy_kwh:9.1f}{paper_text}{ratio}{r.migrations:8d}"
                  f"{r.slatah * 100:9.2f}{r.pdm * 100:8.3f}{r.slav * 100:10.5f}"
                  f"{r.vms_not_created:8d}{took:6.1f}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:] or included_days())
