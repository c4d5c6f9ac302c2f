"""Oracles for chapter 5's I/O exercises: how many VM exits a disk read takes, predicted
from the drivers' code and measured by running them.

``predicted_exits`` is the count a student derives from the guest's drivers
(vlab/hardware/io/guest/iodrv.c): the register-file driver issues one command per 4 KiB
(SECTOR, DMA_ADDR, COUNT, COMMAND stores and a STATUS load: five accesses, each an MMIO
exit when the disk is emulated, none when it is assigned); the virtio driver queues one
request per 4 KiB and notifies once per ``batch`` requests.  ``measured_exits`` runs the
guest and counts the VMM's MMIO exits beyond those of a job of 0 KiB (start-up).  The
tests hold the two equal, so the formula is the mechanism's, not a guess.
"""
from __future__ import annotations

from vlab.hardware.io.guest_program import Job
from vlab.hardware.io.measure import run_job

PAGE_KIB = 4
ACCESSES_PER_COMMAND = 5


def predicted_exits(method: str, kib: int, batch: int = 8) -> int:
    """MMIO exits of reading ``kib`` KiB by ``method``, from the drivers' code."""
    commands = -(-kib // PAGE_KIB)
    per_method = {'emulated': ACCESSES_PER_COMMAND * commands,
                  'virtio': -(-commands // batch),
                  'passthrough': 0}
    if method not in per_method:
        raise ValueError(f'unknown I/O method {method!r}: one of {", ".join(per_method)}')
    return per_method[method]


def measured_exits(method: str, kib: int, batch: int = 8) -> int:
    """MMIO exits of reading ``kib`` KiB by ``method``, counted in a real run."""
    def mmio(run):
        return run.exits.get('MMIO load', 0) + run.exits.get('MMIO store', 0)
    base = run_job(method, Job('read', 0, batch, check=False))
    full = run_job(method, Job('read', kib, batch, check=False))
    return mmio(full) - mmio(base)


__all__ = ['measured_exits', 'predicted_exits']
