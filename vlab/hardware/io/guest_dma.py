"""The VMM's access to a guest's memory on behalf of a device back end.

A device model in the VMM (an emulated disk, a virtio back end) moves data to and from
the buffers a guest driver names by *guest-physical* address.  Before it touches a byte
it must check that the guest owns it: a guest could name the VMM's own memory (its
page tables live just above guest RAM, vlab/hardware/guest_memory.py) or another
device, and a back end that copied blindly would let it write there -- the classic
device-emulation escape (e.g. VENOM, CVE-2015-3456, was an overflow in QEMU's floppy
model).  ``GuestDma`` is that check, written once: every back end in this package
reads and writes guest memory only through it.

It also presents the little bus interface a DMA engine uses (``is_ram``,
``read_bytes``, ``write_bytes``, ``regions_near``, ``ledger``: what
vlab/host/devices/block.py calls on its bus), so the host's block-device model can run
unchanged as a VMM-emulated disk whose DMA is checked against guest RAM
(vlab/hardware/io/emulated_disk.py).

The map is the identity (guest-physical = host-physical inside guest RAM, the
simplification of vlab/hardware/guest_memory.py), so a checked address is used as is.
"""
from __future__ import annotations


class DmaFault(Exception):
    """A back end was asked to touch memory the guest does not own (its message says
    which bytes and why); the device reports it to the guest, never as a traceback."""


class GuestDma:
    """Checked access to the RAM of one guest (``memory``: a GuestMemory)."""

    def __init__(self, memory, ledger=None):
        self.memory, self.bus = memory, memory.bus
        self.ledger = ledger if ledger is not None else memory.bus.ledger

    # ---- the checked interface the back ends use
    def check(self, gpa: int, n: int, what: str) -> None:
        if n < 0 or not self.memory.is_ram(gpa, max(n, 1)):
            raise DmaFault(f'{what} [{gpa:#010x}, {gpa + n:#010x}) is not in guest RAM '
                           f'[{self.memory.base:#010x}, '
                           f'{self.memory.base + self.memory.size:#010x})')

    def read(self, gpa: int, n: int, what: str = 'buffer') -> bytes:
        self.check(gpa, n, what)
        return self.bus.read_bytes(gpa, n)

    def write(self, gpa: int, data: bytes, what: str = 'buffer') -> None:
        self.check(gpa, len(data), what)
        self.bus.write_bytes(gpa, data)

    def u16(self, gpa: int, what: str = 'ring field') -> int:
        return int.from_bytes(self.read(gpa, 2, what), 'little')

    def put_u16(self, gpa: int, value: int, what: str = 'ring field') -> None:
        self.write(gpa, (value & 0xFFFF).to_bytes(2, 'little'), what)

    # ---- the bus interface of a DMA engine (vlab/host/devices/block.py)
    def is_ram(self, gpa: int, n: int = 1) -> bool:
        return n >= 0 and self.memory.is_ram(gpa, max(n, 1))

    def read_bytes(self, gpa: int, n: int) -> bytes:
        return self.read(gpa, n)

    def write_bytes(self, gpa: int, data: bytes) -> None:
        self.write(gpa, data)

    def regions_near(self, gpa: int) -> str:
        return (f'guest RAM is [{self.memory.base:#010x}, '
                f'{self.memory.base + self.memory.size:#010x}); the VMM refuses the rest')


__all__ = ['DmaFault', 'GuestDma']
