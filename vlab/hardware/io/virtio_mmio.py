"""The virtio-mmio transport: a virtio device as a page of registers on the bus.

Source: OASIS *Virtual I/O Device (VIRTIO) Version 1.1*, sec. 4.2 "Virtio Over MMIO"
(Table 4.1, the "non-legacy" interface, Version 2), sec. 2.1 (device status), 2.2
(feature bits) and 3.1 (device initialization).  The register file, 32-bit registers
read and written as aligned words (sec. 4.2.2), then the device-specific configuration
space from 0x100:

======  ========================  ====  ===============================================
offset  name                      mode  meaning
======  ========================  ====  ===============================================
0x000   MagicValue                R     0x74726976 ("virt")
0x004   Version                   R     2 (virtio 1.x; 1 is the legacy interface)
0x008   DeviceID                  R     1 net, 2 block, 3 console (sec. 5)
0x00c   VendorID                  R     0x554D4551 ("QEMU", as QEMU's; any value works)
0x010   DeviceFeatures            R     32 feature bits, the half chosen by ...
0x014   DeviceFeaturesSel         W     ... this (0: bits 0-31, 1: bits 32-63)
0x020   DriverFeatures            W     the features the driver accepts (half by ...)
0x024   DriverFeaturesSel         W     ... this)
0x030   QueueSel                  W     the queue the next registers talk about
0x034   QueueNumMax               R     its largest size (0: no such queue)
0x038   QueueNum                  W     its size, chosen by the driver
0x044   QueueReady                RW    1: the queue is set up and may be used
0x050   QueueNotify               W     "there are new buffers in queue N" (the kick)
0x060   InterruptStatus           R     bit 0 used buffer, bit 1 configuration change
0x064   InterruptACK              W     clears those bits
0x070   Status                    RW    ACKNOWLEDGE 1, DRIVER 2, DRIVER_OK 4,
                                        FEATURES_OK 8, DEVICE_NEEDS_RESET 64, FAILED 128;
                                        writing 0 resets the device
0x080   QueueDescLow/High         W     guest-physical address of the descriptor table
0x090   QueueDriverLow/High       W     ... of the available ring (driver area)
0x0a0   QueueDeviceLow/High       W     ... of the used ring (device area)
0x0fc   ConfigGeneration          R     0 (the configuration never changes here)
0x100+  Config                    R     device-specific (capacity of a disk, ...)
======  ========================  ====  ===============================================

The driver's start-up (sec. 3.1.1): reset, ACKNOWLEDGE, DRIVER, read the features and
write the accepted ones, FEATURES_OK (the device clears it again if it cannot accept
them: VIRTIO_F_VERSION_1 is required of a Version 2 device), set up each queue, DRIVER_OK.

**Where the time goes.**  In a VM this page is *not* mapped in the guest's G-stage, so
each register access is an MMIO exit to the VMM (vlab/hardware/mmio.py).  The point of
virtio is that data never goes through registers: buffers are described in rings in
guest memory (vlab/hardware/io/virtqueue.py) and one write of QueueNotify -- one exit --
hands the back end a whole batch.  Simplification: the back end processes the queue
*synchronously* inside that exit (as a KVM ioeventfd handler would in another thread,
here without the thread), and the platform has no interrupt controller, so a used-buffer
interrupt sets InterruptStatus and is counted (``interrupts``) but the driver polls the
used ring instead of taking it.  With the driver's NO_INTERRUPT flag (or EVENT_IDX) the
device raises none (``interrupts_suppressed``).

**Bad driver input** (a ring outside guest RAM, a looping chain, an unaligned ring): the
device sets DEVICE_NEEDS_RESET and a configuration-change interrupt (sec. 2.1.2), stops
using its queues and records why in ``error``; the VMM and other VMs are untouched.
"""
from __future__ import annotations

from vlab.host.memory import AccessFault

from .guest_dma import DmaFault
from .virtqueue import SplitVirtqueue

MAGIC_VALUE = 0x74726976
VERSION = 2
VENDOR_ID = 0x554D4551
VIRTIO_F_EVENT_IDX = 29          # sec. 6 "Reserved Feature Bits": VIRTIO_F_EVENT_IDX
VIRTIO_F_VERSION_1 = 32
ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK = 1, 2, 4, 8
DEVICE_NEEDS_RESET, FAILED = 64, 128
INT_USED_BUFFER, INT_CONFIG_CHANGE = 1, 2
CONFIG_BASE = 0x100

