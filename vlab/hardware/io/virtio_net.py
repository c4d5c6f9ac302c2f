"""virtio-net: the back end of a paravirtual network card, in the VMM, plugged into a
host bridge (vlab/hardware/io/bridge.py).

Source: OASIS *Virtual I/O Device (VIRTIO) Version 1.1*, sec. 5.1 "Network Device"
(device ID 1).  Without VIRTIO_NET_F_MQ there is one pair of queues (sec. 5.1.2):
queue 0 ``receiveq1`` (buffers the driver offers for incoming frames) and queue 1
``transmitq1``.  Every packet in either direction starts with the header of sec. 5.1.6,
12 bytes with VIRTIO_F_VERSION_1::

    u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size; le16 csum_start;
    le16 csum_offset; le16 num_buffers;

followed by the Ethernet frame (destination MAC, source MAC, EtherType, payload).  With
VIRTIO_NET_F_MAC (bit 5) the configuration space starts with the card's ``mac[6]``
(sec. 5.1.4).  No offloads are offered (no checksum, no GSO): the header is all zero
but ``num_buffers`` = 1 on receive.

Transmit: each chain's readable bytes minus the header go to the bridge.  Every packet
byte the back end copies is charged ``dma_byte`` (a tap device's copy).  Receive: a
frame the bridge forwards waits in ``pending`` until the driver offers a buffer (a
frame larger than the buffer is dropped and counted, as a real card does).
"""
from __future__ import annotations

from .guest_dma import DmaFault
from .virtio_mmio import VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1

DEVICE_ID = 1
VIRTIO_NET_F_MAC = 5
NET_HDR = 12
RECEIVEQ, TRANSMITQ = 0, 1
QUEUE_SIZE = 64
MIN_FRAME = 14                  # two MAC addresses and an EtherType
MAX_FRAME = 1514                # Ethernet without the FCS


class VirtioNet:
    """The back end of one virtio NIC with address ``mac`` (6 bytes)."""

    device_id = DEVICE_ID
    features = 1 << VIRTIO_F_VERSION_1 | 1 << VIRTIO_F_EVENT_IDX | 1 << VIRTIO_NET_F_MAC
    queue_max = (QUEUE_SIZE, QUEUE_SIZE)

    def __init__(self, mac: bytes):
        if len(mac) != 6:
            raise ValueError(f'a MAC address is 6 bytes, not {len(mac)}')
        self.mac = mac
        self.config = mac + bytes(2)
        self.port = None                   # the bridge port (Bridge.connect sets it)
        self.transport = None              # the VirtioMmio it sits behind
        self.pending: list[bytes] = []
        self.sent = self.received = self.dropped = 0

    def notify(self, transport, index: int) -> None:
        self.transport = transport
        if index == TRANSMITQ:
            vq = transport.queue(TRANSMITQ)
            while (chain := vq.pop()) is not None:
                packet = b''.join(transport.dma.read(d.addr, d.length, 'packet')
                                  for d in chain.readable)
                frame = packet[NET_HDR:]
                vq.push(chain.head, 0)
                if not MIN_FRAME <= len(frame) <= MAX_FRAME or self.port is None:
                    self.dropped += 1
                    continue
                self.sent += 1
                _charge_copy(transport.dma, len(packet))
                self.port.send(frame, transport.dma.ledger)
        elif index == RECEIVEQ:
            self._deliver(transport)

    def arrive(self, frame: bytes) -> None:
        """A frame from the bridge: deliver it now if the driver offered a buffer."""
        self.pending.append(frame)
        transport = self.transport
        if transport is not None and transport.queue(RECEIVEQ) is not None:
            try:
                self._deliver(transport)
                transport.used_buffers(transport.queue(RECEIVEQ))
            except DmaFault as fault:
                transport.fail(f'queue {RECEIVEQ}: {fault}')

    def _deliver(self, transport) -> None:
        vq = transport.queue(RECEIVEQ)
        while self.pending and (chain := vq.pop()) is not None:
            frame = self.pending.pop(0)
            packet = bytes(10) + (1).to_bytes(2, 'little') + frame   # num_buffers = 1
            room = sum(d.length for d in chain.writable)
            if room < len(packet):
                self.dropped += 1
                vq.push(chain.head, 0)
                continue
            offset = 0
            for part in chain.writable:
                piece = packet[offset:offset + part.length]
                if piece:
                    transport.dma.write(part.addr, piece, 'receive buffer')
                offset += len(piece)
            self.received += 1
            _charge_copy(transport.dma, len(packet))
            vq.push(chain.head, len(packet))


def _charge_copy(dma, nbytes: int) -> None:
    """The back end copies each packet between guest memory and the bridge (as a tap
    device's read/write does): ``dma_byte`` per byte."""
    if dma.ledger is not None:
        dma.ledger.charge('dma_byte', nbytes)


__all__ = ['DEVICE_ID', 'NET_HDR', 'RECEIVEQ', 'TRANSMITQ', 'VIRTIO_NET_F_MAC', 'VirtioNet']
