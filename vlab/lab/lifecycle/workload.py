"""The guests chapter 6 migrates: one program, its dirtying rate set by a delay loop.

Every experiment of the chapter uses vlab/hardware/lifecycle/guests.py's dirtying guest
with a writable working set of :data:`WWS_PAGES` pages, writing :data:`DIRTY` of them
per iteration, and a delay loop of ``work`` iterations (three instructions each) between:
:data:`RATES` names the settings, about 300, 3,000, 30,000 and 3 million pages per
modeled second.  Each runs about :data:`INSTRUCTIONS` instructions in all, longer than any
migration of it takes.  ``dirtying_rate`` measures what a setting gives, in pages per modeled second
(instructions per iteration counted on a real run, at
``vlab.hardware.lifecycle.migration_report.DEFAULT_GUEST_IPS``).
"""
from __future__ import annotations

import functools

from vlab.hardware.lifecycle.guests import dirtying_guest, guest_ram_needed
from vlab.hardware.lifecycle.migration_report import DEFAULT_GUEST_IPS
from vlab.hardware.vm import VirtualMachine

WWS_PAGES, DIRTY, STATIC_PAGES = 64, 1, 64
INSTRUCTIONS = 12_000_000
RATES = {'idle': 55_000, 'light': 5_500, 'busy': 550, 'diabolical': 0}   # name -> work
START_AT = 2000


def knobs(rate: str, iters: int | None = None) -> dict:
    if rate not in RATES:
        raise ValueError(f'dirtying rate {rate!r}: choose one of {list(RATES)}')
    iters = iters or INSTRUCTIONS // (3 * RATES[rate] + 14)
    return dict(wws_pages=WWS_PAGES, dirty=DIRTY, work=RATES[rate], iters=iters,
                static_pages=STATIC_PAGES, print_every=max(1, iters // 26))


def guest_ram() -> int:
    return guest_ram_needed(WWS_PAGES, STATIC_PAGES)


def new_vm(rate: str, cpu: str = 'trap-emulate', iters: int | None = None) -> VirtualMachine:
    """A VM running the guest of ``rate``, started and run to :data:`START_AT`."""
    vm = VirtualMachine(dirtying_guest(**knobs(rate, iters)), cpu=cpu, engine='dbt',
                        guest_ram=guest_ram())
    vm.run(max_instructions=START_AT)
    return vm


@functools.cache
def dirtying_rate(rate: str) -> float:
    """Pages the guest of ``rate`` dirties per modeled second (measured on a short run)."""
    iters = max(20, 200_000 // (3 * RATES[rate] + 14))
    vm = VirtualMachine(dirtying_guest(**knobs(rate, iters)), engine='dbt',
                        guest_ram=guest_ram())
    vm.run(max_instructions=10**8)
    return DIRTY * iters / vm.machine.hart.instret * DEFAULT_GUEST_IPS


__all__ = ['DIRTY', 'RATES', 'WWS_PAGES', 'dirtying_rate', 'guest_ram', 'knobs', 'new_vm']
