"""Full-scale consolidation runs: the paper's 800 hosts, every policy, both included days.

For each policy: vlab's default model (sorted trace order) and vlab in CloudSim mode
(``cloudsim=True``, CloudSim's trace order) beside CloudSim 5.0's own energy on the same
day (:mod:`vlab.datacenter.cloudsim_reference`, where measured) and the ratio of the two,
and the seconds each vlab run took (wall clock, this machine).

    .venv/bin/python benchmarks/bench_consolidation.py [DAY ...]
"""

from __future__ import annotations

import sys
import time

from vlab.datacenter.cloudsim_reference import CLOUDSIM_5_0
from vlab.datacenter.simulator import POLICIES, simulate
from vlab.datacenter.traces import included_days, load_day


def main(days: list[str]) -> None:
    for name in days:
        plain_day, listed_day = load_day(name), load_day(name, order="directory")
        reference = CLOUDSIM_5_0.get(name, {})
        print(f"day {name}: {plain_day.n_vms} VMs, 800 hosts")
        print(f"{'policy':<13}{'vlab kWh':>9}{'migr.':>7}{'SLATAH%':>8}{'PDM%':>7} |"
              f"{'compat kWh':>11}{'migr.':>7}{'SLATAH%':>8} |{'CloudSim':>9}{'ratio':>7}"
              f"{'migr.':>7}{'SLATAH%':>8} |{'s':>5}")
        for policy in POLICIES:
            start = time.perf_counter()
            r = simulate(plain_day, policy)
            c = simulate(listed_day, policy, cloudsim=True)
            took = time.perf_counter() - start
            ref = reference.get(policy)
            ref_text = (f"{ref[0]:9.2f}{c.energy_kwh / ref[0]:7.3f}{ref[1]:7d}{ref[2] * 100:8.2f}"
                        if ref else " " * 31)
            print(f"{r.label:<13}{r.energy_kwh:9.2f}{r.migrations:7d}{r.slatah * 100:8.2f}"
                  f"{r.pdm * 100:7.3f} |{c.energy_kwh:11.2f}{c.migrations:7d}"
                  f"{c.slatah * 100:8.2f} |{ref_text} |{took:5.1f}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:] or included_days())
