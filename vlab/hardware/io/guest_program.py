"""The guest of the I/O experiments: build it, give it its job, run it in a VM.

The guest is one bare-metal C program with the drivers of the three methods
(vlab/hardware/io/guest/iodrv.c), compiled once with the pinned zig toolchain
(vlab/isa/runtime/driver.py, cached).  Its job is a parameter block the host writes into
guest RAM at ``PARAMS`` before the guest starts (struct params in iodrv.c): so one
image serves every method and size, and the host reads ``result`` back after the run.
"""
from __future__ import annotations

import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vlab.isa.elf import load_elf
from vlab.isa.runtime.driver import compile_c

SOURCE = Path(__file__).with_name('guest') / 'iodrv.c'
PARAMS = 0x8040_0000
BUF = 0x8050_0000
OPS = {'read': 1, 'write': 2, 'console': 3, 'dma': 4, 'send': 5, 'receive': 6,
       'bad-ring': 7}
METHOD_DRIVER = {'emulated': 0, 'passthrough': 0, 'virtio': 1}   # which driver code runs
MIN_GUEST_RAM = 8 << 20
LINE = 32

_image = None


def guest_image():
    """The compiled guest (an ElfImage), built once per process."""
    global _image
    if _image is None:
        with tempfile.TemporaryDirectory(prefix='vlab-iodrv-') as scratch:
            out = Path(scratch) / 'iodrv.elf'
            compile_c([SOURCE], out, mode='bare')
            _image = load_elf(out)
    return _image


@dataclass(frozen=True)
class Job:
    """What the guest does: ``op`` ('read', 'write', 'console', 'dma') on ``count`` KiB or
    lines, ``batch`` requests/lines per virtio notification, ``dma_addr`` for 'dma';
    ``check``: the guest fills the data it writes and sums the data it reads."""

    op: str
    count: int
    batch: int = 8
    dma_addr: int = BUF
    check: bool = True           # fill / checksum the data (False: time the I/O only)
    size: int = 0                # network: payload bytes per frame
    peer: int = 0                # network: destination MAC 52:54:00:12:34:<peer>

    def packed(self, method: str) -> bytes:
        if self.op not in OPS:
            raise ValueError(f'unknown I/O job {self.op!r}: one of {", ".join(OPS)}')
        return struct.pack('<9I', METHOD_DRIVER[method], OPS[self.op], self.count,
                           self.batch, self.dma_addr, 0, int(self.check), self.size,
                           self.peer)


def give_job(vm, method: str, job: Job) -> None:
    vm.machine.bus.write_bytes(PARAMS, job.packed(method))


def result_of(vm) -> int:
    return vm.machine.bus.load(PARAMS + 20, 4)


__all__ = ['BUF', 'Job', 'LINE', 'MIN_GUEST_RAM', 'PARAMS', 'give_job', 'guest_image',
           'result_of']
