"""Equivalence under the non-virtualizable switch (Popek & Goldberg 1974; Robin & Irvine 2000).

The guest, a kernel in its virtual M-mode, installs its trap vector (``csrw mtvec``) and
reads it back, then sets ``mstatus.MPP`` and reads it back -- on real hardware both reads
return what was written.  It exits 0 when they do, else with the number of the check that
failed (riscv-tests convention: exit code = check).

With the machine's non-virtualizable switch on (vlab/isa/spec/nonvirtualizable.py),
``mtvec`` and ``mstatus`` accesses in real U-mode no longer trap: under trap-and-emulate
the deprivileged guest reads the *real* registers and its writes vanish -- Popek &
Goldberg's equivalence property fails, as it did on x86 before VT-x (POPF, SIDT).  Binary
translation (vlab/hardware/bt.py) rewrites the guest kernel's sensitive instructions into
callouts before they run, so it does not depend on their trapping; the H extension (``hw``)
runs the guest's kernel in virtual modes where the hardware itself virtualizes these
registers.  ``equivalence_runs()`` runs the guest under each, switch off and on.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine
from vlab.lab.cpuvirt.guest_exit import HTIF_EXIT
from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import new_figure, styled

GUEST = '''
.text
.globl _start
_start:
    li gp, 2
    la t0, handler
    csrw mtvec, t0
    csrr t1, mtvec
    bne t0, t1, fail
    li gp, 3
    li t0, 0x0800                  # mstatus.MPP = S
    csrs mstatus, t0
    csrr t1, mstatus
    and t1, t1, t0
    bne t1, t0, fail
    li a0, 1
    j write_tohost
''' + HTIF_EXIT
CHECKS = {0: 'equivalent: both reads return what was written',
          2: 'check 2 failed: mtvec read back is not what the guest wrote',
          3: 'check 3 failed: mstatus.MPP read back is not what the guest wrote'}
METHODS = ('bare', 'trap-emulate', 'bt', 'hw')
RAM = 1 << 20


@dataclass(frozen=True)
class EquivalenceRun:
    method: str
    switch: bool
    exit_code: int
    exits: int

    @property
    def verdict(self) -> str:
        return CHECKS.get(self.exit_code, f'exit code {self.exit_code}')


def run_guest(method: str, switch: bool) -> EquivalenceRun:
    """The guest on the bare machine or under ``method``, with the switch on or off."""
    image = load_elf(assemble(GUEST, filename='equivalence.s').to_elf())
    if method == 'bare':
        machine = Machine(ram_size=RAM)
        machine.load_elf(image)
        result, exits = machine.run(max_instructions=10_000), 0
    elif method in METHODS:
        vm = VirtualMachine(image, cpu=method, guest_ram=RAM, non_virtualizable=switch)
        result, exits = vm.run(max_instructions=10_000), sum(vm.exits.values())
    else:
        raise ValueError(f'unknown method {method!r}; choose one of {", ".join(METHODS)}')
    if result.status != 'exit':
        raise RuntimeError(f'the guest did not exit under {method}: {result.message}')
    return EquivalenceRun(method, switch, result.exit_code, exits)


def equivalence_runs(switch: bool) -> list[EquivalenceRun]:
    """The guest under every method (the bare machine has no switch: it is the reference)."""
    return [run_guest(method, switch and method != 'bare') for method in METHODS]


def equivalence_rows(runs: list[EquivalenceRun]) -> list[tuple]:
    return [(r.method, 'on' if r.switch else 'off', r.exit_code, r.exits, r.verdict)
            for r in runs]


EQUIVALENCE_HEADER = ('method', 'switch', 'exit code', 'VM exits', 'verdict')


EQUIVALENT, BROKEN = '#55a868', '#c44e52'


@styled
def plot_equivalence(runs: list[EquivalenceRun]):
    """One bar per method: green when the guest saw what real hardware shows, red if not."""
    fig, ax = new_figure('column')
    names = [r.method for r in runs][::-1]
    for y, r in enumerate(runs[::-1]):
        ax.barh(y, 1, color=EQUIVALENT if r.exit_code == 0 else BROKEN)
        ax.text(0.02, y, f'{r.verdict}  ({r.exits} VM exits)', va='center', color='white',
                fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.set_xticks([])
    ax.set_xlim(0, 1)
    switch = 'on' if any(r.switch for r in runs) else 'off'
    ax.set_title(f'Same guest, same answers? (non-virtualizable switch {switch})')
    return fig


def describe_equivalence(runs: list[EquivalenceRun]) -> str:
    broken = [r.method for r in runs if r.exit_code != 0]
    if not broken:
        return 'Every method gives the guest the answers of the bare machine: equivalence holds.'
    return (f'Equivalence fails under {", ".join(broken)}: the guest read real state where '
            'it expected its own; the other methods still match the bare machine.')


def equivalence_explorer(switch: bool = False) -> Experiment:
    return Experiment(equivalence_runs, plot_equivalence,
                      {'switch': toggle('non-virtualizable switch', [False, True], switch)},
                      describe=describe_equivalence)
