"""The VMM's own driver of the physical disk: where an emulated or paravirtual request ends.

A device model in the VMM does not conjure data: after it has checked a guest's request
it issues the request to the real disk with the host's driver -- in a KVM setup the
QEMU back end's read/write on the image, whose host kernel driver programs the
controller.  Here that driver is the same five register accesses a native driver makes
on the host's block device (vlab/host/devices/block.py): SECTOR, DMA_ADDR, COUNT,
COMMAND, then STATUS, each a ``device_access`` on the bus, and the controller's DMA
straight into the guest's buffer (guest-physical = host-physical inside guest RAM,
vlab/hardware/guest_memory.py; the caller has checked the buffer is the guest's).

So every method pays for the physical device once; what differs is what the guest's
side costs on top (exits per register, one exit per batch, or nothing).
"""
from __future__ import annotations

from vlab.host.devices.block import COMMAND, COUNT, DMA_ADDR, SECTOR, STATUS
from vlab.host.platform import BLOCK_BASE


def host_disk_command(bus, command: int, sector: int, addr: int, count: int) -> int:
    """Program the host's disk for one transfer; returns its STATUS (0 = OK)."""
    bus.store(BLOCK_BASE + SECTOR, 4, sector)
    bus.store(BLOCK_BASE + DMA_ADDR, 4, addr)
    bus.store(BLOCK_BASE + COUNT, 4, count)
    bus.store(BLOCK_BASE + COMMAND, 4, command)
    return bus.load(BLOCK_BASE + STATUS, 4)


__all__ = ['host_disk_command']