# offset -> register name (the table above); low/high pairs name the same address
REGISTERS = {
    0x000: 'MagicValue', 0x004: 'Version', 0x008: 'DeviceID', 0x00C: 'VendorID',
    0x010: 'DeviceFeatures', 0x014: 'DeviceFeaturesSel', 0x020: 'DriverFeatures',
    0x024: 'DriverFeaturesSel', 0x030: 'QueueSel', 0x034: 'QueueNumMax', 0x038: 'QueueNum',
    0x044: 'QueueReady', 0x050: 'QueueNotify', 0x060: 'InterruptStatus',
    0x064: 'InterruptACK', 0x070: 'Status', 0x080: 'QueueDescLow', 0x084: 'QueueDescHigh',
    0x090: 'QueueDriverLow', 0x094: 'QueueDriverHigh', 0x0A0: 'QueueDeviceLow',
    0x0A4: 'QueueDeviceHigh', 0x0FC: 'ConfigGeneration',
}
QUEUE_ADDRESS = {0x080: ('desc', 0), 0x084: ('desc', 32), 0x090: ('driver', 0),
                 0x094: ('driver', 32), 0x0A0: ('device', 0), 0x0A4: ('device', 32)}


class QueueSetup:
    """What the driver wrote for one queue before QueueReady (sec. 4.2.3.2)."""

    def __init__(self):
        self.num, self.ready = 0, False
        self.desc = self.driver = self.device = 0
        self.vq: SplitVirtqueue | None = None


