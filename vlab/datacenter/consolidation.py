"""One round of dynamic consolidation (Beloglazov & Buyya 2012, sec. 5 and Algorithm 1).

At every scheduling instant a migration-based policy:

1. finds the **overloaded** hosts (:mod:`vlab.datacenter.detection`);
2. **selects VMs** to leave each of them: minimum migration time (MMT), the VM with
   the least RAM, again and again until the host is no longer overloaded;
3. **places** those VMs by power-aware best-fit decreasing (:mod:`.placement`),
   never on an overloaded host;
4. drains **underloaded** hosts: the active host with the lowest utilization offers
   all its VMs to the others (not overloaded, not switched off, not already
   considered); if every VM finds a place they all move and the host can be switched
   off, otherwise none move.  Repeat with the next least-utilized host.

This follows CloudSim's ``PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation``
with one simplification: a host that just received VMs from an overloaded host is not
then drained in the same round (CloudSim's code meant to exclude it too, but its
exclusion list is empty at that point).  Returns the migrations ``(vm, source,
target)`` and leaves ``state`` with the new placement.
"""

from __future__ import annotations

import numpy as np

from vlab.datacenter.detection import Detector
from vlab.datacenter.placement import power_aware_best_fit
from vlab.datacenter.state import HostState


def overloaded_hosts(state: HostState, detector: Detector) -> np.ndarray:
    active = np.flatnonzero(np.bincount(state.vm_host[state.vm_host >= 0],
                                        minlength=state.fleet.n_hosts) > 0)
    over = detector.overloaded(state.history[active], state.requested_utilization[active])
    mask = np.zeros(state.fleet.n_hosts, bool)
    mask[active[over]] = True
    return mask


def select_mmt(state: HostState, host: int, detector: Detector) -> list[int]:
    """Minimum-migration-time selection: smallest-RAM VMs first until not overloaded."""
    chosen: list[int] = []
    while True:
        vms = state.vms_on(host)
        if vms.size == 0:
            return chosen
        vm = int(vms[np.argmin(state.vm_ram[vms])])
        state.remove(vm)
        chosen.append(vm)
        still = detector.overloaded(state.history[host:host + 1],
                                    state.requested_utilization[host:host + 1])[0]
        if not still:
            return chosen


def _by_demand(state: HostState, vms) -> list[int]:
    return sorted(vms, key=lambda v: -state.demand[v])   # stable: ties keep index order


def optimize(state: HostState, detector: Detector) -> list[tuple[int, int, int]]:
    n = state.fleet.n_hosts
    util_last = state.utilization.copy()            # the utilization of the last update
    power_now = state.fleet.power(util_last)
    switched_off = util_last == 0
    over = overloaded_hosts(state, detector)
    moves: list[tuple[int, int, int]] = []

    # 1-3: relieve the overloaded hosts
    leaving: list[tuple[int, int]] = []
    for host in np.flatnonzero(over):
        leaving += [(vm, int(host)) for vm in select_mmt(state, int(host), detector)]
    source = dict(leaving)
    received = np.zeros(n, bool)
    for vm in _by_demand(state, [vm for vm, _ in leaving]):
        target = power_aware_best_fit(state, vm, detector, over, power_now)
        if target < 0:
            state.add(vm, source[vm])                 # stays where it was
            continue
        state.add(vm, target)
        received[target] = True
        moves.append((vm, source[vm], target))

    # 4: drain underloaded hosts
    excluded_under = over | switched_off | received
    excluded_place = over | switched_off
    while not excluded_under.all():
        candidates = np.flatnonzero(~excluded_under & (util_last > 0) & (util_last < 1))
        if candidates.size == 0:
            break
        host = int(candidates[np.argmin(util_last[candidates])])
        excluded_under[host] = True
        excluded_place[host] = True
        vms = _by_demand(state, state.vms_on(host))
        planned: list[tuple[int, int]] = []
        for vm in vms:
            state.remove(vm)
            target = power_aware_best_fit(state, vm, detector, excluded_place, power_now)
            if target < 0:
                state.add(vm, host)
                break
            state.add(vm, target)
            planned.append((vm, target))
        else:
            moves += [(vm, host, target) for vm, target in planned]
            for _, target in planned:
                excluded_under[target] = True
            continue
        for vm, _target in planned:                   # not all fit: cancel this host
            state.remove(vm)
            state.add(vm, host)
        for vm in vms:
            if state.vm_host[vm] < 0:
                state.add(vm, host)
    return moves
