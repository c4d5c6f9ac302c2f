"""Deterministic time for the kernel: time is counted in retired instructions.

A real kernel reads a clock that runs whether or not the program does; a model that did
that would give different answers on every run.  Our clock is the program's own progress:
each retired instruction is ``NS_PER_INSTRUCTION`` guest nanoseconds, from the machine's
one timebase (``vlab.host.clock``: a 100 MHz hart at one instruction per cycle).
CLOCK_REALTIME starts at ``EPOCH`` (2011-01-01, the year of the course's source book),
CLOCK_MONOTONIC and CLOCK_MONOTONIC_RAW at 0 (clock ids: include/uapi/linux/time.h).
"""

from __future__ import annotations

from vlab.host.clock import guest_ns

EPOCH = 1_293_840_000  # 2011-01-01T00:00:00Z
CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW = 0, 1, 4
CLOCKS = {CLOCK_REALTIME: EPOCH, CLOCK_MONOTONIC: 0, CLOCK_MONOTONIC_RAW: 0}


def clock_time(clock: int, instret: int) -> tuple[int, int]:
    """(seconds, nanoseconds) of ``clock`` after ``instret`` instructions; KeyError if the
    clock id is unknown."""
    seconds, ns = divmod(guest_ns(instret), 1_000_000_000)
    return CLOCKS[clock] + seconds, ns
