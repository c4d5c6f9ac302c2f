"""The same guest on hypervisor types 1, 2 and dual, with the hops of one exit drawn.

Model: ``type_comparison()`` runs the demo guest (vlab/hosted/demo_guest.py: three CPU
exits, a 21-byte greeting on the console, exit code 3) once under each type
(vlab/hosted/hvrun.py) and keeps what the ledger and the VMMs counted.  ``exit_view``
picks one type and one kind of exit -- a CPU exit (a privileged CSR access) or a device
exit (one console byte) -- and gives its hops (vlab/hosted/paths.py), priced with the
cost model.

Plot: the hops as arrows between lanes (guest; VMM or host kernel; the VMM process in
host user mode), coloured by kind: world switch, mode switch, mode + context switch.
Under type 1 the console mailbox is passed through to the guest, so a console byte
causes no exit at all (the figure says so).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.host.costs import CostModel
from vlab.hosted import paths
from vlab.hosted.demo_guest import printing_guest
from vlab.hosted.hvrun import run_guest
from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import new_figure, styled

TYPES = {'type 1 (native)': '1', 'type 2 (hosted)': '2', 'dual-mode (KVM-like)': 'dual'}
EXIT_KINDS = ('CPU exit (CSR access)', 'device exit (console byte)')
LANES = {'guest': 2, 'VMM': 1, 'kvm module': 1, 'host kernel': 1, 'VMM process': 0}
LANE_NAMES = {2: 'guest (VS/VU)', 1: 'VMM / host kernel (HS, S)', 0: 'VMM process (U)'}
KIND_COLORS = {paths.WORLD: '#1f77b4', paths.MODE: '#2ca02c', paths.CONTEXT: '#d62728'}


@dataclass(frozen=True)
class TypeResult:
    hv_type: str
    exit_code: int
    console: bytes
    exit_paths: dict
    switches: dict
    total_cycles: float


@functools.cache
def type_comparison() -> dict[str, TypeResult]:
    """Model: the demo guest once under each type (deterministic; about 0.2 s)."""
    found = {}
    for hv_type in paths.TYPES:
        run = run_guest(printing_guest(), hv_type)
        found[hv_type] = TypeResult(hv_type, run.exit_code, run.console,
                                    dict(run.exit_paths), dict(run.switches),
                                    run.total_cycles)
    return found


@dataclass(frozen=True)
class ExitView:
    """One exit of one kind under one type: its hops, cost and how often the guest took it."""

    label: str
    hv_type: str
    exit_kind: str
    hops: tuple                      # paths.Hop, empty when there is no exit
    cycles: float
    count: int
    result: TypeResult


def exit_view(hv_type: str = 'type 1 (native)', exit_kind: str = EXIT_KINDS[0]) -> ExitView:
    """Model: the path of one exit of ``exit_kind`` under ``hv_type`` (labels above)."""
    if hv_type not in TYPES or exit_kind not in EXIT_KINDS:
        raise ValueError(f'hv_type in {list(TYPES)}, exit_kind in {list(EXIT_KINDS)}')
    code, device = TYPES[hv_type], exit_kind == EXIT_KINDS[1]
    result = type_comparison()[code]
    cpu_exits = sum(type_comparison()['1'].exit_paths.values())
    device_exits = len(result.console) + 1                  # bytes and the exit command
    if code == '1' and device:                              # the mailbox is passed through
        return ExitView(hv_type, code, exit_kind, (), 0.0, 0, result)
    kind = ('user' if device else 'kernel') if code == 'dual' else 'any'
    costs = CostModel.default()
    return ExitView(hv_type, code, exit_kind, paths.path(code, kind),
                    paths.path_cycles(code, kind, costs),
                    device_exits if device else cpu_exits, result)


@styled
def plot_exit(view: ExitView) -> Figure:
    """Plot: the hops of one exit as arrows between the lanes."""
    fig, ax = new_figure('panel')
    for lane, name in LANE_NAMES.items():
        ax.axhline(lane, color='#cccccc', linewidth=0.8, zorder=0)
        ax.text(-0.1, lane, name, ha='right', va='center', fontsize=9)
    for step, hop in enumerate(view.hops):
        y0, y1 = LANES[hop.source], LANES[hop.target]
        ax.annotate('', xy=(step + 1, y1), xytext=(step, y0),
                    arrowprops={'arrowstyle': '->', 'color': KIND_COLORS[hop.kind],
                                'linewidth': 2})
        ax.text(step + 0.5 + (0.12 if y1 > y0 else -0.12), (y0 + y1) / 2, str(step + 1),
                ha='center', va='center', fontsize=9, color=KIND_COLORS[hop.kind])
    used = list(dict.fromkeys(hop.kind for hop in view.hops))
    for kind in used:
        ax.plot([], [], color=KIND_COLORS[kind], linewidth=2, label=kind)
    if used:
        ax.legend(loc='lower center', ncol=3, fontsize=9, frameon=False)
    if not view.hops:
        ax.text(2, 1, 'no exit: the console mailbox is passed through to the guest',
                ha='center', va='center', fontsize=9)
    ax.set_xlim(-0.1, 4.1)
    ax.set_ylim(-0.9, 2.4)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f'{view.label}: one {view.exit_kind.split(" (")[0]}')
    return fig


def describe_exit(view: ExitView) -> str:
    """Says how many switches the exit takes, what it costs, and how often it happened."""
    if not view.hops:
        return ('Under type 1 the guest writes its console bytes to the mailbox without '
                'leaving the guest: no exit, no switch.')
    worlds = paths.count(view.hops, paths.WORLD)
    modes = paths.count(view.hops, paths.MODE)
    contexts = paths.count(view.hops, paths.CONTEXT)
    return (f'{len(view.hops)} hops: {worlds} world switches, {modes} mode switches, '
            f'{contexts} context switches; about {view.cycles:,.0f} modeled cycles per '
            f'exit. The demo guest took {view.count} such exits; it printed '
            f'{view.result.console.decode().strip()!r} and exited with '
            f'{view.result.exit_code} as under every type.')


def types_explorer(hv_type: str = 'type 1 (native)',
                   exit_kind: str = EXIT_KINDS[0]) -> Experiment:
    """The experiment: choose the hypervisor type and the kind of exit (6 settings)."""
    return Experiment(exit_view, plot_exit,
                      {'hv_type': toggle('hypervisor', list(TYPES), hv_type),
                       'exit_kind': toggle('exit', list(EXIT_KINDS), exit_kind)},
                      describe=describe_exit)
