"""Chapter 6's suspend experiment: stop a guest at instruction k, look at its snapshot,
resume it on another modeled host.

The model runs the chapter's guest (vlab/lab/lifecycle/workload.py, the 'light' rate,
shortened) under the trap-and-emulate VMM, suspends it after ``at`` instructions, writes
the snapshot file (vlab/hardware/lifecycle/snapshot_file.py) and reads its section table:
how many bytes each part of the VM takes raw and stored (zlib).  It then resumes the file
on a fresh host and checks that console, exit status and instruction count equal the run
that never stopped.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.lifecycle.guests import dirtying_guest
from vlab.hardware.lifecycle.snapshot_file import from_bytes, section_sizes, to_bytes
from vlab.hardware.lifecycle.vmstate import capture, restore
from vlab.hardware.vm import VirtualMachine
from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

from .workload import guest_ram, knobs

SUSPEND_POINTS = (1_000, 150_000, 400_000, 650_000)
ITERS = 40


@dataclass(frozen=True)
class Suspension:
    at: int
    sizes: dict            # section -> (raw bytes, stored bytes)
    file_bytes: int
    pages: int
    guest_pages: int
    before: str            # console output before the suspension
    after: str             # what the resumed guest printed
    same: bool             # resumed == never stopped (console, status, instructions)
    instructions: int


def _vm() -> VirtualMachine:
    return VirtualMachine(dirtying_guest(**knobs('light', ITERS)), guest_ram=guest_ram())


def _outcome(vm) -> tuple:
    result = vm.run(max_instructions=10**8)
    return result.status, result.exit_code, vm.console, vm.machine.hart.instret


@functools.cache
def suspend_demo(at: int = 150_000) -> Suspension:
    """Model: suspend at instruction ``at``, read the snapshot, resume it elsewhere."""
    reference = _outcome(_vm())
    vm = _vm()
    vm.run(max_instructions=at)
    before = vm.console.decode()
    data = to_bytes(capture(vm, 'interp'))
    state = from_bytes(data)
    resumed = restore(state)
    got = _outcome(resumed)
    return Suspension(at, section_sizes(data), len(data), len(state.pages),
                      state.config.guest_ram // 4096, before,
                      got[2].decode()[len(before):], got == reference, got[3])


@styled
def plot_sizes(s: Suspension) -> Figure:
    """Plot: each part of the snapshot, raw and as stored (log scale)."""
    fig, ax = new_figure('column_low')
    names = list(s.sizes)
    raw = [s.sizes[n][0] for n in names]
    stored = [s.sizes[n][1] for n in names]
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], raw, height=0.4, color=LEVEL_COLORS['isa'], label='raw')
    ax.barh([i - 0.2 for i in y], stored, height=0.4, color=LEVEL_COLORS['hardware'],
            label='stored (zlib)')
    ax.set_yticks(list(y), names)
    ax.set_xscale('log')
    ax.set_xlabel('bytes (log scale)')
    ax.legend(fontsize=9, loc='lower right')
    ax.set_title(f'Snapshot at instruction {s.at:,}: {s.file_bytes:,} bytes on disk')
    return fig


def describe_sizes(s: Suspension) -> str:
    return (f'Before the suspension the guest printed {s.before!r}; resumed on a fresh '
            f'host it printed {s.after!r} and ended after {s.instructions:,} instructions, '
            f'{"exactly as" if s.same else "NOT as"} the run that never stopped. The file '
            f'holds {s.pages} of the {s.guest_pages} guest pages (the others are zero).')


def suspend_experiment() -> Experiment:
    return Experiment(suspend_demo, plot_sizes,
                      {'at': stepped_slider('suspend at instruction', SUSPEND_POINTS,
                                            150_000)},
                      describe=describe_sizes)


__all__ = ['Suspension', 'describe_sizes', 'plot_sizes', 'suspend_demo',
           'suspend_experiment']
