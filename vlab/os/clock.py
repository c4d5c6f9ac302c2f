"""Deterministic time for the kernel: time is counted in retired instructions.

A real kernel reads a clock that runs whether or not the program does; a model that did
that would give different answers on every run.  Our clock is the program's own progress:
the modeled hart retires ``INSTRUCTIONS_PER_SECOND`` instructions per second (a 100 MHz
core at one instruction per cycle), and CLOCK_REALTIME starts at ``EPOCH`` (2011-01-01,
the year of the course's source book) while CLOCK_MONOTONIC starts at 0.
"""

from __future__ import annotations

INSTRUCTIONS_PER_SECOND = 100_000_000
NS_PER_INSTRUCTION = 1_000_000_000 // INSTRUCTIONS_PER_SECOND
EPOCH = 1_293_840_000  # 2011-01-01T00:00:00Z
CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1
CLOCKS = {CLOCK_REALTIME: EPOCH, CLOCK_MONOTONIC: 0, 4: 0}  # 4: CLOCK_MONOTONIC_RAW


def nanoseconds(instret: int) -> int:
    return instret * NS_PER_INSTRUCTION


def clock_time(clock: int, instret: int) -> tuple[int, int]:
    """(seconds, nanoseconds) of ``clock`` after ``instret`` instructions; KeyError if the
    clock id is unknown."""
    seconds, ns = divmod(nanoseconds(instret), 1_000_000_000)
    return CLOCKS[clock] + seconds, ns
