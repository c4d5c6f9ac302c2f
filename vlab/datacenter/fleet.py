"""The simulated data center: host and VM types of CloudSim's PlanetLab power examples.

The setup is Beloglazov & Buyya 2012, sec. 7.1, as coded in CloudSim's
``examples/power/Constants.java`` and ``PlanetLabConstants.java``:

- 800 hosts, alternately an HP ProLiant ML110 G4 (2 cores x 1860 MIPS) and a G5
  (2 cores x 2660 MIPS), each with 4 GB RAM and a 1 Gbit/s network;
- four VM types (single core): 2500 MIPS / 870 MB, 2000 MIPS / 1740 MB,
  1000 MIPS / 1740 MB, 500 MIPS / 613 MB, each with 100 Mbit/s of bandwidth
  (Amazon EC2 instance types of 2011, as the paper says);
- VM ``i`` of ``n`` has type ``i // ceil(n / 4)`` (CloudSim's ``Helper.createVmList``): the
  first quarter of the trace files are the biggest VMs.

A VM core must fit on one host core (a 2000-MIPS VM cannot run on a G4's 1860-MIPS
core), and a host holds at most ten VMs' bandwidth, as in CloudSim's suitability test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vlab.datacenter.power_models import HP_ML110_G4, HP_ML110_G5, LinearPowerModel, SpecPowerModel

PowerModel = SpecPowerModel | LinearPowerModel


@dataclass(frozen=True)
class HostType:
    name: str
    core_mips: float
    cores: int
    ram_mb: float
    bw_mbit: float
    power: PowerModel

    @property
    def mips(self) -> float:
        return self.core_mips * self.cores


@dataclass(frozen=True)
class VmType:
    name: str
    mips: float
    ram_mb: float
    bw_mbit: float = 100.0


HOST_TYPES: tuple[HostType, ...] = (
    HostType("HP ML110 G4", 1860, 2, 4096, 1000, HP_ML110_G4),
    HostType("HP ML110 G5", 2660, 2, 4096, 1000, HP_ML110_G5),
)

#: Beloglazov & Buyya 2012, sec. 7.1 (High-CPU Medium, Extra Large, Small, Micro).
VM_TYPES: tuple[VmType, ...] = (
    VmType("high-CPU medium", 2500, 870),
    VmType("extra large", 2000, 1740),
    VmType("small", 1000, 1740),
    VmType("micro", 500, 613),
)

#: The paper's data center size.
PAPER_HOSTS = 800


@dataclass
class Fleet:
    """Per-host and per-VM arrays the simulator works on (index = id)."""

    host_type: np.ndarray        # index into ``host_types``
    host_types: tuple[HostType, ...]
    vm_type: np.ndarray          # index into VM_TYPES

    @property
    def n_hosts(self) -> int:
        return len(self.host_type)

    @property
    def n_vms(self) -> int:
        return len(self.vm_type)

    def host_attr(self, name: str) -> np.ndarray:
        return np.array([getattr(self.host_types[t], name) for t in self.host_type], float)

    def vm_attr(self, name: str) -> np.ndarray:
        return np.array([getattr(VM_TYPES[t], name) for t in self.vm_type], float)

    def power(self, utilization: np.ndarray) -> np.ndarray:
        """Each host's power (W) at its utilization (one entry per host)."""
        out = np.empty(self.n_hosts)
        for t, htype in enumerate(self.host_types):
            mask = self.host_type == t
            out[mask] = htype.power.power(utilization[mask])
        return out

    def power_of(self, hosts: np.ndarray, utilization: np.ndarray) -> np.ndarray:
        """Power (W) of the listed hosts at the given utilizations."""
        types = self.host_type[hosts]
        out = np.empty(len(hosts))
        for t, htype in enumerate(self.host_types):
            mask = types == t
            out[mask] = htype.power.power(utilization[mask])
        return out

    def peak_power(self) -> np.ndarray:
        return np.array([self.host_types[t].power.peak for t in self.host_type], float)


def vm_types_for(n_vms: int) -> np.ndarray:
    """CloudSim's VM type by index: ``i // ceil(n / 4)``."""
    block = max(1, math.ceil(n_vms / len(VM_TYPES)))
    return np.arange(n_vms) // block


def make_fleet(n_hosts: int, n_vms: int, idle_fraction: float | None = None) -> Fleet:
    """``n_hosts`` hosts alternating G4/G5 and ``n_vms`` VMs typed by index.

    ``idle_fraction`` replaces both SPECpower tables by linear models with the same
    peaks and that idle share of peak (None keeps the measured tables).
    """
    if n_hosts < 1 or n_vms < 1:
        raise ValueError("a data center needs at least one host and one VM")
    types = HOST_TYPES
    if idle_fraction is not None:
        types = tuple(HostType(t.name, t.core_mips, t.cores, t.ram_mb, t.bw_mbit,
                               LinearPowerModel(f"linear {t.name}", t.power.peak, idle_fraction))
                      for t in HOST_TYPES)
    return Fleet(np.arange(n_hosts) % len(types), types, vm_types_for(n_vms))
