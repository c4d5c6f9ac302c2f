"""A memory limit and the OOM kill, confined to one container.

Container ``hog`` runs ``hog 3072 128``: it maps 128 KiB at a time and touches every
page, until it holds 3 MiB (``programs/hog.c``).  Its cgroup has ``memory.max``; every
page the kernel hands its processes (user pages and page tables alike) is charged to
the cgroup when the frame is allocated (``vlab/os/frames.py``, ``vlab/os/cgroup/
memory.py``).  A charge that would pass ``memory.max`` fails, and the OOM killer picks a
victim *inside that cgroup* and kills it with SIGKILL (Documentation/admin-guide/
cgroup-v2.rst, "memory.max", "memory.events": ``max``, ``oom``, ``oom_kill``); the
container's exit status is then 137 = 128 + 9, as docker reports it.  A second container,
``neighbour``, holds a little memory of its own and is not touched.

The model samples ``memory.current`` of both cgroups every :data:`SAMPLE_INSTRUCTIONS`
guest instructions while the hog runs.  (Simplified: no reclaim -- there is no page
cache or swap to shrink first, so reaching ``memory.max`` is an OOM at once.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.oslevel.containers import Lab
from vlab.lab.style import HIGHLIGHT, LEVEL_COLORS, new_figure, styled

LIMITS_MIB = (1, 2, 3, 4, 6)
HOG = ["/bin/hog", "3072", "128"]       # 3 MiB in 128 KiB steps
SAMPLE_INSTRUCTIONS = 500
KIB = 1024


@dataclass(frozen=True)
class MemoryRun:
    """memory.current of both containers over time, and how the hog ended."""

    limit_mib: int
    times_us: list[float]
    current_kib: dict[str, list[float]]     # "hog"/"neighbour" -> memory.current (KiB)
    peak_kib: float
    events: dict[str, int]                  # the hog's memory.events
    exit_code: int
    last_line: str                          # the hog's last line of output
    neighbour_alive: bool                   # not killed, not exited


@functools.cache
def memory_run(limit_mib: int = 2) -> MemoryRun:
    """Model: run the hog under ``memory.max = limit_mib`` MiB beside a neighbour."""
    if limit_mib not in LIMITS_MIB:
        raise ValueError(f"memory.max {limit_mib} MiB: choose one of {list(LIMITS_MIB)}")
    lab = Lab()
    neighbour = lab.start("neighbour", ["/bin/pause"])
    hog = lab.start("hog", HOG, limits={"memory.max": str(limit_mib << 20)})
    times, current = [0.0], {"hog": [0.0], "neighbour": [0.0]}
    start = lab.now_ns()
    while not hog.run.finished:
        lab.run(SAMPLE_INSTRUCTIONS)
        times.append((lab.now_ns() - start) / 1e3)
        for name, container in (("hog", hog), ("neighbour", neighbour)):
            current[name].append(int(container.cgroup.read_file("memory.current")) / KIB)
    outcome = hog.run.outcome(lab.host)
    return MemoryRun(limit_mib, times, current,
                     int(hog.cgroup.read_file("memory.peak")) / KIB,
                     hog.stat("memory.events"), outcome.exit_code,
                     hog.text.splitlines()[-1] if hog.text else "",
                     neighbour.run.proc.state != "Z")


@styled
def plot_memory(run: MemoryRun) -> Figure:
    """Plot: memory.current of hog and neighbour against guest time; the limit dashed."""
    fig, ax = new_figure("column_low")
    ax.plot(run.times_us, run.current_kib["hog"], color=LEVEL_COLORS["os"], lw=2,
            label="hog: memory.current")
    ax.plot(run.times_us, run.current_kib["neighbour"], color=LEVEL_COLORS["isa"], lw=2,
            label="neighbour: memory.current")
    ax.axhline(run.limit_mib * KIB, color=LEVEL_COLORS["hardware"], ls="--", lw=1.2,
               label=f"hog's memory.max = {run.limit_mib} MiB")
    if run.events.get("oom_kill"):
        ax.plot([run.times_us[-1]], [run.peak_kib], marker="X", ms=12, color=HIGHLIGHT,
                ls="none", label="OOM kill (SIGKILL)")
    ax.set_xlabel("guest time (µs)")
    ax.set_ylabel("memory charged (KiB)")
    ax.set_ylim(0, max(LIMITS_MIB) * KIB + 256)
    ax.legend(loc="upper left", fontsize=9)
    verdict = "killed, exit 137" if run.events.get("oom_kill") else f"exit {run.exit_code}"
    ax.set_title(f"hog wants 3 MiB, may have {run.limit_mib} MiB: {verdict}")
    return fig


def describe_memory(run: MemoryRun) -> str:
    """Says how the hog ended and what the neighbour noticed (nothing)."""
    events = ", ".join(f"{k} {v}" for k, v in run.events.items() if k in ("max", "oom",
                                                                          "oom_kill"))
    ending = (f"The OOM killer ended it (exit {run.exit_code}) after '{run.last_line}'"
              if run.events.get("oom_kill") else f"It printed '{run.last_line}' and exited "
              f"{run.exit_code}")
    neighbour = (f"still there with its {run.current_kib['neighbour'][-1]:.0f} KiB, "
                 "untouched" if run.neighbour_alive else "GONE")
    return (f"The hog's memory peaked at {run.peak_kib:.0f} KiB under a limit of "
            f"{run.limit_mib * KIB} KiB. {ending}; its memory.events: {events}. The "
            f"neighbour is {neighbour}.")


def memory_explorer(limit_mib: int = 2) -> Experiment:
    """The experiment: the hog's memory.max."""
    return Experiment(memory_run, plot_memory,
                      {"limit_mib": stepped_slider("hog's memory.max (MiB)", LIMITS_MIB,
                                                   limit_mib)},
                      describe=describe_memory)
