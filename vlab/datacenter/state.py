"""The data center's state at one scheduling instant: which VM runs on which host.

Per host we keep the sums the policies ask about, updated when a VM is added or
removed (tentatively, while a policy plans, or for real):

- ``requested``: MIPS the host's VMs ask for now (``sum of demand``);
- ``alloc_raw``: what they can get, a VM core capped at a host core's MIPS;
  the host allocates ``min(alloc_raw, capacity)`` (CloudSim's time-shared scheduler
  with over-subscription shares the shortfall among the VMs);
- ``ram`` and ``bw``: what the host has reserved.  As in CloudSim, a VM reserves its
  full RAM and bandwidth only on the host where it was created; the traces model CPU
  only (RAM and network utilization are zero), so a VM that has migrated once asks
  for no RAM or bandwidth on its new host (:meth:`HostState.migrated`);
- ``history``: the host's utilization history, the sum over its VMs of each VM's
  history weighted by VM MIPS / host MIPS, oldest first (CloudSim's
  ``PowerHostUtilizationHistory``).
"""

from __future__ import annotations

import numpy as np

from vlab.datacenter.fleet import Fleet


class HostState:
    """Placement plus per-host sums; ``vm_host[v] = -1`` for a VM not placed."""

    def __init__(self, fleet: Fleet, history_len: int = 1) -> None:
        self.fleet = fleet
        self.capacity = fleet.host_attr("mips")
        self.core = fleet.host_attr("core_mips")
        self.ram_cap = fleet.host_attr("ram_mb")
        self.bw_cap = fleet.host_attr("bw_mbit")
        self.vm_mips = fleet.vm_attr("mips")
        self.vm_ram = fleet.vm_attr("ram_mb")
        self.vm_bw = fleet.vm_attr("bw_mbit")
        self.origin = np.full(fleet.n_vms, -1)    # the host each VM was created on
        n = fleet.n_hosts
        self.vm_host = np.full(fleet.n_vms, -1)
        self.requested = np.zeros(n)
        self.alloc_raw = np.zeros(n)
        self.ram = np.zeros(n)
        self.bw = np.zeros(n)
        self.history = np.zeros((n, history_len))
        self.demand = self.vm_mips.copy()          # MIPS each VM asks for now
        self.vm_history = np.zeros((fleet.n_vms, history_len))

    # -- the instant's demand -------------------------------------------------
    def set_demand(self, demand: np.ndarray, vm_history: np.ndarray) -> None:
        """New per-VM demand (MIPS) and histories (VM utilization, oldest first)."""
        self.demand = demand
        self.vm_history = vm_history
        self.recompute()

    def recompute(self) -> None:
        n = self.fleet.n_hosts
        placed = self.vm_host >= 0
        hosts = self.vm_host[placed]
        d = self.demand[placed]
        self.requested = np.bincount(hosts, d, n)
        self.alloc_raw = np.bincount(hosts, np.minimum(d, self.core[hosts]), n)
        home = placed & (self.vm_host == self.origin)
        self.ram = np.bincount(self.vm_host[home], self.vm_ram[home], n)
        self.bw = np.bincount(self.vm_host[home], self.vm_bw[home], n)
        self.history = np.zeros((n, self.vm_history.shape[1]))
        np.add.at(self.history, hosts, self.vm_history[placed] * self.vm_mips[placed, None])
        self.history /= self.capacity[:, None]

    # -- derived ----------------------------------------------------------------
    @property
    def allocated(self) -> np.ndarray:
        return np.minimum(self.alloc_raw, self.capacity)

    @property
    def utilization(self) -> np.ndarray:
        """Allocated / capacity, 0..1 (what the power model sees)."""
        return self.allocated / self.capacity

    @property
    def requested_utilization(self) -> np.ndarray:
        return self.requested / self.capacity

    def migrated(self, vm: int) -> None:
        """``vm`` has left the host it was created on: it never reserves RAM there again."""
        self.origin[vm] = -2

    def reserve(self, vm: int, attr: str) -> float:
        """RAM or bandwidth ``vm`` would reserve on a new host: all of it before it exists."""
        return float(getattr(self, attr)[vm]) if self.origin[vm] == -1 else 0.0

    def vms_on(self, host: int) -> np.ndarray:
        return np.flatnonzero(self.vm_host == host)

    def vm_history_weighted(self, vm: int, host) -> np.ndarray:
        return self.vm_history[vm] * self.vm_mips[vm] / np.asarray(self.capacity[host])[..., None]

    # -- moves ------------------------------------------------------------------
    def add(self, vm: int, host: int) -> None:
        d = self.demand[vm]
        self.vm_host[vm] = host
        self.requested[host] += d
        self.alloc_raw[host] += min(d, self.core[host])
        if self.origin[vm] == -1:                 # created here
            self.origin[vm] = host
        if self.origin[vm] == host:
            self.ram[host] += self.vm_ram[vm]
            self.bw[host] += self.vm_bw[vm]
        self.history[host] += self.vm_history[vm] * self.vm_mips[vm] / self.capacity[host]

    def remove(self, vm: int) -> int:
        host = int(self.vm_host[vm])
        d = self.demand[vm]
        self.vm_host[vm] = -1
        self.requested[host] -= d
        self.alloc_raw[host] -= min(d, self.core[host])
        if self.origin[vm] == host:
            self.ram[host] -= self.vm_ram[vm]
            self.bw[host] -= self.vm_bw[vm]
        self.history[host] -= self.vm_history[vm] * self.vm_mips[vm] / self.capacity[host]
        return host
