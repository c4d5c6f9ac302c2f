"""The one clock: how fast the modeled machine runs and how its time is counted.

Time in vlab is modeled, never read from the wall clock (deterministic runs).  Two
machines have a speed, and both are defined here, once:

=============================  ==============  ===========================================
quantity                       value           who uses it
=============================  ==============  ===========================================
``GUEST_INSTRUCTIONS_PER_SEC``  100,000,000     the modeled RV32 hart: a 100 MHz core
                                                retiring one instruction per cycle
``MTIME_HZ``                    10,000,000      the CLINT's ``mtime`` timebase: 10 MHz, the
                                                ``timebase-frequency`` of QEMU's ``virt``
                                                board (``hw/riscv/virt.c``)
``INSTRUCTIONS_PER_TICK``       10              retired instructions per ``mtime`` tick
``NS_PER_INSTRUCTION``          10              guest time per retired instruction: the
                                                kernel's clocks, the HLL VM's ``clock_ns``
``HOST_CLOCK_HZ``               2,000,000,000   the host whose cycles the ledger counts
                                                (:mod:`vlab.host.costs`): a 2 GHz x86 of the
                                                mid-2000s, the era of the cited papers
=============================  ==============  ===========================================

The guest hart and the host are different machines on purpose: guest software sees
time advance with its own instructions (``rdtime``, ``clock_gettime``), while the cost
ledger prices every level's events in host cycles; :func:`host_cycles` turns a modeled
duration (a network round trip, say) into those cycles.
"""

from __future__ import annotations

GUEST_INSTRUCTIONS_PER_SEC = 100_000_000
MTIME_HZ = 10_000_000
INSTRUCTIONS_PER_TICK = GUEST_INSTRUCTIONS_PER_SEC // MTIME_HZ
NS_PER_INSTRUCTION = 1_000_000_000 // GUEST_INSTRUCTIONS_PER_SEC
HOST_CLOCK_HZ = 2_000_000_000


def guest_ns(instructions: int) -> int:
    """Guest nanoseconds that ``instructions`` retired instructions take."""
    return instructions * NS_PER_INSTRUCTION


def mtime_ticks(instructions: int) -> int:
    """Whole ``mtime`` ticks that ``instructions`` retired instructions take."""
    return instructions // INSTRUCTIONS_PER_TICK


def host_cycles(microseconds: float, clock_hz: int = HOST_CLOCK_HZ) -> float:
    """Host cycles in ``microseconds`` of modeled time on a host clocked at ``clock_hz``."""
    return microseconds * clock_hz / 1_000_000
