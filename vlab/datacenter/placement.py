"""VM placement: where does a VM go?

- :func:`first_fit`: the first host with room (CloudSim's ``PowerVmAllocationPolicySimple``,
  used by the non-power-aware and DVFS baselines).
- :func:`power_aware_best_fit`: PABFD, Beloglazov & Buyya 2012, Algorithm 1: among the
  hosts with room that would not become overloaded, the one whose power grows least.
  Callers offer VMs in decreasing order of demand (the "decreasing" of best-fit
  decreasing).  As in CloudSim, the power increase is measured from the host's power
  at the last update (``power_now``), so two VMs planned in the same round do not see
  each other's power, but they do see each other's MIPS, RAM and bandwidth.

A host has room for a VM when: its free MIPS cover the VM's demand, one host core
covers the VM's demand (single-core VMs), and RAM and bandwidth fit.
"""

from __future__ import annotations

import numpy as np

from vlab.datacenter.detection import Detector
from vlab.datacenter.state import HostState


def has_room(state: HostState, vm: int, demand: float | None = None) -> np.ndarray:
    """Boolean per host: the VM (asking ``demand`` MIPS, default its current demand) fits."""
    d = state.demand[vm] if demand is None else demand
    return ((state.capacity - state.allocated >= d - 1e-9)
            & (state.core >= d)
            & (state.ram + state.reserve(vm, "vm_ram") <= state.ram_cap)
            & (state.bw + state.reserve(vm, "vm_bw") <= state.bw_cap))


def first_fit(state: HostState, vm: int, demand: float | None = None) -> int:
    """Index of the first host with room, or -1."""
    room = np.flatnonzero(has_room(state, vm, demand))
    return int(room[0]) if room.size else -1


def power_aware_best_fit(state: HostState, vm: int, detector: Detector,
                         excluded: np.ndarray, power_now: np.ndarray) -> int:
    """PABFD's choice for ``vm`` among hosts not ``excluded`` (bool per host), or -1."""
    d = state.demand[vm]
    candidates = np.flatnonzero(has_room(state, vm) & ~excluded)
    if candidates.size == 0:
        return -1
    after = (state.allocated[candidates] + d) / state.capacity[candidates]
    ok = after <= 1.0 + 1e-12
    busy = state.allocated[candidates] > 0      # an empty host is never "overloaded after"
    check = ok & busy
    if check.any():
        idx = candidates[check]
        history = state.history[idx] + state.vm_history_weighted(vm, idx)
        current = (state.requested[idx] + d) / state.capacity[idx]
        over = detector.overloaded(history, current)
        ok[np.flatnonzero(check)[over]] = False
    if not ok.any():
        return -1
    idx = candidates[ok]
    power_after = state.fleet.power_of(idx, after[ok])
    increase = power_after - power_now[idx]
    return int(idx[np.argmin(increase)])
