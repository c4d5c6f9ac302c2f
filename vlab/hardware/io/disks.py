"""Two ways to give a guest the host's register-programmed disk, with the same register
file (vlab/host/devices/block.py: SECTOR, DMA_ADDR, COUNT, COMMAND, STATUS ...), so the
guest's block driver is the same code under both:

* ``EmulatedDisk`` -- **full emulation**: a device model in the VMM.  Its page is not
  mapped in the guest's G-stage, so each register access the driver makes is an MMIO exit
  (vlab/hardware/mmio.py) and the VMM performs it on this model; the model's DMA checks
  every guest-physical buffer against guest RAM (vlab/hardware/io/guest_dma.py) before
  copying.  Sugerman et al. (USENIX ATC 2001) measured what this costs a hosted VMM.
* ``PassthroughDisk`` -- **direct assignment**: a real controller whose register page
  *is* mapped into the guest (no exit), whose DMA goes through the IOMMU with the
  device's context set up by the VMM (vlab/hardware/io/iommu.py).  A guest that aims the
  DMA outside its memory gets STATUS = DMA_FAULT, the IOMMU records a fault, and no byte
  moves.

Both are the host's ``BlockDevice`` with a different DMA port in place of the bus (the
model calls only ``is_ram``, ``read_bytes``, ``write_bytes``, ``regions_near`` and
``ledger`` on it); both share the disk's bytes with the host's disk (``image``), so every
I/O method of the course reads the same sectors.
"""
from __future__ import annotations

from vlab.host.devices.block import (
    CMD_READ,
    CMD_WRITE,
    SECTOR_SIZE,
    STATUS_OK,
    BlockDevice,
)
from vlab.isa.pagetable import LOAD, STORE

from .guest_dma import GuestDma
from .host_disk import host_disk_command


class EmulatedDisk(BlockDevice):
    """The VMM's model of the disk for one guest (``memory``: its GuestMemory): the
    register file is the model's; a command, once checked (sectors on the disk, buffer
    in guest RAM), is issued to the physical disk by the VMM's driver
    (vlab/hardware/io/host_disk.py)."""

    def __init__(self, memory, host_disk):
        super().__init__(GuestDma(memory), sectors=0)
        self.host_disk, self.host_bus = host_disk, memory.bus
        self.image = host_disk.image             # the same sectors (capacity, checks)

    def execute(self, command: int) -> int:
        if command not in (CMD_READ, CMD_WRITE):
            return super().execute(command)      # BAD_COMMAND, as the model says
        if self.sector + self.count > self.capacity or (
                self.count and not self.bus.is_ram(self.dma_addr, self.count * SECTOR_SIZE)):
            return super().execute(command)      # BAD_SECTOR / DMA_FAULT, nothing moves
        status = host_disk_command(self.host_bus, command, self.sector, self.dma_addr,
                                   self.count)
        self.status, self.last_error = status, self.host_disk.last_error
        self.completed += status == STATUS_OK
        return status


class PassthroughDisk(BlockDevice):
    """A DMA-capable disk controller assigned to one guest, DMA through ``port`` (an
    IommuDma)."""

    def __init__(self, port, image: bytearray):
        super().__init__(port, sectors=0)
        self.image = image

    def execute(self, command: int) -> int:
        """A READ moves disk -> memory: the device *writes* memory (and the reverse)."""
        self.bus.direction = STORE if command == CMD_READ else LOAD
        return super().execute(command)


__all__ = ['EmulatedDisk', 'PassthroughDisk']