class VirtioMmio:
    """The transport of one virtio device; ``backend`` is the device type (virtio_blk.py,
    virtio_console.py, virtio_net.py): ``device_id``, ``features``, ``queue_max`` (one
    size per queue), ``config`` bytes and ``notify(transport, queue_index)``."""

    SIZE = 0x1000

    def __init__(self, backend, dma):
        self.backend, self.dma = backend, dma
        self.notifications = self.interrupts = self.interrupts_suppressed = 0
        self.error = ''
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.device_features_sel = self.driver_features_sel = 0
        self.driver_features = 0
        self.queue_sel = 0
        self.interrupt_status = 0
        self.queues = [QueueSetup() for _ in self.backend.queue_max]

    # ---------------------------------------------------------------- helpers
    @property
    def negotiated(self) -> int:
        return self.driver_features if self.status & FEATURES_OK else 0

    def has(self, bit: int) -> bool:
        return bool(self.negotiated >> bit & 1)

    def queue(self, index: int) -> SplitVirtqueue | None:
        if 0 <= index < len(self.queues) and self.queues[index].ready:
            return self.queues[index].vq
        return None

    def _selected(self) -> QueueSetup | None:
        return self.queues[self.queue_sel] if self.queue_sel < len(self.queues) else None

    # ---------------------------------------------------------------- bus side
    def load(self, offset: int, size: int) -> int:
        if offset >= CONFIG_BASE:
            config = self.backend.config
            end = offset - CONFIG_BASE + size
            if end > len(config):
                raise AccessFault(offset, size, 'load', f'past the {len(config)}-byte '
                                  'device configuration space')
            return int.from_bytes(config[offset - CONFIG_BASE:end], 'little')
        self._check(offset, size, 'load')
        q = self._selected()
        readers = {
            0x000: lambda: MAGIC_VALUE, 0x004: lambda: VERSION,
            0x008: lambda: self.backend.device_id, 0x00C: lambda: VENDOR_ID,
            0x010: lambda: self.backend.features >> 32 * self.device_features_sel
            & 0xFFFFFFFF if self.device_features_sel < 2 else 0,
            0x034: lambda: self.backend.queue_max[self.queue_sel] if q else 0,
            0x044: lambda: int(q.ready) if q else 0,
            0x060: lambda: self.interrupt_status, 0x070: lambda: self.status,
            0x0FC: lambda: 0,
        }
        return readers.get(offset, lambda: 0)()         # write-only registers read 0

    def store(self, offset: int, size: int, value: int) -> None:
        self._check(offset, size, 'store')
        value &= 0xFFFFFFFF
        q = self._selected()
        if offset == 0x014:
            self.device_features_sel = value
        elif offset == 0x020 and self.driver_features_sel < 2:
            shift = 32 * self.driver_features_sel
            self.driver_features = (self.driver_features & ~(0xFFFFFFFF << shift)
                                    | value << shift) & self.backend.features
        elif offset == 0x024:
            self.driver_features_sel = value
        elif offset == 0x030:
            self.queue_sel = value
        elif offset == 0x038 and q is not None:
            q.num = value
        elif offset in QUEUE_ADDRESS and q is not None:
            field, shift = QUEUE_ADDRESS[offset]
            old = getattr(q, field)
            setattr(q, field, old & ~(0xFFFFFFFF << shift) | value << shift)
        elif offset == 0x044 and q is not None:
            self._queue_ready(q, bool(value & 1))
        elif offset == 0x050:
            self._notify(value)
        elif offset == 0x064:
            self.interrupt_status &= ~value
        elif offset == 0x070:
            self._write_status(value)

    def _check(self, offset: int, size: int, access: str) -> None:
        if size != 4 or offset not in REGISTERS:
            raise AccessFault(offset, size, access, f'no virtio-mmio register at offset '
                              f'{offset:#x} as a {size}-byte access (registers are 32-bit '
                              'words, virtio 1.1 sec. 4.2.2)')

    # ---------------------------------------------------------------- behaviour
    def _write_status(self, value: int) -> None:
        if value == 0:
            self.reset()
            return
        if value & FEATURES_OK and not self.status & FEATURES_OK and \
                not self.driver_features >> VIRTIO_F_VERSION_1 & 1:
            value &= ~FEATURES_OK           # a Version 2 device needs VIRTIO_F_VERSION_1
        self.status = value | self.status & DEVICE_NEEDS_RESET

    def _queue_ready(self, q: QueueSetup, ready: bool) -> None:
        if not ready:
            q.ready, q.vq = False, None
            return
        if q.num > self.backend.queue_max[self.queue_sel]:
            self.fail(f'queue {self.queue_sel}: QueueNum {q.num} is above QueueNumMax '
                      f'{self.backend.queue_max[self.queue_sel]} (sec. 4.2.3.2)')
            return
        try:
            q.vq = SplitVirtqueue(self.dma, q.num, q.desc, q.driver, q.device,
                                  event_idx=self.has(VIRTIO_F_EVENT_IDX))
            q.ready = True
        except DmaFault as fault:
            self.fail(f'queue {self.queue_sel}: {fault}')

    def _notify(self, index: int) -> None:
        """QueueNotify: the kick.  The back end drains the queue now (see the module
        docstring), then the driver's suppression decides whether to interrupt."""
        self.notifications += 1
        vq = self.queue(index)
        if vq is None or not self.status & DRIVER_OK or self.status & DEVICE_NEEDS_RESET:
            return                          # a kick of a queue not in use does nothing
        try:
            self.backend.notify(self, index)
            self.used_buffers(vq)
        except DmaFault as fault:
            self.fail(f'queue {index}: {fault}')

    def used_buffers(self, vq: SplitVirtqueue) -> None:
        """Interrupt for newly used buffers, unless the driver suppressed it."""
        if vq.driver_wants_interrupt():
            self.interrupt_status |= INT_USED_BUFFER
            self.interrupts += 1
        else:
            self.interrupts_suppressed += 1

    def fail(self, why: str) -> None:
        """The driver broke the rules: DEVICE_NEEDS_RESET (sec. 2.1.2), queues stop."""
        self.status |= DEVICE_NEEDS_RESET
        self.interrupt_status |= INT_CONFIG_CHANGE
        self.error = why
        for q in self.queues:
            q.ready, q.vq = False, None


__all__ = ['ACKNOWLEDGE', 'DEVICE_NEEDS_RESET', 'DRIVER', 'DRIVER_OK', 'FAILED', 'FEATURES_OK',
           'MAGIC_VALUE', 'REGISTERS', 'VERSION', 'VIRTIO_F_EVENT_IDX', 'VIRTIO_F_VERSION_1',
           'VirtioMmio']
