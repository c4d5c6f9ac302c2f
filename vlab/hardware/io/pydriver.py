"""A virtio driver written in Python: the guest's side of a split virtqueue, for tests and
for the chapter's drawings (the driver a guest really runs is vlab/hardware/io/guest/
iodrv.c; this one follows the same steps of virtio 1.1 sec. 3.1.1 and 2.6.13).

It writes the rings into guest RAM through the bus and talks to the transport's
registers directly (as a guest's loads and stores would after an MMIO exit).  It can
take a snapshot of the queue (``snapshot()``: every descriptor, the two rings' entries
and indices as they are in memory) after each step, which is what the chapter draws.
"""
from __future__ import annotations

from dataclasses import dataclass

from .virtio_mmio import (
    ACKNOWLEDGE,
    DRIVER,
    DRIVER_OK,
    FEATURES_OK,
    VIRTIO_F_EVENT_IDX,
    VIRTIO_F_VERSION_1,
)
from .virtqueue import (
    DESC_SIZE,
    VIRTQ_AVAIL_F_NO_INTERRUPT,
    VIRTQ_DESC_F_NEXT,
    VIRTQ_DESC_F_WRITE,
    VIRTQ_USED_F_NO_NOTIFY,
    need_event,
)


@dataclass(frozen=True)
class QueueSnapshot:
    """A queue as it is in guest memory: descriptors (addr, len, flags, next), the
    available ring's idx and entries, the used ring's idx and (id, len) entries."""

    descriptors: tuple[tuple[int, int, int, int], ...]
    avail_idx: int
    avail_ring: tuple[int, ...]
    used_idx: int
    used_ring: tuple[tuple[int, int], ...]
    device_taken: int                      # the device's private last_avail


