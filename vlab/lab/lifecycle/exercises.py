"""Oracles of chapter 6's exercises: real pre-copy runs to check the reader's answers.

Exercise 1 (predict the rounds): a guest dirtying ``d`` pages per second round-robin over
a writable working set of ``W`` pages, migrated at a fixed rate of ``R`` pages per second
with a stop-and-copy threshold: :func:`real_rounds` runs vlab's pre-copy
(vlab/hardware/lifecycle/precopy.py) with the rate fixed (``min_rate = max_rate``) and
returns the rounds it took.

Exercise 2 (choose a threshold for a downtime budget): :func:`real_downtime` migrates with
a given threshold and returns the downtime measured; :func:`state_bytes` is the size of
the vCPU and device state sent with the last pages.

Exercise 3 (post-copy's downtime): :func:`real_postcopy_downtime` migrates by post-copy
(vlab/hardware/lifecycle/postcopy.py) and returns the downtime measured.
"""
from __future__ import annotations

import functools

from vlab.hardware.lifecycle.link import PAGE_ON_WIRE, Link
from vlab.hardware.lifecycle.postcopy import postcopy
from vlab.hardware.lifecycle.precopy import precopy
from vlab.hardware.lifecycle.snapshot_file import to_bytes
from vlab.hardware.lifecycle.vmstate import capture_cpu

from .workload import WWS_PAGES, dirtying_rate, guest_ram, new_vm

LATENCY = 100e-6
MEMORY_PAGES = guest_ram() // 4096
ROUND_CASES = (('light', 1e9, 4), ('light', 5e8, 4), ('light', 5e8, 16), ('idle', 5e8, 4),
               ('light', 2e9, 4), ('light', 2.5e8, 8))


def page_rate(bandwidth: float) -> float:
    """Pages per second a link of ``bandwidth`` bit/s carries (4 KiB + 8-byte header)."""
    return bandwidth / 8 / PAGE_ON_WIRE


def guest_facts(rate: str) -> dict:
    """What exercise 1 gives the reader about a guest."""
    return {'memory_pages': MEMORY_PAGES, 'wws_pages': WWS_PAGES,
            'dirty_per_second': dirtying_rate(rate)}


@functools.cache
def real_rounds(rate: str, bandwidth: float, threshold: int) -> int:
    """Rounds vlab's pre-copy takes at a fixed rate of ``bandwidth``."""
    report, _ = precopy(new_vm(rate), Link(bandwidth, LATENCY), min_rate=bandwidth,
                        max_rate=bandwidth, stop_pages=threshold)
    return len(report.rounds)


@functools.cache
def state_bytes() -> int:
    """Bytes of the vCPU, VMM and device state sent in the stop-and-copy."""
    return len(to_bytes(capture_cpu(new_vm('light'))))


@functools.cache
def real_downtime(bandwidth: float, threshold: int) -> float:
    """Downtime (s) of migrating the 'light' guest with this stop-and-copy threshold."""
    report, _ = precopy(new_vm('light'), Link(bandwidth, LATENCY), stop_pages=threshold)
    return report.downtime


@functools.cache
def real_postcopy_downtime(rate: str, bandwidth: float) -> float:
    """Downtime (s) of migrating the guest of ``rate`` by post-copy."""
    report, _ = postcopy(new_vm(rate), Link(bandwidth, LATENCY))
    return report.downtime


__all__ = ['LATENCY', 'MEMORY_PAGES', 'ROUND_CASES', 'guest_facts', 'page_rate',
           'real_downtime', 'real_postcopy_downtime', 'real_rounds', 'state_bytes']
