"""A split virtqueue, the device's side: rings in guest memory, read and written in place.

Source: OASIS *Virtual I/O Device (VIRTIO) Version 1.1*, sec. 2.6 "Split Virtqueues"
(the same layout in 1.2, sec. 2.7).  A queue of ``size`` entries (a power of two) is
three areas the *driver* allocates in its own memory and tells the device about
(virtio-mmio QueueDesc/QueueDriver/QueueDevice, vlab/hardware/io/virtio_mmio.py):

* the **descriptor table** (sec. 2.6.5), ``size`` x 16 bytes, 16-byte aligned::

      le64 addr;  le32 len;  le16 flags;  le16 next;      flags: NEXT 1, WRITE 2, INDIRECT 4

  a buffer is a *chain* of descriptors linked by ``next`` while NEXT is set; WRITE
  marks a part the device writes (device-writable parts follow the readable ones);
  INDIRECT (sec. 2.6.5.3) points at a table of further descriptors in guest memory;
* the **available ring** (driver area, sec. 2.6.6), 2-byte aligned, written by the
  driver::

      le16 flags;  le16 idx;  le16 ring[size];  le16 used_event;   flags: NO_INTERRUPT 1

  ``ring[idx % size]`` holds the head of the next chain; ``idx`` counts chains made
  available since reset and wraps at 2^16;
* the **used ring** (device area, sec. 2.6.8), 4-byte aligned, written by the device::

      le16 flags;  le16 idx;  struct { le32 id; le32 len; } ring[size];  le16 avail_event;
      flags: NO_NOTIFY 1

  ``id`` is the head of a finished chain, ``len`` the bytes the device wrote into it.

**Notification suppression** (sec. 2.6.7 and 2.6.10): without VIRTIO_F_EVENT_IDX the
driver sets NO_INTERRUPT in the available ring to say "do not interrupt me" and the
device sets NO_NOTIFY in the used ring to say "do not kick me"; with EVENT_IDX the
fields ``used_event``/``avail_event`` name the index at which the other side wants to
hear, and both sides use ``vring_need_event`` (sec. 2.6.7.2, 2.6.10.1):
``(u16)(new - event - 1) < (u16)(new - old)``.

Every field is read from and written to guest memory through the VMM's checked access
(vlab/hardware/io/guest_dma.py): a driver that points a ring or a buffer at memory it
does not own gets a ``DmaFault``, which the transport turns into DEVICE_NEEDS_RESET.
A malformed chain (a loop, a ``next`` past the table, a readable part after a writable
one, a nested INDIRECT) is a ``DmaFault`` too, so the back end never loops forever.

Each descriptor the device reads is charged to the ledger as ``virtq_descriptor``
(vlab/host/costs.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from .guest_dma import DmaFault

DESC_SIZE = 16
VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE, VIRTQ_DESC_F_INDIRECT = 1, 2, 4
VIRTQ_AVAIL_F_NO_INTERRUPT = 1
VIRTQ_USED_F_NO_NOTIFY = 1
MAX_QUEUE_SIZE = 32768            # sec. 2.6: Queue Size is at most 32768


def need_event(event: int, new: int, old: int) -> bool:
    """vring_need_event (sec. 2.6.7.2): did the index pass ``event`` going from ``old``
    to ``new``?  (All three are 16-bit counters that wrap.)"""
    return (new - event - 1) & 0xFFFF < (new - old) & 0xFFFF


@dataclass(frozen=True)
class Descriptor:
    """One descriptor of a chain, as the device read it."""

    addr: int
    length: int
    flags: int
    next: int

    @property
    def device_writes(self) -> bool:
        return bool(self.flags & VIRTQ_DESC_F_WRITE)


@dataclass(frozen=True)
class Chain:
    """A buffer the driver made available: its head index and its parts in order."""

    head: int
    parts: tuple[Descriptor, ...]

    @property
    def readable(self) -> tuple[Descriptor, ...]:
        return tuple(d for d in self.parts if not d.device_writes)

    @property
    def writable(self) -> tuple[Descriptor, ...]:
        return tuple(d for d in self.parts if d.device_writes)


class SplitVirtqueue:
    """One virtqueue as the device sees it (its areas' addresses come from the transport).

    ``pop()`` takes the next available chain, ``push(head, written)`` returns it on the used
    ring, ``driver_wants_interrupt()`` applies the driver's suppression to what was pushed
    since the last call.  ``last_avail`` is the device's private count of chains taken."""

    def __init__(self, dma, size: int, desc: int, driver: int, device: int,
                 event_idx: bool = False):
        if not 0 < size <= MAX_QUEUE_SIZE or size & (size - 1):
            raise DmaFault(f'queue size {size} is not a power of two in 1..{MAX_QUEUE_SIZE}')
        for name, addr, align in (('descriptor table', desc, 16), ('available ring',
                                  driver, 2), ('used ring', device, 4)):
            if addr % align:
                raise DmaFault(f'the {name} at {addr:#x} is not {align}-byte aligned '
                               '(virtio 1.1 sec. 2.6, Table 2.1)')
        self.dma, self.size, self.event_idx = dma, size, event_idx
        self.desc, self.avail, self.used = desc, driver, device
        dma.check(desc, DESC_SIZE * size, 'descriptor table')
        dma.check(driver, 6 + 2 * size, 'available ring')
        dma.check(device, 6 + 8 * size, 'used ring')
        self.last_avail = 0              # chains taken from the available ring
        self.used_idx = dma.u16(device + 2, 'used ring idx')
        self.signalled_used = self.used_idx     # used idx at the last interrupt decision
        self.descriptors_read = 0

    # ---------------------------------------------------------------- available side
    def avail_idx(self) -> int:
        return self.dma.u16(self.avail + 2, 'available ring idx')

    def pending(self) -> int:
        """Chains the driver made available that the device has not taken yet."""
        return (self.avail_idx() - self.last_avail) & 0xFFFF

    def pop(self) -> Chain | None:
        """The next available chain, or None when the ring is empty."""
        if self.pending() == 0:
            return None
        if self.pending() > self.size:
            raise DmaFault(f'available idx {self.avail_idx()} is more than {self.size} '
                           f'ahead of the device ({self.last_avail}): a corrupt ring')
        slot = self.avail + 4 + 2 * (self.last_avail % self.size)
        head = self.dma.u16(slot, 'available ring entry')
        self.last_avail = (self.last_avail + 1) & 0xFFFF
        if self.event_idx:              # "kick me when you pass this" (sec. 2.6.10.1)
            self.dma.put_u16(self.used + 4 + 8 * self.size, self.last_avail, 'avail_event')
        return Chain(head, self._chain(head))

    def _chain(self, head: int) -> tuple[Descriptor, ...]:
        parts: list[Descriptor] = []
        table, limit, index = self.desc, self.size, head
        indirect = False
        while True:
            if index >= limit:
                raise DmaFault(f'descriptor index {index} is past the table of {limit}')
            if len(parts) >= limit + (self.size if indirect else 0):
                raise DmaFault(f'the chain at head {head} loops (more than {limit} parts)')
            d = self._descriptor(table + DESC_SIZE * index)
            if d.flags & VIRTQ_DESC_F_INDIRECT:
                if indirect or parts or d.length % DESC_SIZE or not d.length:
                    raise DmaFault(f'bad INDIRECT descriptor {index} of chain {head} '
                                   '(nested, not first, or not a whole table: sec. 2.6.5.3)')
                table, limit, index, indirect = d.addr, d.length // DESC_SIZE, 0, True
                self.dma.check(table, d.length, 'indirect descriptor table')
                continue
            if parts and parts[-1].device_writes and not d.device_writes:
                raise DmaFault(f'chain {head}: a device-readable part follows a '
                               'device-writable one (sec. 2.6.4.2)')
            parts.append(d)
            if not d.flags & VIRTQ_DESC_F_NEXT:
                return tuple(parts)
            index = d.next

    def _descriptor(self, gpa: int) -> Descriptor:
        raw = self.dma.read(gpa, DESC_SIZE, 'descriptor')
        self.descriptors_read += 1
        if self.dma.ledger is not None:
            self.dma.ledger.charge('virtq_descriptor')
        return Descriptor(int.from_bytes(raw[0:8], 'little'),
                          int.from_bytes(raw[8:12], 'little'),
                          int.from_bytes(raw[12:14], 'little'),
                          int.from_bytes(raw[14:16], 'little'))

    # ---------------------------------------------------------------- used side
    def push(self, head: int, written: int) -> None:
        """Put chain ``head`` on the used ring with ``written`` bytes, then publish idx
        (the element first, the index after it: sec. 2.6.8.2)."""
        slot = self.used + 4 + 8 * (self.used_idx % self.size)
        self.dma.write(slot, head.to_bytes(4, 'little') + written.to_bytes(4, 'little'),
                       'used ring entry')
        self.used_idx = (self.used_idx + 1) & 0xFFFF
        self.dma.put_u16(self.used + 2, self.used_idx, 'used ring idx')

    def set_no_notify(self, on: bool) -> None:
        """VIRTQ_USED_F_NO_NOTIFY: ask the driver not to kick (ignored with EVENT_IDX)."""
        flags = self.dma.u16(self.used, 'used ring flags')
        flags = flags | VIRTQ_USED_F_NO_NOTIFY if on else flags & ~VIRTQ_USED_F_NO_NOTIFY
        self.dma.put_u16(self.used, flags, 'used ring flags')

    def driver_wants_interrupt(self) -> bool:
        """Should the device interrupt for what it pushed since the last decision?"""
        old, new = self.signalled_used, self.used_idx
        self.signalled_used = new
        if old == new:
            return False
        if self.event_idx:
            used_event = self.dma.u16(self.avail + 4 + 2 * self.size, 'used_event')
            return need_event(used_event, new, old)
        return not self.dma.u16(self.avail, 'available ring flags') & \
            VIRTQ_AVAIL_F_NO_INTERRUPT


__all__ = ['DESC_SIZE', 'MAX_QUEUE_SIZE', 'VIRTQ_AVAIL_F_NO_INTERRUPT', 'VIRTQ_DESC_F_INDIRECT',
           'VIRTQ_DESC_F_NEXT', 'VIRTQ_DESC_F_WRITE', 'VIRTQ_USED_F_NO_NOTIFY', 'Chain',
           'Descriptor', 'SplitVirtqueue', 'need_event']