class PyVirtioDriver:
    """Drive ``transport`` (a VirtioMmio) with queues in guest RAM from ``area`` on."""

    def __init__(self, bus, transport, area: int, queue_size: int = 8,
                 event_idx: bool = False, no_interrupt: bool = False):
        self.bus, self.t, self.size = bus, transport, queue_size
        self.queues: dict[int, dict] = {}
        self.area, self.kicks = area, 0
        self.event_idx, self.no_interrupt = event_idx, no_interrupt

    # ---------------------------------------------------------------- registers
    def w(self, offset: int, value: int) -> None:
        self.t.store(offset, 4, value)

    def r(self, offset: int) -> int:
        return self.t.load(offset, 4)

    def start(self, nqueues: int) -> bool:
        """The initialization sequence of sec. 3.1.1; False if the device refused."""
        self.w(0x070, 0)
        self.w(0x070, ACKNOWLEDGE)
        self.w(0x070, ACKNOWLEDGE | DRIVER)
        self.w(0x014, 1)
        high = self.r(0x010) & 1 << (VIRTIO_F_VERSION_1 - 32)
        self.w(0x024, 1)
        self.w(0x020, high)
        self.w(0x014, 0)
        low = self.r(0x010) & (1 << VIRTIO_F_EVENT_IDX if self.event_idx else 0)
        self.w(0x024, 0)
        self.w(0x020, low)
        self.w(0x070, ACKNOWLEDGE | DRIVER | FEATURES_OK)
        if not self.r(0x070) & FEATURES_OK:
            return False
        for q in range(nqueues):
            self.setup_queue(q)
        self.w(0x070, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)
        return True

    def setup_queue(self, q: int, desc: int | None = None) -> None:
        base = self.area + q * 0x1000
        desc = base if desc is None else desc
        avail, used = base + 0x400, base + 0x800
        self.bus.write_bytes(base, bytes(0x1000))
        if self.no_interrupt:
            self.bus.store(avail, 2, VIRTQ_AVAIL_F_NO_INTERRUPT)
        self.w(0x030, q)
        self.w(0x038, self.size)
        for offset, addr in ((0x080, desc), (0x090, avail), (0x0A0, used)):
            self.w(offset, addr)
            self.w(offset + 4, 0)
        self.w(0x044, 1)
        self.queues[q] = {'desc': desc, 'avail': avail, 'used': used, 'next': 0,
                          'free': 0, 'seen_used': 0}

    # ---------------------------------------------------------------- buffers
    def add_chain(self, q: int, parts) -> int:
        """Put a chain of (addr, len, device_writes) parts in free descriptors and make it
        available (not yet published); returns its head."""
        queue = self.queues[q]
        head = queue['free']
        for i, (addr, length, writes) in enumerate(parts):
            index = (head + i) % self.size
            flags = (VIRTQ_DESC_F_WRITE if writes else 0) | \
                (VIRTQ_DESC_F_NEXT if i + 1 < len(parts) else 0)
            raw = (addr.to_bytes(8, 'little') + length.to_bytes(4, 'little')
                   + flags.to_bytes(2, 'little') + ((index + 1) % self.size).to_bytes(2, 'little'))
            self.bus.write_bytes(queue['desc'] + DESC_SIZE * index, raw)
        queue['free'] = (head + len(parts)) % self.size
        slot = queue['avail'] + 4 + 2 * (queue['next'] % self.size)
        self.bus.store(slot, 2, head)
        queue['next'] = (queue['next'] + 1) & 0xFFFF
        return head

    def publish(self, q: int) -> None:
        """Write avail idx (the chains become visible to the device)."""
        queue = self.queues[q]
        self.bus.store(queue['avail'] + 2, 2, queue['next'])

    def kick(self, q: int) -> bool:
        """Notify the device unless it suppressed notifications; True if it kicked."""
        queue = self.queues[q]
        if self.event_idx:
            avail_event = self.bus.load(queue['used'] + 4 + 8 * self.size, 2)
            old = queue.get('kicked', 0)
            wanted = need_event(avail_event, queue['next'], old) or old == queue['next']
        else:
            wanted = not self.bus.load(queue['used'], 2) & VIRTQ_USED_F_NO_NOTIFY
        queue['kicked'] = queue['next']
        if wanted:
            self.kicks += 1
            self.w(0x050, q)
        return wanted

    def used(self, q: int) -> list[tuple[int, int]]:
        """The (id, len) entries the device added since the last call."""
        queue = self.queues[q]
        idx = self.bus.load(queue['used'] + 2, 2)
        out = []
        while queue['seen_used'] != idx:
            at = queue['used'] + 4 + 8 * (queue['seen_used'] % self.size)
            out.append((self.bus.load(at, 4), self.bus.load(at + 4, 4)))
            queue['seen_used'] = (queue['seen_used'] + 1) & 0xFFFF
        return out

    def snapshot(self, q: int) -> QueueSnapshot:
        queue, n = self.queues[q], self.size
        raw = self.bus.read_bytes(queue['desc'], DESC_SIZE * n)
        descs = tuple((int.from_bytes(raw[i:i + 8], 'little'),
                       int.from_bytes(raw[i + 8:i + 12], 'little'),
                       int.from_bytes(raw[i + 12:i + 14], 'little'),
                       int.from_bytes(raw[i + 14:i + 16], 'little'))
                      for i in range(0, DESC_SIZE * n, DESC_SIZE))
        avail = tuple(self.bus.load(queue['avail'] + 4 + 2 * i, 2) for i in range(n))
        used = tuple((self.bus.load(queue['used'] + 4 + 8 * i, 4),
                      self.bus.load(queue['used'] + 8 + 8 * i, 4)) for i in range(n))
        vq = self.t.queue(q)
        return QueueSnapshot(descs, self.bus.load(queue['avail'] + 2, 2), avail,
                             self.bus.load(queue['used'] + 2, 2), used,
                             vq.last_avail if vq is not None else 0)


__all__ = ['PyVirtioDriver', 'QueueSnapshot']
