"""Chapter 6's live-migration experiments: pre-copy rounds, and pre-copy vs post-copy.

The model migrates the chapter's guest (vlab/lab/lifecycle/workload.py) at a dirtying
rate over a link of a given bandwidth (100 us one-way latency), once by pre-copy
(vlab/hardware/lifecycle/precopy.py) and once by post-copy
(vlab/hardware/lifecycle/postcopy.py), and checks that the guest then finishes with the
exit status it has when never moved.  The figures show what Clark et al. (NSDI 2005,
figs. 8-11) and Hines & Gopalan (VEE 2009, sec. 5) measured: pages per round shrink to
the writable working set; a guest that dirties faster than the link does not converge and
pays a long stop-and-copy; post-copy sends each page once and stops the guest only for
its CPU state, but pays network faults after resuming.

Time scale: the VM has 144 pages (576 KiB) and a slow guest CPU (50 MIPS,
vlab/hardware/lifecycle/migration_report.py).  At the same link and the same fraction of
memory dirtied per second, times grow in proportion to memory: x1,820 for Clark et al.'s
1 GiB VM (262,144 pages).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.lifecycle.link import Link
from vlab.hardware.lifecycle.migration_report import MigrationReport
from vlab.hardware.lifecycle.postcopy import postcopy
from vlab.hardware.lifecycle.precopy import precopy
from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

from .workload import RATES, dirtying_rate, new_vm

BANDWIDTHS = {'100 Mbit/s': 100e6, '1 Gbit/s': 1e9}
LATENCY = 100e-6
PAPER_PAGES = 262_144              # a 1 GiB VM (Clark et al. 2005 migrate 256 MiB-1 GiB)


@dataclass(frozen=True)
class Migration:
    """Both methods on one guest and link, and whether the guest ended right."""

    rate: str
    bandwidth: str
    pages_per_second: float
    pre: MigrationReport
    post: MigrationReport
    pre_ok: bool
    post_ok: bool


@functools.cache
def reference_exit(rate: str) -> tuple:
    vm = new_vm(rate)
    result = vm.run(max_instructions=10**8)
    return result.status, result.exit_code, vm.console


def _finish(vm) -> tuple:
    result = vm.run(max_instructions=10**8)
    return result.status, result.exit_code, vm.console


@functools.cache
def migrate(rate: str = 'light', bandwidth: str = '1 Gbit/s') -> Migration:
    """Model: migrate the guest of ``rate`` over ``bandwidth`` by both methods."""
    if bandwidth not in BANDWIDTHS:
        raise ValueError(f'bandwidth {bandwidth!r}: choose one of {list(BANDWIDTHS)}')
    pre, dest = precopy(new_vm(rate), Link(BANDWIDTHS[bandwidth], LATENCY))
    post, dest2 = postcopy(new_vm(rate), Link(BANDWIDTHS[bandwidth], LATENCY))
    expected = reference_exit(rate)
    return Migration(rate, bandwidth, dirtying_rate(rate), pre, post,
                     dest is not None and _finish(dest) == expected,
                     _finish(dest2) == expected)


@styled
def plot_rounds(m: Migration) -> Figure:
    """Plot: pages sent per pre-copy round, pages still dirty after it, the stop."""
    fig, ax = new_figure('column_low')
    rounds = m.pre.rounds
    numbers = [r.number for r in rounds]
    ax.bar(numbers, [r.sent for r in rounds], color=LEVEL_COLORS['hardware'],
           label='pages sent in the round')
    ax.plot(numbers, [r.dirty_after for r in rounds], 'o-', color=LEVEL_COLORS['isa'],
            label='dirty when the round ended')
    last = len(rounds) + 1
    final = m.pre.pages_sent - sum(r.sent for r in rounds)
    ax.bar([last], [final], color='#333333', label='stop-and-copy (guest paused)')
    ax.set_xlabel('round')
    ax.set_ylabel('pages (4 KiB)')
    ax.set_xticks(list(range(1, last + 1)))
    ax.legend(fontsize=9, loc='upper right')
    ax.set_title(f'Pre-copy, {m.rate} guest, {m.bandwidth}: downtime '
                 f'{m.pre.downtime * 1e3:.2f} ms, total {m.pre.total_time * 1e3:.1f} ms')
    return fig


def describe_rounds(m: Migration) -> str:
    pre = m.pre
    return (f'The guest dirties about {m.pages_per_second:,.0f} pages per second. '
            f'Pre-copy ran {len(pre.rounds)} round(s) and stopped because '
            f'{pre.stop_reason}; it sent {pre.pages_sent} pages for '
            f'{pre.memory_pages} pages of memory ({pre.pages_sent / pre.memory_pages:.2f}x). '
            f'Downtime {pre.downtime * 1e3:.2f} ms, total {pre.total_time * 1e3:.1f} ms; '
            f'the guest then ended {"as" if m.pre_ok else "NOT as"} it does unmoved.')


@styled
def plot_compare(m: Migration) -> Figure:
    """Plot: pre-copy vs post-copy: bytes sent, downtime, total time."""
    fig, axes = new_figure('column_low', ncols=3)
    colors = [LEVEL_COLORS['hardware'], LEVEL_COLORS['os']]
    panels = (('MiB sent', lambda r: r.bytes_sent / 2**20),
              ('downtime (ms)', lambda r: r.downtime * 1e3),
              ('total time (ms)', lambda r: r.total_time * 1e3))
    for ax, (label, value) in zip(axes, panels, strict=True):
        values = [value(m.pre), value(m.post)]
        ax.bar(['pre-copy', 'post-copy'], values, color=colors)
        ax.set_title(label)
        for i, v in enumerate(values):
            ax.annotate(f'{v:.2f}', (i, v), ha='center', va='bottom', fontsize=9)
    fig.suptitle(f'{m.rate} guest over {m.bandwidth}: post-copy had '
                 f'{m.post.network_faults} network faults')
    return fig


def describe_compare(m: Migration) -> str:
    return (f'Post-copy sent each of the {m.post.memory_pages} pages once '
            f'({m.post.bytes_sent / 2**20:.2f} MiB vs {m.pre.bytes_sent / 2**20:.2f} MiB) '
            f'and stopped the guest {m.post.downtime * 1e3:.2f} ms instead of '
            f'{m.pre.downtime * 1e3:.2f} ms; after resuming, the guest waited '
            f'{m.post.fault_stall * 1e3:.2f} ms on {m.post.network_faults} network faults '
            f'({m.post.prepaged} pages came with them by pre-paging).')


def scaled_seconds(seconds: float, pages: int) -> float:
    """A time of our VM scaled to :data:`PAPER_PAGES` (times grow with memory)."""
    return seconds * PAPER_PAGES / pages


def rounds_experiment() -> Experiment:
    return Experiment(migrate, plot_rounds, {
        'rate': toggle('dirtying rate', list(RATES), 'light'),
        'bandwidth': toggle('link', list(BANDWIDTHS), '1 Gbit/s')},
        describe=describe_rounds)


def compare_experiment() -> Experiment:
    return Experiment(migrate, plot_compare, {
        'rate': toggle('dirtying rate', list(RATES), 'busy'),
        'bandwidth': toggle('link', list(BANDWIDTHS), '1 Gbit/s')},
        describe=describe_compare)


__all__ = ['BANDWIDTHS', 'Migration', 'compare_experiment', 'describe_compare',
           'describe_rounds', 'migrate', 'plot_compare', 'plot_rounds', 'rounds_experiment',
           'scaled_seconds']
