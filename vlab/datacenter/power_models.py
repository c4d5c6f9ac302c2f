"""Host power models: power (W) as a function of CPU utilization (0..1).

Two kinds, as in CloudSim's ``power.models`` package:

- :class:`SpecPowerModel`: a measured table, power at 0 %, 10 %, ..., 100 % load from a
  SPECpower_ssj2008 result, linearly interpolated between the eleven points.  The two
  servers of Beloglazov & Buyya 2012 (sec. 7.1) are :data:`HP_ML110_G4` and
  :data:`HP_ML110_G5`.
- :class:`LinearPowerModel`: ``P(u) = P_idle + (P_max - P_idle) * u``, the model of Fan,
  Weber & Barroso 2007; an idle server draws about half its peak (Barroso & Hölzle,
  "The case for energy-proportional computing", IEEE Computer 40(12), 2007), so the
  idle fraction is the parameter a chapter slider moves.

Both take arrays (numpy) so a fleet's power is one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpecPowerModel:
    """Power from an 11-point SPECpower table (watts at 0, 10, ..., 100 % utilization)."""

    name: str
    watts: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        if len(self.watts) != 11:
            raise ValueError(f"{self.name}: a SPECpower table has 11 points (0..100 % by 10)")

    @property
    def peak(self) -> float:
        return self.watts[-1]

    @property
    def idle(self) -> float:
        return self.watts[0]

    def power(self, utilization):
        """Watts at ``utilization`` (scalar or array, 0..1; clipped into that range)."""
        u = np.clip(utilization, 0.0, 1.0)
        return np.interp(u, np.linspace(0.0, 1.0, 11), self.watts)


@dataclass(frozen=True)
class LinearPowerModel:
    """``P(u) = idle + (peak - idle) * u``; ``idle_fraction`` = idle / peak."""

    name: str
    peak: float
    idle_fraction: float
    source: str = "Fan, Weber & Barroso 2007; Barroso & Hoelzle 2007"

    def __post_init__(self) -> None:
        if not 0.0 <= self.idle_fraction <= 1.0 or self.peak <= 0:
            raise ValueError(f"{self.name}: need peak > 0 and 0 <= idle_fraction <= 1")

    @property
    def idle(self) -> float:
        return self.peak * self.idle_fraction

    def power(self, utilization):
        u = np.clip(utilization, 0.0, 1.0)
        return self.idle + (self.peak - self.idle) * u


#: HP ProLiant ML110 G4 (1 x Xeon 3040, 2 cores at 1860 MHz, 4 GB); CloudSim's
#: ``PowerModelSpecPowerHpProLiantMl110G4Xeon3040``.
HP_ML110_G4 = SpecPowerModel(
    "HP ProLiant ML110 G4 (Xeon 3040)",
    (86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117),
    "SPECpower_ssj2008 result power_ssj2008-20110127-00342")

#: HP ProLiant ML110 G5 (1 x Xeon 3075, 2 cores at 2660 MHz, 4 GB); CloudSim's
#: ``PowerModelSpecPowerHpProLiantMl110G5Xeon3075``.
HP_ML110_G5 = SpecPowerModel(
    "HP ProLiant ML110 G5 (Xeon 3075)",
    (93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135),
    "SPECpower_ssj2008 result power_ssj2008-20110124-00339")


def linear_like(model: SpecPowerModel, idle_fraction: float) -> LinearPowerModel:
    """A linear model with ``model``'s peak and the given idle fraction (for sliders)."""
    return LinearPowerModel(f"linear, idle {idle_fraction:.0%} of {model.name}",
                            model.peak, idle_fraction)
