"""Consolidation experiments on one PlanetLab day (chapter 11).

Every run is :func:`vlab.datacenter.simulator.simulate` on day 20110303.  To keep the
chapter fast the data center is reduced to :data:`CHAPTER_HOSTS` hosts with the paper's
VMs-per-host ratio (the first 132 VMs by file name); the full 800-host figures come
from ``vlab datacenter consolidate`` and are quoted in the chapter's text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from vlab.datacenter.fleet import make_fleet
from vlab.datacenter.simulator import POLICIES, Result, simulate, vms_for_hosts
from vlab.datacenter.traces import INTERVAL_S, load_day
from vlab.lab.experiment import Experiment, dropdown, stepped_slider
from vlab.lab.style import HIGHLIGHT, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

DAY = "20110303"
CHAPTER_HOSTS = 100
IDLE_FRACTIONS = (0.3, 0.5, 0.7, 0.9)
HOURS = np.arange(288) * INTERVAL_S / 3600


@functools.cache
def run(policy: str, idle_fraction: float | None = None) -> Result:
    """One day, one policy, on the chapter's data center (cached)."""
    day = load_day(DAY)
    fleet = None
    if idle_fraction is not None:
        fleet = make_fleet(CHAPTER_HOSTS, vms_for_hosts(day.n_vms, CHAPTER_HOSTS), idle_fraction)
    return simulate(day, policy, n_hosts=CHAPTER_HOSTS, fleet=fleet)


@dataclass(frozen=True)
class PolicyComparison:
    selected: str
    results: dict[str, Result]


def compare(policy: str = "mad") -> PolicyComparison:
    """Model: every policy's result, one of them selected."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose one of {list(POLICIES)}")
    return PolicyComparison(policy, {p: run(p) for p in POLICIES})


@styled
def plot_comparison(data: PolicyComparison) -> Figure:
    """Energy and SLAV of every policy; the selected one's active hosts over the day."""
    fig, (left, right) = new_figure("column_tall", nrows=2)
    names = list(data.results)
    energy = [data.results[p].energy_kwh for p in names]
    colors = [HIGHLIGHT if p == data.selected else ROLE_COLORS["hardware"] for p in names]
    left.bar(range(len(names)), energy, color=colors)
    left.set_xticks(range(len(names)), [data.results[p].label for p in names], fontsize=9)
    left.set_yscale("log")
    left.set_ylabel("energy in 24 h (kWh, log)")
    for i, p in enumerate(names):
        r = data.results[p]
        note = f"{r.energy_kwh:.0f}" if p in ("npa", "dvfs") else \
            f"{r.energy_kwh:.0f}\nSLAV {r.slav * 1e5:.1f}e-5"
        left.annotate(note, (i, r.energy_kwh), ha="center", va="bottom", fontsize=9)
    left.set_ylim(10, 3000)
    sel = data.results[data.selected]
    left.set_title(f"{sel.label}: {sel.energy_kwh:.0f} kWh, {sel.migrations} migrations "
                   f"({CHAPTER_HOSTS} hosts, {sel.n_vms} VMs)")
    dvfs = data.results["dvfs"]
    right.plot(HOURS, dvfs.active_hosts, color=ROLE_COLORS["hardware"], label="DVFS (no migration)")
    right.plot(HOURS, sel.active_hosts, color=HIGHLIGHT, label=sel.label)
    right.set_xlabel("hour of 3 March 2011")
    right.set_ylabel("active hosts")
    right.set_ylim(0, CHAPTER_HOSTS)
    right.legend(loc="upper right", fontsize=9)
    right.set_title("Hosts switched on through the day")
    return fig


def describe_comparison(data: PolicyComparison) -> str:
    r, dvfs = data.results[data.selected], data.results["dvfs"]
    text = (f"{r.label}: {r.energy_kwh:.1f} kWh ({r.energy_kwh / dvfs.energy_kwh:.0%} of DVFS), "
            f"{r.migrations} migrations, SLATAH {r.slatah:.2%}, PDM {r.pdm:.3%}, "
            f"SLAV {r.slav:.2e}.")
    if r.vms_not_created:
        text += (f" {r.vms_not_created} VMs found no host at full MIPS under the 0.7 "
                 "start-up threshold and were not created (as in CloudSim).")
    return text


def comparison_explorer(policy: str = "mad") -> Experiment:
    return Experiment(compare, plot_comparison,
                      {"policy": dropdown("Policy", list(POLICIES), policy)},
                      describe=describe_comparison)


