"""CLINT: the core-local interruptor (machine timer and software interrupt).

Follows the SiFive CLINT layout that QEMU's ``virt`` board and OpenSBI use
(SiFive FU540-C000 Manual, ch. 9 "Core Local Interruptor"; the privileged
spec, §3.2.1 "Machine Timer Registers (mtime and mtimecmp)"):

============  ========  ==========================================
offset        width     register
============  ========  ==========================================
0x0000+4*h    32 bits   msip for hart h (bit 0; other bits read 0)
0x4000+8*h    64 bits   mtimecmp for hart h
0xBFF8        64 bits   mtime
============  ========  ==========================================

The 64-bit registers may be accessed as a whole or as two 32-bit halves
(an RV32 hart must), little-endian: the low half at the lower address.

Time is deterministic: ``mtime`` moves only when the machine calls
``advance(ticks)`` (one tick per ``INSTRUCTIONS_PER_TICK`` retired instructions,
so ``mtime`` counts at :data:`~vlab.host.clock.MTIME_HZ`, the 10 MHz timebase of
QEMU's ``virt`` board; :mod:`vlab.host.clock`); there is no wall clock.
The machine timer interrupt is pending while
``mtime >= mtimecmp`` (privileged spec §3.2.1); the software interrupt while
msip bit 0 is set. ``mtimecmp`` resets to all ones, so no timer interrupt is
pending until software programs it (the spec leaves the reset value
unspecified).
"""

from __future__ import annotations

from ..clock import MTIME_HZ
from ..memory import AccessFault

MSIP_BASE = 0x0000
MTIMECMP_BASE = 0x4000
MTIME = 0xBFF8
MASK64 = (1 << 64) - 1


class CLINT:
    """Timer and software-interrupt registers for ``harts`` harts."""

    SIZE = 0x1_0000
    FREQUENCY_HZ = MTIME_HZ  # what a device tree's timebase-frequency would say
    STATE = ("msip", "mtimecmp", "mtime")

    def __init__(self, harts: int = 1):
        if harts < 1:
            raise ValueError(f"a CLINT needs at least one hart, got {harts}")
        self.harts = harts
        self.msip = [0] * harts
        self.mtimecmp = [MASK64] * harts
        self.mtime = 0

    # -- the machine's side ---------------------------------------------------

    def advance(self, ticks: int) -> None:
        """Let ``ticks`` timer ticks pass (mtime wraps at 2**64)."""
        if ticks < 0:
            raise ValueError(f"time cannot go backwards (advance({ticks}))")
        self.mtime = (self.mtime + ticks) & MASK64

    def timer_pending(self, hart: int = 0) -> bool:
        """Machine timer interrupt pending (MTIP)?"""
        return self.mtime >= self.mtimecmp[hart]

    def software_pending(self, hart: int = 0) -> bool:
        """Machine software interrupt pending (MSIP)?"""
        return bool(self.msip[hart] & 1)

    def ticks_until_timer(self, hart: int = 0) -> int:
        """How many ticks until MTIP rises (0 if already pending): lets a
        machine that is waiting (wfi) skip idle time in one step."""
        return max(0, self.mtimecmp[hart] - self.mtime)

    # -- the bus side -----------------------------------------------------------

    def load(self, offset: int, size: int) -> int:
        register, shift, width = self._locate(offset, size, "load")
        return (self._read(register) >> shift) & ((1 << width) - 1)

    def store(self, offset: int, size: int, value: int) -> None:
        register, shift, width = self._locate(offset, size, "store")
        mask = ((1 << width) - 1) << shift
        old = self._read(register)
        self._write(register, (old & ~mask) | ((value << shift) & mask))

    def _locate(self, offset: int, size: int, access: str) -> tuple[tuple[str, int], int, int]:
        """Map an access to (register, bit shift, bit width) or fault."""
        if MSIP_BASE <= offset < MSIP_BASE + 4 * self.harts:
            base, width, register = MSIP_BASE, 4, ("msip", (offset - MSIP_BASE) // 4)
        elif MTIMECMP_BASE <= offset < MTIMECMP_BASE + 8 * self.harts:
            base, width, register = MTIMECMP_BASE, 8, ("mtimecmp", (offset - MTIMECMP_BASE) // 8)
        elif MTIME <= offset < MTIME + 8:
            base, width, register = MTIME, 8, ("mtime", 0)
        else:
            raise AccessFault(offset, size, access,
                              f"no CLINT register at offset {offset:#x} (msip 0x0, "
                              f"mtimecmp {MTIMECMP_BASE:#x}, mtime {MTIME:#x})")
        inner = (offset - base) % width
        if size not in (4, 8) or inner % size or size > width:
            raise AccessFault(offset, size, access,
                              f"CLINT {register[0]} must be accessed as an aligned "
                              f"32-bit word{'' if width == 4 else ' or 64-bit doubleword'}")
        return register, 8 * inner, 8 * size

    def _read(self, register: tuple[str, int]) -> int:
        name, hart = register
        if name == "mtime":
            return self.mtime
        return getattr(self, name)[hart]

    def _write(self, register: tuple[str, int], value: int) -> None:
        name, hart = register
        if name == "mtime":
            self.mtime = value & MASK64
        elif name == "msip":
            self.msip[hart] = value & 1
        else:
            self.mtimecmp[hart] = value & MASK64
