"""The destination host must have room for the VM before a migration starts.

Xen and KVM reserve the guest's memory at the destination first (Clark et al., NSDI
2005, sec. 3, stage 0 "pre-migration": "a target host with sufficient resources"); a
host that cannot hold it refuses, and the VM never stops running on the source.
"""
from __future__ import annotations


class DestinationError(ValueError):
    """The destination cannot take the VM (the message says why)."""


def check_room(vm, dest_ram: int | None) -> None:
    """Raise DestinationError when ``dest_ram`` bytes cannot hold ``vm`` (guest RAM plus
    the VMM's memory); None: the destination is as large as needed."""
    need = vm.memory.size + vm.memory.vmm_size
    if dest_ram is not None and dest_ram < need:
        raise DestinationError(
            f'the destination has {dest_ram} bytes of RAM free; the VM needs {need} '
            f'({vm.memory.size} of guest RAM and {vm.memory.vmm_size} for its VMM): not '
            'migrated, the VM keeps running on the source')


__all__ = ['DestinationError', 'check_room']
