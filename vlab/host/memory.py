"""Physical memory: the RAM of the modeled host.

A real machine's DRAM is an array of bytes at a fixed range of physical
addresses; multi-byte values are stored little-endian on RISC-V (RISC-V
unprivileged spec, section 1.5 "Memory", and x86 alike). This module models
exactly that and nothing more: a ``bytearray`` placed at ``base``.

The model is *strict*: an access that is not entirely inside RAM raises
:class:`AccessFault` naming the address, the size, the kind of access and what
is mapped nearby. A CPU model turns that exception into the guest's
access-fault trap (privileged spec, mcause 1/5/7); it is never a Python crash
for the student.

Alignment is *not* checked here: whether a misaligned access is allowed is an
ISA decision (the CPU checks it before calling memory).

Fast path: ``.data`` is the raw ``bytearray``; an interpreter may index it
directly (``data[addr - base]``) for RAM addresses and must then do its own
bounds check and code-invalidation bookkeeping.
"""

from __future__ import annotations

DEFAULT_RAM_BASE = 0x8000_0000
DEFAULT_RAM_SIZE = 64 * 1024 * 1024
ACCESS_KINDS = ("load", "store", "fetch")
VALID_SIZES = (1, 2, 4, 8)


class AccessFault(Exception):
    """A physical access that no RAM or device accepts.

    Attributes: ``addr`` (int), ``size`` (bytes), ``access`` ('load', 'store'
    or 'fetch') and ``reason`` (a sentence a student can act on).
    """

    def __init__(self, addr: int, size: int, access: str, reason: str):
        self.addr = addr
        self.size = size
        self.access = access
        self.reason = reason
        super().__init__(f"{access} of {size} byte(s) at {addr:#010x}: {reason}")


class PhysicalMemory:
    """``size`` bytes of little-endian RAM starting at physical address ``base``."""

    def __init__(self, size: int = DEFAULT_RAM_SIZE, base: int = DEFAULT_RAM_BASE):
        if size <= 0:
            raise ValueError(f"RAM size must be positive, got {size}")
        if base < 0:
            raise ValueError(f"RAM base must be non-negative, got {base:#x}")
        self.base = base
        self.size = size
        self.end = base + size  # one past the last byte
        self.data = bytearray(size)

    def __repr__(self) -> str:
        return f"PhysicalMemory({self.size:#x} bytes at {self.base:#010x}..{self.end - 1:#010x})"

    def contains(self, addr: int, size: int = 1) -> bool:
        """True when ``[addr, addr + size)`` lies entirely inside RAM."""
        return self.base <= addr and addr + size <= self.end

    def offset_of(self, addr: int, size: int, access: str) -> int:
        """Index into ``data`` for an access, or raise :class:`AccessFault`."""
        if self.base <= addr and addr + size <= self.end:
            return addr - self.base
        raise AccessFault(addr, size, access, self._outside_reason(addr, size))

    def _outside_reason(self, addr: int, size: int) -> str:
        where = f"RAM is {self.base:#010x}..{self.end - 1:#010x}"
        if self.base <= addr < self.end:
            return f"access runs past the end of RAM ({where})"
        return f"address is outside RAM ({where})"

    # -- word access -------------------------------------------------------

    def load(self, addr: int, size: int, access: str = "load") -> int:
        """Read an unsigned little-endian value of ``size`` (1, 2, 4 or 8) bytes."""
        _check_size(size, addr, access)
        off = self.offset_of(addr, size, access)
        return int.from_bytes(self.data[off:off + size], "little")

    def store(self, addr: int, size: int, value: int) -> None:
        """Write the low ``size`` bytes of ``value`` little-endian."""
        _check_size(size, addr, "store")
        off = self.offset_of(addr, size, "store")
        mask = (1 << (8 * size)) - 1
        self.data[off:off + size] = (value & mask).to_bytes(size, "little")

    # -- bulk access (loaders, DMA) ----------------------------------------

    def read_bytes(self, addr: int, n: int) -> bytes:
        """Copy ``n`` bytes out of RAM starting at ``addr``."""
        if n < 0:
            raise ValueError(f"cannot read a negative number of bytes ({n})")
        off = self.offset_of(addr, n, "load")
        return bytes(self.data[off:off + n])

    def write_bytes(self, addr: int, data: bytes) -> None:
        """Copy ``data`` into RAM starting at ``addr``."""
        off = self.offset_of(addr, len(data), "store")
        self.data[off:off + len(data)] = data

    def clear(self) -> None:
        """Zero all of RAM (a cold boot)."""
        self.data[:] = bytes(self.size)


def _check_size(size: int, addr: int, access: str) -> None:
    if size not in VALID_SIZES:
        raise AccessFault(addr, size, access,
                          f"access size must be one of {VALID_SIZES} bytes")
