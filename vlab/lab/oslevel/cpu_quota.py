"""A cgroup CPU quota against the CPU time measured.

Container A runs ``spin`` (always runnable, no system calls) under ``cpu.max`` =
``QUOTA PERIOD``: in every PERIOD it may run at most QUOTA microseconds; once it has, the
scheduler *throttles* it (none of its processes may run) until the next period
(Documentation/admin-guide/cgroup-v2.rst, "CPU"; the CFS bandwidth controller,
Documentation/scheduler/sched-bwc.rst).  Container B either spins too, with no limit, or
waits (``pause``).  The model runs both on vlab's kernel for :data:`TOTAL_MS` of guest
time and reads each cgroup's ``cpu.stat`` (``usage_usec``) every millisecond: the slopes
are the shares.

What it shows: the quota is a *ceiling*, not a share.  With B busy, A gets
``min(QUOTA/PERIOD, its fair share)`` and B the rest; with B idle, A still gets only
QUOTA/PERIOD and the CPU idles for the remainder.  (Simplified: one CPU; the period is
5 ms instead of Linux's default 100 ms so that a few periods fit in a short run.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, stepped_slider, toggle
from vlab.lab.oslevel.containers import Lab
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

PERIOD_US = 5_000
QUOTAS_US = (1_000, 2_000, 3_000, 4_000, 5_000)
TOTAL_MS = 100
SAMPLE_INSTRUCTIONS = 100_000       # how often cpu.stat is read (1 ms of guest time)
B_RUNS = {"spin": ["/bin/spin"], "pause": ["/bin/pause"]}


@dataclass(frozen=True)
class QuotaRun:
    """CPU time of A and B over guest time, and their shares at the end."""

    quota_us: int
    b_runs: str
    times_ms: list[float]
    usage_ms: dict[str, list[float]]    # "A"/"B" -> cumulative CPU time (ms)
    share: dict[str, float]             # "A"/"B" -> CPU time / elapsed time
    throttled: int                      # periods in which A was throttled (nr_throttled)
    periods: int                        # nr_periods of A


@functools.cache
def quota_run(quota_us: int = 2_000, b_runs: str = "spin") -> QuotaRun:
    """Model: A spins under ``cpu.max = quota_us PERIOD_US``; B runs ``b_runs``."""
    if quota_us not in QUOTAS_US:
        raise ValueError(f"quota {quota_us} us: choose one of {list(QUOTAS_US)}")
    if b_runs not in B_RUNS:
        raise ValueError(f"B runs {b_runs!r}: choose one of {sorted(B_RUNS)}")
    lab = Lab()
    a = lab.start("A", ["/bin/spin"], limits={"cpu.max": f"{quota_us} {PERIOD_US}"})
    b = lab.start("B", B_RUNS[b_runs])
    start = lab.now_ns()
    times, usage = [0.0], {"A": [0.0], "B": [0.0]}
    base = {"A": a.stat("cpu.stat")["usage_usec"], "B": b.stat("cpu.stat")["usage_usec"]}
    while lab.now_ns() - start < TOTAL_MS * 1_000_000:
        lab.run(SAMPLE_INSTRUCTIONS)
        times.append((lab.now_ns() - start) / 1e6)
        for name, container in (("A", a), ("B", b)):
            usage[name].append((container.stat("cpu.stat")["usage_usec"] - base[name]) / 1e3)
    # shares over the run after its first period (start-up left out); cpu.stat is
    # charged at the end of each time slice, so both ends lag alike and cancel out
    first = next(i for i, t in enumerate(times) if t >= PERIOD_US / 1000)
    elapsed = times[-1] - times[first]
    stat = a.stat("cpu.stat")
    return QuotaRun(quota_us, b_runs, times, usage,
                    {name: (usage[name][-1] - usage[name][first]) / elapsed
                     for name in usage},
                    stat["nr_throttled"], stat["nr_periods"])


COLORS = {"A": LEVEL_COLORS["os"], "B": LEVEL_COLORS["isa"]}


@styled
def plot_quota(run: QuotaRun) -> Figure:
    """Plot: cumulative CPU time of A and B against guest time; A's ceiling dashed."""
    fig, ax = new_figure("column_low")
    for name in ("A", "B"):
        label = (f"A (cpu.max {run.quota_us} {PERIOD_US})" if name == "A"
                 else f"B ({run.b_runs}, no limit)")
        ax.plot(run.times_ms, run.usage_ms[name], color=COLORS[name], lw=2,
                label=f"{label}: {run.share[name]:.0%}")
    ceiling = [t * run.quota_us / PERIOD_US for t in run.times_ms]
    ax.plot(run.times_ms, ceiling, color=COLORS["A"], ls="--", lw=1,
            label=f"A's ceiling, {run.quota_us / PERIOD_US:.0%}")
    for boundary in range(PERIOD_US // 1000, TOTAL_MS + 1, PERIOD_US // 1000):
        ax.axvline(boundary, color="#BBBBBB", lw=0.6, zorder=0)
    ax.set_xlabel("guest time (ms); grey lines: period boundaries")
    ax.set_ylabel("CPU time used (ms)")
    ax.set_xlim(0, run.times_ms[-1])
    ax.set_ylim(0, run.times_ms[-1])
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("Two containers on one CPU: a quota is a ceiling")
    return fig


def describe_quota(run: QuotaRun) -> str:
    """Says what each container got, and whether the CPU idled."""
    idle = 1 - run.share["A"] - run.share["B"]
    measured = run.times_ms[-1] - PERIOD_US / 1000
    text = (f"Over {measured:.0f} ms after its first period, A got {run.share['A']:.1%} "
            "of the CPU "
            f"(quota {run.quota_us / PERIOD_US:.0%}; throttled in {run.throttled} of "
            f"{run.periods} periods) and B got {run.share['B']:.1%}.")
    if idle > 0.05:
        text += f" The CPU idled {idle:.0%} of the time although A wanted more."
    return text


def quota_explorer(quota_us: int = 2_000, b_runs: str = "spin") -> Experiment:
    """The experiment: A's quota (per 5 ms period) and what B does."""
    return Experiment(quota_run, plot_quota,
                      {"quota_us": stepped_slider("A's quota (us per 5000 us)",
                                                  QUOTAS_US, quota_us),
                       "b_runs": toggle("B runs", list(B_RUNS), b_runs)},
                      describe=describe_quota)
