"""Several VMs on one host: what ballooning and content-based page sharing give back.

``overcommit_run`` creates ``vms`` VMs of ``PAGES`` guest pages each on one host
(vlab/hardware/overcommit/), fills them as booted guests of one OS would be: the same
kernel image in ``KERNEL`` pages of every VM, ``OWN`` pages of data of each VM's own,
``STALE`` free pages still holding what a freed program left there, and the rest zero
(pages the guest has not used yet).  The guest's free list holds the zero and stale
pages, stale ones first (the balloon driver takes those).  Then, in order:

1. ``sharing`` on: the page-sharing scanner hashes every page and merges equal ones;
2. each VM writes ``WRITES`` of its shared kernel pages (its own private data there):
   copy-on-write faults give it private copies back;
3. ``balloon`` pages: each VM's balloon driver inflates by that many free pages.

It reports host frames in use after each step, the guest-page faults, and the ledger's
modeled cycles of each mechanism.
"""
from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.overcommit import Balloon, BalloonDriver, Host, PageSharer
from vlab.hardware.overcommit.host import GPA_BASE
from vlab.isa.machine import Machine
from vlab.isa.pagetable import PAGE
from vlab.lab.experiment import Experiment, stepped_slider, toggle
from vlab.lab.style import new_figure, styled

PAGES, KERNEL, OWN, STALE, WRITES = 24, 10, 4, 6, 2
STEPS = ('booted', 'after sharing', 'after COW writes', 'after ballooning')


@dataclass(frozen=True)
class OvercommitRun:
    vms: int
    frames: tuple[int, ...]            # host frames in use after each of STEPS
    guest_pages: int                   # guest-physical pages of all VMs
    faults: int                        # guest-page faults (COW breaks)
    cycles: dict[str, float]           # modeled cycles per ledger event


def overcommit_run(vms: int = 3, sharing: str = 'on', balloon: int = 3) -> OvercommitRun:
    """Model: boot ``vms`` VMs, then share, write, balloon; count frames."""
    host = Host(Machine(ram_size=2 << 20))
    for n in range(vms):
        vm = host.create_vm(f'vm{n}', PAGES)
        vm.populate()
        for i in range(KERNEL):
            vm.write(GPA_BASE + i * PAGE, bytes([0x10 + i]) * PAGE)
        for i in range(OWN):
            vm.write(GPA_BASE + (KERNEL + i) * PAGE, f'{vm.name} data {i}'.encode())
        for i in range(STALE):
            vm.write(GPA_BASE + (KERNEL + OWN + i) * PAGE, f'{vm.name} old {i}'.encode())
    frames = [host.frames_in_use]
    if sharing == 'on':
        PageSharer(host).scan()
    frames.append(host.frames_in_use)
    for vm in host.vms:
        for i in range(WRITES):
            vm.write(GPA_BASE + i * PAGE, f'{vm.name} patched'.encode())
    frames.append(host.frames_in_use)
    service = Balloon(host)
    for vm in host.vms:
        free = [GPA_BASE + i * PAGE for i in reversed(range(KERNEL + OWN, PAGES))]
        BalloonDriver(vm, service, free, list_gpa=GPA_BASE + (KERNEL + OWN - 1) * PAGE) \
            .inflate(balloon)
    frames.append(host.frames_in_use)
    return OvercommitRun(vms, tuple(frames), vms * PAGES, sum(vm.faults for vm in host.vms),
                         dict(host.ledger.cycles))


@styled
def plot_overcommit(run: OvercommitRun) -> Figure:
    """Plot: host frames in use after each step; the guests' pages as a dashed line."""
    fig, ax = new_figure('column_low')
    bars = ax.bar(range(len(STEPS)), run.frames, color='#4477AA')
    ax.bar_label(bars, fontsize=9)
    ax.axhline(run.guest_pages, color='#EE6677', ls='--', lw=1.5,
               label=f'guest-physical pages of {run.vms} VMs: {run.guest_pages}')
    ax.set_xticks(range(len(STEPS)), STEPS)
    ax.set_ylabel('host frames in use')
    ax.set_ylim(0, run.guest_pages * 1.25)
    ax.legend(fontsize=9, loc='upper right')
    ax.set_title(f'{run.vms} VMs of {PAGES} pages: frames the host must really have')
    return fig


def describe_overcommit(run: OvercommitRun) -> str:
    """Says how much was saved and at which modeled cost."""
    saved = run.guest_pages - run.frames[-1]
    cost = sum(run.cycles.get(e, 0) for e in ('page_hash', 'page_copy', 'vm_exit',
                                              'hypercall'))
    return (f'The host backs {run.guest_pages} guest pages with {run.frames[-1]} frames: '
            f'{saved} saved ({saved / run.guest_pages:.0%}). The writes to shared pages '
            f'took {run.faults} copy-on-write faults; hashing, copies, exits and '
            f'hypercalls cost {cost:,.0f} modeled cycles.')


def overcommit_explorer() -> Experiment:
    """The experiment: number of VMs, sharing on/off, balloon size."""
    return Experiment(overcommit_run, plot_overcommit,
                      {'vms': stepped_slider('VMs', [1, 2, 3, 4], 3),
                       'sharing': toggle('page sharing', ['off', 'on'], 'on'),
                       'balloon': stepped_slider('balloon pages per VM', [0, 3, 6], 3)},
                      describe=describe_overcommit)


__all__ = ['OvercommitRun', 'describe_overcommit', 'overcommit_explorer', 'overcommit_run',
           'plot_overcommit']
