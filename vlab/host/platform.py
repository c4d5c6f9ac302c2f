"""The platform: one modeled host, assembled on a fixed memory map.

The map copies QEMU's RISC-V ``virt`` board (hw/riscv/virt.c), so programs
and addresses students meet elsewhere mean the same thing here:

==============  ============  ===========  ==================================
device          base          size         model
==============  ============  ===========  ==================================
CLINT           0x0200_0000   0x1_0000     :class:`~.devices.CLINT`
UART16550       0x1000_0000   0x100        :class:`~.devices.UART16550`
block device    0x1000_1000   0x1000       :class:`~.devices.BlockDevice`
RAM             0x8000_0000   ram_size     :class:`~.memory.PhysicalMemory`
==============  ============  ===========  ==================================

(QEMU puts a virtio-mmio disk at 0x1000_1000; ours has the simpler register
file documented in :mod:`vlab.host.devices.block`.) The HTIF words live in
RAM wherever the ELF put the ``tohost`` symbol; the loader calls
:meth:`Platform.attach_htif` with that address.

One :class:`~.ledger.Ledger` priced by one :class:`~.costs.CostModel`
records the work of everything running on this host.

``save_state()`` / ``restore_state()`` capture the *machine*: RAM contents and
every device's registers and buffers (see :mod:`.devices.state`). The ledger
is the observer, not the machine, and is not part of it. Restoring RAM keeps
the same ``ram.data`` object (a CPU may hold it) and tells the bus's write
listeners that all of RAM changed, so cached translations are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .bus import Bus
from .costs import CostModel
from .devices import CLINT, HTIF, UART16550, BlockDevice
from .devices.state import restore_state, save_state
from .ledger import Ledger
from .memory import DEFAULT_RAM_BASE, DEFAULT_RAM_SIZE, PhysicalMemory

CLINT_BASE, CLINT_SIZE = 0x0200_0000, 0x1_0000
UART_BASE, UART_SIZE = 0x1000_0000, 0x100
BLOCK_BASE, BLOCK_SIZE = 0x1000_1000, 0x1000
RAM_BASE = DEFAULT_RAM_BASE


DEVICE_NAMES = ("clint", "uart", "block")


@dataclass(frozen=True)
class PlatformState:
    """A saved machine: RAM bytes, device states, HTIF addresses and state."""

    ram: bytes
    devices: tuple[tuple[str, dict], ...]
    htif: tuple[int, int | None, dict] | None


class Platform:
    """RAM + bus + UART + CLINT + block device + ledger on the ``virt`` map."""

    def __init__(self, ram_size: int = DEFAULT_RAM_SIZE, costs: CostModel | None = None,
                 disk_sectors: int = 2048, disk_image: bytes | None = None):
        self.costs = costs if costs is not None else CostModel.default()
        self.ledger = Ledger(self.costs)
        self.ram = PhysicalMemory(ram_size, RAM_BASE)
        self.bus = Bus(ledger=self.ledger)
        self.bus.attach_ram(self.ram)
        self.clint = CLINT()
        self.uart = UART16550()
        self.block = BlockDevice(self.bus, sectors=disk_sectors, image=disk_image)
        self.bus.attach(self.clint, CLINT_BASE, CLINT_SIZE, "clint")
        self.bus.attach(self.uart, UART_BASE, UART_SIZE, "uart")
        self.bus.attach(self.block, BLOCK_BASE, BLOCK_SIZE, "block")
        self.htif: HTIF | None = None

    def attach_htif(self, tohost_addr: int, fromhost_addr: int | None = None) -> HTIF:
        """Start serving Spike's HTIF at the ELF's ``tohost`` (and ``fromhost``)."""
        self.htif = HTIF(self.bus, tohost_addr, fromhost_addr)
        return self.htif

    def console_output(self) -> bytes:
        """Everything the guest printed: UART output, then HTIF console output."""
        htif = self.htif.console if self.htif is not None else b""
        return self.uart.output + htif

    def save_state(self) -> PlatformState:
        """Snapshot RAM and every device (not the ledger)."""
        htif = None
        if self.htif is not None:
            htif = (self.htif.tohost_addr, self.htif.fromhost_addr, save_state(self.htif))
        return PlatformState(bytes(self.ram.data),
                             tuple((n, save_state(getattr(self, n))) for n in DEVICE_NAMES),
                             htif)

    def restore_state(self, state: PlatformState) -> None:
        """Put the machine back exactly as ``save_state`` found it."""
        if len(state.ram) != self.ram.size:
            raise ValueError(f"saved RAM is {len(state.ram)} bytes but this platform has "
                             f"{self.ram.size}; restore into a Platform of the same ram_size")
        self.ram.data[:] = state.ram
        for name, device_state in state.devices:
            restore_state(getattr(self, name), device_state)
        if state.htif is None:
            self.htif = None
        else:
            tohost, fromhost, htif_state = state.htif
            if self.htif is None or (self.htif.tohost_addr, self.htif.fromhost_addr) != (
                    tohost, fromhost):
                self.attach_htif(tohost, fromhost)
            restore_state(self.htif, htif_state)
        for listener in self.bus.write_listeners:
            listener(self.ram.base, self.ram.size)

    def __repr__(self) -> str:
        return f"<Platform RAM {self.ram.size // 1024} KiB, {self.ledger!r}>"
