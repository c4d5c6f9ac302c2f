"""Suspend a running VM to a file and resume it on another modeled host.

The lecture's operations (Hwang et al. 2011, sec. 3.5.1, fig. 3.19): a VM is *suspended*
to stable storage and *provisioned (resumed)* on a new hardware platform.  Suspend stops
the guest between two instructions (``vm.run(max_instructions=k)`` stops exactly at k),
captures its state (vlab/hardware/lifecycle/vmstate.py) and writes the snapshot file
(vlab/hardware/lifecycle/snapshot_file.py); resume builds an empty VM of the same shape
on a fresh modeled host, puts the state in, and runs it on.  The resumed guest gives the
same console output, exit status and retired-instruction count as if it had never
stopped (tests/hardware/test_lifecycle_snapshot.py, over many k, both engines, every CPU
method).
"""
from __future__ import annotations

from .snapshot_file import read_snapshot, write_snapshot
from .vmstate import capture, restore


def suspend(vm, path, engine: str | None = None) -> int:
    """Write ``vm``'s state to ``path`` (atomically); returns the file size."""
    return write_snapshot(path, capture(vm, engine))


def resume(path, costs=None):
    """A VM on a fresh modeled host, continuing the one suspended in ``path``."""
    return restore(read_snapshot(path), costs=costs)


__all__ = ['resume', 'suspend']
