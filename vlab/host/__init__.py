"""The modeled physical machine: memory, bus, devices, cost model and ledger.

Everything in vlab runs on this one host, so every level reports its work on
the same scale (cycles in one ledger). Start with :class:`Platform`, which
assembles the rest on QEMU ``virt``'s memory map::

    from vlab.host import Platform
    host = Platform(ram_size=1 << 20)
    host.bus.store(0x1000_0000, 1, ord("A"))   # a byte to the UART
    host.uart.output                            # b'A'
    print(host.ledger.table())                  # one device_access, priced

Modules (one concept each):

- :mod:`.memory`   ``PhysicalMemory`` (little-endian RAM) and ``AccessFault``
- :mod:`.bus`      ``Bus``: the memory map, routing, write listeners
- :mod:`.devices`  ``UART16550``, ``CLINT``, ``BlockDevice``, ``HTIF``
- :mod:`.costs`    ``CostModel``: the cited table of cycles per event
- :mod:`.ledger`   ``Ledger``: counts x prices, snapshots, table, plot
- :mod:`.platform` ``Platform``: all of the above on one memory map
"""

from .bus import Bus, Region
from .costs import DEFAULT_COSTS, Cost, CostModel
from .devices import CLINT, HTIF, UART16550, BlockDevice
from .ledger import Ledger, LedgerSnapshot
from .memory import AccessFault, PhysicalMemory
from .platform import (
    BLOCK_BASE,
    CLINT_BASE,
    RAM_BASE,
    UART_BASE,
    Platform,
    PlatformState,
)

__all__ = [
    "AccessFault", "BLOCK_BASE", "BlockDevice", "Bus", "CLINT", "CLINT_BASE", "Cost",
    "CostModel", "DEFAULT_COSTS", "HTIF", "Ledger", "LedgerSnapshot", "PhysicalMemory",
    "Platform", "PlatformState", "RAM_BASE", "Region", "UART16550", "UART_BASE",
]
