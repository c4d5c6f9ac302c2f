"""The consolidation simulator: one trace day, one policy, 288 intervals of 300 s.

Why vectorized numpy and not a discrete-event engine (SimPy, or CloudSim itself):
every event here happens on the 300 s grid (the traces are sampled there, the policies
run there, and a migration takes at most 28 s, far less than an interval), so a
time-stepped loop over the 288 instants is exact at this grain, and each step is a few
array operations over all hosts.  A day of 800 hosts takes seconds.

What is simulated, as in CloudSim's PlanetLab power examples (Beloglazov & Buyya
2012, sec. 7):

- each VM asks for ``trace utilization x VM MIPS``; a host allocates at most its
  capacity (and at most one host core per VM core);
- **energy**: per interval, the trapezoid of the host's power at its utilization
  just after the round's migrations and at the next instant (same placement); a host
  whose utilization is zero at the start of an interval is switched off and draws
  nothing (CloudSim's ``getEnergyLinearInterpolation``).  The non-power-aware baseline
  ``npa`` runs every host at full power all day;
- **SLATAH**: the share of the active hosts' time during which they were at 100 %
  (asked for more MIPS than they have): a host is in its state before the round until
  the round's longest migration ends, then in its new state until the next instant;
- **PDM**: the CPU migrating VMs lost (10 % during each migration,
  :mod:`.migration_cost`) divided by all CPU requested;
- **SLAV** = SLATAH x PDM, and the number of migrations.

Simplifications (each shifts the numbers a little, not the ranking): a migration's
few seconds count in SLATAH and PDM, but for the energy the VM moves at the instant it
is decided (the target's 10 % extra load during the copy is not in the energy);
within an interval the demand is constant for the SLA accounting; the trace order is
sorted file names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlab.datacenter.consolidation import optimize
from vlab.datacenter.detection import DEFAULT_PARAMS, HISTORY_LENGTH, Detector
from vlab.datacenter.fleet import PAPER_HOSTS, Fleet, make_fleet
from vlab.datacenter.migration_cost import DEGRADATION, migration_time_s
from vlab.datacenter.placement import first_fit, power_aware_best_fit
from vlab.datacenter.state import HostState
from vlab.datacenter.traces import INTERVAL_S, TraceDay

#: The policies: two baselines and the five overload detectors (all with MMT and PABFD).
POLICIES: dict[str, str] = {
    "npa": "non-power-aware: every host at full power, no migrations",
    "dvfs": "DVFS: power follows utilization, no migrations",
    "thr": "static threshold + MMT",
    "iqr": "interquartile range + MMT",
    "mad": "median absolute deviation + MMT",
    "lr": "local regression + MMT",
    "lrr": "robust local regression + MMT",
}


class PolicyError(ValueError):
    """A policy name or parameter that does not exist or makes no sense."""


@dataclass
class Result:
    """What one simulated day gives."""

    policy: str
    param: float | None
    n_hosts: int
    n_vms: int
    energy_kwh: float
    migrations: int
    slatah: float
    pdm: float
    active_hosts: np.ndarray = field(repr=False)       # per interval
    mean_util_active: np.ndarray = field(repr=False)   # per interval, over active hosts
    power_w: np.ndarray = field(repr=False)            # per interval, whole data center
    vms_not_created: int = 0
    vms_retired: int = 0            # CloudSim mode: VMs that left at a 0 % sample

    @property
    def slav(self) -> float:
        return self.slatah * self.pdm

    @property
    def label(self) -> str:
        if self.param is None:
            return self.policy.upper()
        return f"{self.policy.upper()}-MMT-{self.param:g}"


def _detector(policy: str, param: float | None) -> Detector | None:
    if policy not in POLICIES:
        raise PolicyError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
    if policy in ("npa", "dvfs"):
        if param is not None:
            raise PolicyError(f"policy {policy} takes no --param")
        return None
    value = DEFAULT_PARAMS[policy] if param is None else float(param)
    if policy == "thr" and not 0 < value <= 1:
        raise PolicyError(f"thr: the threshold must be in (0, 1], got {value}")
    if value < 0:
        raise PolicyError(f"{policy}: the safety parameter must be >= 0, got {value}")
    return Detector(policy, value)


def vms_for_hosts(n_trace_vms: int, n_hosts: int) -> int:
    """VMs to take for a smaller data center: the paper's VMs-per-host ratio."""
    return max(1, min(n_trace_vms, round(n_trace_vms * n_hosts / PAPER_HOSTS)))


def _initial_placement(state: HostState, detector: Detector | None) -> np.ndarray:
    """Every VM placed in index order, as CloudSim does at t = 0.

    Each VM reserves its full MIPS (and RAM and bandwidth) on its host.  A VM already
    created runs no workload yet, so it requests nothing: the overload test a policy
    applies before adding a VM sees only the new VM's full MIPS (and, with no history
    yet, the adaptive policies fall back on a static 0.7 threshold).  This is what
    CloudSim's ``Datacenter.processVmCreate`` gives (a created VM is no longer "being
    instantiated", and its cloudlet arrives after all VMs exist); the hosts' power
    before adding is their idle power (no host has been updated yet), so the power-aware
    placement spreads the first VMs over the hosts.  A VM that fits
    nowhere is not created (CloudSim's broker reports the failure and goes on).
    Returns the VMs that were not created.
    """
    power_now = state.fleet.power(np.zeros(state.fleet.n_hosts))
    none = np.zeros(state.fleet.n_hosts, bool)
    failed: list[int] = []
    for vm in range(state.fleet.n_vms):
        if detector is None:
            host = first_fit(state, vm)
        else:
            host = power_aware_best_fit(state, vm, detector, none, power_now)
        if host < 0:
            failed.append(vm)
            continue
        state.add(vm, host)
        state.requested[host] -= state.demand[vm]        # created, not yet running
    return np.array(failed, int)


