"""Chapter 6's multiplexing experiment: three VMs share one CPU under the credit scheduler.

VMs A, B and C run the same CPU-bound guest (vlab/hardware/lifecycle/guests.py) under
vlab/hardware/lifecycle/credit_scheduler.py for :data:`PERIODS` accounting periods.  A
and C keep Xen's default weight 256; the reader sets B's weight and A's cap.  The figure
shows each VM's CPU time (ticks) as it accumulates, the text the shares.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.lifecycle.credit_scheduler import TICK_INSTRUCTIONS, CreditScheduler
from vlab.hardware.lifecycle.guests import dirtying_guest
from vlab.hardware.vm import VirtualMachine
from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

PERIODS = 20
WEIGHTS = (128, 256, 512, 1024)
CAPS = (0, 10, 20, 50)
COLORS = {'A': LEVEL_COLORS['hardware'], 'B': LEVEL_COLORS['isa'], 'C': LEVEL_COLORS['os']}


@dataclass(frozen=True)
class Sharing:
    weight_b: int
    cap_a: int
    history: dict          # VM -> cumulative ticks after each period
    shares: dict           # VM (and 'idle') -> fraction of the CPU
    switches: int


@functools.cache
def share_cpu(weight_b: int = 512, cap_a: int = 0) -> Sharing:
    """Model: A (cap ``cap_a``%), B (weight ``weight_b``) and C share one CPU."""
    image = dirtying_guest(wws_pages=4, dirty=1, work=50, iters=10**6, static_pages=0,
                           print_every=1000)
    scheduler = CreditScheduler()
    for name, weight, cap in (('A', 256, cap_a), ('B', weight_b, 0), ('C', 256, 0)):
        scheduler.add(name, VirtualMachine(image, engine='dbt', guest_ram=256 << 10),
                      weight, cap)
    scheduler.run(PERIODS)
    return Sharing(weight_b, cap_a, {d.name: list(d.history) for d in scheduler.domains},
                   scheduler.shares(), scheduler.ledger.counts['world_switch'])


@styled
def plot_sharing(s: Sharing) -> Figure:
    """Plot: CPU ticks each VM has received, period by period."""
    fig, ax = new_figure('column_low')
    periods = list(range(1, PERIODS + 1))
    for name, ticks in s.history.items():
        ax.plot(periods, ticks, color=COLORS[name], lw=2,
                label=f'{name}: {s.shares[name]:.0%}')
    ax.set_xlabel('accounting period (10 ticks of the CPU)')
    ax.set_ylabel(f'ticks run ({TICK_INSTRUCTIONS:,} instructions each)')
    ax.legend(fontsize=9, loc='upper left')
    cap = f'A capped at {s.cap_a}%' if s.cap_a else 'no cap'
    ax.set_title(f'Credit scheduler: weights A 256, B {s.weight_b}, C 256; {cap}')
    return fig


def describe_sharing(s: Sharing) -> str:
    total = 256 + s.weight_b + 256
    fair = {'A': 256 / total, 'B': s.weight_b / total, 'C': 256 / total}
    text = ', '.join(f'{n} {s.shares[n]:.0%} (weight share {fair[n]:.0%})' for n in fair)
    return (f'CPU shares: {text}; idle {s.shares["idle"]:.0%}; {s.switches} world '
            'switches. A cap is a ceiling: what A may not use goes to B and C.')


def sharing_experiment() -> Experiment:
    return Experiment(share_cpu, plot_sharing, {
        'weight_b': stepped_slider('weight of B', WEIGHTS, 512),
        'cap_a': stepped_slider('cap of A (%, 0 = none)', CAPS, 0)},
        describe=describe_sharing)


__all__ = ['Sharing', 'describe_sharing', 'plot_sharing', 'share_cpu', 'sharing_experiment']
