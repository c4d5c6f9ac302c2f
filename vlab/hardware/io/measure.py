"""Measuring an I/O method: run the guest's job in a VM and count what it cost.

``run_job(method, job)`` boots a VM (``cpu='hw'``, ``io=method``), gives the guest of
vlab/hardware/io/guest_program.py its job, runs it and returns an ``IoRun``: the VM
exits by reason, the ledger's cycles, the guest's result and console.  ``per_unit``
measures the *marginal* cost of one KiB or one console line: the difference between a
job of ``n`` units and the same job of none (which still boots, sets up virtqueues and
exits), divided by ``n`` -- so start-up is not counted against the method.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.hardware.vm import VirtualMachine

from .guest_program import MIN_GUEST_RAM, Job, give_job, guest_image, result_of

MAX_INSTRUCTIONS = 20_000_000


class IoRunError(RuntimeError):
    """The guest did not finish its job (its exit status says which check failed)."""


@dataclass(frozen=True)
class IoRun:
    method: str
    job: Job
    exits: dict
    cycles: float
    instructions: int
    result: int
    console: bytes
    ledger_counts: dict

    @property
    def total_exits(self) -> int:
        return sum(self.exits.values())


def boot(method: str, guest_ram: int = MIN_GUEST_RAM, costs=None) -> VirtualMachine:
    return VirtualMachine(guest_image(), cpu='hw', io=method, guest_ram=guest_ram,
                          costs=costs)


def run_job(method: str, job: Job, vm: VirtualMachine | None = None,
            max_instructions: int = MAX_INSTRUCTIONS) -> IoRun:
    """Run ``job`` in a fresh VM with I/O ``method`` (or in ``vm``, already booted)."""
    vm = vm if vm is not None else boot(method)
    give_job(vm, method, job)
    result = vm.run(max_instructions=max_instructions)
    if result.status != 'exit' or result.exit_code != 0:
        raise IoRunError(f'{method} {job.op} x{job.count}: the guest stopped with '
                         f'{result.status} {result.exit_code} ({result.message})')
    ledger = vm.ledger
    return IoRun(method, job, dict(vm.exits), ledger.total_cycles, vm.machine.hart.instret,
                 result_of(vm), vm.console, dict(ledger.counts))


@dataclass(frozen=True)
class PerUnit:
    """The marginal cost of one unit (a KiB, a console line) of a job."""

    method: str
    op: str
    units: int
    exits: float
    cycles: float


def per_unit(method: str, op: str, units: int, batch: int = 8, costs=None) -> PerUnit:
    """The I/O alone: the guest neither fills nor sums the data (``check=False``)."""
    base = run_job(method, Job(op, 0, batch, check=False), boot(method, costs=costs))
    full = run_job(method, Job(op, units, batch, check=False), boot(method, costs=costs))
    return PerUnit(method, op, units, (full.total_exits - base.total_exits) / units,
                   (full.cycles - base.cycles) / units)


def network_per_kib(method: str, frames: int, batch: int = 8, payload: int = 1024,
                    costs=None) -> PerUnit:
    """The sender's marginal cost per KiB of payload sent to a second VM through the host
    bridge (vlab/hardware/io/bridge.py) by I/O ``method``, link time included."""
    from .attach import connect_network
    from .bridge import Bridge

    def send(count):
        bridge = Bridge()
        sender, receiver = boot(method, costs=costs), boot(method, costs=costs)
        connect_network(sender, bridge, 1)
        connect_network(receiver, bridge, 2)
        return run_job(method, Job('send', count, batch, size=payload, peer=2), sender)

    base, full = send(0), send(frames)
    kib = frames * payload / 1024
    return PerUnit(method, 'send', frames, (full.total_exits - base.total_exits) / kib,
                   (full.cycles - base.cycles) / kib)


__all__ = ['IoRun', 'IoRunError', 'PerUnit', 'boot', 'network_per_kib', 'per_unit', 'run_job']