def simulate(trace: TraceDay, policy: str, param: float | None = None,
             n_hosts: int = PAPER_HOSTS, n_vms: int | None = None,
             fleet: Fleet | None = None, cloudsim: bool = False) -> Result:
    """Run one day.  ``n_vms`` defaults to :func:`vms_for_hosts` (all VMs at 800 hosts).

    ``cloudsim=True`` reproduces two behaviours of CloudSim's code (5.0) that its
    published numbers include, to compare with it: a VM whose trace reads 0 % at an
    instant (and at the next, as CloudSim updates 0.1 s after each sample) counts as
    finished and leaves the data center for good (``PowerHost.
    getCompletedVms`` takes a VM asking for no MIPS as completed: on 3 March 2011
    this retires about half the VMs during the day), and the local regressions are
    fitted unweighted (see :mod:`.detection`).  Its SLATAH also counts a host receiving
    a VM as overloaded until the copy ends (the destination allocates 10 % of what the
    arriving VM requests), which dominates CloudSim's SLATAH.
    """
    detector = _detector(policy, param)
    if cloudsim and detector is not None:
        detector = Detector(detector.policy, detector.param, weighted=False)
    if n_vms is None:
        n_vms = vms_for_hosts(trace.n_vms, n_hosts)
    if not 1 <= n_vms <= trace.n_vms:
        raise PolicyError(f"{n_vms} VMs asked for, the trace has {trace.n_vms}")
    fleet = fleet or make_fleet(n_hosts, n_vms)
    cpu = trace.cpu[:n_vms]
    steps = cpu.shape[1]
    state = HostState(fleet)
    not_created = _initial_placement(state, detector)
    if not_created.size == n_vms:
        raise PolicyError(f"no VM fits on {fleet.n_hosts} hosts; use more hosts")
    cpu = cpu.copy()
    cpu[not_created] = 0.0                  # never created: asks for nothing

    energy_j = 0.0
    retired = 0
    migrations = 0
    lost_mips_s = 0.0
    requested_mips_s = 0.0
    sla_time = active_time = 0.0
    active = np.zeros(steps, int)
    mean_util = np.zeros(steps)
    power_series = np.zeros(steps)
    vm_mips = state.vm_mips
    for k in range(steps):
        window = cpu[:, max(0, k + 1 - HISTORY_LENGTH):k + 1]
        demand = cpu[:, k] * vm_mips
        state.set_demand(demand, window)
        if cloudsim:    # CloudSim looks 0.1 s after the sample: 0 only if the next is 0 too
            idle = (demand == 0) & (cpu[:, min(k + 1, steps - 1)] == 0)
            for vm in np.flatnonzero(idle & (state.vm_host >= 0)):
                state.remove(int(vm))                     # "completed": gone for good
                cpu[vm, k:] = 0.0
                retired += 1
        before_on = state.utilization > 0
        before_over = before_on & (state.requested > state.allocated + 1e-9)
        tau = 0.0                      # how long the round's migrations take
        incoming = np.zeros(fleet.n_hosts)   # per host: its longest incoming migration
        if detector is not None:
            moves = optimize(state, detector)
            if moves:
                vms = np.array([m[0] for m in moves])
                seconds = migration_time_s(state.vm_ram[vms], state.bw_cap[[m[1] for m in moves]])
                lost_mips_s += float((DEGRADATION * demand[vms] * seconds).sum())
                migrations += len(moves)
                tau = float(seconds.max())
                np.maximum.at(incoming, np.array([m[2] for m in moves]), seconds)
                for vm in vms:
                    state.migrated(int(vm))
        util_start = state.utilization
        on = util_start > 0
        requested_mips_s += float(demand.sum()) * INTERVAL_S
        over = on & (state.requested > state.allocated + 1e-9)
        # until the migrations end the hosts are in their state before the round
        active_time += before_on.sum() * tau + on.sum() * (INTERVAL_S - tau)
        pre = np.where(before_over, tau, 0.0)
        if cloudsim:        # a target gets 10 % of an arriving VM's MIPS: "overloaded"
            pre = np.maximum(pre, incoming)
        sla_time += pre.sum() + over.sum() * (INTERVAL_S - tau)
        nxt = min(k + 1, steps - 1)
        state.set_demand(cpu[:, nxt] * vm_mips, window)   # same placement, next instant
        util_end = state.utilization
        p = np.where(on, (fleet.power(util_start) + fleet.power(util_end)) / 2, 0.0)
        power_series[k] = p.sum()
        energy_j += power_series[k] * INTERVAL_S
        active[k] = on.sum()
        mean_util[k] = util_start[on].mean() if on.any() else 0.0

    if policy == "npa":
        power_series[:] = fleet.peak_power().sum()
        energy_j = power_series.sum() * INTERVAL_S
    return Result(policy, None if detector is None else detector.param, fleet.n_hosts, n_vms,
                  energy_kwh=energy_j / 3.6e6, migrations=migrations,
                  slatah=sla_time / active_time if active_time else 0.0,
                  pdm=lost_mips_s / requested_mips_s if requested_mips_s else 0.0,
                  active_hosts=active, mean_util_active=mean_util, power_w=power_series,
                  vms_not_created=int(not_created.size), vms_retired=retired)
