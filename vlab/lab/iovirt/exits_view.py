"""Exits and modeled time per KiB for the three I/O methods, with the virtio batch size.

The bare-metal C guest of vlab/hardware/io/guest/iodrv.c reads from its disk under the
hardware-assisted VMM, once per I/O method (vlab/hardware/io/attach.py): full emulation
(every register access of its disk driver is an MMIO exit), virtio-blk (one exit per
batch of requests) and direct assignment through the IOMMU (no exits).  The marginal
cost of a KiB is measured as in benchmarks/bench_iovirt.py (vlab/hardware/io/measure.py):
a job of ``KIB`` KiB minus the same job of none.  The two controls are the virtio driver's
batch (requests of 4 KiB per notification) and the price of a VM exit (1,500 cycles for
first-generation VT-x, 500 for a newer CPU: Agesen et al. 2012); a third shows the
console instead of the disk (32-byte lines: 16550 UART or virtio-console).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.io.attach import IO_METHODS
from vlab.hardware.io.measure import per_unit
from vlab.host.costs import CostModel
from vlab.lab.experiment import Experiment, stepped_slider, toggle
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

KIB = 32
BATCHES = (1, 2, 4, 8, 16)
EXIT_PRICES = (500, 1500)
METHOD_COLORS = {'emulated': LEVEL_COLORS['isa'], 'virtio': LEVEL_COLORS['hardware'],
                 'passthrough': LEVEL_COLORS['os']}


@dataclass(frozen=True)
class MethodCost:
    method: str
    exits_per_kib: float
    cycles_per_kib: float
    exits_per_line: float
    cycles_per_line: float


@dataclass(frozen=True)
class IoComparison:
    batch: int
    exit_cycles: int
    methods: tuple[MethodCost, ...]
    device: str = 'disk'                   # what the figure shows: 'disk' or 'console'

    def of(self, method: str) -> MethodCost:
        return next(m for m in self.methods if m.method == method)


DEVICES = ('disk', 'console')
# per device: (unit, exits axis limit, cycles axis limit), fixed so states compare
AXES = {'disk': ('KiB read', 1.6, 4200), 'console': ('console line', 80, 140_000)}


def io_view(batch: int = 8, exit_cycles: int = 1500, device: str = 'disk') -> IoComparison:
    """Model of the experiment: ``io_costs``, showing ``device``."""
    return dataclasses.replace(io_costs(batch, exit_cycles), device=device)


@functools.cache
def io_costs(batch: int = 8, exit_cycles: int = 1500) -> IoComparison:
    """Model: the marginal exits and cycles per KiB read and per console line."""
    costs = CostModel.default().with_overrides(vm_exit=exit_cycles)
    rows = []
    for method in IO_METHODS:
        disk = per_unit(method, 'read', KIB, batch, costs=costs)
        console = per_unit(method, 'console', 8, batch, costs=costs)
        rows.append(MethodCost(method, disk.exits, disk.cycles, console.exits,
                               console.cycles))
    return IoComparison(batch, exit_cycles, tuple(rows))


@styled
def plot_io_costs(c: IoComparison) -> Figure:
    """Plot: exits (left) and modeled cycles (right) per unit of ``c.device``."""
    fig, (left, right) = new_figure('column_low', ncols=2)
    unit, exits_top, cycles_top = AXES[c.device]
    names = [m.method for m in c.methods]
    colors = [METHOD_COLORS[n] for n in names]
    if c.device == 'disk':
        exits = [m.exits_per_kib for m in c.methods]
        cycles = [m.cycles_per_kib for m in c.methods]
    else:
        exits = [m.exits_per_line for m in c.methods]
        cycles = [m.cycles_per_line for m in c.methods]
    left.bar(names, exits, color=colors)
    for i, value in enumerate(exits):
        left.text(i, value, f'{value:.2f}', ha='center', va='bottom', fontsize=9)
    left.set_ylim(0, exits_top)
    left.set_ylabel(f'VM exits per {unit}')
    left.set_title('Exits')
    right.bar(names, cycles, color=colors)
    for i, value in enumerate(cycles):
        right.text(i, value, f'{value:,.0f}', ha='center', va='bottom', fontsize=9)
    right.set_ylim(0, cycles_top)
    right.set_ylabel(f'modeled cycles per {unit}')
    right.set_title('Modeled time')
    for ax in (left, right):
        ax.tick_params(axis='x', labelsize=9)
    what = f'reading {KIB} KiB' if c.device == 'disk' else 'printing 32-byte lines'
    fig.suptitle(f'{what.capitalize()}: virtio batch {c.batch}, VM exit '
                 f'{c.exit_cycles} cycles', fontsize=10, fontweight='bold')
    return fig


def describe_io_costs(c: IoComparison) -> str:
    e, v, p = (c.of(m) for m in IO_METHODS)
    return (f'Emulation takes {e.exits_per_kib:.2f} exits per KiB (5 register accesses per '
            f'4 KiB command), virtio {v.exits_per_kib:.3f} (one notification per '
            f'{c.batch} requests), direct assignment {p.exits_per_kib:.0f}.  Per KiB that '
            f'is {e.cycles_per_kib / p.cycles_per_kib:.2f}x and '
            f'{v.cycles_per_kib / p.cycles_per_kib:.2f}x the modeled time of the '
            f'assigned disk.  A 32-byte console line costs {e.exits_per_line:.0f} exits '
            f'on the emulated UART (a status read and a data write per byte) and '
            f'{v.exits_per_line:.2f} on virtio-console.')


def io_costs_explorer(batch: int = 8, exit_cycles: int = 1500,
                      device: str = 'disk') -> Experiment:
    """The experiment: the device, the virtio batch size and the price of an exit."""
    return Experiment(io_view, plot_io_costs,
                      {'device': toggle('device', list(DEVICES), device),
                       'batch': stepped_slider('virtio requests per notification',
                                               list(BATCHES), batch),
                       'exit_cycles': toggle('VM exit (cycles)', list(EXIT_PRICES),
                                             exit_cycles)},
                      describe=describe_io_costs)


__all__ = ['IoComparison', 'MethodCost', 'describe_io_costs', 'io_costs',
           'io_costs_explorer', 'io_view', 'plot_io_costs']
