"""Where shadow and nested paging cross: modeled time against page-table update rate.

``crossover`` runs the workload of vlab/lab/memvirt/workloads.py -- 40 data pages
touched per round (more than the 32-entry TLB), 4 PTEs rewritten and an ``sfence.vma``
every ``update_every``-th round -- natively, under shadow paging (rebuilt after each
fence, and with tracing) and under nested paging (plain, and with the nested TLB and
page-walk cache), for every rate of ``RATES``, and
reports the ledger's modeled cycles per 1,000 guest instructions (vlab/lab/memvirt/
measure.py).  The slider picks the rate whose counts the text details.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.memvirt.measure import Measurement, measure
from vlab.lab.style import new_figure, styled

EVERY = (0, 32, 16, 8, 4, 2, 1)          # update every n-th round (0: never)
RUNS = {'native': ('native', {}), 'shadow': ('shadow', {}),
        'shadow, tracing': ('shadow-trace', {}), 'nested': ('nested', {}),
        'nested + walk caches': ('nested', dict(nested_tlb=True, walk_cache=True))}
WORKLOAD = dict(pages=40, rounds=32, work=50)


@cache
def _run(label: str, every: int) -> Measurement:
    method, switches = RUNS[label]
    return measure(method, update_every=every, **switches, **WORKLOAD)


@dataclass(frozen=True)
class Crossover:
    """Cycles per 1,000 instructions per method, at each update rate."""

    rates: tuple[float, ...]                  # PTE updates per 1,000 instructions
    cycles: dict[str, tuple[float, ...]]
    exits: dict[str, tuple[float, ...]]       # VM exits per 1,000 instructions
    selected: int                             # index into rates


def crossover(update_every: int = 0) -> Crossover:
    """Model: every method at every rate (cached), the slider's rate selected."""
    if update_every not in EVERY:
        raise ValueError(f'update_every must be one of {EVERY}')
    runs = {label: [_run(label, every) for every in EVERY] for label in RUNS}
    native = runs['native']
    rates = tuple(0.0 if every == 0 else 4 * 1000 * (32 // every) / m.instructions
                  for every, m in zip(EVERY, native, strict=True))
    return Crossover(rates, {k: tuple(m.cycles_per_kilo for m in v) for k, v in runs.items()},
                     {k: tuple(m.per_kilo(m.exits) for m in v) for k, v in runs.items()},
                     EVERY.index(update_every))


STYLE = {'native': ('#777777', '-'), 'shadow': ('#EE6677', '-'),
         'shadow, tracing': ('#EE6677', '--'),
         'nested': ('#4477AA', '-'), 'nested + walk caches': ('#4477AA', '--')}


@styled
def plot_crossover(data: Crossover) -> Figure:
    """Plot: modeled cycles per 1,000 instructions against the update rate, log y."""
    fig, ax = new_figure('column')
    for label, values in data.cycles.items():
        color, line = STYLE[label]
        ax.plot(data.rates, values, line, color=color, marker='o', lw=2, label=label)
    ax.axvline(data.rates[data.selected], color='#BBBBBB', lw=1, zorder=0)
    ax.set_yscale('log')
    ax.set_xlabel('guest PTE updates per 1,000 instructions')
    ax.set_ylabel('modeled cycles per 1,000 instructions')
    ax.legend(fontsize=9)
    ax.set_title('Shadow pays per page-table update, nested per TLB miss')
    return fig


def describe_crossover(data: Crossover) -> str:
    """Says which method is cheaper at the selected rate, and by how much."""
    i = data.selected
    shadow, nested = data.cycles['shadow'][i], data.cycles['nested'][i]
    cheaper, ratio = ('shadow', nested / shadow) if shadow < nested else \
        ('nested', shadow / nested)
    return (f'At {data.rates[i]:.1f} PTE updates per 1,000 instructions shadow paging '
            f'costs {shadow:,.0f} cycles per 1,000 instructions ({data.exits["shadow"][i]:.1f} '
            f'exits), nested paging {nested:,.0f}: {cheaper} is {ratio:.1f}x cheaper.')


def crossover_explorer() -> Experiment:
    """The experiment: a slider over the update period."""
    return Experiment(crossover, plot_crossover,
                      {'update_every': stepped_slider('update every n-th round (0: never)',
                                                      list(EVERY), 0)},
                      describe=describe_crossover)


__all__ = ['Crossover', 'crossover', 'crossover_explorer', 'describe_crossover',
           'plot_crossover']
