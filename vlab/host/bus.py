"""The system bus: routes each physical address to RAM or to a device.

Like the interconnect of a real SoC (and QEMU's ``virt`` board, whose memory
map we copy, see :mod:`vlab.host.platform`), the bus owns a *memory map*: a
list of non-overlapping regions ``[base, base + size)``. A load or store is
sent to the one region that contains it; a device sees only the offset inside
its own region. An address that no region contains, or an access that
straddles the end of a region, raises :class:`~vlab.host.memory.AccessFault`
whose reason names the nearest mapped regions.

Three hooks make the bus useful to the levels above:

- ``watch``: the write-watch service of its RAM (:mod:`vlab.host.watch`):
  watches on physical pages with a reason (translated code, a write-protected
  guest page table, a device mailbox) and dirty-page logging. Every RAM write
  through the bus reaches it (it is the first write listener); a CPU's own
  stores reach it from the CPU's slow path.
- ``write_listeners``: callables ``(addr, size)`` called after every RAM write
  that goes through the bus (``store``, ``write_bytes``, and therefore device
  DMA). Writes a CPU makes directly into ``ram.data`` (its fast path) do not
  call them: the CPU reports those to ``watch`` itself.
- ``ledger``: when set, every *device register* access is charged as the
  ``device_access`` event. RAM accesses are not charged here: the agent that
  makes them (the CPU) counts ``mem_read``/``mem_write`` itself, in bulk.

Bulk transfers (``read_bytes``/``write_bytes``: loaders and DMA) must lie
entirely in RAM; DMA into device registers is not modeled. Device regions are
not executable: ``load(addr, 4, access="fetch")`` outside RAM faults, as the
physical-memory attributes of I/O regions say on real RISC-V platforms
(privileged spec §3.6, "Physical Memory Attributes").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .memory import VALID_SIZES, AccessFault, PhysicalMemory
from .watch import WriteWatch

_SIZES = frozenset(VALID_SIZES)
_MASKS = {size: (1 << (8 * size)) - 1 for size in VALID_SIZES}


@dataclass(frozen=True)
class Region:
    """One entry of the memory map."""

    name: str
    base: int
    size: int
    target: Any  # a PhysicalMemory or a device with load(offset, size)/store(offset, size, value)

    @property
    def end(self) -> int:
        return self.base + self.size

    def __str__(self) -> str:
        return f"{self.name} {self.base:#010x}..{self.end - 1:#010x}"


class Bus:
    """Physical address space: RAM plus memory-mapped devices."""

    def __init__(self, ledger=None):
        self.ram: PhysicalMemory | None = None
        self.regions: list[Region] = []  # kept sorted by base address
        self._devices: tuple[Region, ...] = ()
        self.write_listeners: list = []
        self.watch: WriteWatch | None = None
        self.ledger = ledger

    # -- building the memory map -------------------------------------------

    def attach_ram(self, mem: PhysicalMemory) -> None:
        """Map ``mem`` at ``mem.base`` (only one RAM per bus)."""
        if self.ram is not None:
            raise ValueError(f"the bus already has RAM ({self.ram!r})")
        self._add(Region("ram", mem.base, mem.size, mem))
        self.ram = mem
        self.watch = WriteWatch(mem.base, mem.size)
        self.write_listeners.insert(0, self.watch.bus_written)

    def attach(self, device, base: int, size: int, name: str) -> None:
        """Map ``device`` at ``[base, base + size)``; it will see offsets from 0."""
        for method in ("load", "store"):
            if not callable(getattr(device, method, None)):
                raise TypeError(f"device {name!r} has no {method}(offset, size...) method")
        self._add(Region(name, base, size, device))

    def _add(self, region: Region) -> None:
        if region.size <= 0:
            raise ValueError(f"region {region.name!r} must have a positive size")
        for other in self.regions:
            if region.base < other.end and other.base < region.end:
                raise ValueError(f"region {region} overlaps {other}")
            if region.name == other.name:
                raise ValueError(f"a region named {region.name!r} is already mapped")
        self.regions = sorted(self.regions + [region], key=lambda r: r.base)
        self._devices = tuple(r for r in self.regions
                              if not isinstance(r.target, PhysicalMemory))

    def region_of(self, addr: int) -> Region | None:
        """The region containing ``addr``, or None."""
        for region in self.regions:
            if region.base <= addr < region.end:
                return region
        return None

    def device(self, name: str):
        """The device mapped under ``name``."""
        for region in self.regions:
            if region.name == name:
                return region.target
        raise KeyError(f"no region named {name!r}; mapped: {[r.name for r in self.regions]}")

    def memory_map(self) -> str:
        """The memory map as a small text table."""
        lines = [f"{'region':<8} {'base':>10}  {'last':>10}  {'size':>10}"]
        for r in self.regions:
            lines.append(f"{r.name:<8} {r.base:#010x}  {r.end - 1:#010x}  {r.size:#10x}")
        return "\n".join(lines)

    # -- word access -------------------------------------------------------

    def load(self, addr: int, size: int, access: str = "load") -> int:
        """Read ``size`` bytes at ``addr`` from RAM or a device register."""
        ram = self.ram
        if ram is not None and size in _SIZES:
            off = addr - ram.base
            if 0 <= off and off + size <= ram.size:  # RAM: the common case, inlined
                return int.from_bytes(ram.data[off:off + size], "little")
        region = self._device_for(addr, size, access)
        return self._device_call(region, addr, size, access, None)

    def store(self, addr: int, size: int, value: int) -> None:
        """Write the low ``size`` bytes of ``value`` at ``addr``."""
        ram = self.ram
        if ram is not None and size in _SIZES:
            off = addr - ram.base
            if 0 <= off and off + size <= ram.size:
                ram.data[off:off + size] = (value & _MASKS[size]).to_bytes(size, "little")
                for listener in self.write_listeners:
                    listener(addr, size)
                return
        region = self._device_for(addr, size, "store")
        self._device_call(region, addr, size, "store", value)

    def _device_for(self, addr: int, size: int, access: str) -> Region:
        if size not in VALID_SIZES:
            raise AccessFault(addr, size, access, f"access size must be one of {VALID_SIZES}")
        for region in self._devices:
            if region.base <= addr < region.end:
                if addr + size > region.end:
                    raise AccessFault(addr, size, access, f"access runs past the end of {region}")
                if access == "fetch":
                    raise AccessFault(addr, size, access,
                                      f"instruction fetch from {region}: device regions "
                                      "are not executable (a physical-memory attribute)")
                return region
        raise AccessFault(addr, size, access, self._unmapped_reason(addr, size))

    def _device_call(self, region: Region, addr: int, size: int, access: str, value):
        if self.ledger is not None:
            self.ledger.charge("device_access")
        offset = addr - region.base
        try:
            if value is None:
                return region.target.load(offset, size)
            return region.target.store(offset, size, value)
        except AccessFault as fault:  # devices report offsets; we report addresses
            raise AccessFault(addr, size, access, f"{region.name}: {fault.reason}") from None

    def _unmapped_reason(self, addr: int, size: int) -> str:
        if self.ram is not None and self.ram.base <= addr < self.ram.end:
            return f"access runs past the end of RAM ({self.regions_near(addr)})"
        return f"nothing is mapped there ({self.regions_near(addr)})"

    def regions_near(self, addr: int) -> str:
        """Describe the mapped regions just below and just above ``addr``."""
        below = [r for r in self.regions if r.base <= addr]
        above = [r for r in self.regions if r.base > addr]
        parts = []
        if below:
            parts.append(f"below: {below[-1]}")
        if above:
            parts.append(f"above: {above[0]}")
        return "; ".join(parts) if parts else "the bus has no regions mapped"

    # -- bulk access (ELF loading, DMA) ------------------------------------

    def read_bytes(self, addr: int, n: int) -> bytes:
        """Copy ``n`` bytes out of RAM (bulk reads of devices are not modeled)."""
        self._check_bulk(addr, n, "load")
        return self.ram.read_bytes(addr, n)

    def write_bytes(self, addr: int, data: bytes) -> None:
        """Copy ``data`` into RAM and tell the write listeners."""
        self._check_bulk(addr, len(data), "store")
        self.ram.write_bytes(addr, data)
        for listener in self.write_listeners:
            listener(addr, len(data))

    def is_ram(self, addr: int, n: int = 1) -> bool:
        """True when ``[addr, addr + n)`` is entirely RAM."""
        return self.ram is not None and self.ram.contains(addr, n)

    def _check_bulk(self, addr: int, n: int, access: str) -> None:
        if n < 0:
            raise ValueError(f"cannot transfer a negative number of bytes ({n})")
        if not self.is_ram(addr, n):
            raise AccessFault(addr, n, access,
                              "bulk transfers (loaders, DMA) must lie entirely in RAM "
                              f"({self.regions_near(addr)})")
