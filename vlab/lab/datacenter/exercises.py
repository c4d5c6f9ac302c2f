"""Chapter 11's exercise oracles: real runs of :mod:`vlab.datacenter`.

- :func:`npa_energy_kwh`: the non-power-aware baseline's energy, from the simulator;
- :func:`specpower_watts`: the measured servers' power at a utilization;
- :func:`real_histories`: hosts' utilization histories from a consolidation run's
  start (the first 30 intervals of 3 March 2011 on DVFS's placement) and the MAD
  detector's verdicts on them;
- :func:`threshold_sweep`: energy and SLATAH of the static-threshold policy for each
  threshold of :data:`THRESHOLDS` on a small data center (:data:`SWEEP_HOSTS` hosts).
"""

from __future__ import annotations

import functools

import numpy as np

from vlab.datacenter.detection import HISTORY_LENGTH, Detector, mad
from vlab.datacenter.fleet import HOST_TYPES
from vlab.datacenter.simulator import simulate
from vlab.datacenter.traces import load_day

DAY = "20110303"
THRESHOLDS = (0.6, 0.7, 0.8, 0.9, 1.0)
SWEEP_HOSTS = 20
SLATAH_LIMIT = 0.002       # 0.2 % of the active hosts' time at 100 %
SERVERS = {t.name: t.power for t in HOST_TYPES}


def npa_energy_kwh(n_hosts: int) -> float:
    """Energy (kWh) of ``n_hosts`` hosts under the non-power-aware baseline for a day."""
    return simulate(load_day(DAY), "npa", n_hosts=n_hosts).energy_kwh


def specpower_watts(server: str, utilization: float) -> float:
    """Watts of one of the two servers (a key of :data:`SERVERS`) at a utilization."""
    return float(SERVERS[server].power(utilization))


def real_histories(n_hosts: int = 12, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """(histories, current): ``n_hosts`` synthetic hosts, each holding three VMs of the
    trace (chosen with ``seed``), their summed 30-interval history (G5 host, weighted
    by VM MIPS, scaled so the hosts range from lightly to heavily loaded) and a
    utilization now that lies just above or just below each host's MAD threshold
    (s = 2.5), alternately, so that only the right statistic sorts them all."""
    day = load_day(DAY)
    rng = np.random.default_rng(seed)
    vms = rng.choice(day.n_vms, size=(n_hosts, 3), replace=False)
    mips = np.array([2500, 2000, 1000])
    capacity = HOST_TYPES[1].core_mips * HOST_TYPES[1].cores
    hist = (day.cpu[vms, :HISTORY_LENGTH] * mips[None, :, None]).sum(axis=1) / capacity
    scale = np.linspace(1.0, 4.0, n_hosts)[:, None]
    hist = np.clip(hist * scale, 0, 1.5)

    offsets = np.where(np.arange(n_hosts) % 2 == 0, 0.02, -0.02)
    return hist, 1.0 - 2.5 * mad(hist) + offsets


def mad_verdicts(histories: np.ndarray, current: np.ndarray, s: float) -> list[bool]:
    """The MAD detector's verdict per host."""
    return [bool(v) for v in Detector("mad", s).overloaded(histories, current)]


@functools.cache
def threshold_sweep() -> dict[float, tuple[float, float]]:
    """threshold -> (energy kWh, SLATAH) of THR-MMT on :data:`SWEEP_HOSTS` hosts."""
    day = load_day(DAY)
    out = {}
    for t in THRESHOLDS:
        r = simulate(day, "thr", t, n_hosts=SWEEP_HOSTS)
        out[t] = (r.energy_kwh, r.slatah)
    return out


def best_threshold() -> float:
    """The threshold with the least energy whose SLATAH stays under the limit."""
    sweep = threshold_sweep()
    allowed = [t for t in THRESHOLDS if sweep[t][1] < SLATAH_LIMIT]
    return min(allowed, key=lambda t: sweep[t][0])
