"""The microbenchmark experiment: cycles per operation per method, with a VM-exit price.

``microbench_table(vm_exit)`` prices the per-operation ledger events of
``microbench.operation_cost`` with ``vm_exit`` cycles per exit (everything else at the
course's cost model, vlab/host/costs.py); ``plot_microbench`` draws them as grouped bars
on a log scale, ``describe_microbench`` says which method is cheapest where, and
``microbench_explorer`` wires a slider over the exit price (Adams & Agesen 2006 measured
a VT-x round trip at ~1,500--2,400 cycles on the first Intel parts; later processors cut
it to a few hundred).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vlab.host.costs import CostModel
from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.style import new_figure, styled

from .microbench import METHODS, OPERATIONS, exits_per_kilo_instruction, operation_cost

EXIT_PRICES = (150, 500, 1500, 3000)
METHOD_COLORS = {'bare': '#4c72b0', 'trap-emulate': '#c44e52', 'bt': '#dd8452',
                 'hw': '#55a868'}


@dataclass(frozen=True)
class MicrobenchTable:
    vm_exit: int
    cycles: dict               # (operation, method) -> modeled cycles per operation
    exits_per_kilo: dict       # (operation, method) -> exits per 1,000 instructions


def microbench_table(vm_exit: int = 1500) -> MicrobenchTable:
    """Cycles per operation of every operation under every method at this exit price."""
    if vm_exit <= 0:
        raise ValueError(f'a VM exit of {vm_exit} cycles: give a positive price')
    costs = CostModel.default().with_overrides(vm_exit=vm_exit)
    cycles, per_kilo = {}, {}
    for operation in OPERATIONS:
        for method in METHODS:
            cycles[operation, method] = operation_cost(operation, method).cycles(costs)
            per_kilo[operation, method] = exits_per_kilo_instruction(operation, method)
    return MicrobenchTable(vm_exit, cycles, per_kilo)


def table_rows(table: MicrobenchTable) -> list[tuple]:
    """One row per operation: cycles under each method, then each VMM's ratio to bare."""
    rows = []
    for operation in OPERATIONS:
        bare = table.cycles[operation, 'bare']
        cells = [f'{table.cycles[operation, m]:,.0f}' for m in METHODS]
        ratios = [f'{table.cycles[operation, m] / bare:.1f}x' for m in METHODS[1:]]
        rows.append((operation, *cells, *ratios))
    return rows


TABLE_HEADER = ('operation', *(f'{m} (cycles)' for m in METHODS),
                *(f'{m} / bare' for m in METHODS[1:]))


@styled
def plot_microbench(table: MicrobenchTable):
    fig, ax = new_figure('column')
    operations = list(OPERATIONS)
    x = np.arange(len(operations))
    width = 0.8 / len(METHODS)
    for i, method in enumerate(METHODS):
        values = [table.cycles[op, method] for op in operations]
        ax.bar(x + (i - 1.5) * width, values, width, label=method,
               color=METHOD_COLORS[method])
    ax.set_yscale('log')
    ax.set_ylim(top=20 * max(table.cycles.values()))     # room for the legend
    ax.set_xticks(x, operations)
    ax.set_ylabel('modeled cycles per operation (log)')
    ax.set_title(f'One operation, four ways (VM exit = {table.vm_exit:,} cycles)')
    ax.legend(ncols=4, loc='upper right')
    return fig


def describe_microbench(table: MicrobenchTable) -> str:
    parts = []
    for operation in OPERATIONS:
        best = min(METHODS[1:], key=lambda m: table.cycles[operation, m])
        worst = max(METHODS[1:], key=lambda m: table.cycles[operation, m])
        if table.cycles[operation, best] == table.cycles[operation, worst]:
            parts.append(f'{operation}: the same under every VMM')
            continue
        parts.append(f'{operation}: {best} cheapest, {worst} dearest '
                     f'({table.cycles[operation, worst] / table.cycles[operation, "bare"]:.0f}x'
                     ' bare)')
    return (f'With a VM exit at {table.vm_exit:,} cycles -- ' + '; '.join(parts) + '.')


def microbench_explorer(vm_exit: int = 1500) -> Experiment:
    return Experiment(microbench_table, plot_microbench,
                      {'vm_exit': stepped_slider('VM exit (cycles)', EXIT_PRICES, vm_exit)},
                      describe=describe_microbench)


def exits_rows(table: MicrobenchTable) -> list[tuple]:
    """Exits per 1,000 guest instructions, per operation and VMM."""
    return [(operation, *(f'{table.exits_per_kilo[operation, m]:.0f}' for m in METHODS[1:]))
            for operation in OPERATIONS]


EXITS_HEADER = ('operation', *(f'{m} exits / 1k instr.' for m in METHODS[1:]))