# -- the power-model slider ---------------------------------------------------------

@dataclass(frozen=True)
class PowerModelRun:
    idle_fraction: float
    dvfs: Result
    consolidated: Result

    @property
    def saving(self) -> float:
        return 1 - self.consolidated.energy_kwh / self.dvfs.energy_kwh


def power_model(idle_fraction: float = 0.7) -> PowerModelRun:
    """Model: DVFS and THR-MMT-0.8 with linear hosts idling at ``idle_fraction`` of peak."""
    if idle_fraction not in IDLE_FRACTIONS:
        raise ValueError(f"idle fraction {idle_fraction}: choose one of {IDLE_FRACTIONS}")
    return PowerModelRun(idle_fraction, run("dvfs", idle_fraction), run("thr", idle_fraction))


@styled
def plot_power_model(data: PowerModelRun) -> Figure:
    fig, (left, right) = new_figure("column_low", ncols=2)
    u = np.linspace(0, 1, 11)
    for f in IDLE_FRACTIONS:
        left.plot(u * 100, 135 * (f + (1 - f) * u), color=HIGHLIGHT if f == data.idle_fraction
                  else "#BBBBBB", lw=2 if f == data.idle_fraction else 1)
    left.set_xlabel("CPU utilization (%)")
    left.set_ylabel("host power (W), peak 135 W")
    left.set_ylim(0, 140)
    left.set_title(f"Idle = {data.idle_fraction:.0%} of peak")
    bars = [data.dvfs.energy_kwh, data.consolidated.energy_kwh]
    right.bar([0, 1], bars, color=[ROLE_COLORS["hardware"], LEVEL_COLORS["os"]])
    right.set_xticks([0, 1], ["DVFS", "THR-MMT-0.8"])
    right.set_ylabel("energy in 24 h (kWh)")
    right.set_ylim(0, 140)
    right.set_title(f"Consolidation saves {data.saving:.0%}")
    return fig


def describe_power_model(data: PowerModelRun) -> str:
    return (f"With hosts idling at {data.idle_fraction:.0%} of peak, DVFS uses "
            f"{data.dvfs.energy_kwh:.1f} kWh and THR-MMT-0.8 "
            f"{data.consolidated.energy_kwh:.1f} kWh: switching hosts off saves "
            f"{data.saving:.0%}.")


def power_model_explorer(idle_fraction: float = 0.7) -> Experiment:
    return Experiment(power_model, plot_power_model,
                      {"idle_fraction": stepped_slider("Idle power / peak", IDLE_FRACTIONS,
                                                       idle_fraction)},
                      describe=describe_power_model)


# -- utilization before and after -------------------------------------------------

def _created(result: Result) -> int:
    return result.n_vms - result.vms_not_created


@styled
def plot_utilization(before: Result, after: Result) -> Figure:
    """Mean utilization of the active hosts, without and with consolidation."""
    fig, ax = new_figure("column_low")
    ax.plot(HOURS, before.mean_util_active * 100, color=ROLE_COLORS["hardware"],
            label=f"{before.label}: {before.active_hosts.mean():.0f} hosts on average")
    ax.plot(HOURS, after.mean_util_active * 100, color=HIGHLIGHT,
            label=f"{after.label}: {after.active_hosts.mean():.0f} hosts on average")
    ax.set_xlabel("hour of 3 March 2011")
    ax.set_ylabel("mean CPU utilization\nof active hosts (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper left", fontsize=9)
    ratio = _created(after) / after.active_hosts.mean()
    ax.set_title(f"Consolidation: {ratio:.1f} VMs per active host "
                 f"(without: {before.n_vms / before.active_hosts.mean():.1f})")
    return fig


def consolidation_summary(before: Result, after: Result) -> list[tuple[str, str, str]]:
    """Rows (quantity, without, with) for the chapter's table."""
    return [
        ("active hosts (mean over the day)", f"{before.active_hosts.mean():.1f}",
         f"{after.active_hosts.mean():.1f}"),
        ("VMs per active host", f"{_created(before) / before.active_hosts.mean():.2f}",
         f"{_created(after) / after.active_hosts.mean():.2f}"),
        ("mean utilization of active hosts", f"{before.mean_util_active.mean():.1%}",
         f"{after.mean_util_active.mean():.1%}"),
        ("energy (kWh per day)", f"{before.energy_kwh:.1f}", f"{after.energy_kwh:.1f}"),
        ("energy cost relative to no consolidation", "100%",
         f"{after.energy_kwh / before.energy_kwh:.0%}"),
    ]
