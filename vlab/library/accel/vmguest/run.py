"""Boot a bare-metal accelerator program as a VM with the remoted accelerator attached.

``accel_device(client, backend)`` is the factory ``VirtualMachine(extra_devices=...)``
takes (vlab/hardware/io/attach.py, ``attach_virtio_device``): it builds the
``VirtioAccel`` device type (vlab/library/accel/virtio_accel.py) on ``backend`` -- by
default a fresh Backend on an Accelerator charging the VM's ledger -- for the tenant
``client``, the VM's name fixed by the VMM.  Several VMs given one Backend share one
device, each a separate tenant.

``AccelVmRun.summary()`` is what ``vlab vm run --accel remote --stats`` prints: the
calls, the VM exits per call (the QueueNotify store of each call, plus the driver's
start-up register accesses spread over them), the bytes that crossed, and the modeled
time split into the accelerator's own work and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from vlab.hardware.vm import VirtualMachine

from ..backend import Backend
from ..device import Accelerator
from ..virtio_accel import VirtioAccel

ACCEL_ROWS = ("accel_launch", "accel_flop", "accel_copy_setup", "accel_copy_byte")
DEVICE_NAME = "virtio-accel"


def accel_device(client: str = "vm0", backend: Backend | None = None):
    """A factory (ledger, dma) -> VirtioAccel serving ``client`` on ``backend``."""
    def make(ledger, dma):
        served = backend if backend is not None else Backend(Accelerator(ledger=ledger))
        return VirtioAccel(served, client)
    return make


def attach_args(client: str = "vm0", backend: Backend | None = None) -> list:
    """``extra_devices`` for VirtualMachine: the accelerator at the first extra slot."""
    return [(DEVICE_NAME, accel_device(client, backend))]


@dataclass
class AccelVmRun:
    """A finished VM run with the accelerator: the VM, its result and the channel."""

    vm: VirtualMachine
    result: object
    transport: object          # the VirtioMmio of the accelerator

    @property
    def device(self) -> VirtioAccel:
        return self.transport.backend

    @property
    def console(self) -> bytes:
        return self.vm.console

    def summary(self) -> str:
        return describe_accel(self.vm, self.transport)


def describe_accel(vm, transport) -> str:
    """The accelerator part of ``--stats``: calls, exits per call, modeled time."""
    device, ledger = transport.backend, vm.ledger
    calls, exits = device.calls, sum(vm.exits.values())
    price = ledger.costs.cycles_of
    accel = sum(ledger.counts.get(row, 0) * price(row) for row in ACCEL_ROWS)
    total = ledger.total_cycles
    lines = [f"remoted accelerator (virtio-accel, tenant {device.client!r}): {calls} "
             f"calls, {transport.notifications} queue notifications",
             f"  VM exits: {exits} in all, {exits / calls:.2f} per call" if calls else
             f"  VM exits: {exits} in all, no accelerator call"]
    at_device = device_exits(vm, transport)
    if at_device is not None:
        lines.append(f"  at the device's registers: {at_device} exits = "
                     f"{transport.notifications} QueueNotify (one per call) + "
                     f"{at_device - transport.notifications} of the driver's start-up")
    if device.ops:
        lines.append("  calls: " + ", ".join(f"{name} {count}" for name, count
                                            in sorted(device.ops.items())))
    if calls:
        kick = transport.notifications * price("vm_exit")
        lines.append(f"  per call: {transport.notifications / calls:.0f} exit for its kick "
                     f"({kick / calls:,.0f} cycles), the accelerator's work "
                     f"{accel / calls:,.0f} cycles on average")
    lines.append(f"  modeled time: {total:,.0f} cycles, of which the accelerator's own "
                 f"work {accel:,.0f} ({100 * accel / total if total else 0:.1f}%), the "
                 "rest the guest, the exits and the copies")
    if transport.error:
        lines.append(f"  device stopped (DEVICE_NEEDS_RESET): {transport.error}")
    return "\n".join(lines)


def device_exits(vm, transport) -> int | None:
    """VM exits whose faulting address is on the device's register page (the VMM's exit
    log, ``VirtualMachine(log_exits=True)``), or None without a log."""
    log = getattr(vm.vmm, "log", None)
    region = next((r for r in vm.machine.bus.regions if r.target is transport), None)
    if log is None or region is None:
        return None
    return sum(1 for record in log if region.base <= record.tval < region.base + region.size)


def run_in_vm(guest, client: str = "vm0", backend: Backend | None = None,
              max_instructions: int = 20_000_000, engine: str = "interp") -> AccelVmRun:
    """Run the bare-metal ``guest`` (an ELF path or image) under ``--cpu hw`` with the
    remoted accelerator; raises VmError for a guest that cannot be booted."""
    vm = VirtualMachine(guest, cpu="hw", engine=engine, log_exits=True,
                        extra_devices=attach_args(client, backend))
    result = vm.run(max_instructions=max_instructions)
    return AccelVmRun(vm, result, vm.extra_devices[0])


__all__ = ["ACCEL_ROWS", "AccelVmRun", "accel_device", "attach_args", "describe_accel",
           "device_exits", "run_in_vm"]
