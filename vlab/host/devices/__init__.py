"""Devices of the modeled host, each with ``load(offset, size)`` and
``store(offset, size, value)`` as the :class:`~vlab.host.bus.Bus` calls them.

- :class:`UART16550` — serial console (PC16550D register subset)
- :class:`CLINT` — machine timer and software interrupts (SiFive layout)
- :class:`BlockDevice` — sector disk with DMA through the bus
- :class:`HTIF` — Spike's tohost/fromhost protocol (lives in RAM, polled)

A device reports a bad register access by raising
:class:`~vlab.host.memory.AccessFault` with its *offset*; the bus re-raises it
with the absolute address. That is a guest event (an access-fault trap), not
a crash.
"""

from .block import BlockDevice
from .clint import CLINT
from .htif import HTIF
from .uart16550 import UART16550

__all__ = ["BlockDevice", "CLINT", "HTIF", "UART16550"]
